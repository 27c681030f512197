import { kstIso, type NotificationEvent, type NotificationInput, type AmountedLookup } from '@paymux/core'
import type { ParsedNoti } from './notification.js'

/**
 * The verdict on a Noti once CookiePay's own lookup of its TID is known (undefined: CookiePay does not know it).
 * A string is the reason for refusing it. CookiePay signs nothing, so agreement with the lookup is the proof.
 */
export async function verifyNoti(
  noti: ParsedNoti,
  t: AmountedLookup | undefined,
  input: NotificationInput,
  now: number,
): Promise<string | { event: NotificationEvent; dedupKey: string }> {
  if (noti.kind === 'failed') {
    if (t && t.status !== 'failed' && t.status !== 'unknown')
      return 'a failure notification for a payment CookiePay reports as made'
    return {
      event: { type: 'payment.failed', transactionId: noti.tid, reason: `[${noti.code}] ${noti.message}` },
      dedupKey: `cookiepay:failed:${noti.tid}:${noti.code}`,
    }
  }
  if (!t) return 'CookiePay does not know this TID'
  if (noti.orderNo && t.orderId && noti.orderNo !== t.orderId)
    return 'the order number does not match CookiePay'
  const expected = input.expected
    ? await input.expected({ transactionId: noti.tid, ...(noti.orderNo ? { orderId: noti.orderNo } : {}) })
    : undefined
  if (expected && expected.amount !== t.amount) return 'the payment amount does not match the expected amount'
  if (noti.kind === 'other') {
    return {
      event: { type: 'payment.other', transactionId: noti.tid, providerStatus: noti.notiType },
      dedupKey: `cookiepay:${noti.notiType}:${noti.tid}`,
    }
  }
  if (noti.kind === 'approval') {
    if (noti.amount !== t.amount) return 'the amount does not match CookiePay'
    if (t.status === 'waiting_for_deposit' || t.status === 'failed')
      return `CookiePay reports the payment as ${t.status}`
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
  // A cancel or post-deposit cancel: CookiePay must itself report the cancel.
  if (!['cancelled', 'partial_cancelled', 'unknown'].includes(t.status))
    return 'CookiePay reports no cancel for this payment'
  const amount = noti.cancelAmount ?? (t.status === 'unknown' ? undefined : t.cancelledAmount)
  if (amount === undefined || amount <= 0) return 'the cancel amount is missing'
  if (amount > t.amount) return 'the cancel amount exceeds the payment'
  if (t.status !== 'unknown' && amount > t.cancelledAmount)
    return 'the cancel amount exceeds what CookiePay reports cancelled'
  return {
    event: {
      type: 'payment.cancelled',
      transactionId: noti.tid,
      cancelledAmount: amount,
      cancelledAt: noti.cancelledAt ?? kstIso(now),
      ...(t.status !== 'unknown' ? { remainingAmount: t.cancellableAmount } : {}),
      ...(noti.cancelTid ? { providerCancelId: noti.cancelTid } : {}),
    },
    dedupKey: `cookiepay:${noti.kind}:${noti.tid}:${noti.cancelTid ?? noti.cancelledAt ?? ''}:${amount}`,
  }
}
