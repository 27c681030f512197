import { isPaymentError, PAYMENT_ERROR_CODES, type PaymentError, type PaymentErrorCode } from '@paymux/core'

/** Every `error.type` an answer can carry (also the OpenAPI document's enum). */
export const ERROR_TYPES = [
  'invalid_request_error',
  'authentication_error',
  'not_found_error',
  'conflict_error',
  'idempotency_error',
  'provider_error',
  'provider_unavailable',
  'database_unavailable',
  'internal_error',
] as const
export type ErrorType = (typeof ERROR_TYPES)[number]

/** The codes only the gateway itself answers; a PG's refusal carries one of core's neutral codes. */
const GATEWAY_ERROR_CODES = [
  // invalid_request_error
  'invalid_json',
  'unsupported_content_type',
  'body_too_large',
  'unknown_account',
  'account_required',
  // authentication_error
  'missing_api_key',
  'invalid_api_key',
  'unknown_merchant',
  'missing_metrics_token',
  'invalid_metrics_token',
  'metrics_token_required',
  // not_found_error
  'resource_missing',
  'route_not_found',
  // conflict_error
  'payment_not_cancellable',
  'cancel_in_progress',
  'cancellable_amount_mismatch',
  'cancellable_amount_unknown',
  'duplicate_order_id',
  'billing_key_deleted',
  'billing_key_not_active',
  'no_webhook_endpoint',
  'max_resends_reached',
  'delivery_in_progress',
  'payment_not_open',
  'already_closed',
  'close_in_progress',
  // idempotency_error
  'idempotency_key_in_use',
  'idempotency_key_reused',
  // provider_unavailable, database_unavailable, internal_error
  'account_not_configured',
  'no_account_available',
  'database_unavailable',
  'internal_error',
] as const

/**
 * Every `error.code` an answer can carry (also the OpenAPI document's enum): `ErrorBody.code` is typed from this
 * list, so an answer with a code missing here does not compile.
 */
export const ERROR_CODES = [...PAYMENT_ERROR_CODES, ...GATEWAY_ERROR_CODES] as const
export type ErrorCode = (typeof ERROR_CODES)[number]

export interface ErrorBody {
  type: ErrorType
  code: ErrorCode
  message: string
  param?: string
  providerCode?: string
  providerMessage?: string
  /** The object recorded with this failure, when one was (a cancel the PG refused, a failed payment…). */
  cancellationId?: string
  paymentId?: string
  billingKeyId?: string
  /** A 400's every problem, the one `param` and `message` name first. */
  errors?: Array<{ param?: string; message: string }>
}

/** Every error answer the API gives: `{error: {...}, requestId}` with one of the statuses below. */
export class ApiError extends Error {
  override readonly name = 'ApiError'
  readonly status: 400 | 401 | 404 | 409 | 413 | 422 | 500 | 502 | 503
  readonly body: ErrorBody

  constructor(status: ApiError['status'], body: ErrorBody) {
    super(body.message)
    this.status = status
    // Every 400 lists its problems, so a client reads one field whatever refused the request.
    this.body =
      status === 400 && !body.errors
        ? { ...body, errors: [{ ...(body.param ? { param: body.param } : {}), message: body.message }] }
        : body
  }
}

export const badRequest = (
  param: string,
  message: string,
  code: ErrorCode = 'invalid_request',
  errors?: ErrorBody['errors'],
) => new ApiError(400, { type: 'invalid_request_error', code, message, param, ...(errors ? { errors } : {}) })

export const notFound = (what: string, id: string) =>
  new ApiError(404, { type: 'not_found_error', code: 'resource_missing', message: `no ${what} ${id}` })

export const conflict = (code: ErrorCode, message: string, param?: string) =>
  new ApiError(409, { type: 'conflict_error', code, message, ...(param ? { param } : {}) })

/** How a PG's answer maps to HTTP: state and balance conflicts 409, refusals 422, unreadable 502, unreachable 503. */
const STATUS_BY_CODE: Record<PaymentErrorCode, ApiError['status']> = {
  invalid_request: 400,
  unsupported_operation: 400,
  partial_cancel_unsupported: 400,
  refund_account_required: 400,
  transaction_not_found: 404,
  already_cancelled: 409,
  amount_exceeds_cancellable: 409,
  duplicate_request: 409,
  billing_key_invalid: 422,
  card_declined: 422,
  provider_rejected: 422,
  // The account's own credentials were refused: a gateway configuration problem the client cannot fix.
  authentication_failed: 502,
  invalid_response: 502,
  signature_mismatch: 502,
  timeout: 502,
  provider_unavailable: 503,
}

export function fromPaymentError(err: PaymentError): ApiError {
  const status = STATUS_BY_CODE[err.code] ?? 422
  const type: ErrorType =
    status === 400
      ? 'invalid_request_error'
      : status === 404
        ? 'not_found_error'
        : status === 409
          ? 'conflict_error'
          : status === 503
            ? 'provider_unavailable'
            : 'provider_error'
  return new ApiError(status, {
    type,
    code: err.code,
    message: err.message,
    ...(err.param ? { param: err.param } : {}),
    ...(err.providerCode ? { providerCode: err.providerCode } : {}),
    ...(err.providerMessage ? { providerMessage: err.providerMessage } : {}),
  })
}

const DB_DOWN_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  '57P01',
  '57P02',
  '57P03',
  '53300',
  // statement_timeout: the database did not answer in time (an overloaded or unreachable server).
  '57014',
])

/** A database that cannot be reached (or is shutting down) is a 503, never a 500. */
export function isDatabaseUnavailable(err: unknown): boolean {
  let e: unknown = err
  for (let i = 0; i < 4 && e && typeof e === 'object'; i++) {
    const code = (e as { code?: unknown }).code
    if (typeof code === 'string' && (DB_DOWN_CODES.has(code) || code.startsWith('08'))) return true
    const msg = (e as { message?: unknown }).message
    if (
      typeof msg === 'string' &&
      /Connection terminated|timeout exceeded when trying to connect|Query read timeout|database is closed|Client has encountered a connection error|is not currently accepting connections/i.test(
        msg,
      )
    ) {
      return true
    }
    e = (e as { cause?: unknown }).cause
  }
  return false
}

export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err
  if (isPaymentError(err)) return fromPaymentError(err)
  if (isDatabaseUnavailable(err)) {
    return new ApiError(503, {
      type: 'database_unavailable',
      code: 'database_unavailable',
      message: 'the database is unavailable; retry with the same Idempotency-Key',
    })
  }
  // Text the database cannot store (U+0000, invalid sequences) in a field no schema screened: the client's input.
  const sqlState = (err as { code?: unknown } | undefined)?.code
  if (sqlState === '22021' || sqlState === '22P05') {
    return new ApiError(400, {
      type: 'invalid_request_error',
      code: 'invalid_request',
      message: 'the request contains characters that cannot be stored (e.g. U+0000)',
    })
  }
  return new ApiError(500, { type: 'internal_error', code: 'internal_error', message: 'internal error' })
}
