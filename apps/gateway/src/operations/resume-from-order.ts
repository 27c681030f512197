// A virtual-account issue or a billing-key charge left `pending` (its answer was lost, or the process stopped
// mid-call), settled from what the PG holds for the payment's order id, where the PG looks payments up by order
// (Toss). That lookup is the evidence: one payment of this order for the stored amount is this payment; none,
// after the in-flight window, means nothing was created (after the bound of lookups, like a cancel); anything
// else goes to a person with what the PG showed. Nothing is sent again from here.
import type { TransactionLookup } from '@paymux/core'
import { isPaymentError } from '@paymux/core'
import type { PaymentRow } from '../db/schema.js'
import type { EventType } from '../ledger/events.js'
import { settlePayment } from '../ledger/payments.js'
import { metricsOf } from '../metrics/registry.js'
import type { AccountRuntime, Runtime } from '../runtime.js'
import { askPg } from './outcome.js'
import type { ResumeSchedule } from './resume-schedule.js'

/** What the order lookup decided; `nothing_found` leaves it to the caller (a charge the PG dedups is re-sent). */
export type OrderVerdict = 'settled' | 'later' | 'nothing_found'

type End =
  | { status: 'waiting_for_deposit' | 'paid'; t: TransactionLookup }
  | { status: 'failed'; code: string; message: string }
  | { status: 'needs_review'; message: string; t?: TransactionLookup }

export async function resumeFromOrder(
  rt: Runtime,
  account: AccountRuntime,
  p: PaymentRow,
  schedule: ResumeSchedule,
): Promise<OrderVerdict> {
  const orderId = p.order_id!
  let found: TransactionLookup[]
  try {
    const at = { rt, account, paymentId: p.id, operation: 'lookup_order' }
    found = await askPg(at, (pg) => pg.lookupOrder(orderId))
  } catch (err) {
    if (isPaymentError(err) && err.code === 'transaction_not_found') found = []
    else {
      rt.logger.warn(
        { paymentId: p.id, code: isPaymentError(err) ? err.code : 'error' },
        'order lookup failed',
      )
      if (schedule.expired()) {
        await finish(rt, p, { status: 'needs_review', message: 'the PG order lookup kept failing' })
        return 'settled'
      }
      await schedule.later({ evidence: 'the order lookup failed' })
      return 'later'
    }
  }
  const ours = found.filter((t) => t.orderId === undefined || t.orderId === orderId)
  if (ours.length === 0) {
    if (p.billing_key_id != null && account.provider.capabilities.chargeDedup) return 'nothing_found'
    if (schedule.noChangeSoFar + 1 >= schedule.failAfterNoChange) {
      await finish(rt, p, {
        status: 'failed',
        code: 'not_executed',
        message: `the PG holds no payment of order ${orderId} after ${schedule.noChangeSoFar + 1} lookups; nothing was created`,
      })
      return 'settled'
    }
    await schedule.later({ noChange: true, evidence: `the PG holds no payment of order ${orderId}` })
    return 'later'
  }
  const t = ours[0]!
  const shows = `${t.transactionId} ${t.providerStatus ?? t.status}${t.amount === undefined ? '' : ` for ${t.amount}`}`
  if (ours.length > 1)
    await finish(rt, p, {
      status: 'needs_review',
      message: `the PG holds ${ours.length} payments of order ${orderId}`,
    })
  else if (t.amount !== Number(p.amount))
    await finish(rt, p, { status: 'needs_review', message: `the PG shows ${shows}, not ${p.amount}`, t })
  else if (t.status === 'paid' || (t.status === 'waiting_for_deposit' && p.method === 'virtual_account'))
    await finish(rt, p, { status: t.status, t })
  else await finish(rt, p, { status: 'needs_review', message: `the PG shows ${shows}`, t })
  return 'settled'
}

async function finish(rt: Runtime, p: PaymentRow, end: End): Promise<void> {
  const charge = p.billing_key_id != null
  const t = 't' in end ? end.t : undefined
  const event: EventType =
    end.status === 'needs_review'
      ? 'payment.needs_review'
      : end.status === 'waiting_for_deposit'
        ? 'payment.virtual_account_issued'
        : end.status === 'paid'
          ? charge
            ? 'charge.succeeded'
            : 'payment.paid'
          : charge
            ? 'charge.failed'
            : 'payment.failed'
  const va = t?.virtualAccount
  const settled = end.status === 'paid' || end.status === 'waiting_for_deposit'
  const done = await settlePayment(rt, rt.db, {
    payment: { id: p.id, merchantId: p.merchant_id, transactionId: p.transaction_id },
    from: ['pending'],
    status: end.status,
    patch: {
      ...(settled && t ? { transaction_id: t.transactionId, failure: null } : {}),
      ...(settled && va
        ? {
            virtual_account: JSON.stringify({
              ...va,
              dueDate: va.dueDate ?? '',
              issuedAt: t?.approvedAt ?? new Date(p.created_at).toISOString(),
            }),
          }
        : {}),
      ...(end.status === 'failed'
        ? { failure: JSON.stringify({ code: end.code, message: end.message }) }
        : {}),
      ...(end.status === 'needs_review'
        ? {
            review_reason: JSON.stringify({
              code: 'reconciliation_gave_up',
              message: end.message,
              attempts: p.reconcile_attempts,
              ...(t?.evidence ? { evidence: t.evidence } : {}),
            }),
          }
        : {}),
    },
    ...(settled && t?.notificationSecret ? { notificationSecret: t.notificationSecret } : {}),
    event,
    now: rt.now(),
    resolvedBy: 'reconciliation',
  })
  metricsOf(rt).reconciliations.inc({ object: 'charge', result: done ? end.status : 'raced' })
  rt.logger.info(
    { paymentId: p.id, status: end.status, applied: done },
    'pending payment resolved by order lookup',
  )
}
