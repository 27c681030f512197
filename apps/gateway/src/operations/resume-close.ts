import { scheduleNext } from '../ledger/schedule.js'
import type { PaymentRow } from '../db/schema.js'
import { isPaymentError, type TransactionLookup } from '@paymux/core'
import { settlePayment } from '../ledger/payments.js'
import type { PaymentStatus } from '../db/statuses.js'
import { metricsOf } from '../metrics/registry.js'
import type { Runtime } from '../runtime.js'
import { askPg } from './outcome.js'
import type { WorkersConfig } from '../workers-config.js'

type ReconcileConfig = WorkersConfig['reconcile']

/** What the PG's lookup says became of a virtual account whose close went unanswered. */
export function closeVerdictOf(t: TransactionLookup): { status: PaymentStatus; why: string } | undefined {
  if (t.status === 'cancelled') return { status: 'closed', why: 'the PG shows it cancelled' }
  // The close did not happen: the account is open again (the merchant may close it once more).
  if (t.status === 'waiting_for_deposit' || t.status === 'ready')
    return { status: 'waiting_for_deposit', why: 'the PG shows it still awaiting its deposit' }
  // The deposit came first: the close could not apply, and the money is the merchant's to refund or keep.
  if (t.status === 'paid') return { status: 'paid', why: 'the customer deposited before the close' }
  return undefined
}

/**
 * A virtual account left `closing` (its close unanswered, or the process gone during the call): settled from the
 * PG's lookup, never by sending the close again. What the lookup cannot settle within the give-up bound goes to
 * `needs_review`.
 */
export async function reconcileClose(rt: Runtime, cfg: ReconcileConfig, p: PaymentRow): Promise<void> {
  const account = rt.merchants.get(p.merchant_id)?.accounts.get(p.account_id)
  const now = rt.now()
  let verdict: ReturnType<typeof closeVerdictOf>
  let lookupError: string | undefined
  if (account && p.transaction_id) {
    try {
      const tid = p.transaction_id
      const at = { rt, account, paymentId: p.id, operation: 'lookup' }
      verdict = closeVerdictOf(await askPg(at, (pg) => pg.getTransaction(tid)))
    } catch (err) {
      lookupError = isPaymentError(err) ? `${err.code}: ${err.message}` : 'the lookup failed'
    }
  }
  const ref = { id: p.id, merchantId: p.merchant_id, transactionId: p.transaction_id }
  if (verdict) {
    const done = await settlePayment(rt, rt.db, {
      payment: ref,
      from: ['closing'],
      status: verdict.status,
      patch: verdict.status === 'closed' ? { failure: null } : {},
      ...(verdict.status === 'closed'
        ? { event: 'payment.closed' as const }
        : verdict.status === 'paid'
          ? { event: 'payment.paid' as const }
          : {}),
      now,
      resolvedBy: 'reconciliation',
    })
    metricsOf(rt).reconciliations.inc({ object: 'close', result: done ? verdict.status : 'raced' })
    rt.logger.info({ paymentId: p.id, status: verdict.status, why: verdict.why }, 'close resolved')
    return
  }
  if (now.getTime() - new Date(p.updated_at).getTime() > cfg.giveUpAfterSeconds * 1000) {
    await settlePayment(rt, rt.db, {
      payment: ref,
      from: ['closing'],
      status: 'needs_review',
      patch: {
        review_reason: JSON.stringify({
          code: 'reconciliation_gave_up',
          message: `the close of this virtual account could not be confirmed${lookupError ? ` (${lookupError})` : ''}: check at the PG`,
          attempts: p.reconcile_attempts,
        }),
      },
      event: 'payment.needs_review',
      now,
      resolvedBy: 'reconciliation',
    })
    return
  }
  const wait =
    cfg.backoffSeconds[Math.min(Math.max(p.reconcile_attempts - 1, 0), cfg.backoffSeconds.length - 1)]!
  await scheduleNext(rt, 'payments', p.id, new Date(now.getTime() + wait * 1000), { statuses: ['closing'] })
}
