import { randomBytes } from 'node:crypto'

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'

/**
 * Object ids: a type prefix and 22 base62 characters (≈131 bits). Time-ordered prefixes would help index
 * locality, but ids are looked up by equality only; the list indexes sort on created_at.
 */
export function newId(prefix: 'pay' | 'can' | 'bk' | 'evt' | 'req' | 'ord'): string {
  const bytes = randomBytes(22)
  let out = `${prefix}_`
  for (const b of bytes) out += ALPHABET[b % 62]
  return out
}
