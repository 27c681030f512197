import type { PaymentRow } from '../db/schema.js'
// A payment finished late from the PG's own record: after a notification hint (unsigned notifications change
// nothing by themselves), or by the sweeper for a checkout whose customer never came back. One lookup decides;
// a charge the gateway does not hold as paid for its order (a second payment in the PG's window, a payment
// after the checkout ended) is undone at the PG through the ordinary cancel operation, with its events.
import { isPaymentError, type TransactionLookup } from '@paymux/core'
import { clearLookupRequest, requestLookup, settlePayment } from '../ledger/payments.js'
import { recordExternalCancellationLocked } from '../ledger/cancellations.js'
import { metricsOf } from '../metrics/registry.js'
import type { AccountRuntime, Runtime } from '../runtime.js'
import { cancelOperation } from './cancel.js'
import { runOperation } from './engine.js'
import { resumeCancellation } from './resume-cancellation.js'
import type { ResumeSchedule } from './resume-schedule.js'

/** A hint's lookup neither gives up nor counts "no change": the reconciler's own schedule does that. */
const HINT_SCHEDULE: ResumeSchedule = {
  later: async () => {},
  expired: () => false,
  noChangeSoFar: 0,
  failAfterNoChange: Number.POSITIVE_INFINITY,
}

const PAID = new Set(['paid', 'partial_cancelled', 'cancelled'])

/** What a lookup of a payment (or of its order) did; a line for the log and the notification's effect. */
export type ResumeEffect = string

/**
 * Settles what the PG's record shows for this payment. `hintTransactionId`: the transaction a notification
 * named, when it is not the payment's own (a second payment for the same order).
 */
export async function resumeFromLookup(
  rt: Runtime,
  account: AccountRuntime,
  p: PaymentRow,
  hintTransactionId?: string,
): Promise<ResumeEffect> {
  const caps = account.provider.capabilities
  const effect = await resumeByStatus(rt, account, p, hintTransactionId)
  await clearLookupRequest(rt, p.id)
  // A transaction of this order that is not this payment's: checked on its own.
  if (hintTransactionId && p.transaction_id && hintTransactionId !== p.transaction_id && caps.paymentLookup)
    return `${effect}; ${await undoStrayCharge(rt, account, p, hintTransactionId)}`
  return effect
}

async function resumeByStatus(
  rt: Runtime,
  account: AccountRuntime,
  p: PaymentRow,
  hintTid: string | undefined,
): Promise<ResumeEffect> {
  const caps = account.provider.capabilities
  switch (p.status) {
    case 'pending':
    case 'closing':
      // In flight, or its outcome unknown: the reconciler's settle step owns it; it is looked at now.
      await requestLookup(rt, rt.db, p.id, rt.now(), true)
      return 'left to the reconciler (in flight)'
    case 'requires_authentication':
    case 'failed':
    case 'expired':
      return p.checkout_token_hash ? resumeCheckoutFromOrder(rt, account, p, hintTid) : 'no change'
    case 'waiting_for_deposit': {
      if (!caps.paymentLookup || !p.transaction_id) return 'no lookup: left as it is'
      const t = await lookup(rt, account, p.transaction_id)
      if (!t) return 'lookup failed: left as it is'
      if (!PAID.has(t.status) || (t.amount !== undefined && t.amount !== Number(p.amount)))
        return `no change: the PG shows ${t.providerStatus ?? t.status}`
      const done = await settlePayment(rt, rt.db, {
        payment: { id: p.id, merchantId: p.merchant_id, transactionId: p.transaction_id },
        from: ['waiting_for_deposit'],
        status: 'paid',
        patch: { failure: null },
        event: 'payment.paid',
        now: rt.now(),
        resolvedBy: 'notification',
      })
      return done ? 'payment paid (the PG shows the deposit)' : 'no change: settled meanwhile'
    }
    case 'paid':
    case 'partial_cancelled':
    case 'cancelled':
      return resumeCancels(rt, account, p)
    default:
      return `no change: ${p.status}`
  }
}

