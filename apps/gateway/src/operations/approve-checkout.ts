import type { PaymentRow } from '../db/schema.js'
import type {
  ApprovedCheckout,
  CheckoutMethod,
  CheckoutApproval,
  CheckoutExpected,
  PaymentProvider,
  UndoneCheckout,
} from '@paymux/core'
import type { FailureInfo } from '../db/schema.js'
import type { EventType } from '../ledger/events.js'
import { claimApproval, settlePayment } from '../ledger/payments.js'
import type { ApprovalState, PaymentStatus } from '../db/statuses.js'
import { type OperationDescriptor, settleWithRetry } from './engine.js'
import { type CallEnd, type CallSite, callPg } from './outcome.js'
import type { AccountRuntime, Runtime } from '../runtime.js'
import { accountOf } from '../services/accounts.js'

/** Another return of the same result (or a concurrent one) claimed the approval first: show the current state. */
export class ApprovalClaimed extends Error {
  override readonly name = 'ApprovalClaimed'
}

interface ApproveIntent {
  account: AccountRuntime
  merchantId: string
  row: PaymentRow
  approval: CheckoutApproval
  expected: CheckoutExpected
}

interface ApproveCall {
  approval: CheckoutApproval
  expected: CheckoutExpected
}

/** The approval's end, with the undo it led to: an approved amount other than the stored one, or a lost answer where the PG has a network cancel. */
export interface ApprovalEnd {
  approve: CallEnd<ApprovedCheckout>
  undo?: CallEnd<UndoneCheckout>
}

/** How an approval (and its undo) ends in the ledger. */
export interface CheckoutEnd {
  status: PaymentStatus
  state: ApprovalState
  event?: EventType
  failure?: FailureInfo
  approved?: ApprovedCheckout
}

/** The undo that follows an approval the host cannot keep. Only the adapter's undo: never a second approval. */
export async function approveThenUndo(
  provider: PaymentProvider,
  { approval, expected }: ApproveCall,
  at: CallSite,
): Promise<ApprovalEnd> {
  const approve = await callPg({ ...at, operation: 'approve' }, (pg) =>
    pg.approveCheckout(approval, expected),
  )
  const undo = (why: string) => callPg({ ...at, operation: 'undo' }, (pg) => pg.undoCheckout(approval, why))
  if (approve.kind === 'ok' && approve.value.amount !== expected.amount)
    return { approve, undo: await undo('the PG approved another amount than ordered') }
  if (approve.kind === 'unknown' && provider.capabilities.checkoutNetCancel)
    return { approve, undo: await undo('the approval answer was lost') }
  return { approve }
}

const UNDONE: FailureInfo = { code: 'approval_undone', message: '' }

/** The ledger's reading of an approval's end: what the request path and the reconciler both write. */
export function checkoutEndOf(end: ApprovalEnd, expected: CheckoutExpected): CheckoutEnd {
  const { approve, undo } = end
  const undone = (why: string): CheckoutEnd =>
    undo?.kind === 'ok'
      ? { status: 'failed', state: 'undone', event: 'payment.failed', failure: { ...UNDONE, message: why } }
      : // The undo's own answer was lost (or refused): the reconciler settles it from evidence.
        { status: 'pending', state: 'undoing', failure: { code: 'undo_unknown', message: why } }
  if (approve.kind === 'ok') {
    const r = approve.value
    if (r.amount !== expected.amount)
      return undone(`the PG approved ${r.amount} for an order of ${expected.amount}; the approval was undone`)
    return {
      status: r.status,
      state: 'approved',
      event: r.status === 'paid' ? 'payment.paid' : 'payment.virtual_account_issued',
      approved: r,
    }
  }
  // "Already approved" is no refusal: an approval stands at the PG (NicePay 1651/A225), so the lookup decides.
  if (approve.kind === 'rejected' && approve.failure.code === 'duplicate_request')
    return { status: 'pending', state: 'unknown', failure: approve.failure }
  if (approve.kind === 'rejected')
    return { status: 'failed', state: 'rejected', event: 'payment.failed', failure: approve.failure }
  if (undo) return undone('the approval answer was lost; the network cancel undid it')
  return { status: 'pending', state: 'unknown', failure: approve.reason }
}

