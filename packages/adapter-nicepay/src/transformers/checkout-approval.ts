import { type ApprovedCheckout, PaymentError, parseKstCompact } from '@paymux/core'
import { NICEPAY_TO_KFTC } from '../banks.js'
import { APPROVAL_SUCCESS, nicepayError } from '../codes.js'
import { signData } from '../crypto.js'
import type { NicePayAnswer } from '../wire.js'
import { amountSignatureMatches, badSignature } from './cancel.js'
import type { NicePayApprovalData } from './checkout-return.js'
import { ANSWER_PREFS, amountOf, type FormPairs, kstTime, optional } from './common.js'

/**
 * The approval call to NextAppURL (checkout.md §1.4), in the field order of the spec's vector body. `amt` is the
 * STORED amount: NicePay answers A123 when it differs from what was authenticated.
 */
export function approvalForm(
  tid: string,
  amt: number,
  d: NicePayApprovalData,
  merchantKey: string,
): FormPairs {
  const a = String(amt)
  return [
    ['TID', tid],
    ['AuthToken', d.authToken],
    ['MID', d.mid],
    ['Amt', a],
    ['EdiDate', d.ediDate],
    ...ANSWER_PREFS,
    ['SignData', signData.approval(d.authToken, d.mid, a, d.ediDate, merchantKey)],
  ]
}

function notThisApproval(why: string, code?: string): PaymentError {
  return new PaymentError({
    code: 'invalid_response',
    outcome: 'unknown',
    provider: 'nicepay',
    ...(code ? { providerCode: code } : {}),
    message: `nicepay's approval answer ${why}; the outcome is unknown`,
  })
}

/**
 * Reads the approval's answer. Only the success code of the authenticated PayMethod with a verifying Signature
 * (padded or plain Amt) naming this TID and MID is an approval; a known refusal code is a refusal; anything
 * else — another method's success code, a bad Signature — proves nothing and is unknown, so the host undoes it.
 */
export function approvedCheckout(
  answer: NicePayAnswer,
  ctx: { tid: string; data: NicePayApprovalData; merchantKey: string; now: number },
): ApprovedCheckout {
  const code = answer.ResultCode!
  const { tid, data } = ctx
  if (code !== APPROVAL_SUCCESS[data.payMethod]) {
    if (Object.values(APPROVAL_SUCCESS).includes(code)) {
      throw notThisApproval(`carries ${code}, a success code of another method than ${data.payMethod}`, code)
    }
    throw nicepayError(code, answer.ResultMsg ?? '')
  }
  if (!amountSignatureMatches(answer, 'Amt', signData.approvalResponse, tid, data.mid, ctx.merchantKey)) {
    throw badSignature('approval answer')
  }
  const answeredTid = optional(answer, 'TID')
  if (answeredTid !== undefined && answeredTid !== tid)
    throw notThisApproval(`names another TID (${answeredTid})`)
  const answeredMid = optional(answer, 'MID')
  if (answeredMid !== undefined && answeredMid !== data.mid) throw notThisApproval('names another MID')
  const common = {
    transactionId: tid,
    // What NicePay says it approved; the host compares it with the order and undoes a mismatch.
    amount: amountOf(answer, 'Amt', true),
    paidAt: kstTime(optional(answer, 'AuthDate'), ctx.now),
    providerCode: code,
    providerMessage: answer.ResultMsg ?? '',
  }
  const authCode = optional(answer, 'AuthCode')
  if (data.payMethod === 'VBANK') {
    const accountNumber = optional(answer, 'VbankNum')
    if (!accountNumber) throw notThisApproval('reports an issued virtual account without VbankNum', code)
    const nicepayBank = optional(answer, 'VbankBankCode')
    const bankCode = nicepayBank ? (NICEPAY_TO_KFTC[nicepayBank] ?? nicepayBank) : undefined
    const expDate = optional(answer, 'VbankExpDate')
    const dueDate = expDate
      ? parseKstCompact(`${expDate}${optional(answer, 'VbankExpTime') ?? ''}`)
      : undefined
    const { paidAt: _issuedAt, ...rest } = common
    return {
      ...rest,
      status: 'waiting_for_deposit',
      method: 'virtual_account',
      ...(authCode ? { approvalNumber: authCode } : {}),
      virtualAccount: {
        ...(bankCode ? { bankCode } : {}),
        bankName: optional(answer, 'VbankBankName') ?? bankCode ?? '',
        accountNumber,
        ...(dueDate ? { dueDate } : {}),
      },
    }
  }
  const cardName = optional(answer, 'CardName')
  return {
    ...common,
    status: 'paid',
    method: 'card',
    ...(authCode ? { approvalNumber: authCode } : {}),
    ...(cardName ? { cardName } : {}),
  }
}
