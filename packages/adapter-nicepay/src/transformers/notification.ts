import type { NotificationInput, NotificationReply, NotificationResult } from '@paymux/core'
import { parseKrw } from '@paymux/core'
import { SUCCESS } from '../codes.js'
import { parseForm } from '../encoding.js'
import { kstTime } from './common.js'

/** NicePay's documented notification senders (manual-noti). */
export const NICEPAY_NOTIFICATION_IPS: readonly string[] = [
  '121.133.126.10',
  '121.133.126.11',
  '211.33.136.39',
]

/** NicePay keeps re-sending until it reads exactly `OK`. */
const OK: NotificationReply = {
  status: 200,
  headers: { 'content-type': 'text/plain; charset=utf-8' },
  body: 'OK',
}
const FAIL = (status = 200): NotificationReply => ({
  status,
  headers: { 'content-type': 'text/plain; charset=utf-8' },
  body: 'FAIL',
})

function normaliseIp(ip: string): string {
  return ip.trim().replace(/^::ffff:/i, '')
}

export interface NotificationContext {
  mid: string
  /** `false`: the caller checks the source itself (a proxy in front, say). */
  allowList: readonly string[] | false
  now: number
}

/**
 * The legacy notification carries no signature, so trust comes from where it came from (NicePay's three
 * sender IPs) and from matching what the merchant issued: the virtual account, the amount, the TID. A
 * notification we cannot match is refused with FAIL, so NicePay re-sends it and alerts the merchant.
 */
export async function parseDepositNotification(
  input: NotificationInput,
  ctx: NotificationContext,
): Promise<NotificationResult> {
  if (ctx.allowList !== false) {
    const ip = input.sourceIp ? normaliseIp(input.sourceIp) : ''
    if (!ip || !ctx.allowList.map(normaliseIp).includes(ip)) {
      return {
        verified: false,
        reason: `source IP ${ip || '(unknown)'} is not an allowed NicePay sender`,
        reply: FAIL(403),
      }
    }
  }
  // "한글 데이터 통보시 인코딩은 EUC-KR" — but a UTF-8 body (a relay that re-encoded it) is read as well.
  const f = parseForm(input.rawBody, 'auto')
  const tid = f.TID?.trim()
  const resultCode = f.ResultCode?.trim() ?? ''
  if (!tid || !resultCode)
    return { verified: false, reason: 'not a NicePay notification (no TID/ResultCode)', reply: FAIL() }
  if (f.MID && f.MID.trim() !== ctx.mid) {
    return { verified: false, reason: `notification for another MID (${f.MID.trim()})`, reply: FAIL() }
  }
  const orderId = (f.MOID ?? f.Moid)?.trim() || undefined
  const amount = parseKrw(f.Amt)
  const expected = input.expected
    ? await input.expected({ transactionId: tid, ...(orderId ? { orderId } : {}) })
    : undefined
  if (!expected) {
    return { verified: false, reason: `no issued payment matches TID ${tid}`, reply: FAIL() }
  }
  if (expected.transactionId !== tid) {
    return { verified: false, reason: 'the TID differs from the issued one', reply: FAIL() }
  }
  if (amount === undefined || amount !== expected.amount) {
    return {
      verified: false,
      reason: `amount ${f.Amt ?? '(none)'} differs from the issued ${expected.amount}`,
      reply: FAIL(),
    }
  }
  const account = f.VbankNum?.replace(/-/g, '').trim()
  if (expected.accountNumber !== undefined && expected.accountNumber.replace(/-/g, '') !== account) {
    return {
      verified: false,
      reason: 'the virtual account number differs from the issued one',
      reply: FAIL(),
    }
  }
  const stateCd = f.StateCd?.trim() || '0'
  const dedupKey = `nicepay:${tid}:${resultCode}:${stateCd}`
  if (
    SUCCESS.notificationDeposit.has(resultCode) &&
    (f.PayMethod ?? 'VBANK').trim() === 'VBANK' &&
    stateCd === '0'
  ) {
    const depositor = f.VbankInputName?.trim()
    return {
      verified: true,
      dedupKey,
      reply: OK,
      event: {
        type: 'payment.paid',
        transactionId: tid,
        ...(orderId ? { orderId } : {}),
        amount,
        method: 'virtual_account',
        paidAt: kstTime(f.AuthDate, ctx.now),
        ...(depositor ? { depositorName: depositor } : {}),
      },
    }
  }
  return {
    verified: true,
    dedupKey,
    reply: OK,
    event: { type: 'payment.other', transactionId: tid, providerStatus: `${resultCode}/${stateCd}` },
  }
}
