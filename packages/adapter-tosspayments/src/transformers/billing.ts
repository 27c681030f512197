import {
  assertKrw,
  type BillingKeyResult,
  type ChargeBillingKeyRequest,
  type ChargeResult,
  type IssueBillingKeyRequest,
  invalidRequest,
  requireText,
} from '@paymux/core'
import { invalidResponse, type Json, krw, obj, str } from '../wire.js'
import { ORDER_ID } from './checkout.js'

/**
 * A Toss charge must repeat the customerKey the key was issued for (NOT_MATCHES_CUSTOMER_KEY otherwise), and the
 * neutral charge request carries only the billing key: the key paymux hands out is `{customerKey}:{billingKey}`.
 * Toss's customerKey never holds a colon (letters, digits, `-_=.@`), so the first colon splits them.
 */
export function splitBillingKey(key: string): { customerKey: string; billingKey: string } {
  requireText(key, 'billingKey', 700)
  const at = key.indexOf(':')
  if (at <= 0 || at === key.length - 1)
    throw invalidRequest('billingKey', 'is not a key this adapter issued ({customerKey}:{billingKey})')
  return { customerKey: key.slice(0, at), billingKey: key.slice(at + 1) }
}

/** customerKey: 2–300 of letters, digits and `-_=.@` (Toss's rule for it). */
const CUSTOMER_KEY = /^[A-Za-z0-9\-_=.@]{2,300}$/

export function validateIssue(req: IssueBillingKeyRequest): void {
  requireText(req.requestId, 'requestId', 200)
  const customerKey = req.customerId ?? `paymux-${req.requestId}`
  if (!CUSTOMER_KEY.test(customerKey))
    throw invalidRequest(
      req.customerId ? 'customerId' : 'requestId',
      'must be 2-300 of letters, digits and -_=.@',
    )
  const c = req.card
  if (!c || !/^\d{15,16}$/.test(String(c.number).replace(/[\s-]/g, '')))
    throw invalidRequest('card.number', 'must be 15-16 digits')
  if (!/^(\d{2}|\d{4})$/.test(String(c.expiryYear)))
    throw invalidRequest('card.expiryYear', 'must be YY or YYYY')
  if (!/^\d{1,2}$/.test(String(c.expiryMonth)) || Number(c.expiryMonth) < 1 || Number(c.expiryMonth) > 12)
    throw invalidRequest('card.expiryMonth', 'must be 1-12')
  if (!c.ownerId || !/^(\d{6}|\d{10})$/.test(c.ownerId))
    throw invalidRequest('card.ownerId', 'Toss needs the birth date (YYMMDD) or business number')
}

export function validateCharge(req: ChargeBillingKeyRequest): void {
  splitBillingKey(req.billingKey)
  if (!ORDER_ID.test(String(req.orderId)))
    throw invalidRequest('orderId', 'must be 6-64 letters, digits, - or _')
  assertKrw(req.amount, 'amount', 100)
  requireText(req.goodsName, 'goodsName', 100)
  if (req.taxFreeAmount !== undefined) {
    assertKrw(req.taxFreeAmount, 'taxFreeAmount')
    if (req.taxFreeAmount > req.amount) throw invalidRequest('taxFreeAmount', 'must not exceed amount')
  }
}

export function billingKeyOf(body: Json, customerKey: string, now: number): BillingKeyResult {
  const key = str(body.billingKey)
  if (!key) throw invalidResponse('billing_issue', 'the answer has no billingKey', false)
  const card = obj(body.card)
  const masked = str(card?.number) ?? str(body.cardNumber)
  return {
    billingKey: `${customerKey}:${key}`,
    ...(str(card?.issuerCode) ? { cardCode: str(card?.issuerCode)! } : {}),
    ...(str(body.cardCompany) ? { cardName: str(body.cardCompany)! } : {}),
    ...(masked?.includes('*') ? { cardNumberMasked: masked } : {}),
    issuedAt: str(body.authenticatedAt) ?? new Date(now).toISOString(),
    providerCode: 'OK',
    providerMessage: '',
  }
}

/** A billing charge answers a Payment (type BILLING); anything but a DONE one for this order is unknown. */
export function chargedFrom(p: Json, req: ChargeBillingKeyRequest): ChargeResult {
  const amount = krw(p.totalAmount)
  const paymentKey = str(p.paymentKey)
  if (!paymentKey || str(p.orderId) !== req.orderId)
    throw invalidResponse('billing_charge', 'the answer names another order', true)
  if (str(p.status) !== 'DONE')
    throw invalidResponse('billing_charge', `the charge is ${str(p.status)}`, true)
  if (amount !== req.amount) throw invalidResponse('billing_charge', `the answer charged ${amount}`, true)
  const card = obj(p.card)
  return {
    status: 'paid',
    transactionId: paymentKey,
    amount,
    approvedAt: str(p.approvedAt) ?? '',
    ...(str(card?.approveNo) ? { approvalNumber: str(card?.approveNo)! } : {}),
    ...(str(card?.issuerCode) ? { cardCode: str(card?.issuerCode)! } : {}),
    providerCode: 'DONE',
    providerMessage: '',
  }
}