async function lookup(
  rt: Runtime,
  account: AccountRuntime,
  tid: string,
): Promise<TransactionLookup | undefined> {
  try {
    return await account.provider.getTransaction(tid)
  } catch (err) {
    rt.logger.warn({ code: isPaymentError(err) ? err.code : 'error' }, 'lookup after a notification failed')
    return undefined
  }
}

/** Open cancels of a paid payment settled from the lookup; a cancel made at the PG itself recorded. */
async function resumeCancels(rt: Runtime, account: AccountRuntime, p: PaymentRow): Promise<ResumeEffect> {
  const open = await rt.db
    .selectFrom('cancellations')
    .selectAll()
    .where('payment_id', '=', p.id)
    .where('status', 'in', ['pending', 'deposit_required'])
    .execute()
  const inFlightWindow = rt.config.workers.reconcile.minAgeMs ?? account.lockMs
  const now = rt.now().getTime()
  for (const c of open) {
    // A cancel still inside its request records its own answer.
    if (c.status === 'pending' && now - new Date(c.updated_at).getTime() < inFlightWindow) continue
    await resumeCancellation(rt, c, account, HINT_SCHEDULE)
  }
  if (!account.provider.capabilities.paymentLookup || !p.transaction_id) return 'no lookup: left as it is'
  const t = await lookup(rt, account, p.transaction_id)
  if (t?.cancelledAmount === undefined) return open.length ? 'open cancels looked up' : 'no change'
  const moved = await recordExternalCancellationLocked(rt, p.id, t.cancelledAmount)
  return moved > 0 ? `a cancel of ${moved} made at the PG recorded` : 'no change'
}

/**
 * A checkout (not paid here) whose order the PG may have charged: the customer never came back, a result went
 * astray, or a notification names a payment of this order. Only PGs that charge inside their window can hold
 * such a charge (elsewhere nothing is charged without our approval). The charge for the stored amount becomes
 * this payment when the checkout is still open; any other is undone.
 */
async function resumeCheckoutFromOrder(
  rt: Runtime,
  account: AccountRuntime,
  p: PaymentRow,
  hintTid: string | undefined,
): Promise<ResumeEffect> {
  const provider = account.provider
  const caps = provider.capabilities
  if (!caps.checkoutChargesInWindow) return 'no change (the PG charges only on our approval)'
  let charges: TransactionLookup[]
  try {
    if (caps.orderLookup && p.order_id) charges = await provider.lookupOrder(p.order_id)
    else if (hintTid && caps.paymentLookup) charges = [await provider.getTransaction(hintTid)]
    else return 'no lookup by order: left as it is'
  } catch (err) {
    if (isPaymentError(err) && err.code === 'transaction_not_found')
      return 'no change: the PG has no such payment'
    rt.logger.warn({ paymentId: p.id, code: isPaymentError(err) ? err.code : 'error' }, 'order lookup failed')
    return 'lookup failed: left as it is'
  }
  const ours = charges.filter(
    (t) =>
      (t.orderId === undefined || t.orderId === p.order_id) && PAID.has(t.status) && t.status !== 'cancelled',
  )
  const effects: string[] = []
  let claimed = false
  for (const t of ours) {
    if (!claimed && p.status === 'requires_authentication' && t.amount === Number(p.amount)) {
      claimed = await settlePayment(rt, rt.db, {
        payment: { id: p.id, merchantId: p.merchant_id, transactionId: t.transactionId },
        from: ['requires_authentication'],
        status: 'paid',
        patch: { transaction_id: t.transactionId, approval_state: 'approved', failure: null },
        event: 'payment.paid',
        now: rt.now(),
        resolvedBy: 'reconciliation',
      })
      if (claimed) {
        effects.push(`payment paid (the PG shows ${t.transactionId} for this order)`)
        continue
      }
    }
    effects.push(await undoStrayCharge(rt, account, p, t.transactionId, t))
  }
  return effects.join('; ') || 'no change: the PG holds no payment of this order'
}

