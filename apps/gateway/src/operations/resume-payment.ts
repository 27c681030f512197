// A payment finished late from the PG's own record: after a notification hint (unsigned notifications change
// nothing by themselves), or by the sweeper for a checkout past its expiry. One lookup decides; a charge the
// gateway does not hold as paid for its order (a second payment in the PG's window, a payment after the
// checkout ended) is undone at the PG through the ordinary cancel operation, with its events. Whatever could not
// be decided (a lookup or an undo that failed) is said in `retry`: the request for a lookup then stays, and the
// reconciler comes back to it.
import { isPaymentError, type TransactionLookup } from '@paymux/core'
import type { PaymentRow } from '../db/schema.js'
import { recordExternalCancellationLocked } from '../ledger/cancellations.js'
import { clearLookupRequest, importStrayCharge, requestLookup, settlePayment } from '../ledger/payments.js'
import { metricsOf } from '../metrics/registry.js'
import type { AccountRuntime, Runtime } from '../runtime.js'
import { cancelOperation } from './cancel.js'
import { runOperation } from './engine.js'
import { askPg, type CallSite } from './outcome.js'
import { resumeCancellation } from './resume-cancellation.js'
import { closeVerdictOf } from './resume-close.js'
import type { ResumeSchedule, ReviewCheck } from './resume-schedule.js'

/** A hint's lookup neither gives up nor counts "no change": the reconciler's own schedule does that. */
const HINT_SCHEDULE: ResumeSchedule = {
  later: async () => {},
  expired: () => false,
  noChangeSoFar: 0,
  failAfterNoChange: Number.POSITIVE_INFINITY,
}

const PAID = new Set(['paid', 'partial_cancelled', 'cancelled'])

/** What a lookup of a payment (or of its order) did, and whether anything was left undecided. */
export interface ResumeEffect {
  effect: string
  /** A lookup or an undo failed: look again later (the lookup request stays). */
  retry: boolean
}

/** One resume: what it did, and whether something must be tried again. */
class Resume {
  readonly effects: string[] = []
  retry = false
  constructor(
    readonly rt: Runtime,
    readonly account: AccountRuntime,
    readonly p: PaymentRow,
  ) {}
  did(effect: string): void {
    this.effects.push(effect)
  }
  failed(effect: string): void {
    this.retry = true
    this.effects.push(effect)
  }
  async lookup(tid: string): Promise<TransactionLookup | undefined> {
    try {
      return await askPg(this.site('lookup'), (pg) => pg.getTransaction(tid))
    } catch (err) {
      this.failed(`lookup of ${tid} failed`)
      this.rt.logger.warn(
        { paymentId: this.p.id, code: isPaymentError(err) ? err.code : 'error' },
        'lookup failed',
      )
      return undefined
    }
  }
  /** A PG call made for this payment, as the call log records it. */
  site(operation: string): CallSite {
    return { rt: this.rt, account: this.account, paymentId: this.p.id, operation }
  }
  get caps() {
    return this.account.provider.capabilities
  }
  /** A PG that charges inside its window and lists an order's payments: a checkout's order can be swept. */
  get sweepsOrders(): boolean {
    return this.caps.checkoutChargesInWindow && this.caps.orderLookup && this.p.checkout_token_hash != null
  }
}

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
  const r = new Resume(rt, account, p)
  await byStatus(r, hintTransactionId)
  // A transaction of this order that is not this payment's, where the order's payments cannot be listed.
  if (
    hintTransactionId &&
    p.transaction_id &&
    hintTransactionId !== p.transaction_id &&
    r.caps.paymentLookup &&
    !r.sweepsOrders
  )
    await undoStrayCharge(r, hintTransactionId)
  if (!r.retry) {
    // A checkout whose order is swept at its expiry keeps that appointment.
    const expiry = p.checkout_expires_at ? new Date(p.checkout_expires_at) : undefined
    await clearLookupRequest(rt, p.id, r.sweepsOrders && expiry && expiry > rt.now() ? expiry : null)
  }
  return { effect: r.effects.join('; ') || 'no change', retry: r.retry }
}

