import {
  type IssueVirtualAccountRequest,
  assertKrw,
  bankByCode,
  invalidRequest,
  kstCompact,
  kstIso,
  PaymentError,
  parseKstCompact,
  unsupported,
  type VirtualAccountResult,
} from '@paymux/core'
import { KFTC_TO_NICEPAY, NICEPAY_TO_KFTC, NICEPAY_VBANK_BANKS } from '../banks.js'
import { signData } from '../crypto.js'
import { assertAsciiId, assertEucKrText } from '../encoding.js'
import type { NicePayAnswer } from '../wire.js'
import { ANSWER_PREFS, amountOf, type FormPairs, kstTime, optional, requireEcho } from './common.js'
import { buyerPairs } from './fields.js'

/** VbankExpDate: `yyyyMMdd` for a date (end of that day) or `yyyyMMddHHmm` (KST) for an instant. */
export function vbankExpDate(dueDate: string, now: number): string {
  if (typeof dueDate !== 'string') throw invalidRequest('dueDate', 'is required')
  let out: string
  if (/^\d{4}-\d{2}-\d{2}$/.test(dueDate)) {
    out = dueDate.replace(/-/g, '')
    if (kstIso(Date.parse(`${dueDate}T00:00:00+09:00`)).slice(0, 10) !== dueDate) {
      throw invalidRequest('dueDate', 'is not a calendar date')
    }
    if (out < kstCompact(now).slice(0, 8)) throw invalidRequest('dueDate', 'is in the past')
    return out
  }
  const t = Date.parse(dueDate)
  if (Number.isNaN(t) || !/[zZ]|[+-]\d{2}:?\d{2}$/.test(dueDate)) {
    throw invalidRequest('dueDate', 'must be YYYY-MM-DD or an ISO timestamp with an offset')
  }
  if (t <= now) throw invalidRequest('dueDate', 'is in the past')
  out = kstCompact(t).slice(0, 12)
  return out
}

/** What a virtual-account request becomes once checked: the values the form sends. */
export interface CheckedVirtualAccount {
  amt: string
  bank: string
  exp: string
  receipt?: { type: '1' | '2'; no: string }
}

/** Every pre-flight check of get_vacount, pure: the same errors the call would throw, naming the field. */
export function checkVirtualAccount(req: IssueVirtualAccountRequest, now: number): CheckedVirtualAccount {
  assertAsciiId(String(req.orderId ?? ''), 'orderId', 64)
  const amt = String(assertKrw(req.amount, 'amount', 1))
  if (req.taxFreeAmount !== undefined && req.taxFreeAmount !== 0) {
    throw unsupported('nicepay', 'taxFreeAmount', 'get_vacount has no tax-free amount field')
  }
  if (typeof req.goodsName !== 'string' || !req.goodsName.trim())
    throw invalidRequest('goodsName', 'is required')
  assertEucKrText(req.goodsName, 'goodsName', 40)
  const bank = KFTC_TO_NICEPAY[req.bankCode]
  if (!bank) throw invalidRequest('bankCode', 'must be a KFTC 3-digit bank code')
  if (!NICEPAY_VBANK_BANKS.has(bank))
    throw invalidRequest('bankCode', 'NicePay issues no virtual accounts at this bank')
  const exp = vbankExpDate(req.dueDate, now)
  const checked: CheckedVirtualAccount = { amt, bank, exp }
  const rc = req.cashReceipt
  if (rc) {
    const no = String(rc.identifier ?? '').replace(/-/g, '')
    if (!/^\d{10,11}$/.test(no)) throw invalidRequest('cashReceipt.identifier', 'must be 10-11 digits')
    checked.receipt = { type: rc.type === 'proof_of_expense' ? '2' : '1', no }
  }
  if (req.depositorName) assertEucKrText(req.depositorName, 'depositorName', 30)
  buyerPairs(req.buyer)
  return checked
}

export function vacountForm(
  req: IssueVirtualAccountRequest,
  ctx: { tid: string; mid: string; ediDate: string; merchantKey: string; now: number },
): FormPairs {
  const { amt, bank, exp, receipt } = checkVirtualAccount(req, ctx.now)
  const pairs: FormPairs = [
    ['TID', ctx.tid],
    ['MID', ctx.mid],
    ['EdiDate', ctx.ediDate],
    ['Moid', req.orderId],
    ['Amt', amt],
    ['GoodsName', req.goodsName],
    ['SignData', signData.vacount(ctx.mid, amt, ctx.ediDate, req.orderId, ctx.merchantKey)],
  ]
  if (receipt) pairs.push(['CashReceiptType', receipt.type], ['ReceiptTypeNo', receipt.no])
  else pairs.push(['CashReceiptType', '0'])
  pairs.push(['BankCode', bank], ['VbankExpDate', exp])
  if (req.depositorName) pairs.push(['VbankAccountName', req.depositorName])
  pairs.push(...buyerPairs(req.buyer), ...ANSWER_PREFS)
  return pairs
}

/**
 * Seed 001 marks TID, Moid and Amt of the issue answer 필수: they must be the ones sent, or the account named is
 * not provably the one asked for (another order's, another amount) and the outcome is unknown.
 */
export function virtualAccountResult(
  answer: NicePayAnswer,
  req: IssueVirtualAccountRequest,
  tid: string,
  now: number,
): VirtualAccountResult {
  requireEcho(answer, 'TID', [tid], 'virtual-account issue')
  requireEcho(answer, 'Moid', [req.orderId], 'virtual-account issue')
  const nicepayBank = optional(answer, 'VbankBankCode') ?? KFTC_TO_NICEPAY[req.bankCode]!
  const bankCode = NICEPAY_TO_KFTC[nicepayBank] ?? nicepayBank
  const expDate = optional(answer, 'VbankExpDate')
  const expTime = optional(answer, 'VbankExpTime')
  const accountNumber = optional(answer, 'VbankNum')
  const amount = amountOf(answer, 'Amt', true)
  if (amount !== req.amount) {
    throw new PaymentError({
      code: 'invalid_response',
      outcome: 'unknown',
      provider: 'nicepay',
      providerCode: answer.ResultCode,
      message: `nicepay reported a virtual account for ${amount} won where ${req.amount} was asked; the outcome is unknown`,
    })
  }
  if (!accountNumber) {
    throw new PaymentError({
      code: 'invalid_response',
      outcome: 'unknown',
      provider: 'nicepay',
      providerCode: answer.ResultCode,
      message: 'nicepay reported an issued virtual account without VbankNum; the outcome is unknown',
    })
  }
  const result: VirtualAccountResult = {
    transactionId: tid,
    bankCode,
    bankName: optional(answer, 'VbankBankName') ?? bankByCode(bankCode)?.name ?? bankCode,
    accountNumber,
    amount,
    dueDate:
      parseKstCompact(expDate ? `${expDate}${expTime ?? ''}` : vbankExpDate(req.dueDate, 0)) ?? kstIso(now),
    issuedAt: kstTime(optional(answer, 'AuthDate'), now),
    providerCode: answer.ResultCode!,
    providerMessage: answer.ResultMsg ?? '',
  }
  if (req.depositorName) result.holderName = req.depositorName
  return result
}
