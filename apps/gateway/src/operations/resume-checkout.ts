import type { PaymentRow } from '../db/schema.js'
// Checkout approvals left `pending` (the approval's answer, or its undo's, was lost; or the process stopped
// mid-call), settled from evidence: the PG's lookup of the transaction, or, where the PG has a network cancel,
// the undo sent again (the network cancel is the PG's own guard for an approval nobody heard back from).
// Never a second approval.
import type { CheckoutApproval, TransactionLookup } from '@paymux/core'
import { isPaymentError } from '@paymux/core'
import {
  approveThenUndo,
  type CheckoutEnd,
  checkoutEndOf,
  checkoutPatch,
  expectedOf,
} from './approve-checkout.js'
import { markUndoing, settlePayment } from '../ledger/payments.js'
import { metricsOf } from '../metrics/registry.js'
import { askPg, type CallSite, callPg } from './outcome.js'
import type { ResumeSchedule } from './resume-schedule.js'
import type { AccountRuntime, Runtime } from '../runtime.js'

async function finish(
  rt: Runtime,
  p: PaymentRow,
  e: CheckoutEnd,
  evidence: string,
  lookedUp?: TransactionLookup,
): Promise<void> {
  // A virtual account recovered here (the approval's answer was lost): its webhook secret comes from the
  // approval answered again or from the lookup, so its notifications are checked like any other's.
  const secret = e.approved?.notificationSecret ?? lookedUp?.notificationSecret
  // And where to deposit, so the customer can still be told (the approval's answer had it).
  const va =
    e.approved?.virtualAccount ?? (e.status === 'waiting_for_deposit' ? lookedUp?.virtualAccount : undefined)
  const done = await settlePayment(rt, rt.db, {
    payment: { id: p.id, merchantId: p.merchant_id, transactionId: p.transaction_id },
    from: ['pending'],
    status: e.status,
    patch: {
      ...checkoutPatch(e),
      ...(va ? { virtual_account: JSON.stringify({ ...va, dueDate: va.dueDate ?? '' }) } : {}),
      ...(e.status === 'paid' ? { failure: null } : {}),
      ...(e.status === 'needs_review'
        ? { review_reason: JSON.stringify({ code: 'reconciliation_gave_up', message: evidence }) }
        : {}),
    },
    ...(secret ? { notificationSecret: secret } : {}),
    ...(e.event ? { event: e.event } : {}),
    now: rt.now(),
    resolvedBy: 'reconciliation',
  })
  metricsOf(rt).reconciliations.inc({ object: 'charge', result: done ? e.status : 'raced' })
  rt.logger.info({ paymentId: p.id, status: e.status, evidence, applied: done }, 'pending checkout resolved')
}

const review = (why: string): CheckoutEnd => ({
  status: 'needs_review',
  state: 'needs_review',
  event: 'payment.needs_review',
  failure: { code: 'needs_review', message: why },
})

const failed = (code: string, message: string): CheckoutEnd => ({
  status: 'failed',
  state: 'undone',
  event: 'payment.failed',
  failure: { code, message },
})

/** Sends the undo; ends the payment failed when it answered, or leaves it for the next run. */
async function undo(
  rt: Runtime,
  p: PaymentRow,
  at: CallSite,
  approval: CheckoutApproval,
  why: string,
  schedule: ResumeSchedule,
): Promise<void> {
  // The intent first: from here the approval's own answer, should it still come, no longer settles it.
  if (p.approval_state !== 'undoing' && !(await markUndoing(rt, p.id))) return
  const r = await callPg({ ...at, operation: 'undo' }, (pg) => pg.undoCheckout(approval, why))
  if (r.kind === 'ok')
    return finish(rt, p, failed('approval_undone', `${why}; undone (${r.value.status})`), why)
  if (schedule.expired()) return finish(rt, p, review(`${why}; the undo kept failing (${r.kind})`), why)
  return schedule.later()
}

/** What the PG's lookup shows of the approval: settled, or nothing conclusive (undefined). */
type LookupSays = { kind: 'lookup'; t: TransactionLookup } | { kind: 'not_found' } | { kind: 'failed' }

async function lookUp(at: CallSite, tid: string): Promise<LookupSays> {
  try {
    return { kind: 'lookup', t: await askPg({ ...at, operation: 'lookup' }, (pg) => pg.getTransaction(tid)) }
  } catch (err) {
    if (isPaymentError(err) && err.outcome === 'rejected' && err.code === 'transaction_not_found')
      return { kind: 'not_found' }
    return { kind: 'failed' }
  }
}

