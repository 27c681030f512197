import { type HttpResponse, PaymentError } from '@paymux/core'

export const PROVIDER = 'cookiepay'

/**
 * CookiePay's field casing differs per endpoint (RTN_CD, cancel_code, RESULTCODE) and between documents
 * (ACCEPT_DATE vs ACCEPTDATE, PAY_METHOD vs paymethod). Fields are therefore read by a normalised name:
 * lower case, underscores dropped. Values are kept as strings; numbers are stringified.
 */
export class Fields {
  readonly #map = new Map<string, string>()
  readonly raw: Record<string, unknown>

  constructor(raw: Record<string, unknown>) {
    this.raw = raw
    for (const [k, v] of Object.entries(raw)) {
      const key = normalise(k)
      if (this.#map.has(key)) continue
      if (typeof v === 'string') this.#map.set(key, v)
      else if (typeof v === 'number' && Number.isFinite(v)) this.#map.set(key, String(v))
    }
  }

  /** The first of `names` that is present and not empty (after trimming). */
  get(...names: string[]): string | undefined {
    for (const n of names) {
      const v = this.#map.get(normalise(n))
      if (v !== undefined && v.trim() !== '') return v.trim()
    }
    return undefined
  }

  has(name: string): boolean {
    return this.#map.has(normalise(name))
  }
}

function normalise(key: string): string {
  return key.toLowerCase().replace(/[_\s-]/g, '')
}

/** A CookiePay answer: its result code and message, whichever endpoint casing carried them. */
export interface Answer {
  code: string
  message: string
  fields: Fields
  /** The body was not valid UTF-8 and was read as EUC-KR: its text may be garbled. */
  misEncoded: boolean
  status: number
}

/** Names of the result code / message fields across endpoints: token, cancel, everything else. */
export const CODE_FIELDS = ['RTN_CD', 'cancel_code', 'RESULTCODE'] as const
export const MESSAGE_FIELDS = ['RTN_MSG', 'cancel_msg', 'RESULTMSG'] as const

/** Decodes UTF-8; a body that is not valid UTF-8 is tried as EUC-KR (the Korean legacy charset). */
export function decodeBody(body: Uint8Array): { text: string; misEncoded: boolean } | undefined {
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(body), misEncoded: false }
  } catch {
    try {
      return { text: new TextDecoder('euc-kr', { fatal: true }).decode(body), misEncoded: true }
    } catch {
      return undefined
    }
  }
}

export function invalidResponse(
  operation: string,
  why: string,
  moneyMoving: boolean,
  cause?: unknown,
): PaymentError {
  return new PaymentError({
    code: 'invalid_response',
    outcome: moneyMoving ? 'unknown' : 'rejected',
    provider: PROVIDER,
    message: `cookiepay ${operation}: ${why}${moneyMoving ? '; the outcome is unknown' : ''}`,
    ...(cause === undefined ? {} : { cause }),
  })
}

/** Parses a JSON body (object or array); anything else is `invalid_response`. */
export function readJson(
  res: HttpResponse,
  operation: string,
  moneyMoving: boolean,
): { value: unknown; misEncoded: boolean } {
  const decoded = decodeBody(res.body)
  if (!decoded)
    throw invalidResponse(operation, `HTTP ${res.status} with a body in no known charset`, moneyMoving)
  const text = decoded.text.replace(/^\uFEFF/, '').trim()
  if (!text.startsWith('{') && !text.startsWith('[')) {
    throw invalidResponse(operation, `HTTP ${res.status} with a body that is not JSON`, moneyMoving)
  }
  try {
    return { value: JSON.parse(text) as unknown, misEncoded: decoded.misEncoded }
  } catch (err) {
    throw invalidResponse(
      operation,
      `HTTP ${res.status} with a truncated or broken JSON body`,
      moneyMoving,
      err,
    )
  }
}

/**
 * Reads a CookiePay object answer. CookiePay answers business errors with HTTP 200, so on a call that moves
 * money a non-2xx answer is never read as CookiePay's decision, whatever its body says: it came from in front of
 * CookiePay or after a failure there, and the outcome is unknown (seed 000's sample treats any non-200 as a
 * communication failure). Elsewhere a non-2xx answer is trusted only as a recognisable error, never as a success.
 */
export function readAnswer(res: HttpResponse, operation: string, moneyMoving: boolean): Answer {
  const ok2xx = res.status >= 200 && res.status < 300
  if (moneyMoving && !ok2xx) throw invalidResponse(operation, `HTTP ${res.status}`, true)
  const { value, misEncoded } = readJson(res, operation, moneyMoving)
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidResponse(operation, `HTTP ${res.status} with JSON that is not an object`, moneyMoving)
  }
  const fields = new Fields(value as Record<string, unknown>)
  const code = fields.get(...CODE_FIELDS)
  if (!code) throw invalidResponse(operation, `HTTP ${res.status} without a result code`, moneyMoving)
  if (!ok2xx && code === '0000') {
    throw invalidResponse(operation, `HTTP ${res.status} claiming success`, moneyMoving)
  }
  return { code, message: fields.get(...MESSAGE_FIELDS) ?? '', fields, misEncoded, status: res.status }
}

export function jsonHeaders(extra: Record<string, string> = {}): Record<string, string> {
  return { 'content-type': 'application/json; charset=utf-8', accept: 'application/json', ...extra }
}
