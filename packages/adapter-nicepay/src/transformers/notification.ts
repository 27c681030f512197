import type {
  NotificationEvent,
  NotificationHint,
  NotificationInput,
  NotificationReply,
  NotificationResult,
} from '@paymux/core'
import { parseKrw } from '@paymux/core'
import { APPROVAL_SUCCESS, SUCCESS } from '../codes.js'
import { parseForm } from '../encoding.js'

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
}

const refused = (reason: string, reply = FAIL()): NotificationResult => ({ verified: false, reason, reply })

/** A TID by NicePay's rule: MID(10) + svcCd + prdtCd + yyMMddHHmmss + 4 digits (nicepay.md §8). */
const TID = /^[A-Za-z0-9]{30}$/

/**
 * What the body claims (manual-noti: ResultCode 4110 = 입금, StateCd 0 승인 / 1 전취소 / 2 후취소). A claim
 * only: the host applies nothing before its lookup shows it.
 */
function claimOf(resultCode: string, stateCd: string): NotificationEvent['type'] {
  if (stateCd === '1' || stateCd === '2') return 'payment.cancelled'
  if (stateCd !== '0') return 'payment.other'
  const paid =
    SUCCESS.notificationDeposit.has(resultCode) || Object.values(APPROVAL_SUCCESS).includes(resultCode)
  return paid ? 'payment.paid' : 'payment.other'
}

/**
 * The legacy notification carries no signature (nicepay.md §6) and a sender IP proves little behind proxies: a
 * well-formed one is a hint to look the payment up, never an event, and reading it calls nobody. The sender
 * allow-list and the MID stay filters (refused, no hint). Where the host still says what it issued for the
 * TID, a notification naming another amount or account is refused too: NicePay's deposit is of the issued
 * amount into the issued account, and integrations match exactly these (nicepay.md §6).
 */
export async function parseDepositNotification(
  input: NotificationInput,
  ctx: NotificationContext,
): Promise<NotificationResult> {
  if (ctx.allowList !== false) {
    const ip = input.sourceIp ? normaliseIp(input.sourceIp) : ''
    if (!ip || !ctx.allowList.map(normaliseIp).includes(ip)) {
      return refused(`source IP ${ip || '(unknown)'} is not an allowed NicePay sender`, FAIL(403))
    }
  }
  // "한글 데이터 통보시 인코딩은 EUC-KR" — but a UTF-8 body (a relay that re-encoded it) is read as well.
  const f = parseForm(input.rawBody, 'auto')
  const tid = f.TID?.trim() ?? ''
  const resultCode = f.ResultCode?.trim() ?? ''
  if (!TID.test(tid) || !/^[A-Z0-9]{4}$/.test(resultCode)) {
    return refused('not a NicePay notification (no TID/ResultCode)')
  }
  const mid = f.MID?.trim()
  if (mid && mid !== ctx.mid) return refused(`notification for another MID (${mid})`)
  const orderId = (f.MOID ?? f.Moid)?.trim() || undefined
  const issued = input.expected
    ? await input.expected({ transactionId: tid, ...(orderId ? { orderId } : {}) })
    : undefined
  if (issued && issued.transactionId === tid) {
    if (parseKrw(f.Amt) !== issued.amount) {
      return refused(`amount ${f.Amt ?? '(none)'} differs from the issued ${issued.amount}`)
    }
    const account = f.VbankNum?.replace(/-/g, '').trim()
    if (issued.accountNumber !== undefined && issued.accountNumber.replace(/-/g, '') !== account) {
      return refused('the virtual account number differs from the issued one')
    }
  }
  const stateCd = f.StateCd?.trim() || '0'
  const hint: NotificationHint = {
    transactionId: tid,
    ...(orderId ? { orderId } : {}),
    claimed: claimOf(resultCode, stateCd),
    dedupKey: `nicepay:${tid}:${resultCode}:${stateCd}`,
  }
  return {
    verified: false,
    reason: `unsigned: NicePay's notification carries no signature; look ${tid} up before applying ${resultCode}/${stateCd}`,
    hint,
    reply: OK,
  }
}
