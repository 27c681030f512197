import { type AmountedLookup, type TransactionStatus, parseKstCompact, PaymentError } from '@paymux/core'
import { METHODS, RECEIPT_STATUS } from '../codes.js'
import { type ApiVersion, type Json, num, PROVIDER, str } from '../wire.js'

function iso(v: unknown): string | undefined {
  const s = str(v)
  if (!s) return undefined
  if (/T.*[+-]\d\d:?\d\d$|Z$/.test(s) && !Number.isNaN(Date.parse(s))) return s
  return parseKstCompact(s)
}

/** The receipt's own status, refined by its amounts (a partial cancel may leave `status` at 1 or set 20). */
export function receiptStatus(
  status: string | undefined,
  price: number,
  cancelled: number,
): TransactionStatus {
  if (cancelled > 0 && cancelled < price) return 'partial_cancelled'
  if (cancelled > 0 && cancelled >= price) return 'cancelled'
  return (status !== undefined ? RECEIPT_STATUS[status] : undefined) ?? 'unknown'
}

/** Reads a v1 `data` or a v2 receipt into the neutral lookup. */
export function readReceipt(version: ApiVersion, r: Json, requestedId: string): AmountedLookup {
  const price = num(r.price)
  if (price === undefined) {
    throw new PaymentError({
      code: 'invalid_response',
      outcome: 'rejected',
      provider: PROVIDER,
      message: 'bootpay receipt: the answer has no price',
    })
  }
  const cancelled = num(r.cancelled_price) ?? 0
  const providerStatus = str(r.status)
  const status = receiptStatus(providerStatus, price, cancelled)
  const remain = version === 'v1' ? num(r.remain_price) : undefined
  const open = status === 'paid' || status === 'partial_cancelled' || status === 'waiting_for_deposit'
  const cancellable = open ? (remain ?? Math.max(0, price - cancelled)) : 0
  const symbol = str(version === 'v1' ? r.method : (r.method_symbol ?? r.method_origin_symbol))
  const method = symbol ? (METHODS[symbol] ?? 'other') : undefined
  const approvedAt = iso(r.purchased_at)
  return {
    transactionId: str(r.receipt_id) ?? requestedId,
    status,
    amount: price,
    cancelledAmount: cancelled,
    cancellableAmount: cancellable,
    ...(method ? { method } : {}),
    ...(str(r.order_id) ? { orderId: str(r.order_id)! } : {}),
    ...(approvedAt ? { approvedAt } : {}),
    ...(providerStatus !== undefined ? { providerStatus } : {}),
    evidence: evidenceOf(r),
  }
}

/** Receipt fields a reviewer needs, verbatim: no buyer data, no card data. */
const EVIDENCE_FIELDS = [
  'receipt_id',
  'order_id',
  'status',
  'status_locale',
  'status_ko',
  'price',
  'cancelled_price',
  'remain_price',
  'cancelled_at',
  'revoked_at',
  'purchased_at',
] as const

function evidenceOf(r: Json): Record<string, string> {
  const out: Record<string, string> = {}
  for (const k of EVIDENCE_FIELDS) {
    const v = str(r[k])
    if (v !== undefined) out[k] = v
  }
  return out
}
