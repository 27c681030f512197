import type { FetchLike } from '@paymux/core'
import type { ResolvedSettings } from './settings.js'
import type { SimCancel, SimPayment } from './state.js'

export interface Delivery {
  url: string
  delivered: boolean
  attempts: number
  status?: number
  error?: string
}

/** §5.2 approval Noti: upper-case, underscored ACCEPT_DATE / ACCEPT_NO / PAY_METHOD [DOC + VENDOR capture]. */
export function approvalNoti(p: SimPayment, s: ResolvedSettings): Record<string, string | null> {
  const va = p.method === 'virtual_account'
  return {
    RESULTCODE: '0000',
    RESULTMSG: '성공',
    API_ID: p.apiId,
    ORDERNO: p.orderNo,
    AMOUNT: String(p.amount),
    TID: p.tid,
    USERID: '',
    BUYERNAME: p.buyerName,
    BUYEREMAIL: '',
    PRODUCTCODE: '',
    PRODUCTNAME: p.productName,
    ACCEPT_DATE: p.acceptDate,
    ACCEPT_NO: p.acceptNo,
    CARDCODE: va ? (p.va?.bankCode ?? '') : '',
    CARDNAME: va ? (p.va?.bankName ?? '') : '신한',
    CARDNO: va ? '' : '**000111',
    QUOTA: va ? '' : '00',
    ACCOUNTNO: va ? (p.va?.accountNo ?? '') : '',
    RECEIVERNAME: va ? (p.va?.receiver ?? '') : '',
    DEPOSITENDDATE: va ? (p.va?.depositEndDate ?? '') : '',
    ETC1: '',
    ETC2: '',
    ETC3: '',
    ETC4: '',
    ETC5: '',
    ETC7: null,
    PAY_METHOD: va ? s.vaPayMethod : p.payMethod,
  }
}

/** §5.3 cancel / post-deposit-cancel Noti; shape as integrators report it [3P], casing a setting [INF]. */
export function cancelNoti(
  p: SimPayment,
  c: SimCancel,
  type: 'cancel' | 'deposit_cancel',
  s: ResolvedSettings,
): Record<string, string> {
  const lower = {
    noti_type: type,
    paymethod: p.payMethod,
    orderno: p.orderNo,
    tid: p.tid,
    cancel_amount: String(c.amount),
    cancel_date: c.date,
  }
  if (s.cancelNotiSpelling === 'lower') return lower
  return Object.fromEntries(Object.entries(lower).map(([k, v]) => [k.toUpperCase(), v]))
}

/**
 * Seed 004's post-deposit Noti as the cancel response ("결제취소 응답전문"): the `/api/cancel` answer's fields with
 * its result code, which name no payment of their own. Whether the Noti adds the payment's TID and order number
 * is not documented: `depositCancelNotiNamesPayment` [INF].
 */
export function cancelResponseNoti(p: SimPayment, c: SimCancel, s: ResolvedSettings): Record<string, string> {
  const upper = s.cancelNotiSpelling === 'upper'
  const payment: Record<string, string> = s.depositCancelNotiNamesPayment
    ? upper
      ? { TID: p.tid, ORDERNO: p.orderNo }
      : { tid: p.tid, orderno: p.orderNo }
    : {}
  if (upper) {
    return {
      RESULTCODE: '0000',
      RESULTMSG: s.cancelSuccessMessage,
      ...payment,
      CANCEL_TID: c.cancelTid,
      CANCELDATE: c.date,
      CANCELAMT: String(c.amount),
    }
  }
  return {
    cancel_code: '0000',
    cancel_msg: s.cancelSuccessMessage,
    ...payment,
    cancel_tid: c.cancelTid,
    cancel_date: c.date,
    cancel_amt: String(c.amount),
  }
}

/** POSTs a Noti as CookiePay does: JSON, no authentication, redirects not followed, retries only if configured. */
export async function deliver(
  url: string,
  body: unknown,
  s: ResolvedSettings,
  fetchImpl?: FetchLike,
): Promise<Delivery> {
  const f = fetchImpl ?? s.notifyFetch ?? (globalThis.fetch as FetchLike)
  let last: Delivery = { url, delivered: false, attempts: 0 }
  for (let attempt = 1; attempt <= 1 + s.notifyRetries; attempt++) {
    try {
      const res = await f(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body: JSON.stringify(body),
        redirect: 'manual',
        signal: AbortSignal.timeout(10_000),
      })
      await res.arrayBuffer().catch(() => undefined)
      last = { url, delivered: res.status >= 200 && res.status < 300, attempts: attempt, status: res.status }
    } catch (err) {
      last = {
        url,
        delivered: false,
        attempts: attempt,
        error: err instanceof Error ? err.message : String(err),
      }
    }
    if (last.delivered) break
  }
  return last
}
