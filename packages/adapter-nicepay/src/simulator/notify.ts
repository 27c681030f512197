import { type FetchLike, kstParts } from '@paymux/core'
import iconv from 'iconv-lite'
import type { NicePaySimulatorSettings } from './settings.js'
import type { SimPayment } from './state.js'

/** `java.net.URLEncoder.encode(v, "euc-kr")`, written out again so the simulator does not borrow the adapter's. */
function urlEncodeEucKr(value: string): string {
  let out = ''
  for (const b of iconv.encode(value, 'cp949')) {
    const ch = String.fromCharCode(b)
    if (b === 0x20) out += '+'
    else if (/[A-Za-z0-9.\-*_]/.test(ch)) out += ch
    else out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`
  }
  return out
}

/** The deposit notification's fields (manual-noti), in the order of its published example. */
export function depositNotificationFields(p: SimPayment, depositedAt: number): Array<[string, string]> {
  const t = kstParts(depositedAt)
  const v = p.vbank!
  return [
    ['PG', 'NICE'],
    ['PayMethod', 'VBANK'],
    ['MID', p.mid],
    ['MallUserID', ''],
    ['Amt', String(p.amount)],
    ['GoodsName', p.goodsName],
    ['MOID', p.orderId],
    ['TID', p.tid],
    ['AuthDate', `${t.yy}${t.MM}${t.dd}${t.HH}${t.mm}${t.ss}`],
    ['AuthCode', ''],
    ['FnCd', v.bankCode],
    ['FnName', v.bankName],
    ['StateCd', '0'],
    ['name', p.buyerName ?? ''],
    ['BuyerEmail', p.buyerEmail ?? ''],
    ['BuyerAuthNum', ''],
    ['ReceitType', ''],
    ['RcptType', ''],
    ['RcptTID', ''],
    ['RcptAuthCode', ''],
    ['VbankName', v.bankName],
    ['VbankNum', v.accountNumber],
    ['VbankInputName', v.depositorName ?? ''],
    ['ResultCode', '4110'],
    ['ResultMsg', '승인'],
    ['CancelDate', ''],
    ['CancelMOID', ''],
    ['TransType', '0'],
    ['MallReserved', ''],
  ]
}

export function depositNotificationBody(p: SimPayment, depositedAt: number): string {
  return depositNotificationFields(p, depositedAt)
    .map(([k, val]) => `${k}=${urlEncodeEucKr(val)}`)
    .join('&')
}

export interface NotificationDelivery {
  url: string
  attempts: number
  delivered: boolean
  lastStatus?: number
  lastBody?: string
  error?: string
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** POSTs until the merchant answers exactly `OK` (NicePay re-sends otherwise), up to the configured attempts. */
export async function sendNotification(
  url: string,
  body: string,
  settings: NicePaySimulatorSettings,
  fetchImpl: FetchLike,
): Promise<NotificationDelivery> {
  const d: NotificationDelivery = { url, attempts: 0, delivered: false }
  for (let i = 0; i < Math.max(1, settings.notifyAttempts); i++) {
    if (i > 0) await sleep(settings.notifyRetryDelayMs)
    d.attempts++
    try {
      const res = await fetchImpl(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body,
      })
      d.lastStatus = res.status
      d.lastBody = (await res.text()).slice(0, 200)
      delete d.error
      if (d.lastBody.trim() === 'OK') {
        d.delivered = true
        break
      }
    } catch (err) {
      d.error = err instanceof Error ? err.message : String(err)
    }
  }
  return d
}