async function byStatus(r: Resume, hintTid: string | undefined): Promise<void> {
  const { rt, p } = r
  switch (p.status) {
    case 'pending':
    case 'closing':
      // In flight, or its outcome unknown: the reconciler's settle step owns it; it is looked at now.
      await requestLookup(rt, rt.db, p.id, rt.now(), true)
      return r.did('left to the reconciler (in flight)')
    case 'requires_authentication':
    case 'failed':
    case 'expired':
      if (p.checkout_token_hash) await checkoutFromOrder(r, hintTid)
      return
    case 'waiting_for_deposit':
      return deposit(r)
    case 'paid':
    case 'partial_cancelled':
    case 'cancelled':
      await cancels(r)
      // A paid checkout's order swept too: a second payment in the window is found even if its notice was lost.
      if (r.sweepsOrders) await checkoutFromOrder(r, hintTid)
      return
    default:
      return r.did(`no change: ${p.status}`)
  }
}

/** The PG's record shows this payment paid, for its amount (where the lookup reports one). */
const paidOnRecord = (p: PaymentRow, t: TransactionLookup) =>
  PAID.has(t.status) && (t.amount === undefined || t.amount === Number(p.amount))

/**
 * Settles a payment paid on the PG's record, from the status it was found in: the one step a missed deposit
 * and a needs_review item checked again both take.
 */
function settlePaid(
  rt: Runtime,
  p: PaymentRow,
  from: 'waiting_for_deposit' | 'needs_review',
  by: 'notification' | 'reconciliation',
) {
  return settlePayment(rt, rt.db, {
    payment: { id: p.id, merchantId: p.merchant_id, transactionId: p.transaction_id },
    from: [from],
    status: 'paid',
    patch: { failure: null },
    // A charge made with a billing key is told as one, as the reconciler tells it.
    event: p.billing_key_id != null ? 'charge.succeeded' : 'payment.paid',
    now: rt.now(),
    resolvedBy: by,
  })
}

async function deposit(r: Resume): Promise<void> {
  const { rt, p } = r
  if (!r.caps.paymentLookup || !p.transaction_id) return r.did('no lookup: left as it is')
  const t = await r.lookup(p.transaction_id)
  if (!t) return
  if (!paidOnRecord(p, t)) return r.did(`no change: the PG shows ${t.providerStatus ?? t.status}`)
  const done = await settlePaid(rt, p, 'waiting_for_deposit', 'notification')
  r.did(done ? 'payment paid (the PG shows the deposit)' : 'no change: settled meanwhile')
}

/**
 * A payment in needs_review checked again (an operator's "check again now"): one lookup, settled only where the
 * PG's record is conclusive by the rules the reconciler's steps apply: a virtual account whose close went
 * unanswered by the close's verdict; any other by a record showing it paid for its amount (and a cancel made at
 * the PG recorded, as for a paid payment). A charge held while the order ended here stays for a person, whatever
 * the PG shows: that was never a question of evidence. Nothing is ever sent but the lookup.
 */
