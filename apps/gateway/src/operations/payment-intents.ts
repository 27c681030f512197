import type { Insertable } from 'kysely'
import type { FailureInfo, PaymentsTable, VirtualAccountInfo } from '../db/schema.js'
import { type IdempotencyScope, isKeyTaken, type KeyTaken } from '../idempotency-keys.js'
import { insertIntent } from '../ledger/intents.js'
import type { EventType } from '../ledger/events.js'
import { settlePaymentQuery } from '../ledger/payments.js'
import type { PaymentStatus } from '../db/statuses.js'
import { type PaymentView, renderPayment } from '../render.js'
import type { AccountRuntime, Runtime } from '../runtime.js'
import { errorOutcome, type OperationOutcome } from './engine.js'
import type { CallEnd } from './outcome.js'

/** A payment-creating operation's intent (virtual-account issue, billing-key charge): the row it records. */
export interface PaymentIntent {
  account: AccountRuntime
  merchantId: string
  row: Insertable<PaymentsTable>
}

/** Records a payment-creating intent (and claims its Idempotency-Key with it): the operations' `open` step. */
export async function openPaymentIntent<I extends PaymentIntent>(
  rt: Runtime,
  intent: I,
  idem: IdempotencyScope | undefined,
): Promise<I | KeyTaken> {
  const ref = { type: 'payment' as const, id: intent.row.id }
  const claim = await insertIntent(rt, 'payments', intent.row, ref, intent.account.lockMs, idem)
  return isKeyTaken(claim) ? claim : intent
}

/** The pending payment row an operation records before it calls the PG. */
export function pendingPayment(
  rt: Runtime,
  merchantId: string,
  account: AccountRuntime,
  fields: {
    id: string
    orderId: string
    amount: number
    method: string
    billingKeyId?: string
    /** What the PG is asked (never card data): what a reconciler or a reviewer works from. */
    request: Record<string, unknown>
  },
): Insertable<PaymentsTable> {
  const now = rt.now()
  return {
    id: fields.id,
    merchant_id: merchantId,
    account_id: account.config.id,
    provider: account.config.provider,
    transaction_id: null,
    order_id: fields.orderId,
    method: fields.method,
    status: 'pending',
    amount: fields.amount,
    cancelled_amount: 0,
    reserved_amount: 0,
    inflight_cancels: 0,
    balance_source: 'gateway',
    billing_key_id: fields.billingKeyId ?? null,
    virtual_account: null,
    failure: null,
    charge_request: JSON.stringify(fields.request),
    created_at: now,
    updated_at: now,
  }
}

export interface PaymentEnd {
  status: PaymentStatus
  transactionId?: string
  amount?: number
  virtualAccount?: VirtualAccountInfo & { issuedAt?: string }
  /** What the PG's notifications about it will carry: stored sealed, never shown. */
  notificationSecret?: string
}

/**
 * Settles a payment-creating operation in ONE statement through the ledger: the payment's end, its event and
 * the stored answer. The answer is rendered from what is written, so nothing is read back.
 */
export async function settlePaymentIntent<R>(
  rt: Runtime,
  intent: PaymentIntent,
  end: CallEnd<R>,
  ok: (value: R) => PaymentEnd,
  events: { ok: EventType; failed: EventType },
  idem: IdempotencyScope | undefined,
): Promise<OperationOutcome<PaymentView>> {
  const now = rt.now()
  const id = intent.row.id
  if (end.kind === 'unknown' && !(end.cause instanceof Error && 'code' in end.cause)) {
    rt.logger.error({ err: end.cause, paymentId: id }, 'PG call failed unexpectedly; payment left pending')
  }
  const done = end.kind === 'ok' ? ok(end.value) : undefined
  const failure: FailureInfo | null =
    end.kind === 'rejected' ? end.failure : end.kind === 'unknown' ? end.reason : null
  const status: PaymentStatus = done ? done.status : end.kind === 'rejected' ? 'failed' : 'pending'
  const patch = {
    ...(done?.transactionId ? { transaction_id: done.transactionId } : {}),
    ...(done?.amount !== undefined ? { amount: done.amount } : {}),
    ...(done?.virtualAccount ? { virtual_account: JSON.stringify(done.virtualAccount) } : {}),
    failure: failure ? JSON.stringify(failure) : null,
  }
  const view = renderPayment({
    ...intent.row,
    id,
    transaction_id: done?.transactionId ?? null,
    order_id: intent.row.order_id ?? null,
    method: intent.row.method ?? null,
    amount: done?.amount ?? intent.row.amount ?? null,
    cancelled_amount: 0,
    reserved_amount: 0,
    billing_key_id: intent.row.billing_key_id ?? null,
    virtual_account: done?.virtualAccount ?? null,
    failure,
    routing: null,
    metadata: null,
    status,
    created_at: new Date(intent.row.created_at),
    updated_at: now,
  })
  const outcome: OperationOutcome<PaymentView> =
    end.kind === 'rejected'
      ? errorOutcome(end.error, { paymentId: id })
      : { status: end.kind === 'unknown' ? 202 : 200, body: view }
  const release = end.kind === 'rejected' && end.error.status === 503
  await rt.db.executeQuery(
    settlePaymentQuery(rt, rt.db, {
      payment: { id, merchantId: intent.merchantId, transactionId: null },
      from: ['pending'],
      status,
      patch,
      ...(done?.notificationSecret ? { notificationSecret: done.notificationSecret } : {}),
      ...(end.kind === 'unknown' ? {} : { event: end.kind === 'ok' ? events.ok : events.failed }),
      now,
      ...(idem ? { idempotency: { scope: idem, outcome, release } } : {}),
    }),
  )
  return outcome
}
