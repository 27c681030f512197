import { type CodeMapping, PaymentError } from '@paymux/core'
import { PROVIDER } from './wire.js'

/**
 * Toss error codes as data (spec §1.6): the HTTP statuses Toss answers each with, and what paymux reads from it.
 * An answer is classified by BOTH: a code arriving with a status its row does not list (a 403 refusal coming
 * back as a 500, say) proves nothing, so on a call that moves money it is unknown. `source`: `official` (the
 * error-code page), `third-party` (a transcription of it), `techchat` (Toss's forum).
 */
export interface TossCode {
  /** The statuses Toss answers this code with; `4xx`: any client-error status (the spec names none). */
  statuses: readonly number[] | '4xx'
  mapping: CodeMapping
  source: 'official' | 'third-party' | 'techchat'
}

const unknown = (): CodeMapping => ({ code: 'provider_unavailable', outcome: 'unknown', retryable: false })
const FIVE_XX = [500, 502, 503, 504] as const

export const TOSS_CODES: Readonly<Record<string, TossCode>> = {
  // A confirm sent again: the approval decides from a lookup (never a second confirm with another key).
  ALREADY_PROCESSED_PAYMENT: { statuses: [400], mapping: { code: 'duplicate_request' }, source: 'official' },
  // "일시적인 오류": not a clean decline, so the outcome is unknown and a lookup decides.
  PROVIDER_ERROR: { statuses: [400], mapping: unknown(), source: 'official' },
  INVALID_REQUEST: { statuses: [400], mapping: { code: 'invalid_request' }, source: 'official' },
  INVALID_API_KEY: { statuses: [400, 401], mapping: { code: 'authentication_failed' }, source: 'official' },
  UNAUTHORIZED_KEY: { statuses: [400, 401], mapping: { code: 'authentication_failed' }, source: 'official' },
  INVALID_REJECT_CARD: { statuses: [400], mapping: { code: 'card_declined' }, source: 'official' },
  INVALID_STOPPED_CARD: { statuses: [400], mapping: { code: 'card_declined' }, source: 'official' },
  BELOW_MINIMUM_AMOUNT: { statuses: [400], mapping: { code: 'invalid_request' }, source: 'official' },
  EXCEED_MAX_CARD_INSTALLMENT_PLAN: {
    statuses: [400],
    mapping: { code: 'invalid_request' },
    source: 'official',
  },
  NOT_ALLOWED_POINT_USE: { statuses: [400], mapping: { code: 'card_declined' }, source: 'official' },
  INVALID_CARD_EXPIRATION: { statuses: [400], mapping: { code: 'card_declined' }, source: 'official' },
  NOT_FOUND_PAYMENT: {
    statuses: [400, 404],
    mapping: { code: 'transaction_not_found' },
    source: 'third-party',
  },
  NOT_FOUND_PAYMENT_SESSION: {
    statuses: [400, 404],
    mapping: { code: 'transaction_not_found' },
    source: 'third-party',
  },
  FAILED_PAYMENT_INTERNAL_SYSTEM_PROCESSING: { statuses: FIVE_XX, mapping: unknown(), source: 'third-party' },
  FAILED_INTERNAL_SYSTEM_PROCESSING: { statuses: FIVE_XX, mapping: unknown(), source: 'third-party' },
  UNKNOWN_PAYMENT_ERROR: { statuses: FIVE_XX, mapping: unknown(), source: 'third-party' },
  // Cancel: refund-side refusals (400).
  ALREADY_CANCELED_PAYMENT: {
    statuses: [400],
    mapping: { code: 'already_cancelled' },
    source: 'third-party',
  },
  INVALID_REFUND_ACCOUNT_INFO: {
    statuses: [400],
    mapping: { code: 'refund_account_required' },
    source: 'third-party',
  },
  INVALID_REFUND_ACCOUNT_NUMBER: {
    statuses: [400],
    mapping: { code: 'refund_account_required' },
    source: 'third-party',
  },
  INVALID_BANK: { statuses: [400], mapping: { code: 'refund_account_required' }, source: 'third-party' },
  REFUND_REJECTED: { statuses: [400], mapping: { code: 'provider_rejected' }, source: 'third-party' },
  ALREADY_REFUND_PAYMENT: { statuses: [400], mapping: { code: 'already_cancelled' }, source: 'third-party' },
  FORBIDDEN_BANK_REFUND_REQUEST: {
    statuses: [400],
    mapping: { code: 'provider_rejected' },
    source: 'third-party',
  },
  NOT_MATCHES_REFUNDABLE_AMOUNT: {
    statuses: [400],
    mapping: { code: 'amount_exceeds_cancellable' },
    source: 'third-party',
  },
  EXCEED_CANCEL_AMOUNT_DISCOUNT_AMOUNT: {
    statuses: [400],
    mapping: { code: 'provider_rejected' },
    source: 'third-party',
  },
  // Cancel: state and balance refusals (403), rejections with the code kept.
  NOT_CANCELABLE_AMOUNT: {
    statuses: [403],
    mapping: { code: 'amount_exceeds_cancellable' },
    source: 'third-party',
  },
  NOT_CANCELABLE_PAYMENT: { statuses: [403], mapping: { code: 'provider_rejected' }, source: 'third-party' },
  // The 1-second rule: nothing was done; the same cancel (same Idempotency-Key) may be sent again shortly.
  FORBIDDEN_CONSECUTIVE_REQUEST: {
    statuses: [403],
    mapping: { code: 'duplicate_request', retryable: true },
    source: 'third-party',
  },
  FORBIDDEN_REQUEST: { statuses: [403], mapping: { code: 'provider_rejected' }, source: 'third-party' },
  EXCEED_MAX_REFUND_DUE: { statuses: [403], mapping: { code: 'provider_rejected' }, source: 'third-party' },
  NOT_ALLOWED_PARTIAL_REFUND_WAITING_DEPOSIT: {
    statuses: [403],
    mapping: { code: 'partial_cancel_unsupported' },
    source: 'third-party',
  },
  NOT_ALLOWED_PARTIAL_REFUND: {
    statuses: [403],
    mapping: { code: 'partial_cancel_unsupported' },
    source: 'third-party',
  },
  NOT_AVAILABLE_BANK: {
    statuses: [403],
    mapping: { code: 'provider_rejected', retryable: true },
    source: 'third-party',
  },
  NOT_CANCELABLE_PAYMENT_FOR_DORMANT_USER: {
    statuses: [403],
    mapping: { code: 'provider_rejected' },
    source: 'third-party',
  },
  // Cancel: bank delay or temporary failure (500): unknown, settled from cancels[] / refundStatus.
  FAILED_REFUND_PROCESS: { statuses: FIVE_XX, mapping: unknown(), source: 'third-party' },
  FAILED_METHOD_HANDLING_CANCEL: { statuses: FIVE_XX, mapping: unknown(), source: 'third-party' },
  FAILED_PARTIAL_REFUND: { statuses: FIVE_XX, mapping: unknown(), source: 'third-party' },
  FAILED_CLOSED_ACCOUNT_REFUND: { statuses: FIVE_XX, mapping: unknown(), source: 'third-party' },
  COMMON_ERROR: { statuses: FIVE_XX, mapping: unknown(), source: 'third-party' },
  // Billing (techchat; no status given).
  DUPLICATED_ORDER_ID: { statuses: '4xx', mapping: { code: 'duplicate_request' }, source: 'techchat' },
  NOT_MATCHES_CUSTOMER_KEY: { statuses: '4xx', mapping: { code: 'billing_key_invalid' }, source: 'techchat' },
  FAILED_DB_PROCESSING: { statuses: '4xx', mapping: { code: 'provider_rejected' }, source: 'techchat' },
  // Idempotency-Key (third-party): an earlier request with this key is still running: unknown, send it again.
  IDEMPOTENT_REQUEST_PROCESSING: {
    statuses: '4xx',
    mapping: { code: 'duplicate_request', outcome: 'unknown', retryable: true },
    source: 'third-party',
  },
  INVALID_IDEMPOTENCY_KEY: { statuses: '4xx', mapping: { code: 'invalid_request' }, source: 'third-party' },
}