/**
 * A charge at the PG for this order that is not this payment (a second payment in the window, or one made after
 * the checkout ended): confirmed by the lookup, then cancelled in full through the ordinary cancel operation (its
 * intent recorded first, its events sent), never left standing.
 */
async function undoStrayCharge(
  rt: Runtime,
  account: AccountRuntime,
  p: PaymentRow,
  tid: string,
  known?: TransactionLookup,
): Promise<ResumeEffect> {
  if (tid === p.transaction_id && PAID.has(p.status)) return 'no change'
  const t = known ?? (await lookup(rt, account, tid))
  if (!t) return `lookup of ${tid} failed: left as it is`
  if (t.orderId !== undefined && t.orderId !== p.order_id) return `${tid} belongs to another order: ignored`
  if (!PAID.has(t.status) || t.status === 'cancelled')
    return `${tid} is ${t.status} at the PG: nothing to undo`
  if (tid === p.transaction_id) {
    // This very payment, ended here (failed, expired) while the PG holds it charged: a person decides, with
    // the evidence, rather than the gateway calling a charged order failed.
    const done = await settlePayment(rt, rt.db, {
      payment: { id: p.id, merchantId: p.merchant_id, transactionId: tid },
      from: [p.status],
      status: 'needs_review',
      patch: {
        review_reason: JSON.stringify({
          code: 'charged_while_ended',
          message: `the PG shows ${tid} ${t.status} for this order, which ended ${p.status} here`,
          evidence: t.evidence ?? {},
        }),
      },
      event: 'payment.needs_review',
      now: rt.now(),
      resolvedBy: 'reconciliation',
    })
    return done ? `the PG holds ${tid} charged: needs_review` : 'no change: settled meanwhile'
  }
  const held = await rt.db
    .selectFrom('payments')
    .select(['id', 'status'])
    .where('account_id', '=', account.config.id)
    .where('transaction_id', '=', tid)
    .executeTakeFirst()
  if (held && held.id !== p.id && held.status !== 'paid') return `${tid} is already handled (${held.status})`
  const outcome = await runOperation(
    rt,
    cancelOperation,
    p.merchant_id,
    {
      ...(held ? { paymentId: held.id } : { account: account.config.id, transactionId: tid }),
      reason: `a second charge for order ${p.order_id ?? p.id}: undone`,
    },
    undefined,
  ).catch((err: unknown) => ({ status: 500, error: { message: String(err) } }))
  // No Idempotency-Key is passed, so no claim can be taken: the outcome is the cancel's own answer.
  const status = 'status' in outcome ? outcome.status : 409
  metricsOf(rt).reconciliations.inc({ object: 'charge', result: 'stray_charge_undone' })
  rt.logger.warn({ paymentId: p.id, transactionId: tid, status }, 'a stray charge was undone')
  return `stray charge ${tid} undone (${status})`
}

/**
 * A cancel notice that names no payment (CookiePay's post-deposit notice carries only the cancel's own id and
 * amount): the account's cancels waiting for the merchant's deposit, of that amount when it says one, are
 * looked up. Bounded: a handful of rows, never a scan.
 */
export async function resumeDepositCancels(
  rt: Runtime,
  account: AccountRuntime,
  amount: number | undefined,
): Promise<ResumeEffect> {
  let q = rt.db
    .selectFrom('cancellations')
    .selectAll()
    .where('account_id', '=', account.config.id)
    .where('status', '=', 'deposit_required')
  if (amount !== undefined) q = q.where('amount', '=', amount)
  const waiting = await q.orderBy('updated_at').limit(20).execute()
  for (const c of waiting) await resumeCancellation(rt, c, account, HINT_SCHEDULE)
  return waiting.length
    ? `${waiting.length} cancel(s) awaiting a deposit looked up`
    : 'ignored: no cancel awaits a deposit'
}