export async function resumeReviewedPayment(
  rt: Runtime,
  account: AccountRuntime,
  p: PaymentRow,
): Promise<ReviewCheck> {
  const stays = (evidence: string, shown?: Record<string, unknown>): ReviewCheck => ({
    settled: false,
    status: p.status,
    evidence,
    ...(shown ? { shown } : {}),
  })
  if (p.status !== 'needs_review') return stays(`no change: it is ${p.status}`)
  if (!account.provider.capabilities.paymentLookup || !p.transaction_id)
    return stays('no lookup: this PG has none, or the payment has no PG transaction id')
  const r = new Resume(rt, account, p)
  const t = await r.lookup(p.transaction_id)
  if (!t) return stays(r.effects.join('; '))
  const shown = summaryOf(t)
  const reason = (p.review_reason ?? {}) as { code?: string }
  if (reason.code === 'charged_while_ended')
    return stays('a charge the PG holds for an order that ended here: a person decides', shown)
  if ((await previousStatusOf(rt, p)) === 'closing') {
    const v = closeVerdictOf(t)
    if (!v) return stays(`the PG shows ${t.providerStatus ?? t.status}: not a close's end`, shown)
    const done = await settlePayment(rt, rt.db, {
      payment: { id: p.id, merchantId: p.merchant_id, transactionId: p.transaction_id },
      from: ['needs_review'],
      status: v.status,
      patch: v.status === 'closed' ? { failure: null } : {},
      ...(v.status === 'closed'
        ? { event: 'payment.closed' as const }
        : v.status === 'paid'
          ? { event: 'payment.paid' as const }
          : {}),
      now: rt.now(),
      resolvedBy: 'reconciliation',
    })
    return done
      ? { settled: true, status: v.status, evidence: v.why, shown }
      : stays('settled meanwhile', shown)
  }
  // Cancelled at the PG without amounts: paid and then how much cancelled cannot be told apart.
  const cancelledUnknown = t.status !== 'paid' && t.cancelledAmount === undefined
  if (!paidOnRecord(p, t) || cancelledUnknown)
    return stays(
      `the PG shows ${t.providerStatus ?? t.status}${t.amount !== undefined ? ` for ${t.amount}` : ''}`,
      shown,
    )
  if (!(await settlePaid(rt, p, 'needs_review', 'reconciliation'))) return stays('settled meanwhile', shown)
  const moved = t.cancelledAmount ? await recordExternalCancellationLocked(rt, p.id, t.cancelledAmount) : 0
  const now = await rt.db
    .selectFrom('payments')
    .select('status')
    .where('id', '=', p.id)
    .executeTakeFirstOrThrow()
  return {
    settled: true,
    status: now.status,
    evidence: `the PG shows it ${t.providerStatus ?? t.status}${moved ? `; a cancel of ${moved} made at the PG recorded` : ''}`,
    shown,
  }
}

/** The lookup's answer as a person reads it next to the item. */
function summaryOf(t: TransactionLookup): Record<string, unknown> {
  return {
    transactionId: t.transactionId,
    status: t.status,
    providerStatus: t.providerStatus,
    amount: t.amount,
    cancelledAmount: t.cancelledAmount,
    cancellableAmount: t.cancellableAmount,
    cancels: t.cancels?.length,
  }
}

/** The status a payment was in when it went to needs_review, as its event recorded it. */
async function previousStatusOf(rt: Runtime, p: PaymentRow): Promise<string | undefined> {
  const e = await rt.db
    .selectFrom('events')
    .select('data')
    .where('merchant_id', '=', p.merchant_id)
    .where('object_id', '=', p.id)
    .where('type', '=', 'payment.needs_review')
    .orderBy('created_at', 'desc')
    .limit(1)
    .executeTakeFirst()
  const prev = (e?.data as { previousStatus?: unknown } | undefined)?.previousStatus
  return typeof prev === 'string' ? prev : undefined
}

/** Open cancels of a paid payment settled from the lookup; a cancel made at the PG itself recorded. */
async function cancels(r: Resume): Promise<void> {
  const { rt, p, account } = r
  const open = await rt.db
    .selectFrom('cancellations')
    .selectAll()
    .where('payment_id', '=', p.id)
    .where('status', 'in', ['pending', 'deposit_required'])
    .execute()
  const inFlightWindow = rt.config.workers.reconcile.minAgeMs ?? account.lockMs
  const now = rt.now().getTime()
  for (const c of open) {
    // A cancel still inside its request records its own answer; looked at again after it.
    if (c.status === 'pending' && now - new Date(c.updated_at).getTime() < inFlightWindow) {
      r.failed(`cancellation ${c.id} is still in its request`)
      continue
    }
    await resumeCancellation(rt, c, account, HINT_SCHEDULE)
  }
  if (!r.caps.paymentLookup || !p.transaction_id) return r.did('no lookup: left as it is')
  const t = await r.lookup(p.transaction_id)
  if (!t) return
  if (t.cancelledAmount === undefined) return r.did(open.length ? 'open cancels looked up' : 'no change')
  const moved = await recordExternalCancellationLocked(rt, p.id, t.cancelledAmount)
  r.did(moved > 0 ? `a cancel of ${moved} made at the PG recorded` : 'no change')
}

/**
 * A checkout whose order the PG may have charged: the customer never came back, a result went astray, a
 * notification names a payment of this order, or its expiry came. Only PGs that charge inside their window can
 * hold such a charge (elsewhere nothing is charged without our approval). The charge for the stored amount
 * becomes this payment when the checkout is still open; any other is undone.
 */
