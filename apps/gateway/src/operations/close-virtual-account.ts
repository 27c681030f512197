import type { PaymentRow } from '../db/schema.js'
import { isKeyTaken } from '../idempotency-keys.js'
import type { CancelRequest, CancelResult } from '@paymux/core'
import { ApiError, conflict, notFound } from '../errors.js'
import { settlePayment } from '../ledger/payments.js'
import { type PaymentView, renderPayment } from '../render.js'
import type { AccountRuntime } from '../runtime.js'
import { accountOf } from '../services/accounts.js'
import { errorOutcome, type OperationDescriptor, type OperationOutcome, validateCall } from './engine.js'
import { markIntent } from '../ledger/intents.js'

interface CloseIntent {
  account: AccountRuntime
  merchantId: string
  payment: PaymentRow
}

/** The PG call that closes an unpaid virtual account: a full cancel before the deposit, rebuilt from the row. */
export function closeRequestOf(p: PaymentRow): CancelRequest {
  return {
    transactionId: p.transaction_id ?? '',
    amount: Number(p.amount),
    paymentAmount: Number(p.amount),
    reason: 'virtual account closed by the merchant',
    // One close per payment: a second attempt is the same attempt to the PG.
    cancelId: `${p.id}-close`,
    ...(p.order_id ? { orderId: p.order_id } : {}),
  }
}

function notOpen(p: PaymentRow): ApiError {
  if (p.status === 'closed') return conflict('already_closed', 'the virtual account is already closed')
  if (p.status === 'paid' || p.status === 'partial_cancelled')
    return conflict(
      'payment_not_open',
      'the customer has deposited: refund it with POST /v1/cancellations and a refundAccount',
    )
  return conflict(
    'payment_not_open',
    `the payment is ${p.status}; only a virtual account awaiting its deposit closes`,
  )
}

/**
 * POST /v1/payments/{id}/close: an unpaid virtual account is closed at the PG (NicePay: a full cancel before the
 * deposit) so the customer can no longer pay into it. Marked `closing` with the Idempotency-Key in one statement
 * before the PG is called; an answer that is lost leaves it `closing` for the reconciler, which settles it from
 * the PG's lookup (never by sending the close again).
 */
export const closeVirtualAccountOperation: OperationDescriptor<
  { paymentId: string },
  CloseIntent,
  CancelResult,
  PaymentView
> = {
  async prepare(rt, merchantId, input) {
    const payment = await rt.db
      .selectFrom('payments')
      .selectAll()
      .where('id', '=', input.paymentId)
      .where('merchant_id', '=', merchantId)
      .executeTakeFirst()
    if (!payment) throw notFound('payment', input.paymentId)
    const account = accountOf(rt, merchantId, payment.account_id)
    if (!account) throw notFound('payment', input.paymentId)
    if (payment.method !== 'virtual_account' || payment.transaction_id == null || payment.amount == null)
      throw conflict('payment_not_open', 'only an issued virtual account awaiting its deposit closes')
    if (!account.provider.capabilities.virtualAccounts)
      throw new ApiError(400, {
        type: 'invalid_request_error',
        code: 'unsupported_operation',
        message: `account ${account.config.id} (${account.config.provider}) cannot close virtual accounts (capability virtualAccounts)`,
        param: 'id',
      })
    if (payment.status !== 'waiting_for_deposit' && payment.status !== 'closing') throw notOpen(payment)
    validateCall(account, { operation: 'cancel', request: closeRequestOf(payment) })
    return { account, merchantId, payment }
  },
  async open(rt, intent, idem) {
    const moved = await markIntent(
      rt,
      { table: 'payments', id: intent.payment.id },
      ['waiting_for_deposit'],
      'closing',
      intent.account.lockMs,
      idem,
    )
    if (isKeyTaken(moved)) return moved
    if (!moved) {
      const now = await rt.db
        .selectFrom('payments')
        .selectAll()
        .where('id', '=', intent.payment.id)
        .executeTakeFirstOrThrow()
      if (now.status === 'closing')
        throw conflict('close_in_progress', 'a close of this virtual account is in flight')
      throw notOpen(now)
    }
    return intent
  },
  request: (_rt, intent) => ({ operation: 'cancel', request: closeRequestOf(intent.payment) }),
  call(provider, call) {
    if (call.operation !== 'cancel') throw new Error(`cannot send ${call.operation}`)
    return provider.cancel(call.request)
  },
  subject: (intent) => ({ paymentId: intent.payment.id, operation: 'close' }),
  async settle(rt, intent, end, idem) {
    const now = rt.now()
    const p = intent.payment
    const view = (status: PaymentRow['status']) => renderPayment({ ...p, status, updated_at: now })
    if (end.kind === 'ok') {
      const outcome: OperationOutcome<PaymentView> = { status: 200, body: view('closed') }
      await settlePayment(rt, rt.db, {
        payment: { id: p.id, merchantId: intent.merchantId, transactionId: p.transaction_id },
        from: ['closing'],
        status: 'closed',
        event: 'payment.closed',
        now,
        ...(idem ? { idempotency: { scope: idem, outcome } } : {}),
      })
      return outcome
    }
    if (end.kind === 'rejected') {
      // The PG refused: the account stays open (a deposit may still come).
      const outcome = errorOutcome(end.error, { paymentId: p.id })
      await settlePayment(rt, rt.db, {
        payment: { id: p.id, merchantId: intent.merchantId, transactionId: p.transaction_id },
        from: ['closing'],
        status: 'waiting_for_deposit',
        now,
        ...(idem ? { idempotency: { scope: idem, outcome, release: end.error.status >= 500 } } : {}),
      })
      return outcome
    }
    const outcome: OperationOutcome<PaymentView> = { status: 202, body: view('closing') }
    await settlePayment(rt, rt.db, {
      payment: { id: p.id, merchantId: intent.merchantId, transactionId: p.transaction_id },
      from: ['closing'],
      status: 'closing',
      patch: { failure: JSON.stringify(end.reason) },
      now,
      ...(idem ? { idempotency: { scope: idem, outcome } } : {}),
    })
    return outcome
  },
}
