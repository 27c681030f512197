import { timingSafeEqual } from 'node:crypto'
import type { NotificationEvent, NotificationHint, NotificationReply } from '@paymux/core'
import { type Json, krw, obj, str } from '../wire.js'

/** Toss stops retrying on HTTP 200 (spec §1.7); a body it cannot use gets 400 (it retries, then e-mails). */
export const WEBHOOK_OK: NotificationReply = { status: 200, headers: {}, body: '' }
export const WEBHOOK_REFUSED: NotificationReply = {
  status: 400,
  headers: { 'content-type': 'text/plain; charset=utf-8' },
  body: 'not a Toss Payments webhook',
}

/** What a Payment status claims, for the hint (never applied as it stands). */
const CLAIMS: Readonly<Record<string, NotificationEvent['type']>> = {
  DONE: 'payment.paid',
  CANCELED: 'payment.cancelled',
  PARTIAL_CANCELED: 'payment.cancelled',
  ABORTED: 'payment.failed',
  EXPIRED: 'payment.failed',
}

export interface ReadWebhook {
  eventType: string
  hint: NotificationHint
  /** The VA `secret` the event carries, to compare with the one stored at issue. */
  secret?: string
}

/**
 * Reads a webhook body: `{eventType, createdAt, data}` (spec §1.7), where `data` is the Payment object for
 * PAYMENT_STATUS_CHANGED, and DEPOSIT_CALLBACK either wrapped the same way or flat `{secret, status, orderId,
 * transactionKey}` (both shapes are tolerated: the spec is not sure which one arrives).
 */
export function readWebhook(
  rawBody: Uint8Array,
  headers: Record<string, string>,
): ReadWebhook | { error: string } {
  let body: Json | undefined
  try {
    body = obj(JSON.parse(new TextDecoder().decode(rawBody)))
  } catch {
    return { error: 'the body is not JSON' }
  }
  if (!body) return { error: 'the body is not a JSON object' }
  const flat = body.eventType === undefined && body.secret !== undefined && body.status !== undefined
  const eventType = flat ? 'DEPOSIT_CALLBACK' : str(body.eventType)
  const data = flat ? body : obj(body.data)
  if (!eventType || !data) return { error: 'the body has no eventType and data' }
  const paymentKey = str(data.paymentKey)
  const orderId = str(data.orderId)
  const status = str(data.status)
  if (!paymentKey && !orderId) return { error: `${eventType} names no payment` }
  const claimed: NotificationEvent['type'] = status ? (CLAIMS[status] ?? 'payment.other') : 'payment.other'
  const evidence: Record<string, string> = { eventType }
  if (status) evidence.status = status
  for (const k of ['totalAmount', 'balanceAmount'] as const)
    if (krw(data[k]) !== undefined) evidence[k] = String(data[k])
  if (str(data.transactionKey)) evidence.transactionKey = str(data.transactionKey)!
  if (str(data.lastTransactionKey)) evidence.lastTransactionKey = str(data.lastTransactionKey)!
  const transmission = headers['tosspayments-webhook-transmission-id']
  if (transmission) evidence.transmissionId = transmission
  // Repeats of one event collapse: what Toss names (payment, state, and the approve/cancel transaction that made
  // it), never the transmission time. Without the transaction, a second partial cancel made at Toss (the same
  // PARTIAL_CANCELED) or a deposit made again after its reversal would pass for a repeat and never be looked up.
  const transaction = str(data.lastTransactionKey) ?? str(data.transactionKey)
  const dedupKey = `tosspayments:${paymentKey ?? `order:${orderId}`}:${status ?? eventType}${transaction ? `:${transaction}` : ''}`
  const secret = str(data.secret)
  return {
    eventType,
    hint: {
      ...(paymentKey ? { transactionId: paymentKey } : {}),
      ...(orderId ? { orderId } : {}),
      claimed,
      dedupKey,
      evidence,
    },
    ...(secret ? { secret } : {}),
  }
}

export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}