async function checkoutFromOrder(r: Resume, hintTid: string | undefined): Promise<void> {
  const { rt, p } = r
  if (!r.caps.checkoutChargesInWindow) return r.did('no change (the PG charges only on our approval)')
  let charges: TransactionLookup[]
  try {
    const orderId = p.order_id
    if (r.caps.orderLookup && orderId)
      charges = await askPg(r.site('lookup_order'), (pg) => pg.lookupOrder(orderId))
    else if (hintTid && r.caps.paymentLookup)
      charges = [await askPg(r.site('lookup'), (pg) => pg.getTransaction(hintTid))]
    else return r.did('no lookup by order: left as it is')
  } catch (err) {
    if (isPaymentError(err) && err.code === 'transaction_not_found')
      return r.did('no change: the PG has no such payment')
    rt.logger.warn({ paymentId: p.id, code: isPaymentError(err) ? err.code : 'error' }, 'order lookup failed')
    return r.failed('the order lookup failed')
  }
  const ours = charges.filter(
    (t) =>
      (t.orderId === undefined || t.orderId === p.order_id) && PAID.has(t.status) && t.status !== 'cancelled',
  )
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
        r.did(`payment paid (the PG shows ${t.transactionId} for this order)`)
        continue
      }
    }
    await undoStrayCharge(r, t.transactionId, t)
  }
  if (ours.length === 0) r.did('no change: the PG holds no payment of this order')
}

/**
 * A charge at the PG for this order that is not this payment (a second payment in the window, or one made after
 * the checkout ended): confirmed by the lookup, then cancelled in full through the ordinary cancel operation (its
 * intent recorded first, its events sent), never left standing.
 */
async function undoStrayCharge(r: Resume, tid: string, known?: TransactionLookup): Promise<void> {
  const { rt, p, account } = r
  if (tid === p.transaction_id && PAID.has(p.status)) return
  const t = known ?? (await r.lookup(tid))
  if (!t) return
  if (t.orderId !== undefined && t.orderId !== p.order_id)
    return r.did(`${tid} belongs to another order: ignored`)
  if (!PAID.has(t.status) || t.status === 'cancelled')
    return r.did(`${tid} is ${t.status} at the PG: nothing to undo`)
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
    return r.did(done ? `the PG holds ${tid} charged: needs_review` : 'no change: settled meanwhile')
  }
  const held = await rt.db
    .selectFrom('payments')
    .select(['id', 'status'])
    .where('account_id', '=', account.config.id)
    .where('transaction_id', '=', tid)
    .executeTakeFirst()
  if (held && held.status !== 'paid') return r.did(`${tid} is already handled (${held.status})`)
  // Recorded first as a payment of its own, without the order id (the order is this payment's), so the cancel
  // below has its intent recorded like any other and the merchant sees both.
  const strayId =
    held?.id ??
    (await importStrayCharge(rt, p.merchant_id, account.config.id, account.config.provider, tid, t, rt.now()))
  let status: number
  try {
    const outcome = await runOperation(
      rt,
      cancelOperation,
      p.merchant_id,
      // Short and plain: every PG's reason field takes it (CookiePay's holds 50 characters).
      { paymentId: strayId, reason: 'a second payment for the same order' },
      undefined,
    )
    // No Idempotency-Key is passed, so no key can be taken: the outcome is the cancel's own answer.
    status = 'status' in outcome ? outcome.status : 409
  } catch (err) {
    rt.logger.error({ err, paymentId: p.id, transactionId: tid }, 'the undo of a stray charge failed')
    return r.failed(`the undo of stray charge ${tid} failed`)
  }
  // 202: the cancel's answer was lost; its cancellation is the reconciler's now. Anything else but 200 is not
  // done: looked at again.
  if (status !== 200 && status !== 202) return r.failed(`the undo of stray charge ${tid} answered ${status}`)
  metricsOf(rt).reconciliations.inc({ object: 'charge', result: 'stray_charge_undone' })
  rt.logger.warn({ paymentId: p.id, transactionId: tid, status }, 'a stray charge was cancelled')
  r.did(`stray charge ${tid} cancelled (${status})`)
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
): Promise<string> {
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
