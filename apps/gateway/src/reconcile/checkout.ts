// Checkout approvals left `pending` (the approval's answer, or its undo's, was lost; or the process stopped
// mid-call), settled from evidence: the PG's lookup of the transaction, or, where the PG has a network cancel,
// the undo sent again (the network cancel is the PG's own guard for an approval nobody heard back from).
// Never a second approval.
import type { CheckoutApproval, PaymentProvider, TransactionLookup } from '@paymux/core'
import { isPaymentError } from '@paymux/core'
import type { Selectable } from 'kysely'
import { type CheckoutEnd, checkoutPatch } from '../checkout/approve.js'
import { expectedOf } from '../checkout/token.js'
import type { Database } from '../db/schema.js'
import { markUndoing, settlePayment } from '../ledger/payments.js'
import { metricsOf } from '../metrics/registry.js'
import { callPg } from '../operations/outcome.js'
import type { AccountRuntime, Runtime } from '../runtime.js'

type PaymentRow = Selectable<Database['payments']>

/** What the reconciler lends this module: its backoff and its give-up bound. */
export interface ReconcileSteps {
  later(): Promise<void>
  expired(): boolean
}

async function finish(rt: Runtime, p: PaymentRow, e: CheckoutEnd, evidence: string): Promise<void> {
  const done = await settlePayment(rt, rt.db, {
    payment: { id: p.id, merchantId: p.merchant_id, transactionId: p.transaction_id },
    from: ['pending'],
    status: e.status,
    patch: {
      ...checkoutPatch(e),
      ...(e.status === 'paid' ? { failure: null } : {}),
      ...(e.status === 'needs_review'
        ? { review_reason: JSON.stringify({ code: 'reconciliation_gave_up', message: evidence }) }
        : {}),
    },
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
  provider: PaymentProvider,
  approval: CheckoutApproval,
  why: string,
  steps: ReconcileSteps,
): Promise<void> {
  const r = await callPg(() => provider.undoCheckout(approval, why))
  if (r.kind === 'ok')
    return finish(rt, p, failed('approval_undone', `${why}; undone (${r.value.status})`), why)
  if (p.approval_state !== 'undoing') await markUndoing(rt, p.id)
  if (steps.expired()) return finish(rt, p, review(`${why}; the undo kept failing (${r.kind})`), why)
  return steps.later()
}

export async function reconcileCheckout(
  rt: Runtime,
  account: AccountRuntime,
  p: PaymentRow,
  steps: ReconcileSteps,
): Promise<void> {
  if (!p.approval) {
    // Claimed, but the process stopped before the approval was stored: impossible (one statement); say so.
    return finish(rt, p, review('a pending checkout without its approval'), 'no approval stored')
  }
  const approval = JSON.parse(rt.vault.decrypt(p.approval)) as CheckoutApproval
  const expected = expectedOf(p)
  const provider = account.provider
  const caps = provider.capabilities
  // An undo whose answer was lost: only the network cancel is safe to send again.
  if (p.approval_state === 'undoing' && caps.checkoutNetCancel)
    return undo(rt, p, provider, approval, 'the earlier undo went unanswered', steps)
  if (!caps.paymentLookup) {
    if (caps.checkoutNetCancel) return undo(rt, p, provider, approval, 'the approval went unanswered', steps)
    return finish(
      rt,
      p,
      review(`${p.provider} has no lookup: check transaction ${approval.transactionId} at the PG`),
      'no lookup',
    )
  }
  let t: TransactionLookup
  try {
    t = await provider.getTransaction(approval.transactionId)
  } catch (err) {
    if (isPaymentError(err) && err.outcome === 'rejected' && err.code === 'transaction_not_found')
      return finish(
        rt,
        p,
        failed('not_approved', 'the PG has no such payment: the approval never executed'),
        'not found',
      )
    if (steps.expired()) return finish(rt, p, review('the PG lookup kept failing'), 'lookup failing')
    return steps.later()
  }
  const cancelledWhole =
    t.status === 'cancelled' || (t.amount !== undefined && t.cancelledAmount === t.amount)
  if (t.status === 'failed' || t.status === 'expired' || (cancelledWhole && t.status !== 'partial_cancelled'))
    return finish(rt, p, failed('not_approved', `the PG shows the payment ${t.status}`), `lookup ${t.status}`)
  if ((t.status === 'paid' || t.status === 'waiting_for_deposit') && t.amount !== undefined) {
    if (t.amount !== expected.amount)
      return undo(
        rt,
        p,
        provider,
        approval,
        `the PG approved ${t.amount} for an order of ${expected.amount}`,
        steps,
      )
    if (p.approval_state === 'undoing') {
      // An undo was decided (another amount answered) but the lookup shows the stored amount paid: a person decides.
      return finish(rt, p, review('an undo was sent but the PG shows the payment paid'), 'paid after undo')
    }
    return finish(
      rt,
      p,
      {
        status: t.status,
        state: 'approved',
        event: t.status === 'paid' ? 'payment.paid' : 'payment.virtual_account_issued',
      },
      `the PG shows the payment ${t.status} for the stored amount`,
    )
  }
  return finish(
    rt,
    p,
    review(
      `the PG shows ${t.providerStatus ?? t.status}${t.amount === undefined ? ' without an amount' : ''}`,
    ),
    'unclear lookup',
  )
}
