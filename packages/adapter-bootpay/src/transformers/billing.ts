import {
  assertKrw,
  type BillingKeyResult,
  type Buyer,
  type ChargeBillingKeyRequest,
  type ChargeResult,
  type IssueBillingKeyRequest,
  invalidRequest,
  kstIso,
  maskCardNumbers,
  PaymentError,
  parseKstCompact,
  requireText,
} from '@paymux/core'
import { type ApiVersion, type Json, num, obj, PROVIDER, str } from '../wire.js'

export interface BillingOptions {
  /** The PG that issues billing keys through Bootpay's REST issue (v1: `nicepay`, v2: e.g. `나이스페이`). */
  pg: string
  /** Bootpay `extra.subscribe_test_payment`: a test charge on issue. Omitted when undefined. */
  subscribeTestPayment?: boolean
  /** `feedback_url` sent with charges, so Bootpay notifies the merchant. */
  feedbackUrl?: string
}

/** Validates card data without ever putting it into an error message. */
export function validateCard(req: IssueBillingKeyRequest): { year: string; month: string; number: string } {
  const c = req.card
  if (!c || typeof c.number !== 'string') throw invalidRequest('card.number', 'is required')
  const number = c.number.replace(/[ -]/g, '')
  if (!/^\d{13,19}$/.test(number)) throw invalidRequest('card.number', 'must be 13-19 digits')
  if (typeof c.expiryYear !== 'string' || !/^(\d{2}|\d{4})$/.test(c.expiryYear)) {
    throw invalidRequest('card.expiryYear', 'must be two or four digits')
  }
  if (typeof c.expiryMonth !== 'string' || !/^(0?[1-9]|1[0-2])$/.test(c.expiryMonth)) {
    throw invalidRequest('card.expiryMonth', 'must be 01-12')
  }
  if (c.passwordPrefix !== undefined && !/^\d{2}$/.test(c.passwordPrefix)) {
    throw invalidRequest('card.passwordPrefix', 'must be two digits')
  }
  if (c.ownerId !== undefined && !/^(\d{6}|\d{10})$/.test(c.ownerId)) {
    throw invalidRequest('card.ownerId', 'must be a 6-digit birth date or a 10-digit business number')
  }
  requireText(req.requestId, 'requestId', 100)
  return { number, year: c.expiryYear.slice(-2), month: c.expiryMonth.padStart(2, '0') }
}

function user(version: ApiVersion, b: Buyer | undefined): Json {
  if (!b) return {}
  const u: Json = {
    ...(b.name ? { username: b.name } : {}),
    ...(b.phone ? { phone: b.phone } : {}),
    ...(b.email ? { email: b.email } : {}),
  }
  if (Object.keys(u).length === 0) return {}
  return version === 'v1' ? { user_info: u } : { user: u }
}

function extra(version: ApiVersion, o: BillingOptions): Json {
  if (o.subscribeTestPayment === undefined) return {}
  // v1 clients send 0/1, the v2 SDK a boolean.
  return {
    extra: {
      subscribe_test_payment: version === 'v1' ? (o.subscribeTestPayment ? 1 : 0) : o.subscribeTestPayment,
    },
  }
}

export function issueBody(version: ApiVersion, req: IssueBillingKeyRequest, o: BillingOptions): Json {
  const card = validateCard(req)
  const name = req.goodsName ?? 'paymux billing key'
  if (version === 'v1') {
    return {
      order_id: req.requestId,
      pg: o.pg,
      item_name: name,
      card_no: card.number,
      ...(req.card.passwordPrefix ? { card_pw: req.card.passwordPrefix } : {}),
      expire_year: card.year,
      expire_month: card.month,
      ...(req.card.ownerId ? { identify_number: req.card.ownerId } : {}),
      ...user(version, req.buyer),
      ...extra(version, o),
    }
  }
  return {
    pg: o.pg,
    order_name: name,
    subscription_id: req.requestId,
    card_no: card.number,
    ...(req.card.passwordPrefix ? { card_pw: req.card.passwordPrefix } : {}),
    ...(req.card.ownerId ? { card_identity_no: req.card.ownerId } : {}),
    card_expire_year: card.year,
    card_expire_month: card.month,
    ...user(version, req.buyer),
    ...extra(version, o),
  }
}

function noKey(): PaymentError {
  return new PaymentError({
    code: 'invalid_response',
    outcome: 'unknown',
    provider: PROVIDER,
    message: 'bootpay billing key: the answer carries no billing_key; a key may have been issued',
  })
}

const masked = (v: unknown) => {
  const s = str(v)
  return s ? maskCardNumbers(s) : undefined
}

