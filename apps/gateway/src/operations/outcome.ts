import { isPaymentError, type PaymentError, type PaymentErrorCode, type PaymentProvider } from '@paymux/core'
import { type CallOutcome, callLogOf } from '../call-log/log.js'
import { currentPath } from '../call-log/path.js'
import type { FailureInfo } from '../db/schema.js'
import { type ApiError, fromPaymentError } from '../errors.js'
import type { AccountRuntime, Runtime } from '../runtime.js'

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

/** What a PG call is made for, as the call log records it. */
export interface CallSubject {
  paymentId?: string
  cancellationId?: string
  /** approve, undo, cancel, lookup, lookup_order, close, charge, … Absent: a step of several calls, each logged. */
  operation?: string
}

/** Where a PG call goes (the account) and what it is for. */
export interface CallSite extends CallSubject {
  rt: Runtime
  account: AccountRuntime
}

/**
 * THE way the operations call a PG: every adapter call of every flow (the request path, the reconciler's resume
 * steps, notification lookups, the console's checks) goes through here, which logs it once (call-log/) when it
 * is made for a payment. Answers what the adapter answers, or throws what it threw.
 */
export async function askPg<T>(at: CallSite, fn: (provider: PaymentProvider) => Promise<T>): Promise<T> {
  const { operation, paymentId } = at
  if (operation === undefined || paymentId === undefined) return fn(at.account.provider)
  const startedAt = at.rt.now()
  const t0 = performance.now()
  let outcome: CallOutcome = 'succeeded'
  let answer: { code?: string; providerCode?: string; providerMessage?: string } | undefined
  try {
    const value = await fn(at.account.provider)
    answer = value as typeof answer
    return value
  } catch (err) {
    outcome = outcomeOf(err)
    answer = isPaymentError(err) ? err : { code: 'internal_error' }
    throw err
  } finally {
    const a = at.account
    callLogOf(at.rt).record({
      merchantId: a.merchantId,
      paymentId,
      cancellationId: at.cancellationId ?? null,
      accountId: a.config.id,
      provider: a.config.provider,
      operation,
      path: currentPath(),
      startedAt,
      durationMs: Math.round(performance.now() - t0),
      outcome,
      code: outcome === 'succeeded' ? null : (answer?.code ?? null),
      providerCode: text(answer?.providerCode, 40),
      providerMessage: text(answer?.providerMessage, 200),
    })
  }
}

/** Anything but a PaymentError with outcome `rejected` may have moved money: it is `unknown`. */
export async function callPg<T>(
  at: CallSite,
  fn: (provider: PaymentProvider) => Promise<T>,
): Promise<CallEnd<T>> {
  try {
    return { kind: 'ok', value: await askPg(at, fn) }
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

/** Refusals that are the adapter's or the network's, not the PG's answer: the request never reached it. */
const NEVER_SENT = new Set<string>(['provider_unavailable', 'unsupported_operation', 'invalid_request'])

function outcomeOf(err: unknown): CallOutcome {
  if (!isPaymentError(err) || err.outcome !== 'rejected') return 'unknown'
  return err.providerCode === undefined && NEVER_SENT.has(err.code) ? 'failed' : 'declined'
}

/** A PG's code or message as the log keeps it: short, and never anything shaped like a card number. */
function text(v: unknown, max: number): string | null {
  if (typeof v !== 'string' || v === '') return null
  return v.replace(/\d[\d -]{11,}\d/g, '[number]').slice(0, max)
}
