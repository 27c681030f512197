import { invalidRequest } from '@paymux/core'
import iconv from 'iconv-lite'

/**
 * NicePay's webapi reads request bodies as EUC-KR (KS X 1001). iconv-lite's `euc-kr` is really CP949, which
 * also maps ~8,800 extra syllables (똠, 햏) a strict EUC-KR server cannot read, and it silently turns
 * unmappable characters (emoji) into '?'. So every character is checked on its own: ASCII, or exactly two
 * bytes both in 0xA1–0xFE that decode back to the same character.
 */
function isKsX1001(ch: string): boolean {
  const bytes = iconv.encode(ch, 'cp949')
  if (bytes.length !== 2) return false
  const [a, b] = [bytes[0]!, bytes[1]!]
  if (a < 0xa1 || a > 0xfe || b < 0xa1 || b > 0xfe) return false
  return iconv.decode(bytes, 'cp949') === ch
}

/** The first character a strict EUC-KR encoder cannot represent, or undefined. Controls count as invalid. */
export function firstNonEucKr(value: string): string | undefined {
  for (const ch of value) {
    const cp = ch.codePointAt(0)!
    if (cp < 0x20 || cp === 0x7f) return ch
    if (cp < 0x80) continue
    if (!isKsX1001(ch)) return ch
  }
  return undefined
}

/** EUC-KR bytes of a value that passed `firstNonEucKr`. */
export function eucKrBytes(value: string): Uint8Array {
  return new Uint8Array(iconv.encode(value, 'cp949'))
}

export function eucKrLength(value: string): number {
  return eucKrBytes(value).length
}

/**
 * Checks a text field the way NicePay counts it (EUC-KR bytes) and says which field is wrong, before any call.
 * Returns the value unchanged.
 */
export function assertEucKrText(value: string, field: string, maxBytes: number): string {
  const bad = firstNonEucKr(value)
  if (bad !== undefined) {
    const cp = bad.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')
    throw invalidRequest(field, `contains U+${cp}, which EUC-KR (KS X 1001) cannot carry`)
  }
  const n = eucKrLength(value)
  if (n > maxBytes) throw invalidRequest(field, `is ${n} bytes in EUC-KR; NicePay allows at most ${maxBytes}`)
  return value
}

/** ASCII-only fields (ids, order numbers): NicePay counts bytes, and anything else would need escaping rules. */
export function assertAsciiId(
  value: string,
  field: string,
  maxBytes: number,
  pattern = /^[\x21-\x7e]+$/,
): string {
  if (!pattern.test(value)) throw invalidRequest(field, 'must be printable ASCII without spaces')
  if (value.length > maxBytes) throw invalidRequest(field, `must be at most ${maxBytes} bytes`)
  return value
}

