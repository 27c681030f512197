import {
  type CancelAcceptedResult,
  type CancelledResult,
  type CancelRequest,
  invalidRequest,
  PaymentError,
} from '@paymux/core'
import { KFTC_TO_NICEPAY } from '../banks.js'
import { sameHex, sha256Hex, signData } from '../crypto.js'
import { assertAsciiId, assertEucKrText } from '../encoding.js'
import { SVC_VBANK } from '../tid.js'
import type { NicePayAnswer } from '../wire.js'
import { ANSWER_PREFS, amountOf, type FormPairs, kstTime, optional, requireEcho } from './common.js'

export interface CancelWire {
  tid: string
  mid: string
  moid: string
  cancelAmt: number
  cancelMsg: string
  partial: boolean
  ediDate: string
  refund?: { accountNumber: string; bankCode: string; holderName: string }
  /** The payment's order id, when the caller named it: not sent, but an answer's Moid may carry it. */
  orderId?: string
}

/**
 * NicePay's own limits on a cancel, on top of core's shared checks; pure. Returns the refund fields as sent.
 * Whether the amount can be known is the adapter's to check (it may need the merchant's records).
 */
export function checkCancel(req: CancelRequest): Pick<CancelWire, 'refund'> {
  assertAsciiId(req.transactionId, 'transactionId', 30, /^[A-Za-z0-9]+$/)
  assertEucKrText(req.reason, 'reason', 100)
  if (!req.refundAccount) return {}
  const ra = req.refundAccount
  const bankCode = KFTC_TO_NICEPAY[ra.bankCode]
  if (!bankCode) throw invalidRequest('refundAccount.bankCode', 'NicePay has no code for this bank')
  const accountNumber = ra.accountNumber.replace(/-/g, '')
  if (accountNumber.length > 16)
    throw invalidRequest('refundAccount.accountNumber', 'NicePay allows at most 16 digits')
  return {
    refund: {
      accountNumber,
      bankCode,
      holderName: assertEucKrText(ra.holderName, 'refundAccount.holderName', 10),
    },
  }
}

/**
 * PartialCancelCode (seed 000: "0:전체 취소, 1:부분 취소(별도 계약 필요)"). With the payment total known it is
 * simply whether the amount is all of it. Without it:
 * - a virtual account cancelled before deposit ("채번취소", a TID of svcCd 03 without refund account) is 0:
 *   seed 001 says it must be, and a partial one does not exist there (2045), so NicePay checks the amount
 *   against the issued one itself (2011);
 * - anything else is 1: the one code right whatever the total is (a 0 whose amount is not the remainder is
 *   refused with 2011), at the price that a merchant without the partial-cancel contract must give the total.
 */
export function isPartialCancel(req: CancelRequest, cancelAmt: number, total: number | undefined): boolean {
  if (total !== undefined) return cancelAmt !== total
  const issueCancel = !req.refundAccount && req.transactionId.slice(10, 12) === SVC_VBANK
  return !issueCancel
}

/** Field order of NicePay's own JSP sample (the test vectors keep it). */
export function cancelForm(w: CancelWire, merchantKey: string): FormPairs {
  const amt = String(w.cancelAmt)
  const pairs: FormPairs = [
    ['TID', w.tid],
    ['MID', w.mid],
    ['Moid', w.moid],
    ['CancelAmt', amt],
    ['CancelMsg', w.cancelMsg],
    ['PartialCancelCode', w.partial ? '1' : '0'],
    ['EdiDate', w.ediDate],
    ...ANSWER_PREFS,
    ['SignData', signData.cancel(w.mid, amt, w.ediDate, merchantKey)],
  ]
  if (w.refund) {
    pairs.push(['RefundAcctNo', w.refund.accountNumber], ['RefundBankCd', w.refund.bankCode])
    pairs.push(['RefundAcctNm', w.refund.holderName])
  }
  return pairs
}

/**
 * The cancel Signature is hex(sha256(TID+MID+CancelAmt+MerchantKey)), but which CancelAmt string the server
 * hashes is disputed (the 12-digit one it returns, or the plain integer): either is accepted.
 */
export function cancelSignatureMatches(
  answer: NicePayAnswer,
  tid: string,
  mid: string,
  merchantKey: string,
): boolean {
  return amountSignatureMatches(answer, 'CancelAmt', signData.cancelResponse, tid, mid, merchantKey)
}

/**
 * hex(sha256(TID+MID+<amount>+MerchantKey)) over the amount field as returned (12-digit) or as the plain
 * integer: the cancel and the approval answers share the formula and the doubt about which string is hashed.
 */
export function amountSignatureMatches(
  answer: NicePayAnswer,
  amountField: string,
  formula: (tid: string, mid: string, amt: string, key: string) => string,
  tid: string,
  mid: string,
  merchantKey: string,
): boolean {
  const sig = answer.Signature?.trim()
  if (!sig) return false
  const returned = answer[amountField]?.trim() ?? ''
  const forms = new Set([returned, String(Number.parseInt(returned || '0', 10))])
  return [...forms].some((amt) => sameHex(sig, formula(tid, mid, amt, merchantKey)))
}

