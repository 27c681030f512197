import {
  type PaymentMethod,
  parseKrw,
  parseKstCompact,
  type TransactionLookup,
  type TransactionStatus,
} from '@paymux/core'
import { errorForAnswer, NO_RESULTS, SUCCESS } from '../codes.js'
import { type Answer, Fields, invalidResponse } from '../wire.js'

/**
 * PAYMETHOD / PAY_METHOD values: the manual says VACCT, the plugins see VACCOUNT in practice [VENDOR];
 * CARD_SUGI (key-in) and CARD_BATCH (billing) are cards.
 */
export const PAY_METHODS: Readonly<Record<string, PaymentMethod>> = {
  CARD: 'card',
  CARD_SUGI: 'card',
  CARD_BATCH: 'card',
  BANK: 'bank_transfer',
  VACCT: 'virtual_account',
  VACCOUNT: 'virtual_account',
  MOBILE: 'phone',
  KAKAOPAY: 'easy_pay',
  NAVERPAY: 'easy_pay',
  PAYCO: 'easy_pay',
  TOSSPAY: 'easy_pay',
}

export function methodOf(value: string | undefined): PaymentMethod | undefined {
  if (!value) return undefined
  return PAY_METHODS[value.toUpperCase()] ?? 'other'
}

/** The cumulative cancelled amount from a paysearch answer (`CANCLE_SUM_AMOUNT`, typo is CookiePay's). */
export function cancelSumFromPaysearch(value: unknown, tid: string): number | undefined {
  const rows = Array.isArray(value) ? value : [value]
  for (const row of rows) {
    if (typeof row !== 'object' || row === null) continue
    const f = new Fields(row as Record<string, unknown>)
    const code = f.get('RESULTCODE')
    if ((code && code !== SUCCESS) || f.get('TID') !== tid) continue
    const sum = parseKrw(f.get('CANCLE_SUM_AMOUNT', 'CANCEL_SUM_AMOUNT'))
    if (sum !== undefined) return sum
  }
  return undefined
}

/**
 * paycert (+ the paysearch cancel sum when there is one) → the neutral lookup. paycert has no cancelled amount,
 * and it shows a cancel (CANCELDATE) perhaps late or not at all for a partial one: without paysearch's sum the
 * amounts cancelled and cancellable are undefined and the status `unknown`, so nobody decides a refund (or books
 * a lost cancel as failed) on a made-up 0.
 */
export function fromPaycert(a: Answer, tid: string, cancelSum: number | undefined): TransactionLookup {
  if (a.code !== SUCCESS) throw errorForAnswer(a.code, a.message, false)
  return fromRecord(a.fields, tid, cancelSum)
}

/**
 * The rows of a paysearch answer; undefined when CookiePay says it found nothing (`E008` [VENDOR], or an empty
 * list). Any other object is CookiePay's error (or no answer of CookiePay's) and throws: "none" is never guessed.
 */
export function paysearchRows(value: unknown): Fields[] | undefined {
  if (!Array.isArray(value)) {
    const f =
      typeof value === 'object' && value !== null ? new Fields(value as Record<string, unknown>) : undefined
    const code = f?.get('RESULTCODE')
    if (code === NO_RESULTS) return undefined
    if (!f || !code)
      throw invalidResponse('paysearch', 'the answer is neither a list nor a CookiePay error', false)
    throw errorForAnswer(code, f.get('RESULTMSG') ?? '', false)
  }
  const rows = value
    .filter((row): row is Record<string, unknown> => typeof row === 'object' && row !== null)
    .map((row) => new Fields(row))
  return rows.length > 0 ? rows : undefined
}

/**
 * One paysearch row found by order number → its lookup. A row CookiePay marks with another result code is kept as
 * `unknown` (it names a TID of this order; leaving it out would say the order has one payment fewer).
 */
export function orderRow(f: Fields): TransactionLookup {
  const tid = f.get('TID')
  if (!tid) throw invalidResponse('paysearch', 'a row of the order has no TID', false)
  const code = f.get('RESULTCODE')
  if (code && code !== SUCCESS) {
    const orderId = f.get('ORDERNO')
    return {
      transactionId: tid,
      status: 'unknown',
      ...(orderId ? { orderId } : {}),
      providerStatus: `RESULTCODE=${code}`,
      evidence: evidenceOf(f, undefined),
    }
  }
  return fromRecord(f, tid, parseKrw(f.get('CANCLE_SUM_AMOUNT', 'CANCEL_SUM_AMOUNT')))
}

/** One paycert answer or paysearch row → the lookup; `cancelSum` undefined: CookiePay did not say. */
export function fromRecord(f: Fields, tid: string, cancelSum: number | undefined): TransactionLookup {
  const amount = parseKrw(f.get('AMOUNT'))
  const returnedTid = f.get('TID')
  if (amount === undefined)
    throw invalidResponse('paycert', 'RESULTCODE 0000 without a readable AMOUNT', false)
  if (returnedTid && returnedTid !== tid) throw invalidResponse('paycert', `answered for another TID`, false)
  const method = methodOf(f.get('PAYMETHOD', 'PAY_METHOD'))
  const acceptDate = f.get('ACCEPTDATE', 'ACCEPT_DATE')
  const cancelDate = f.get('CANCELDATE')
  const orderId = f.get('ORDERNO')
  const approvedAt = parseKstCompact(acceptDate)
  const base = {
    transactionId: tid,
    amount,
    ...(method ? { method } : {}),
    ...(orderId ? { orderId } : {}),
    ...(approvedAt ? { approvedAt } : {}),
    evidence: evidenceOf(f, cancelSum),
  }
  const payMethod = f.get('PAYMETHOD', 'PAY_METHOD') ?? ''
  if (cancelSum === undefined) {
    return {
      ...base,
      status: 'unknown',
      providerStatus: [
        payMethod,
        cancelDate ? `CANCELDATE=${cancelDate}` : '',
        'cancelled amount not reported',
      ]
        .filter(Boolean)
        .join(' '),
    }
  }
  const cancelledAmount = Math.min(cancelSum, amount)
  let status: TransactionStatus
  if (cancelledAmount >= amount) status = 'cancelled'
  else if (cancelledAmount > 0) status = 'partial_cancelled'
  else status = method === 'virtual_account' && !acceptDate ? 'waiting_for_deposit' : 'paid'
  return {
    ...base,
    status,
    cancelledAmount,
    cancellableAmount: amount - cancelledAmount,
    providerStatus: [payMethod, cancelDate ? `CANCELDATE=${cancelDate}` : ''].filter(Boolean).join(' '),
  }
}

/** paycert / paysearch fields a reviewer needs, verbatim: no buyer data, no account numbers. */
const EVIDENCE_FIELDS = [
  'TID',
  'ORDERNO',
  'AMOUNT',
  'PAYMETHOD',
  'ACCEPTDATE',
  'CANCELDATE',
  'CANCELMSG',
  'CANCLE_SUM_AMOUNT',
] as const

function evidenceOf(f: Fields, cancelSum: number | undefined): Record<string, string> {
  // paycert has no cancelled sum: the one paysearch answered goes in under its own name.
  const out: Record<string, string> = cancelSum !== undefined ? { CANCLE_SUM_AMOUNT: String(cancelSum) } : {}
  for (const k of EVIDENCE_FIELDS) {
    const v = f.get(k)
    if (v !== undefined) out[k] = v
  }
  return out
}