const UNRESERVED = /[A-Za-z0-9.\-*_]/
const hex = (b: number) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`

/**
 * `java.net.URLEncoder.encode(value, "euc-kr")`, byte for byte: unreserved `A-Za-z0-9.-*_` kept, space → '+',
 * everything else %XX (upper case) over the EUC-KR bytes. This is what NicePay's own JSP sample sends.
 */
export function javaUrlEncodeEucKr(value: string): string {
  let out = ''
  for (const ch of value) {
    if (ch === ' ') out += '+'
    else if (UNRESERVED.test(ch)) out += ch
    else for (const b of eucKrBytes(ch)) out += hex(b)
  }
  return out
}

/** A whole form body in field order, as pure ASCII. */
export function encodeForm(pairs: ReadonlyArray<readonly [string, string]>): string {
  return pairs.map(([k, v]) => `${javaUrlEncodeEucKr(k)}=${javaUrlEncodeEucKr(v)}`).join('&')
}

/** Strict UTF-8, or undefined when the bytes are not UTF-8. */
export function decodeUtf8Strict(bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    return undefined
  }
}

export function decodeCp949(bytes: Uint8Array): string {
  return iconv.decode(Buffer.from(bytes), 'cp949')
}

/** True when every byte ≥ 0x80 pairs up into a KS X 1001 double byte (lead and trail in 0xA1–0xFE). */
export function isStrictEucKrBytes(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!
    if (b < 0x80) continue
    const t = bytes[i + 1]
    if (b < 0xa1 || b > 0xfe || t === undefined || t < 0xa1 || t > 0xfe) return false
    i++
  }
  return true
}

function hexVal(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30
  if (c >= 0x41 && c <= 0x46) return c - 0x37
  if (c >= 0x61 && c <= 0x66) return c - 0x57
  return -1
}

/** Percent-decodes form bytes ('+' → space); raw high bytes pass through untouched. */
export function percentDecodeBytes(bytes: Uint8Array): Uint8Array {
  const out: number[] = []
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!
    if (b === 0x2b) out.push(0x20)
    else if (b === 0x25 && i + 2 < bytes.length && hexVal(bytes[i + 1]!) >= 0 && hexVal(bytes[i + 2]!) >= 0) {
      out.push(hexVal(bytes[i + 1]!) * 16 + hexVal(bytes[i + 2]!))
      i += 2
    } else out.push(b)
  }
  return new Uint8Array(out)
}

export interface RawPair {
  key: string
  /** The value's bytes after percent-decoding, before any charset decision. */
  bytes: Uint8Array
}

/** Splits `k=v&k=v` at the byte level, so the charset of each value can be decided afterwards. */
export function splitFormBytes(body: Uint8Array): RawPair[] {
  const pairs: RawPair[] = []
  let start = 0
  for (let i = 0; i <= body.length; i++) {
    if (i < body.length && body[i] !== 0x26) continue
    const part = body.subarray(start, i)
    start = i + 1
    if (part.length === 0) continue
    const eq = part.indexOf(0x3d)
    const rawKey = eq < 0 ? part : part.subarray(0, eq)
    const rawVal = eq < 0 ? new Uint8Array(0) : part.subarray(eq + 1)
    const key = new TextDecoder('latin1').decode(percentDecodeBytes(rawKey)).trim()
    if (key) pairs.push({ key, bytes: percentDecodeBytes(rawVal) })
  }
  return pairs
}

const HANGUL = /[\uAC00-\uD7A3]/
const NON_ASCII = /[^\x00-\x7f]/

/**
 * Reads bytes that are UTF-8 or EUC-KR without being told which. EUC-KR text can happen to be valid UTF-8
 * (홍 = C8 AB reads as U+022B), so UTF-8 wins only when it is valid *and* either pure ASCII or carrying
 * Hangul syllables, which mojibake of EUC-KR practically never produces.
 */
export function decodeKoreanText(bytes: Uint8Array): string {
  const utf8 = decodeUtf8Strict(bytes)
  if (utf8 !== undefined && (!NON_ASCII.test(utf8) || HANGUL.test(utf8))) return utf8
  return decodeCp949(bytes)
}

/**
 * Decodes a form or KV body (values percent-escaped or raw) in one charset for the whole body. `auto`
 * applies `decodeKoreanText`'s rule to all values together, since one short value says little on its own.
 */
export function parseForm(body: Uint8Array, charset: 'utf-8' | 'cp949' | 'auto'): Record<string, string> {
  const pairs = splitFormBytes(body)
  let cs = charset
  if (cs === 'auto') {
    const joined = new Uint8Array(pairs.reduce((n, p) => n + p.bytes.length + 1, 0))
    let at = 0
    for (const p of pairs) {
      joined.set(p.bytes, at)
      at += p.bytes.length + 1 // a 0x00 separator keeps values from forming sequences across each other
    }
    const utf8 = decodeUtf8Strict(joined)
    cs = utf8 !== undefined && (!NON_ASCII.test(utf8) || HANGUL.test(utf8)) ? 'utf-8' : 'cp949'
  }
  const out: Record<string, string> = {}
  for (const { key, bytes } of pairs) {
    out[key] = cs === 'utf-8' ? new TextDecoder('utf-8').decode(bytes) : decodeCp949(bytes)
  }
  return out
}
