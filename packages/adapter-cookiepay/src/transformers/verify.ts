import { type TransactionLookup, kstIso, type NotificationEvent, type NotificationInput } from '@paymux/core'
import type { ParsedNoti } from './notification.js'

type CancelNoti = Extract<ParsedNoti, { kind: 'cancel' | 'deposit_cancel' }>

/** The verdict: the event, a refusal (a reason), or — for a cancel the lookup does not show yet — pending. */
export type Verdict =
  | { event: NotificationEvent; dedupKey: string }
  | { refused: string }
  | { pending: string; claimed: NotificationEvent; dedupKey: string }

/** A cancel Noti's key from its own fields only, so the same Noti has the same key whenever it is verified. */
export function cancelDedupKey(noti: CancelNoti): string {
  return `cookiepay:${noti.kind}:${noti.tid}:${noti.cancelTid ?? noti.cancelledAt ?? ''}:${noti.cancelAmount ?? ''}`
}

/** What a cancel Noti claims, from its own fields: a reviewer's evidence until CookiePay confirms it. */
export function claimedCancel(noti: CancelNoti, now: number): NotificationEvent {
  return {
    type: 'payment.cancelled',
    transactionId: noti.tid,
    ...(noti.cancelAmount !== undefined ? { cancelledAmount: noti.cancelAmount } : {}),
    cancelledAt: noti.cancelledAt ?? kstIso(now),
    ...(noti.cancelTid ? { providerCancelId: noti.cancelTid } : {}),
  }
}

/**
 * The verdict on a Noti once CookiePay's own lookup of its TID is known (undefined: CookiePay does not know it).
 * CookiePay signs nothing, so agreement with the lookup is the proof.
 */
export async function verifyNoti(
  noti: ParsedNoti,
  t: TransactionLookup | undefined,
  input: NotificationInput,
  now: number,
): Promise<Verdict> {
  if (noti.kind === 'failed') {
    if (t && t.status !== 'failed' && t.status !== 'unknown')
      return { refused: 'a failure notification for a payment CookiePay reports as made' }
    return {
      event: { type: 'payment.failed', transactionId: noti.tid, reason: `[${noti.code}] ${noti.message}` },
      dedupKey: `cookiepay:failed:${noti.tid}:${noti.code}`,
    }
  }
  if (!t) return { refused: 'CookiePay does not know this TID' }
  if (noti.orderNo && t.orderId && noti.orderNo !== t.orderId)
    return { refused: 'the order number does not match CookiePay' }
  const expected = input.expected
    ? await input.expected({ transactionId: noti.tid, ...(noti.orderNo ? { orderId: noti.orderNo } : {}) })
    : undefined
  if (expected && expected.amount !== t.amount)
    return { refused: 'the payment amount does not match the expected amount' }
  if (noti.kind === 'other' || noti.kind === 'cancel_failed') {
    const providerStatus =
      noti.kind === 'other' ? noti.notiType : `cancel_failed [${noti.code}] ${noti.message}`.trim()
    return {
      event: { type: 'payment.other', transactionId: noti.tid, providerStatus },
      dedupKey: `cookiepay:${noti.kind === 'other' ? noti.notiType : `cancel_failed:${noti.code}`}:${noti.tid}`,
    }
  }
  if (noti.kind === 'approval') {
    if (noti.amount !== t.amount) return { refused: 'the amount does not match CookiePay' }
    if (t.status === 'waiting_for_deposit' || t.status === 'failed')
      return { refused: `CookiePay reports the payment as ${t.status}` }
    return {
      event: {
        type: 'payment.paid',
        transactionId: noti.tid,
        amount: noti.amount,
        paidAt: noti.paidAt ?? t.approvedAt ?? kstIso(now),
        ...(noti.orderNo ? { orderId: noti.orderNo } : {}),
        ...((noti.method ?? t.method) ? { method: (noti.method ?? t.method)! } : {}),
        ...(noti.depositorName ? { depositorName: noti.depositorName } : {}),
      },
      dedupKey: `cookiepay:paid:${noti.tid}`,
    }
  }
  // A cancel or post-deposit cancel: CookiePay's own figures must show it. Sent once, so a lookup that does not
  // show it yet is not a refusal: the caller keeps the Noti and asks again.
  const dedupKey = cancelDedupKey(noti)
  const pending = (why: string): Verdict => ({ pending: why, claimed: claimedCancel(noti, now), dedupKey })
  if (noti.cancelAmount !== undefined && t.amount !== undefined && noti.cancelAmount > t.amount)
    return { refused: 'the cancel amount exceeds the payment' }
  if (t.status === 'unknown' || t.cancelledAmount === undefined || t.amount === undefined)
    return pending('CookiePay shows a cancel without its amount')
  if (t.cancelledAmount <= 0) return pending('CookiePay shows no cancel for this payment yet')
  const amount = noti.cancelAmount ?? t.cancelledAmount
  if (amount > t.cancelledAmount) return pending('CookiePay shows less cancelled than the notification says')
  return {
    event: {
      type: 'payment.cancelled',
      transactionId: noti.tid,
      cancelledAmount: amount,
      cancelledAt: noti.cancelledAt ?? kstIso(now),
      remainingAmount: t.cancellableAmount,
      ...(noti.cancelTid ? { providerCancelId: noti.cancelTid } : {}),
    },
    dedupKey,
  }
}
