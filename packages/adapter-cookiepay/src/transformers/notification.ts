import { type NotificationHint, type NotificationReply, parseKrw, parseKstCompact } from '@paymux/core'
import { SUCCESS } from '../codes.js'
import { decodeBody, Fields } from '../wire.js'

/**
 * What CookiePay's own YoungCart plugin echoes after handling a Noti [VENDOR V-yc result.noti.php]; CookiePay
 * is not known to read it. Every well-formed Noti gets it: it is taken as a hint, so there is nothing to resend.
 */
export const NOTI_SUCCESS_REPLY: NotificationReply = {
  status: 200,
  headers: { 'content-type': 'text/html; charset=utf-8' },
  body: '<html><body><RESULT>SUCCESS</RESULT></body></html>',
}
/** On its failure paths the same plugin answers an empty 200. */
export const NOTI_REJECTED_REPLY: NotificationReply = {
  status: 200,
  headers: { 'content-type': 'text/html; charset=utf-8' },
  body: '',
}

/** `noti_type` values of cancel Notis [3P, citing the manual]. */
const CANCEL_NOTI_TYPES = new Set(['cancel', 'deposit_cancel', 'depositcancel'])

/**
 * Fields only a cancel Noti carries: the `noti_type` shape integrators report (`cancel_amount`) and the cancel
 * response seed 004 says is sent after a post-deposit cancel ("결제취소 응답전문": `cancel_code`, `cancel_tid`,
 * `cancel_amt`, or upper-case `CANCELAMT`).
 */
const CANCEL_FIELDS = ['cancel_amount', 'cancel_amt', 'CANCELAMT', 'cancel_tid', 'cancel_code'] as const

/**
 * CookiePay's result codes are short printable codes (`0000`, `3011`, `9029`); anything else (a control
 * character, a page of text) is not one of its notifications, and must not become a dedup key or a reason.
 */
const RESULT_CODE = /^[\x21-\x7e]{1,20}$/
/** TIDs: 20 characters in practice, at most 50 in the manual's cancel tables (the Noti table says 20). */
const TID = /^[\x21-\x7e]{1,50}$/
/** ORDERNO: at most 50 in the Noti table; no control characters. */
const ORDER_NO = /^[^\p{Cc}]{1,50}$/u
/** A captured Noti is about 1 kB; ten times more is not one. */
const MAX_BODY_BYTES = 16 * 1024

/** JSON is what CookiePay sends [DOC]; a form body is read too, so a proxy re-encoding it costs nothing. */
export function readNotiBody(raw: Uint8Array): Fields | undefined {
  if (raw.length > MAX_BODY_BYTES) return undefined
  const decoded = decodeBody(raw)
  if (!decoded) return undefined
  const text = decoded.text.replace(/^\uFEFF/, '').trim()
  if (text.startsWith('{')) {
    try {
      const v = JSON.parse(text) as unknown
      return typeof v === 'object' && v !== null && !Array.isArray(v)
        ? new Fields(v as Record<string, unknown>)
        : undefined
    } catch {
      return undefined
    }
  }
  if (/^[^=&\s]+=/.test(text)) return new Fields(Object.fromEntries(new URLSearchParams(text)))
  return undefined
}

/** A Noti read into what it names, or why it is not one of CookiePay's. */
export type ReadNoti = { hint: NotificationHint } | { error: string }

/**
 * Reads a Noti into a hint, from the body alone. Both spellings are accepted: lower-case cancel fields and
 * upper/underscored approval fields. The dedup key is the payment (its TID, or the order number when the Noti
 * names no TID) and the claimed state, never a cancel's own id, a date or an amount, which a sender varies freely.
 */
export function readNoti(f: Fields): ReadNoti {
  const tid = f.get('tid')
  const orderNo = f.get('orderno')
  if (tid !== undefined && !TID.test(tid)) return { error: 'the TID is not a CookiePay TID' }
  if (orderNo !== undefined && !ORDER_NO.test(orderNo))
    return { error: 'the order number is not a CookiePay ORDERNO' }
  const ids = { ...(tid ? { transactionId: tid } : {}), ...(orderNo ? { orderId: orderNo } : {}) }
  const notiType = f.get('noti_type')
  const isCancel = notiType !== undefined || CANCEL_FIELDS.some((n) => f.get(n) !== undefined)
  const code = isCancel ? f.get('cancel_code', 'RESULTCODE') : f.get('RESULTCODE')
  if (code !== undefined && !RESULT_CODE.test(code))
    return { error: 'the result code is not a CookiePay result code' }

  if (isCancel) {
    const cancelTid = f.get('cancel_tid')
    if (cancelTid !== undefined && !TID.test(cancelTid))
      return { error: 'the cancel TID is not a CookiePay TID' }
    const rawAmount = f.get('cancel_amount', 'cancel_amt', 'CANCELAMT')
    const amount = rawAmount === undefined ? undefined : readAmount(rawAmount)
    if (amount === null) return { error: 'the cancel amount is not an amount' }
    // Seed 004's post-deposit Noti is the cancel response, which names the payment by no TID of its own:
    // its cancel's TID (and amount) is then all there is to find the payment by.
    if (!tid && !orderNo && !cancelTid) return { error: 'the cancel notification names no payment' }
    const known = notiType === undefined || CANCEL_NOTI_TYPES.has(notiType.toLowerCase())
    const claimed = known && (code === undefined || code === SUCCESS) ? 'payment.cancelled' : 'payment.other'
    const cancelledAt = parseKstCompact(f.get('cancel_date', 'CANCELDATE'))
    return {
      hint: {
        ...ids,
        claimed,
        dedupKey: dedupKey(claimed, tid, orderNo),
        evidence: {
          ...(notiType ? { notiType } : {}),
          ...(code ? { resultCode: code } : {}),
          ...(cancelTid ? { providerCancelId: cancelTid } : {}),
          ...(amount !== undefined ? { amount: String(amount) } : {}),
          ...(cancelledAt ? { cancelledAt } : {}),
        },
      },
    }
  }

  if (!tid) return { error: 'the notification carries no TID' }
  if (code !== undefined && code !== SUCCESS) {
    return {
      hint: {
        ...ids,
        claimed: 'payment.failed',
        dedupKey: dedupKey('payment.failed', tid),
        evidence: { resultCode: code },
      },
    }
  }
  const amount = readAmount(f.get('AMOUNT'))
  if (amount === null) return { error: 'the approval notification carries no readable AMOUNT' }
  const payMethod = f.get('PAY_METHOD', 'PAYMETHOD')
  return {
    hint: {
      ...ids,
      claimed: 'payment.paid',
      dedupKey: dedupKey('payment.paid', tid),
      evidence: {
        amount: String(amount),
        ...(payMethod && RESULT_CODE.test(payMethod) ? { payMethod } : {}),
      },
    },
  }
}

/** AMOUNT and the cancel amounts are at most 10 digits (the manual's tables); null: not an amount. */
function readAmount(raw: string | undefined): number | null {
  if (raw === undefined || !/^\d{1,10}$/.test(raw)) return null
  return parseKrw(raw) ?? null
}

function dedupKey(claimed: NotificationHint['claimed'], tid?: string, orderNo?: string): string {
  if (tid) return `cookiepay:${claimed}:${tid}`
  // The post-deposit cancel response names no payment: every such Noti asks the same thing (look up the
  // cancels waiting for a deposit), so they collapse onto one key per order, or one key altogether.
  return orderNo ? `cookiepay:${claimed}:order:${orderNo}` : `cookiepay:${claimed}:unnamed`
}
