import { isPaymentError, type PaymentError, type PaymentErrorCode } from '@paymux/core'
import type { FailureInfo } from '../db/schema.js'
import { type ApiError, fromPaymentError } from '../errors.js'

/** How a PG call ended, in the terms the ledger records. */
export type CallEnd<T> =
  | { kind: 'ok'; value: T }
  | { kind: 'rejected'; failure: FailureInfo; error: ApiError }
  | { kind: 'unknown'; reason: FailureInfo & { code: PaymentErrorCode | 'internal_error' }; cause: unknown }

export function failureOf(err: PaymentError): FailureInfo & { code: PaymentErrorCode } {
  return {
    code: err.code,
    message: err.message,
    ...(err.providerCode ? { providerCode: err.providerCode } : {}),
    ...(err.providerMessage ? { providerMessage: err.providerMessage } : {}),
  }
}

/** Anything but a PaymentError with outcome `rejected` may have moved money: it is `unknown`. */
export async function callPg<T>(fn: () => Promise<T>): Promise<CallEnd<T>> {
  try {
    return { kind: 'ok', value: await fn() }
  } catch (err) {
    if (isPaymentError(err) && err.outcome === 'rejected') {
      return { kind: 'rejected', failure: failureOf(err), error: fromPaymentError(err) }
    }
    return {
      kind: 'unknown',
      reason: isPaymentError(err)
        ? failureOf(err)
        : { code: 'internal_error', message: 'the call failed after it may have reached the PG' },
      cause: err,
    }
  }
}
