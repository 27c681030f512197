import {
  assertKrw,
  type BillingKeyResult,
  type ChargeBillingKeyRequest,
  type ChargeResult,
  type DeleteBillingKeyRequest,
  type DeleteBillingKeyResult,
  type IssueBillingKeyRequest,
  invalidRequest,
  kstIso,
  PaymentError,
  requireText,
  unsupported,
} from '@paymux/core'
import { signData } from '../crypto.js'
import { assertAsciiId, assertEucKrText } from '../encoding.js'
import type { NicePayAnswer } from '../wire.js'
import { ANSWER_PREFS, amountOf, type FormPairs, kstTime, optional, requireEcho } from './common.js'
import { buyerPairs, cardPlaintext } from './fields.js'

export function registForm(ctx: {
  mid: string
  ediDate: string
  moid: string
  encData: string
  merchantKey: string
}) {
  const pairs: FormPairs = [
    ['MID', ctx.mid],
    ['EdiDate', ctx.ediDate],
    ['Moid', ctx.moid],
    ['EncData', ctx.encData],
    ['SignData', signData.billingRegist(ctx.mid, ctx.ediDate, ctx.moid, ctx.merchantKey)],
  ]
  return pairs
}

export function billingKeyResult(answer: NicePayAnswer, now: number): BillingKeyResult {
  const bid = optional(answer, 'BID')
  if (!bid) {
    throw new PaymentError({
      code: 'invalid_response',
      outcome: 'unknown',
      provider: 'nicepay',
      providerCode: answer.ResultCode,
      message: 'nicepay reported a billing key without BID; the outcome is unknown',
    })
  }
  const r: BillingKeyResult = {
    billingKey: bid,
    issuedAt: kstIso(now),
    providerCode: answer.ResultCode!,
    providerMessage: answer.ResultMsg ?? '',
  }
  const code = optional(answer, 'CardCode')
  const name = optional(answer, 'CardName')
  if (code) r.cardCode = code
  if (name) r.cardName = name
  return r
}

/**
 * Every pre-flight check of billing_regist, pure: the order id, the card fields (messages never quote them)
 * and the buyer. NicePay has no customer field; a customerId is only checked for shape.
 */
export function checkBillingKey(req: IssueBillingKeyRequest): { moid: string } {
  const moid = assertAsciiId(String(req.requestId ?? ''), 'requestId', 64)
  if (req.customerId !== undefined) requireText(req.customerId, 'customerId', 100)
  cardPlaintext(req.card)
  buyerPairs(req.buyer)
  return { moid }
}

/** Every pre-flight check of billkey_remove, pure. */
export function checkDelete(req: DeleteBillingKeyRequest): { bid: string } {
  const bid = assertBid(req.billingKey)
  if (req.requestId !== undefined) assertAsciiId(req.requestId, 'requestId', 64)
  return { bid }
}

export function assertBid(bid: unknown): string {
  if (typeof bid !== 'string' || !bid) throw invalidRequest('billingKey', 'is required')
  return assertAsciiId(bid, 'billingKey', 30, /^[A-Za-z0-9]+$/)
}

/** Every pre-flight check of billing_approve, pure. Returns the values the form sends. */
export function checkCharge(req: ChargeBillingKeyRequest): { bid: string; amt: string; quota: string } {
  const bid = assertBid(req.billingKey)
  assertAsciiId(String(req.orderId ?? ''), 'orderId', 64)
  const amt = String(assertKrw(req.amount, 'amount', 1))
  if (req.taxFreeAmount !== undefined && req.taxFreeAmount !== 0) {
    throw unsupported('nicepay', 'taxFreeAmount', 'the billing charge is not wired for tax-free amounts')
  }
  if (typeof req.goodsName !== 'string' || !req.goodsName.trim())
    throw invalidRequest('goodsName', 'is required')
  assertEucKrText(req.goodsName, 'goodsName', 40)
  const months = req.installmentMonths ?? 0
  if (!Number.isInteger(months) || months < 0 || months > 99) {
    throw invalidRequest('installmentMonths', 'must be a whole number of months (0 = lump sum)')
  }
  buyerPairs(req.buyer)
  return { bid, amt, quota: String(months <= 1 ? 0 : months).padStart(2, '0') }
}

export function approveForm(
  req: ChargeBillingKeyRequest,
  ctx: { tid: string; mid: string; ediDate: string; merchantKey: string },
): FormPairs {
  const { bid, amt, quota } = checkCharge(req)
  return [
    ['BID', bid],
    ['MID', ctx.mid],
    ['TID', ctx.tid],
    ['EdiDate', ctx.ediDate],
    ['Moid', req.orderId],
    ['Amt', amt],
    ['GoodsName', req.goodsName],
    ['SignData', signData.billingApprove(ctx.mid, ctx.ediDate, req.orderId, amt, bid, ctx.merchantKey)],
    ['CardInterest', req.interestFree ? '1' : '0'],
    ['CardQuota', quota],
    ...buyerPairs(req.buyer),
    ...ANSWER_PREFS,
  ]
}

/**
 * Seed 002 marks TID, Moid and Amt of the approve answer 필수: the TID is the fresh one sent, the Moid the order
 * id, the amount the one asked. Anything else is not provably this charge: unknown.
 */
export function chargeResult(
  answer: NicePayAnswer,
  req: ChargeBillingKeyRequest,
  tid: string,
  now: number,
): ChargeResult {
  requireEcho(answer, 'TID', [tid], 'billing approval')
  requireEcho(answer, 'Moid', [req.orderId], 'billing approval')
  const amount = amountOf(answer, 'Amt', true)
  if (amount !== req.amount) {
    throw new PaymentError({
      code: 'invalid_response',
      outcome: 'unknown',
      provider: 'nicepay',
      providerCode: answer.ResultCode,
      message: `nicepay reported a charge of ${amount} won where ${req.amount} was asked; the outcome is unknown`,
    })
  }
  const r: ChargeResult = {
    status: 'paid',
    transactionId: tid,
    amount,
    approvedAt: kstTime(optional(answer, 'AuthDate'), now),
    providerCode: answer.ResultCode!,
    providerMessage: answer.ResultMsg ?? '',
  }
  const authCode = optional(answer, 'AuthCode')
  const code = optional(answer, 'CardCode')
  const name = optional(answer, 'CardName')
  if (authCode) r.approvalNumber = authCode
  if (code) r.cardCode = code
  if (name) r.cardName = name
  return r
}

export function removeForm(ctx: {
  bid: string
  mid: string
  ediDate: string
  moid: string
  merchantKey: string
}) {
  const pairs: FormPairs = [
    ['BID', ctx.bid],
    ['MID', ctx.mid],
    ['EdiDate', ctx.ediDate],
    ['Moid', ctx.moid],
    // Seed 002's table lists "Amt | 12 byte | 필수" while its samples and the SignData leave it out. A removal
    // charges nothing, so 0 is the truthful value: it satisfies a server that requires the field and means
    // nothing to one that ignores it. It is not part of the SignData either way.
    ['Amt', '0'],
    ['SignData', signData.billkeyRemove(ctx.mid, ctx.ediDate, ctx.moid, ctx.bid, ctx.merchantKey)],
    ...ANSWER_PREFS,
  ]
  return pairs
}

export function deletedResult(answer: NicePayAnswer, now: number): DeleteBillingKeyResult {
  return {
    deletedAt: kstIso(now),
    providerCode: answer.ResultCode!,
    providerMessage: answer.ResultMsg ?? '',
  }
}
