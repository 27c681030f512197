import { type HttpResponse, PaymentError } from '@paymux/core'

export const PROVIDER = 'tosspayments'

/** The production API host (spec §1.1); test and live differ only by key prefix. */
export const TOSS_API_BASE = 'https://api.tosspayments.com'
/** The v1 payment SDK the checkout page loads. */
export const TOSS_SDK_URL = 'https://js.tosspayments.com/v1/payment'

export type Json = Record<string, unknown>

export const obj = (v: unknown): Json | undefined =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined
export const str = (v: unknown): string | undefined =>
  typeof v === 'string' && v.trim() !== '' ? v : typeof v === 'number' ? String(v) : undefined
/** An integer KRW amount; Toss sends numbers (decimals only for foreign currencies, spec §1.3). */
export const krw = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : undefined

/** `Authorization: Basic base64("{secretKey}:")`: the colon is part of it (spec §1.1). */
export const basicAuth = (secretKey: string) => `Basic ${Buffer.from(`${secretKey}:`).toString('base64')}`

export function invalidResponse(operation: string, why: string, moneyMoving: boolean): PaymentError {
  return new PaymentError({
    code: 'invalid_response',
    outcome: moneyMoving ? 'unknown' : 'rejected',
    provider: PROVIDER,
    message: `tosspayments ${operation}: ${why}${moneyMoving ? '; the outcome is unknown' : ''}`,
  })
}

/**
 * The body as a JSON object, or undefined when it is none. UTF-8 is decoded leniently: a mis-encoded Korean
 * message must not hide the amounts and keys, which are ASCII.
 */
export function jsonObject(res: HttpResponse): Json | undefined {
  const text = new TextDecoder('utf-8')
    .decode(res.body)
    .replace(/^\uFEFF/, '')
    .trim()
  if (!text.startsWith('{')) return undefined
  try {
    return obj(JSON.parse(text))
  } catch {
    return undefined
  }
}