/**
 * Resumes a checkout left `pending`: its approval's (or its undo's) answer was lost, or the process stopped
 * mid-call. The lookup decides where it can; what it leaves open, the PG's own undo settles where the PG has one
 * (NicePay's network cancel: safe whatever the approval did), so a customer is never left charged in
 * needs_review when the PG offered a way back. Never a second approval.
 */
export async function resumeCheckout(
  rt: Runtime,
  account: AccountRuntime,
  p: PaymentRow,
  schedule: ResumeSchedule,
): Promise<void> {
  if (!p.approval) {
    // Claimed, but the process stopped before the approval was stored: impossible (one statement); say so.
    return finish(rt, p, review('a pending checkout without its approval'), 'no approval stored')
  }
  const approval = JSON.parse(rt.vault.decrypt(p.approval)) as CheckoutApproval
  const expected = expectedOf(p)
  const provider = account.provider
  const caps = provider.capabilities
  const at: CallSite = { rt, account, paymentId: p.id }
  const undoing = p.approval_state === 'undoing'
  // An approval still inside its call (another process may be waiting for its answer) is not touched: its
  // answer settles it, and only past the account's in-flight window is it taken for lost.
  const sinceClaim = rt.now().getTime() - new Date(p.updated_at).getTime()
  if (p.approval_state === 'approving' && sinceClaim < account.lockMs) return schedule.later()
  if (caps.checkoutChargesInWindow && !undoing) {
    // The PG charged inside its window: its "approval" is the verification of that charge (CookiePay's paycert),
    // which moves no money and is safe to ask again. Only an answer settles it; a refusal may be the PG's lookup
    // lagging, so it is no evidence that nothing was charged.
    const e = checkoutEndOf(await approveThenUndo(provider, { approval, expected }, at), expected)
    if (e.status !== 'pending' && e.state !== 'rejected')
      return finish(rt, p, e, 'the PG verified the charge made in its window')
  }
  const says: LookupSays = caps.paymentLookup ? await lookUp(at, approval.transactionId) : { kind: 'failed' }
  // A PG that charges inside its window may not show a payment yet (its lookup lags): no evidence of anything.
  if (says.kind === 'not_found' && !caps.checkoutChargesInWindow)
    return finish(
      rt,
      p,
      failed(undoing ? 'approval_undone' : 'not_approved', 'the PG has no such payment'),
      'not found',
    )
  if (says.kind === 'lookup') {
    const t = says.t
    const cancelledWhole =
      t.status === 'cancelled' || (t.amount !== undefined && t.cancelledAmount === t.amount)
    if (
      t.status === 'failed' ||
      t.status === 'expired' ||
      (cancelledWhole && t.status !== 'partial_cancelled')
    )
      return finish(
        rt,
        p,
        failed(undoing ? 'approval_undone' : 'not_approved', `the PG shows the payment ${t.status}`),
        `lookup ${t.status}`,
      )
    if ((t.status === 'paid' || t.status === 'waiting_for_deposit') && t.amount !== undefined) {
      if (t.amount !== expected.amount)
        return undo(
          rt,
          p,
          at,
          approval,
          `the PG approved ${t.amount} for an order of ${expected.amount}`,
          schedule,
        )
      if (!undoing)
        return finish(
          rt,
          p,
          {
            status: t.status,
            state: 'approved',
            event: t.status === 'paid' ? 'payment.paid' : 'payment.virtual_account_issued',
          },
          `the PG shows the payment ${t.status} for the stored amount`,
          t,
        )
      // An undo was decided but the PG still shows it paid: only the undo may go again, else a person decides.
      if (!caps.checkoutNetCancel)
        return finish(rt, p, review('an undo was sent but the PG shows the payment paid'), 'paid after undo')
    }
  }
  if (caps.checkoutNetCancel)
    return undo(
      rt,
      p,
      at,
      approval,
      undoing
        ? 'the earlier undo went unanswered'
        : 'the approval went unanswered and the lookup does not settle it',
      schedule,
    )
  if (schedule.expired())
    return finish(
      rt,
      p,
      review(
        says.kind === 'lookup'
          ? `the PG shows ${says.t.providerStatus ?? says.t.status}${says.t.amount === undefined ? ' without an amount' : ''}`
          : `${p.provider} gives no evidence: check transaction ${approval.transactionId} at the PG`,
      ),
      'unclear lookup',
    )
  return schedule.later()
}
