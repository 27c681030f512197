import {
  type CodeMapping,
  errorFromTable,
  type HttpResponse,
  PaymentError,
  type Redactor,
} from '@paymux/core'
import {
  ALREADY_CANCELLED_MESSAGE,
  GENERIC_PG_REFUSALS,
  V1_ERROR_CODES,
  V1_STATUS_FALLBACK,
  V2_ERROR_CODES,
} from './codes.js'

export type ApiVersion = 'v1' | 'v2'
export type Json = Record<string, unknown>

export const PROVIDER = 'bootpay'

/** What a call needs to know to classify a failure. */
export interface CallContext {
  operation: string
  moneyMoving: boolean
  redactor: Redactor
}

/** A parsed Bootpay answer, before it is judged. */
export interface Answer {
  status: number
  /** The JSON object, when the body was one. */
  json: Json | undefined
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true })

function invalid(ctx: CallContext, why: string, status: number): PaymentError {
  return new PaymentError({
    code: 'invalid_response',
    // Only a call that may have moved money has an unknown outcome; a failed lookup moved nothing.
    outcome: ctx.moneyMoving ? 'unknown' : 'rejected',
    provider: PROVIDER,
    message: ctx.redactor.apply(`bootpay ${ctx.operation}: ${why} (HTTP ${status})`),
  })
}

/**
 * Decodes strictly: Bootpay answers UTF-8 JSON, so bytes that are not valid UTF-8 mean the answer was damaged
 * on the way, and a damaged answer to a money-moving call has an unknown outcome.
 */
export function readAnswer(res: HttpResponse, ctx: CallContext): Answer {
  let text: string
  try {
    text = strictUtf8.decode(res.body)
  } catch {
    throw invalid(ctx, 'the answer is not valid UTF-8', res.status)
  }
  const trimmed = text.trim()
  if (trimmed.startsWith('{')) {
    try {
      const parsed: unknown = JSON.parse(trimmed)
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
        return { status: res.status, json: parsed as Json }
    } catch {
      // fall through: not JSON
    }
  }
  return { status: res.status, json: undefined }
}

export const str = (v: unknown): string | undefined =>
  typeof v === 'string' ? v : typeof v === 'number' && Number.isFinite(v) ? String(v) : undefined

export const num = (v: unknown): number | undefined => {
  if (typeof v === 'number' && Number.isFinite(v)) return v
  if (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v.trim())) return Number(v.trim())
  return undefined
}

export const obj = (v: unknown): Json | undefined =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined

/** The v1 envelope's `code`, when the body is an envelope. */
export function v1Code(a: Answer): string | undefined {
  return a.json ? str(a.json.code) : undefined
}

/** The v2 `error_code`, when the body is an error. */
export function v2ErrorCode(a: Answer): string | undefined {
  return a.json ? str(a.json.error_code) : undefined
}

/**
 * On a call that moves money only a refusal the code table knows, answered below 500, is a rejection: an
 * unknown code, or any answer with a 5xx, may have come after Bootpay (or the PG behind it) acted.
 */
function judged(err: PaymentError, ctx: CallContext, status: number, mapped: boolean): PaymentError {
  if (!ctx.moneyMoving || err.outcome === 'unknown' || (mapped && status < 500)) return err
  return new PaymentError({
    code: err.code,
    outcome: 'unknown',
    provider: PROVIDER,
    ...(err.providerCode !== undefined ? { providerCode: err.providerCode } : {}),
    ...(err.providerMessage !== undefined ? { providerMessage: err.providerMessage } : {}),
    message: `${err.message} (HTTP ${status}${mapped ? '' : ', a code Bootpay does not document'}); the outcome is unknown`,
  })
}

/**
 * The code decides; a message is read only when the code says nothing but "the PG refused" (RC_REQUEST_FAILED),
 * and then only for the message seed 003 documents. A specific code is never overruled by its wording.
 */
function byMessage(code: string, ...messages: Array<string | undefined>): CodeMapping | undefined {
  if (!GENERIC_PG_REFUSALS.has(code)) return undefined
  return messages.some((m) => m !== undefined && ALREADY_CANCELLED_MESSAGE.test(m))
    ? { code: 'already_cancelled' }
    : undefined
}

/** Returns v1 `data` (or the envelope itself when it has none) or throws the mapped error. */
export function v1Success(a: Answer, ctx: CallContext): Json {
  const code = v1Code(a)
  if (!a.json || code === undefined) {
    throw invalid(ctx, 'the answer is not a Bootpay v1 envelope', a.status)
  }
  if (code === '0' && a.status < 300) return obj(a.json.data) ?? a.json
  if (code === '0') throw invalid(ctx, 'a success envelope came with an error status', a.status)
  const message = ctx.redactor.apply(str(a.json.message) ?? '')
  const envStatus = num(a.json.status) ?? a.status
  // The envelope status says something only about calls that move no money (a 404 lookup is "not found").
  const mapping =
    V1_ERROR_CODES[code] ??
    byMessage(code, message) ??
    (ctx.moneyMoving ? undefined : V1_STATUS_FALLBACK[envStatus])
  const err = errorFromTable(mapping ? { [code]: mapping } : {}, PROVIDER, code, message)
  return throwMapped(judged(err, ctx, a.status, mapping !== undefined))
}

/** Returns the v2 resource or throws the mapped error. */
export function v2Success(a: Answer, ctx: CallContext): Json {
  const code = v2ErrorCode(a)
  if (a.json && code !== undefined) {
    const pg = str(a.json.pg_error_code)
    const pgMessage = str(a.json.pg_error_message)
    const base = ctx.redactor.apply(str(a.json.message) ?? '')
    const message = pg
      ? `${base} (pg_error_code ${pg}${pgMessage ? `: ${ctx.redactor.apply(pgMessage)}` : ''})`
      : base
    // A PG's "기취소된 건입니다" comes back under the generic RC_REQUEST_FAILED with the PG's own message.
    const mapping = byMessage(code, base, pgMessage) ?? V2_ERROR_CODES[code]
    const err = errorFromTable(mapping ? { [code]: mapping } : {}, PROVIDER, code, message)
    throwMapped(judged(err, ctx, a.status, mapping !== undefined))
  }
  if (!a.json) throw invalid(ctx, 'the answer is not JSON', a.status)
  if (a.status >= 300) throw invalid(ctx, 'an error status without a Bootpay error body', a.status)
  return a.json
}

function throwMapped(err: PaymentError): never {
  throw err
}
