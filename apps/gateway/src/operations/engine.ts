import { isPaymentError, type PaymentProvider, type ProviderOperation } from '@paymux/core'
import { ApiError, type ErrorBody, fromPaymentError } from '../errors.js'
import { type IdempotencyScope, isKeyTaken, type KeyTaken } from '../idempotency-keys.js'
import type { AccountRuntime, Runtime } from '../runtime.js'
import { type CallEnd, type CallSite, type CallSubject, callPg } from './outcome.js'

/** What an operation answers: its object (200, or 202 while the PG's answer is unknown), or an error. */
export type OperationOutcome<View> =
  | { status: 200 | 202; body: View }
  | { status: ApiError['status']; error: ErrorBody }

/**
 * One flow that calls a PG, as a small descriptor (cancel, virtual-account issue, billing-key issue and delete,
 * charge). `runOperation` owns the order that makes it safe; a descriptor only says what each step is:
 *
 * - `prepare`: every check, the adapter's own pre-flight included (`validateCall`), before anything is written.
 *   A refused request leaves no row, no event, no spent Idempotency-Key, and calls no PG.
 * - `open`: ONE statement that claims the Idempotency-Key and records the intent (reserving the balance where
 *   there is one). It is durable before the PG is called; if the database cannot take it, the PG is not called.
 * - `request`: the PG call rebuilt from the recorded intent alone (the reconciler rebuilds it the same way).
 * - `settle`: ONE statement through the ledger: the end, its event, the stored answer (or the key released).
 * - `subject`: what the PG call is for, as the call log records it (none: a call for no payment, not logged).
 */
export interface OperationDescriptor<
  Input,
  Intent extends { account: AccountRuntime },
  Result,
  View,
  /** What `request` builds for `call`: a ProviderOperation, or a call the adapter's contract shapes itself (an approval). */
  Call = ProviderOperation,
> {
  /** `idem`: an operation may read the key with its first read and answer what it decides (a replay: one statement). */
  prepare(rt: Runtime, merchantId: string, input: Input, idem?: IdempotencyScope): Promise<Intent | KeyTaken>
  /** A key taken by another request is what open answers instead of the intent: nothing was recorded. */
  open(rt: Runtime, intent: Intent, idem: IdempotencyScope | undefined): Promise<Intent | KeyTaken>
  request(rt: Runtime, intent: Intent): Call
  /** `at`: for a call made of several PG calls (an approval and its undo), each logged by itself. */
  call(provider: PaymentProvider, request: Call, at: CallSite): Promise<Result>
  subject?(intent: Intent): CallSubject
  settle(
    rt: Runtime,
    intent: Intent,
    end: CallEnd<Result>,
    idem: IdempotencyScope | undefined,
  ): Promise<OperationOutcome<View>>
}

export async function runOperation<
  Input,
  Intent extends { account: AccountRuntime },
  Result,
  View,
  Call = ProviderOperation,
>(
  rt: Runtime,
  op: OperationDescriptor<Input, Intent, Result, View, Call>,
  merchantId: string,
  input: Input,
  idem: IdempotencyScope | undefined,
): Promise<OperationOutcome<View> | KeyTaken> {
  const prepared = await op.prepare(rt, merchantId, input, idem)
  if (isKeyTaken(prepared)) return prepared
  const intent = await op.open(rt, prepared, idem)
  if (isKeyTaken(intent)) return intent
  const request = op.request(rt, intent)
  const at: CallSite = { rt, account: intent.account, ...op.subject?.(intent) }
  const end = await callPg(at, (provider) => op.call(provider, request, at))
  return settleWithRetry(rt, () => op.settle(rt, intent, end, idem))
}

/**
 * The adapter's pre-flight of a call, as a client error naming the field: run by `prepare` before anything is
 * recorded. A PaymentError here means the adapter would have refused before sending.
 */
export function validateCall(account: AccountRuntime, call: ProviderOperation): void {
  try {
    account.provider.validate(call)
  } catch (err) {
    if (isPaymentError(err)) throw fromPaymentError(err)
    throw err
  }
}

/** The PG has answered: recording it must not be lost to a brief database hiccup. */
export async function settleWithRetry<T>(rt: Runtime, settle: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await settle()
    } catch (err) {
      if (err instanceof ApiError || attempt >= 2) {
        if (!(err instanceof ApiError))
          rt.logger.error({ err }, 'could not record the PG answer; the item stays open for the reconciler')
        throw err
      }
      await new Promise((res) => setTimeout(res, 200 * (attempt + 1)))
    }
  }
}

/** The stored/answered form of an error outcome, with the id of the object it concerns. */
export function errorOutcome(error: ApiError, extra: Record<string, string>): OperationOutcome<never> {
  return { status: error.status, error: { ...error.body, ...extra } }
}
