import { type NotificationReply, parseKrw, parseKstCompact } from '@paymux/core'
import { SUCCESS } from '../codes.js'
import { decodeBody, Fields } from '../wire.js'
import { methodOf } from './lookup.js'

/**
 * What CookiePay's own YoungCart plugin echoes after handling a Noti [VENDOR V-yc result.noti.php]; CookiePay
 * is not known to read it, and on its failure paths the plugin answers an empty 200.
 */
export const NOTI_SUCCESS_REPLY: NotificationReply = {
  status: 200,
  headers: { 'content-type': 'text/html; charset=utf-8' },
  body: '<html><body><RESULT>SUCCESS</RESULT></body></html>',
}
export const NOTI_REJECTED_REPLY: NotificationReply = {
  status: 200,
  headers: { 'content-type': 'text/html; charset=utf-8' },
  body: '',
}
/** We could not check the Noti (CookiePay unreachable): ask for it again, should CookiePay ever retry. */
export const NOTI_RETRY_REPLY: NotificationReply = {
  status: 503,
  headers: { 'content-type': 'text/plain; charset=utf-8' },
  body: 'retry later',
}

/** `noti_type` values of cancel Notis [3P, citing the manual]. */
export const CANCEL_NOTI_TYPES: Readonly<Record<string, 'cancel' | 'deposit_cancel'>> = {
  cancel: 'cancel',
  deposit_cancel: 'deposit_cancel',
  depositcancel: 'deposit_cancel',
}

export type ParsedNoti =
  | {
      kind: 'cancel' | 'deposit_cancel'
      tid: string
      orderNo?: string
      cancelAmount?: number
      cancelledAt?: string
      cancelTid?: string
    }
  | {
      kind: 'approval'
      tid: string
      orderNo?: string
      amount: number
      paidAt?: string
      method?: ReturnType<typeof methodOf>
      depositorName?: string
    }
  | { kind: 'failed'; tid: string; orderNo?: string; code: string; message: string }
  /** A cancel-response Noti whose result code is not 0000: the cancel did not happen. */
  | { kind: 'cancel_failed'; tid: string; orderNo?: string; code: string; message: string }
  | { kind: 'other'; tid: string; orderNo?: string; notiType: string }

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

/** JSON is what CookiePay sends [DOC]; a form body is read too, so a proxy re-encoding it costs nothing. */
export function readNotiBody(raw: Uint8Array): Fields | undefined {
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

/** Classifies a Noti. Both spellings are accepted: lower-case cancel fields and upper/underscored approval fields. */
export function parseNoti(f: Fields): ParsedNoti | { error: string } {
  const tid = f.get('tid')
  if (!tid) return { error: 'the notification carries no TID' }
  const orderNo = f.get('orderno')
  const ref = { tid, ...(orderNo ? { orderNo } : {}) }
  // The cancel Noti's exact shape is only known second-hand: without noti_type, a cancel field still marks it.
  const notiType = f.get('noti_type') ?? (CANCEL_FIELDS.some((n) => f.get(n)) ? 'cancel' : undefined)
  if (notiType) {
    const kind = CANCEL_NOTI_TYPES[notiType.toLowerCase()]
    if (!kind) return { kind: 'other', ...ref, notiType }
    // A cancel response carries its result: anything but 0000 says the cancel did not happen.
    const code = f.get('cancel_code', 'RESULTCODE')
    if (code && !RESULT_CODE.test(code)) return { error: 'the result code is not a CookiePay result code' }
    if (code && code !== SUCCESS)
      return { kind: 'cancel_failed', ...ref, code, message: f.get('cancel_msg', 'RESULTMSG') ?? '' }
    const cancelAmount = parseKrw(f.get('cancel_amount', 'cancel_amt', 'CANCELAMT'))
    const cancelledAt = parseKstCompact(f.get('cancel_date', 'CANCELDATE'))
    const cancelTid = f.get('cancel_tid')
    return {
      kind,
      ...ref,
      ...(cancelAmount !== undefined ? { cancelAmount } : {}),
      ...(cancelledAt ? { cancelledAt } : {}),
      ...(cancelTid ? { cancelTid } : {}),
    }
  }
  const code = f.get('RESULTCODE')
  if (code && !RESULT_CODE.test(code)) return { error: 'the result code is not a CookiePay result code' }
  if (code && code !== SUCCESS) return { kind: 'failed', ...ref, code, message: f.get('RESULTMSG') ?? '' }
  const amount = parseKrw(f.get('AMOUNT'))
  if (amount === undefined) return { error: 'the approval notification carries no readable AMOUNT' }
  const paidAt = parseKstCompact(f.get('ACCEPT_DATE', 'ACCEPTDATE'))
  const method = methodOf(f.get('PAY_METHOD', 'PAYMETHOD'))
  const depositorName = f.get('DEPOSITNAME')
  return {
    kind: 'approval',
    ...ref,
    amount,
    ...(paidAt ? { paidAt } : {}),
    ...(method ? { method } : {}),
    ...(depositorName ? { depositorName } : {}),
  }
}
