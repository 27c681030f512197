/**
 * One error type for every adapter. `code` is from a closed neutral set; `outcome` says whether money may have
 * moved. The rule (from ActiveMerchant's retry-safety and Hyperswitch's pending-by-default): anything that may
 * have reached the PG and whose answer we could not read is `unknown`, never `rejected`.
 */
export const PAYMENT_ERROR_CODES = [
  'invalid_request',
  'authentication_failed',
  'transaction_not_found',
  'already_cancelled',
  'amount_exceeds_cancellable',
  'partial_cancel_unsupported',
  'refund_account_required',
  'duplicate_request',
  'billing_key_invalid',
  'card_declined',
  'provider_rejected',
  'provider_unavailable',
  'timeout',
  'invalid_response',
  'signature_mismatch',
  'unsupported_operation',
] as const

export type PaymentErrorCode = (typeof PAYMENT_ERROR_CODES)[number]

/** `rejected`: the PG certainly did nothing. `unknown`: it may have executed; reconcile before acting again. */
export type Outcome = 'rejected' | 'unknown'

export interface PaymentErrorInit {
  code: PaymentErrorCode
  message: string
  outcome?: Outcome
  retryable?: boolean
  provider?: string
  providerCode?: string
  providerMessage?: string
  /** The request field at fault, for `invalid_request`. */
  param?: string
  cause?: unknown
}

/** Codes whose outcome is unknown unless an adapter says otherwise. */
const UNKNOWN_BY_DEFAULT: ReadonlySet<PaymentErrorCode> = new Set([
  'timeout',
  'invalid_response',
  'signature_mismatch',
])

export class PaymentError extends Error {
  override readonly name = 'PaymentError'
  readonly code: PaymentErrorCode
  readonly outcome: Outcome
  /** True when sending the very same request again (same cancelId / dedup ids) is safe and may succeed. */
  readonly retryable: boolean
  readonly provider?: string
  readonly providerCode?: string
  readonly providerMessage?: string
  readonly param?: string

  constructor(init: PaymentErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause })
    this.code = init.code
    this.outcome = init.outcome ?? (UNKNOWN_BY_DEFAULT.has(init.code) ? 'unknown' : 'rejected')
    if (this.code === 'timeout' && this.outcome !== 'unknown') {
      throw new TypeError('a timeout is never a rejection: outcome must be unknown')
    }
    this.retryable = init.retryable ?? init.code === 'provider_unavailable'
    if (init.provider !== undefined) this.provider = init.provider
    if (init.providerCode !== undefined) this.providerCode = init.providerCode
    if (init.providerMessage !== undefined) this.providerMessage = init.providerMessage
    if (init.param !== undefined) this.param = init.param
  }

  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      outcome: this.outcome,
      retryable: this.retryable,
      provider: this.provider,
      providerCode: this.providerCode,
      providerMessage: this.providerMessage,
      param: this.param,
    }
  }
}

export function isPaymentError(err: unknown): err is PaymentError {
  return (
    err instanceof PaymentError ||
    (typeof err === 'object' && err !== null && (err as { name?: unknown }).name === 'PaymentError')
  )
}

export function invalidRequest(param: string, message: string): PaymentError {
  return new PaymentError({ code: 'invalid_request', message: `${param}: ${message}`, param })
}

export function unsupported(provider: string, operation: string, why?: string): PaymentError {
  return new PaymentError({
    code: 'unsupported_operation',
    provider,
    message: `${provider} does not support ${operation}${why ? `: ${why}` : ''}`,
  })
}

/**
 * A PG result code table entry. Adapters keep their code tables as data: `{ '2013': { code: 'already_cancelled' } }`.
 */
export interface CodeMapping {
  code: PaymentErrorCode
  outcome?: Outcome
  retryable?: boolean
}

export type CodeTable = Readonly<Record<string, CodeMapping>>

/** Looks a PG code up in a table; unknown codes become `provider_rejected` carrying the raw values. */
export function errorFromTable(
  table: CodeTable,
  provider: string,
  providerCode: string,
  providerMessage: string,
  fallback: CodeMapping = { code: 'provider_rejected' },
): PaymentError {
  const m = table[providerCode] ?? fallback
  return new PaymentError({
    code: m.code,
    ...(m.outcome ? { outcome: m.outcome } : {}),
    ...(m.retryable !== undefined ? { retryable: m.retryable } : {}),
    provider,
    providerCode,
    providerMessage,
    message: `${provider} answered ${providerCode}: ${providerMessage}`,
  })
}