export function readIssued(version: ApiVersion, r: Json, now: number): BillingKeyResult {
  const billingKey = str(r.billing_key)
  if (!billingKey) throw noKey()
  const card = obj(version === 'v1' ? r.data : r.billing_data) ?? {}
  const cardCode = str(version === 'v1' ? card.card_code : card.card_company_code)
  const cardName = str(version === 'v1' ? card.card_name : card.card_company)
  const cardNo = masked(card.card_no)
  const at = version === 'v1' ? parseKstCompact(str(r.c_at)) : str(r.published_at)
  return {
    billingKey,
    ...(cardCode ? { cardCode } : {}),
    ...(cardName ? { cardName } : {}),
    ...(cardNo ? { cardNumberMasked: cardNo } : {}),
    issuedAt: at && !Number.isNaN(Date.parse(at)) ? at : kstIso(now),
    providerCode: version === 'v1' ? '0' : (str(r.status) ?? ''),
    providerMessage: version === 'v1' ? 'issued' : (str(r.status_locale) ?? ''),
  }
}

/** A charge's own checks: ids, amounts, installments. */
export function validateCharge(req: ChargeBillingKeyRequest): void {
  requireText(req.billingKey, 'billingKey', 100)
  requireText(req.orderId, 'orderId', 100)
  requireText(req.goodsName, 'goodsName', 100)
  assertKrw(req.amount, 'amount', 1)
  if (req.taxFreeAmount !== undefined) {
    assertKrw(req.taxFreeAmount, 'taxFreeAmount')
    if (req.taxFreeAmount > req.amount) throw invalidRequest('taxFreeAmount', 'must not exceed amount')
  }
  const m = req.installmentMonths
  if (m !== undefined && (!Number.isInteger(m) || m < 0 || m > 36)) {
    throw invalidRequest('installmentMonths', 'must be a whole number of months, 0-36')
  }
}

export function chargeBody(version: ApiVersion, req: ChargeBillingKeyRequest, o: BillingOptions): Json {
  const months = req.installmentMonths
  const quota = months === undefined ? undefined : months <= 1 ? '00' : String(months).padStart(2, '0')
  if (version === 'v1') {
    return {
      billing_key: req.billingKey,
      order_id: req.orderId,
      item_name: req.goodsName,
      price: req.amount,
      ...(req.taxFreeAmount !== undefined ? { tax_free: req.taxFreeAmount } : {}),
      ...(quota !== undefined ? { quota } : {}),
      ...user(version, req.buyer),
      ...(o.feedbackUrl ? { feedback_url: o.feedbackUrl, feedback_content_type: 'json' } : {}),
    }
  }
  return {
    billing_key: req.billingKey,
    order_name: req.goodsName,
    order_id: req.orderId,
    price: req.amount,
    ...(req.taxFreeAmount !== undefined ? { tax_free: req.taxFreeAmount } : {}),
    ...(quota !== undefined ? { card_quota: quota } : {}),
    ...user(version, req.buyer),
    ...(o.feedbackUrl ? { feedback_url: o.feedbackUrl, content_type: 'application/json' } : {}),
  }
}

export function readCharge(
  version: ApiVersion,
  r: Json,
  req: ChargeBillingKeyRequest,
  now: number,
): ChargeResult {
  const transactionId = str(r.receipt_id)
  const status = str(r.status)
  if (!transactionId || (status !== undefined && status !== '1')) {
    throw new PaymentError({
      code: 'invalid_response',
      outcome: 'unknown',
      provider: PROVIDER,
      message: `bootpay charge: the answer is not a completed payment (status ${status ?? 'missing'}); reconcile by order id`,
    })
  }
  const price = num(r.price)
  if (price !== undefined && price !== req.amount) {
    throw new PaymentError({
      code: 'invalid_response',
      outcome: 'unknown',
      provider: PROVIDER,
      message: `bootpay charge: the answer says ${price} was charged, ${req.amount} was asked; reconcile by order id`,
    })
  }
  const card = version === 'v1' ? r : (obj(r.card_data) ?? {})
  const cardCode = str(version === 'v1' ? card.card_code : card.card_company_code)
  const cardName = str(version === 'v1' ? card.card_name : card.card_company)
  const approval = str(version === 'v1' ? obj(r.payment_data)?.card_auth_no : card.card_approve_no)
  const at = version === 'v1' ? parseKstCompact(str(r.purchased_at)) : str(r.purchased_at)
  return {
    status: 'paid',
    transactionId,
    amount: req.amount,
    approvedAt: at && !Number.isNaN(Date.parse(at)) ? at : kstIso(now),
    ...(approval ? { approvalNumber: approval } : {}),
    ...(cardCode ? { cardCode } : {}),
    ...(cardName ? { cardName } : {}),
    providerCode: status ?? '1',
    providerMessage: str(r.status_locale) ?? str(r.method_name) ?? 'paid',
  }
}