function unmatched(why: string): PaymentError {
  return new PaymentError({
    code: 'invalid_response',
    outcome: 'unknown',
    provider: 'nicepay',
    message: `nicepay's cancel answer ${why}; the outcome is unknown`,
  })
}

/**
 * Whether a success answer is the answer to this cancel. Seeds 000 and 001 mark MID and Moid 필수: MID must be
 * ours and Moid the one sent — or the payment's order id, since the answer table calls it "가맹점 주문번호" and
 * no source says which of the two it echoes. `Signature` is listed without 필수, so a genuine answer may lack
 * it: when present it must verify; when absent (and not required) the answer must name the requested TID, and
 * — checked where the result is built — the requested CancelAmt. An answer naming another TID is never this
 * cancel's, signed or not.
 */
export function checkCancelAnswer(
  answer: NicePayAnswer,
  w: CancelWire,
  merchantKey: string,
  requireSignature: boolean,
): void {
  requireEcho(answer, 'MID', [w.mid], 'cancel')
  requireEcho(answer, 'Moid', w.orderId ? [w.moid, w.orderId] : [w.moid], 'cancel')
  const tid = optional(answer, 'TID')
  if (tid !== undefined && tid !== w.tid) throw unmatched(`names another TID (${tid})`)
  if (answer.Signature?.trim()) {
    if (!cancelSignatureMatches(answer, w.tid, w.mid, merchantKey)) throw badSignature('cancel answer')
    return
  }
  if (requireSignature) throw badSignature('cancel answer')
  if (tid === undefined) throw unmatched('carries neither a Signature nor the TID')
}

export function badSignature(what: string): PaymentError {
  return new PaymentError({
    code: 'signature_mismatch',
    outcome: 'unknown',
    provider: 'nicepay',
    message: `nicepay's ${what} carries no valid Signature: it may be forged or corrupted, so the outcome is unknown`,
  })
}

/** The CancelAmt of a success answer, which must be exactly the amount asked: anything else is unknown. */
function movedAmount(answer: NicePayAnswer, w: CancelWire): number {
  const moved = amountOf(answer, 'CancelAmt', true)
  if (moved !== w.cancelAmt) {
    throw new PaymentError({
      code: 'invalid_response',
      outcome: 'unknown',
      provider: 'nicepay',
      providerCode: answer.ResultCode,
      message: `nicepay reported cancelling ${moved} won where ${w.cancelAmt} was asked; the outcome is unknown`,
    })
  }
  return moved
}

function answeredAt(answer: NicePayAnswer, now: number): string {
  const date = optional(answer, 'CancelDate')
  const time = optional(answer, 'CancelTime')
  return kstTime(date && time ? `${date}${time}` : date, now)
}

/**
 * 2225 "환불 접수 성공": NicePay accepted the refund and executes it later, so nothing has moved yet. It is
 * not a finished cancel (the customer has no money back) and not unknown (NicePay committed to this amount).
 */
export function acceptedResult(answer: NicePayAnswer, w: CancelWire, now: number): CancelAcceptedResult {
  const result: CancelAcceptedResult = {
    status: 'accepted',
    acceptedAmount: movedAmount(answer, w),
    acceptedAt: answeredAt(answer, now),
    providerCode: answer.ResultCode!,
    providerMessage: answer.ResultMsg ?? '',
  }
  const num = optional(answer, 'CancelNum')
  if (num) result.providerCancelId = num
  return result
}

export function cancelledResult(answer: NicePayAnswer, w: CancelWire, now: number): CancelledResult {
  const cancelledAmount = movedAmount(answer, w)
  const remain = optional(answer, 'RemainAmt')
  const result: CancelledResult = {
    status: 'cancelled',
    cancelledAmount,
    cancelledAt: answeredAt(answer, now),
    providerCode: answer.ResultCode!,
    providerMessage: answer.ResultMsg ?? '',
  }
  if (remain !== undefined) result.remainingAmount = amountOf(answer, 'RemainAmt', true)
  const num = optional(answer, 'CancelNum')
  if (num) result.providerCancelId = num
  return result
}

/**
 * Moid of a cancel, from the caller's cancelId: the same cancelId always gives the same Moid, so NicePay's
 * duplicate guard — where the account has that contract — refuses a replay, and a trans_status CancelMOID
 * can be matched back to the id (`lookupNamesCancel`). Short safe ids are used as they are (easy to find in
 * NicePay's admin); others are hashed into 51 ASCII bytes. Never change it: in-flight cancels depend on it.
 */
export function cancelMoid(cancelId: string): string {
  if (/^[A-Za-z0-9._-]{1,64}$/.test(cancelId)) return cancelId
  return `cx-${sha256Hex(cancelId).slice(0, 48)}`
}