const listed = (row: TossCode, status: number) =>
  row.statuses === '4xx' ? status >= 400 && status < 500 : row.statuses.includes(status)

/**
 * The PaymentError for a Toss error answer `{code, message}` with HTTP `status`. On a call that moves money,
 * only a listed code with a listed status is a rejection: an unlisted code, or a 5xx whatever it says, may
 * hide an executed request and is unknown. On a lookup, a 5xx is `provider_unavailable` whatever it says.
 */
export function errorForAnswer(
  status: number,
  code: string,
  message: string,
  moneyMoving: boolean,
  overrides: Readonly<Record<string, CodeMapping>> = {},
): PaymentError {
  const row = TOSS_CODES[code]
  let mapping: CodeMapping
  if (row && listed(row, status)) mapping = overrides[code] ?? row.mapping
  else if (status >= 500)
    // A 5xx is Toss failing, whatever code it carries: a NOT_FOUND_PAYMENT inside one is no proof that the
    // payment does not exist (a lookup read so would settle a paid order as never charged).
    mapping = moneyMoving
      ? { code: 'provider_unavailable', outcome: 'unknown' }
      : { code: 'provider_unavailable', retryable: true }
  else if (!moneyMoving) mapping = row?.mapping ?? { code: 'provider_rejected' }
  else mapping = { code: 'provider_rejected', outcome: 'unknown' }
  return new PaymentError({
    code: mapping.code,
    ...(mapping.outcome ? { outcome: mapping.outcome } : {}),
    ...(mapping.retryable !== undefined ? { retryable: mapping.retryable } : {}),
    provider: PROVIDER,
    providerCode: code,
    providerMessage: message,
    message: `tosspayments answered HTTP ${status} ${code}: ${message}`,
  })
}