/** The columns an end writes, besides status. */
export function checkoutPatch(e: CheckoutEnd) {
  const r = e.approved
  return {
    approval_state: e.state,
    failure: e.failure ? JSON.stringify(e.failure) : null,
    ...(r ? { transaction_id: r.transactionId } : {}),
    ...(r?.virtualAccount
      ? {
          virtual_account: JSON.stringify({
            ...r.virtualAccount,
            dueDate: r.virtualAccount.dueDate ?? '',
          }),
        }
      : {}),
  }
}

/**
 * The approval of a checkout whose window result verified, as one more operation of the engine: `open` claims
 * it in ONE statement (requires_authentication → pending/approving, the sealed approval stored), so a second
 * post of the same result finds it claimed and never approves again; `call` approves (and undoes what cannot be
 * kept); `settle` writes the end, its event and nothing else. No Idempotency-Key: the claim is the guard.
 */
export const approveCheckoutOperation: OperationDescriptor<
  { row: PaymentRow; approval: CheckoutApproval },
  ApproveIntent,
  ApprovalEnd,
  CheckoutEnd,
  ApproveCall
> = {
  async prepare(rt, merchantId, { row, approval }) {
    return {
      account: accountOf(rt, merchantId, row.account_id),
      merchantId,
      row,
      approval,
      expected: expectedOf(row),
    }
  },
  async open(rt, intent) {
    const now = rt.now()
    try {
      const claimed = await claimApproval(
        rt,
        intent.row.id,
        rt.vault.encrypt(JSON.stringify(intent.approval)),
        intent.approval.transactionId,
        now,
      )
      if (!claimed) throw new ApprovalClaimed()
    } catch (err) {
      // The PG's transaction id is already another payment's on this account: not a result for this order,
      // and no reason to end this one (its own result may still come).
      if ((err as { code?: string }).code === '23505') throw new ApprovalClaimed()
      throw err
    }
    return intent
  },
  request: (_rt, intent) => ({ approval: intent.approval, expected: intent.expected }),
  call: approveThenUndo,
  // Its approval and its undo are logged one by one (approveThenUndo): no operation of its own.
  subject: (intent) => ({ paymentId: intent.row.id }),
  async settle(rt, intent, end) {
    const e: CheckoutEnd =
      end.kind === 'ok'
        ? checkoutEndOf(end.value, intent.expected)
        : { status: 'pending', state: 'unknown', failure: end.kind === 'unknown' ? end.reason : end.failure }
    if (end.kind !== 'ok')
      rt.logger.error({ paymentId: intent.row.id }, 'approval failed unexpectedly; left pending')
    const applied = await settlePayment(rt, rt.db, {
      payment: {
        id: intent.row.id,
        merchantId: intent.merchantId,
        transactionId: intent.approval.transactionId,
      },
      from: ['pending'],
      // Only while this approval still stands: a reconciler that took it for lost and decided its undo first
      // has recorded that, and the undo's end is the payment's.
      approvalState: 'approving',
      status: e.status,
      patch: checkoutPatch(e),
      // A virtual account opened in the window: its webhooks are checked against this secret.
      ...(e.approved?.notificationSecret ? { notificationSecret: e.approved.notificationSecret } : {}),
      ...(e.event ? { event: e.event } : {}),
      now: rt.now(),
    })
    if (!applied)
      rt.logger.warn({ paymentId: intent.row.id }, 'the approval answered after its undo was decided')
    return { status: e.status === 'pending' ? 202 : 200, body: e }
  },
}

/** A checkout that ends without an approval call (declined at the window, or a result not genuine). */
export async function failCheckout(
  rt: Runtime,
  row: PaymentRow,
  state: 'declined' | 'refused',
  failure: FailureInfo,
): Promise<boolean> {
  return settleWithRetry(rt, () =>
    settlePayment(rt, rt.db, {
      payment: { id: row.id, merchantId: row.merchant_id, transactionId: row.transaction_id },
      from: ['requires_authentication'],
      status: 'failed',
      patch: { approval_state: state, failure: JSON.stringify(failure) },
      event: 'payment.failed',
      now: rt.now(),
    }),
  )
}

/** The stored order a result must match: from the row, never from the browser. */
export function expectedOf(row: PaymentRow): CheckoutExpected {
  return {
    orderId: row.order_id ?? '',
    amount: Number(row.amount),
    method: (row.method ?? 'card') as CheckoutMethod,
  }
}
