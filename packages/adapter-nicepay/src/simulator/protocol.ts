import { createHash } from 'node:crypto'
import { kstParts } from '@paymux/core'
import type { Context } from 'hono'
import iconv from 'iconv-lite'
import { isStrictEucKrBytes, splitFormBytes } from '../encoding.js'
import { MESSAGES } from './messages.js'

export type Fields = Record<string, string>

export interface ParsedRequest {
  fields: Fields
  /** Response charset the client asked for (CharSet; NicePay's default is euc-kr). */
  charset: 'utf-8' | 'euc-kr'
  /** Response format (EdiType; JSON when absent). */
  ediType: 'JSON' | 'KV'
}

export type ParseOutcome = { ok: true; req: ParsedRequest } | { ok: false; code: string; why: string }

/**
 * NicePay decodes the body as EUC-KR whatever `CharSet` or the Content-Type say: percent-escapes and raw high
 * bytes alike. With `strict`, a value whose bytes are not KS X 1001 (UTF-8 escapes, CP949-only syllables) is
 * refused with T001; otherwise CP949 decodes it (mojibake for UTF-8, as some servers would do).
 */
export function parseRequest(body: Uint8Array, strict: boolean): ParseOutcome {
  const fields: Fields = {}
  for (const { key, bytes } of splitFormBytes(body)) {
    if (strict && !isStrictEucKrBytes(bytes)) return { ok: false, code: 'T001', why: `${key} is not EUC-KR` }
    if (key in fields) return { ok: false, code: 'A227', why: `${key} appears twice` }
    fields[key] = iconv.decode(Buffer.from(bytes), 'cp949')
  }
  const cs = (fields.CharSet ?? '').trim().toLowerCase()
  const edi = (fields.EdiType ?? '').trim().toUpperCase()
  return {
    ok: true,
    req: {
      fields,
      charset: cs === 'utf-8' || cs === 'utf8' ? 'utf-8' : 'euc-kr',
      ediType: edi === 'KV' ? 'KV' : 'JSON',
    },
  }
}

/** hex(sha256(concat)) — NicePay's SignData, computed here independently of the adapter. */
export function sign(...parts: string[]): string {
  return createHash('sha256').update(parts.join(''), 'utf8').digest('hex')
}

export const pad12 = (n: number) => String(n).padStart(12, '0')

export function message(code: string): string {
  return MESSAGES[code] ?? '기타오류'
}

/** EUC-KR byte length, as NicePay counts field limits. */
export function eucKrLen(value: string): number {
  return iconv.encode(value, 'cp949').length
}

export interface RenderOptions {
  /** Answer in the other charset than the one declared (fault `mis_encoded`). */
  misEncode?: boolean
}

/** JSON or KV (raw `k=v&k=v`, an inference from NicePay's .NET sample), in the charset the client asked for. */
export function render(
  c: Context,
  req: Pick<ParsedRequest, 'charset' | 'ediType'>,
  answer: Fields,
  opts: RenderOptions = {},
) {
  const text =
    req.ediType === 'KV'
      ? Object.entries(answer)
          .map(([k, v]) => `${k}=${v}`)
          .join('&')
      : JSON.stringify(answer)
  const actual = opts.misEncode ? (req.charset === 'utf-8' ? 'euc-kr' : 'utf-8') : req.charset
  const bytes = actual === 'utf-8' ? Buffer.from(text, 'utf8') : iconv.encode(text, 'cp949')
  const type = req.ediType === 'KV' ? 'text/plain' : 'application/json'
  return c.body(new Uint8Array(bytes), 200, { 'content-type': `${type}; charset=${req.charset}` })
}

/** A failure answer: NicePay sends business errors as HTTP 200 with a code. */
export function failure(code: string, extra: Fields = {}, detail?: string): Fields {
  return { ResultCode: code, ResultMsg: detail ? `[${detail}] ${message(code)}` : message(code), ...extra }
}

/** A business refusal: the endpoint answers it as HTTP 200 with the code, like NicePay. */
export class Refusal extends Error {
  constructor(
    readonly code: string,
    readonly detail?: string,
  ) {
    super(code)
  }
}

export const refuse = (code: string, detail?: string): never => {
  throw new Refusal(code, detail)
}

export function requireFields(f: Fields, names: string[]): void {
  for (const n of names) if (!f[n]?.trim()) refuse('A117', n)
}

export function kst(now: number) {
  const t = kstParts(now)
  return {
    yyyyMMdd: `${t.yyyy}${t.MM}${t.dd}`,
    HHmmss: `${t.HH}${t.mm}${t.ss}`,
    yyMMddHHmmss: `${t.yy}${t.MM}${t.dd}${t.HH}${t.mm}${t.ss}`,
  }
}

export function amount(v: string | undefined, code: string): number {
  if (!v || !/^\d{1,12}$/.test(v.trim())) return refuse(code)
  return Number(v.trim())
}
