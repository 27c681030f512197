import { randomFillSync } from 'node:crypto'

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'
const ID_BYTES = 22

// Every request takes at least one id (its request id) and a cancel four: one CSPRNG call per id was one
// getrandom system call each in the benchmark's profile. The same CSPRNG bytes are drawn in blocks instead
// (as crypto.randomUUID does); each byte is used once.
const pool = Buffer.alloc(ID_BYTES * 256)
let offset = pool.length

/**
 * Object ids: a type prefix and 22 base62 characters (≈131 bits). Time-ordered prefixes would help index
 * locality, but ids are looked up by equality only; the list indexes sort on created_at.
 */
export function newId(prefix: 'pay' | 'can' | 'bk' | 'evt' | 'req' | 'ord'): string {
  if (offset + ID_BYTES > pool.length) {
    randomFillSync(pool)
    offset = 0
  }
  let out = `${prefix}_`
  for (let i = offset; i < offset + ID_BYTES; i++) out += ALPHABET[pool[i]! % 62]
  offset += ID_BYTES
  return out
}
