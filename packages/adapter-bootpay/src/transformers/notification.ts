import { timingSafeEqual } from 'node:crypto'
import {
  type AmountedLookup,
  type NotificationEvent,
  type NotificationHint,
  type NotificationReply,
  parseKstCompact,
  type TransactionStatus,
} from '@paymux/core'
import { type ApiVersion, type Json, num, str } from '../wire.js'
import { readReceipt, receiptStatus } from './receipt.js'

/** Bootpay's documented sender range. */
export const BOOTPAY_NOTIFICATION_IPS = ['223.130.82.0/24']

/** Reads a v1 (form or JSON) or v2 (JSON) notification body; undefined when it is neither. */
export function parseNotificationBody(raw: Uint8Array, headers: Record<string, string>): Json | undefined {
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(raw).trim()
  } catch {
    return undefined
  }
  const type = Object.entries(headers).find(([k]) => k.toLowerCase() === 'content-type')?.[1] ?? ''
  if (text.startsWith('{') || type.includes('json')) {
    try {
      const v: unknown = JSON.parse(text)
      return v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined
    } catch {
      return undefined
    }
  }
  const form = new URLSearchParams(text)
  const out: Json = {}
  for (const [k, v] of form) out[k] = v
  return Object.keys(out).length > 0 ? out : undefined
}

function ipv4(ip: string): number | undefined {
  const m = /^(?:::ffff:)?(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/i.exec(ip.trim())
  if (!m) return undefined
  const parts = m.slice(1).map(Number)
  if (parts.some((p) => p > 255)) return undefined
  return ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0
}

/** True when `ip` is inside one of the IPv4 CIDR ranges (or equals one of the plain addresses). */
export function ipAllowed(ip: string, allow: readonly string[]): boolean {
  const addr = ipv4(ip)
  if (addr === undefined) return false
  return allow.some((entry) => {
    const [base, bitsText] = entry.split('/')
    const net = ipv4(base ?? '')
    if (net === undefined) return false
    const bits = bitsText === undefined ? 32 : Number(bitsText)
    if (!Number.isInteger(bits) || bits < 0 || bits > 32) return false
    const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0
    return (addr & mask) >>> 0 === (net & mask) >>> 0
  })
}

export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8')
  const y = Buffer.from(b, 'utf8')
  return x.length === y.length && timingSafeEqual(x, y)
}

/** v1 wants the literal `OK`; v2 wants HTTP 200 with `{"success":true}`. Anything else makes Bootpay retry. */
export function okReply(version: ApiVersion): NotificationReply {
  return version === 'v1'
    ? { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'OK' }
    : { status: 200, headers: { 'content-type': 'application/json' }, body: '{"success":true}' }
}

/** A refusal. `retry`: the failure is ours (lookup failed), so a 5xx invites Bootpay to send it again. */
export function failReply(version: ApiVersion, status: number): NotificationReply {
  return version === 'v1'
    ? { status, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'FAIL' }
    : { status, headers: { 'content-type': 'application/json' }, body: '{"success":false}' }
}

function isoTime(v: unknown): string | undefined {
  const s = str(v)
  if (!s) return undefined
  return /T/.test(s) && !Number.isNaN(Date.parse(s)) ? s : parseKstCompact(s)
}

/** The event a receipt (or a body known to be Bootpay's) describes. */
function eventFromLookup(t: AmountedLookup, body: Json, nowIso: string): NotificationEvent {
  switch (t.status) {
    case 'paid':
      return {
        type: 'payment.paid',
        transactionId: t.transactionId,
        ...(t.orderId ? { orderId: t.orderId } : {}),
        amount: t.amount,
        ...(t.method ? { method: t.method } : {}),
        paidAt: t.approvedAt ?? nowIso,
      }
    case 'partial_cancelled':
    case 'cancelled':
      return {
        type: 'payment.cancelled',
        transactionId: t.transactionId,
        // Bootpay tells the running total, not the amount of the cancel that triggered the notification.
        totalCancelledAmount: t.cancelledAmount,
        remainingAmount: t.amount - t.cancelledAmount,
        cancelledAt: isoTime(body.cancelled_at) ?? isoTime(body.revoked_at) ?? nowIso,
      }
    case 'failed':
    case 'expired':
      return {
        type: 'payment.failed',
        transactionId: t.transactionId,
        ...(str(body.message) ? { reason: str(body.message)! } : {}),
      }
    default:
      return {
        type: 'payment.other',
        transactionId: t.transactionId,
        providerStatus: t.providerStatus ?? t.status,
      }
  }
}

const CLAIMED: Partial<Record<TransactionStatus, NotificationEvent['type']>> = {
  paid: 'payment.paid',
  partial_cancelled: 'payment.cancelled',
  cancelled: 'payment.cancelled',
  failed: 'payment.failed',
  expired: 'payment.failed',
}

const CLAIMED_BY_TYPE: Readonly<Record<string, NotificationEvent['type']>> = {
  PAYMENT_COMPLETED: 'payment.paid',
  PAYMENT_CANCELLED: 'payment.cancelled',
  PAYMENT_PARTIAL_CANCELLED: 'payment.cancelled',
}

/**
 * What an unsigned body claims and the key its repeats collapse onto: the receipt id and the state claimed
 * (`status`, and v2's `webhook_type`, which tells a partial cancel from a full one under the same status 20).
 * Never an amount or a time: a sender varies those freely.
 */
export function hintOf(receiptId: string, body: Json): NotificationHint {
  const status = str(body.status)
  const type = str(body.webhook_type)
  const read = receiptStatus(status, num(body.price) ?? 0, num(body.cancelled_price) ?? 0)
  const claimed = CLAIMED[read] ?? (type ? CLAIMED_BY_TYPE[type] : undefined) ?? 'payment.other'
  const orderId = str(body.order_id)
  return {
    transactionId: receiptId,
    ...(orderId ? { orderId } : {}),
    claimed,
    dedupKey: ['bootpay', receiptId, status ?? '', claimed, ...(type ? [type] : [])].join(':'),
  }
}

/**
 * The event of a body known to be Bootpay's, or why it cannot be read from the body alone. Partial cancels
 * repeat the receipt id: the running total and the webhook type tell the deliveries apart.
 */
export function eventFromBody(
  version: ApiVersion,
  receiptId: string,
  body: Json,
  nowIso: string,
): { event: NotificationEvent; dedupKey: string } | string {
  if (num(body.price) === undefined) return 'the body has no price'
  const t = readReceipt(version, body, receiptId)
  // A cancellation whose body does not say how much is cancelled would read as nothing cancelled.
  if (t.status === 'cancelled' && num(body.cancelled_price) === undefined)
    return 'the body does not say how much was cancelled'
  const dedupKey = [
    'bootpay',
    receiptId,
    t.providerStatus ?? t.status,
    String(t.cancelledAmount),
    str(body.webhook_type) ?? '',
  ].join(':')
  return { event: eventFromLookup(t, body, nowIso), dedupKey }
}
