import type {
  ApprovedCheckout,
  CheckoutExpected,
  CheckoutLaunch,
  CheckoutMethod,
  CheckoutRequest,
  CheckoutResult,
  CheckoutReturn,
} from '@paymux/core'
import { invalidRequest } from '@paymux/core'
import { depositAccountOf } from './lookup.js'
import { invalidResponse, type Json, krw, obj, str } from '../wire.js'

/** The SDK's method names (Korean, like Payment.method). */
const METHOD_OF: Record<CheckoutMethod, string> = { card: '카드', virtual_account: '가상계좌' }

/** orderId: `[A-Za-z0-9_-]`, 6–64 characters (spec §1.2). */
export const ORDER_ID = /^[A-Za-z0-9_-]{6,64}$/

/** What Toss's window takes beyond the shared checks. */
export function validateCheckoutForToss(req: CheckoutRequest, clientKey: string | undefined): void {
  if (!ORDER_ID.test(req.orderId))
    throw invalidRequest('orderId', 'must be 6-64 letters, digits, - or _ (Toss order id)')
  if (req.orderName.length > 100) throw invalidRequest('orderName', 'must be at most 100 characters')
  if (req.amount < 100) throw invalidRequest('amount', 'must be at least 100 won (Toss card minimum)')
  for (const field of ['returnUrl', 'closeUrl'] as const)
    if (!/^https?:$/.test(new URL(req[field]).protocol)) throw invalidRequest(field, 'must be an http(s) URL')
  if (!clientKey) throw invalidRequest('clientKey', 'the account has no clientKey: Toss checkouts need one')
}

/** JSON inside an inline script: nothing in it can close the element or break the line. */
const scriptJson = (v: unknown) =>
  JSON.stringify(v)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029')

/**
 * The page's start: `TossPayments(clientKey).requestPayment(method, params)` in the redirect flow. Both the
 * success and the fail URL are the host's return URL: Toss adds `paymentKey, orderId, amount` to one and
 * `code, message, orderId` to the other, which tells them apart. An SDK-side refusal before the window
 * (bad parameters) goes to the return URL the same way; a customer who closes the window, to `closeUrl`.
 */
export function launchOf(req: CheckoutRequest, clientKey: string, sdkUrl: string): CheckoutLaunch {
  const params: Json = {
    amount: req.amount,
    orderId: req.orderId,
    orderName: req.orderName,
    ...(req.customer?.name ? { customerName: req.customer.name } : {}),
    ...(req.customer?.email ? { customerEmail: req.customer.email } : {}),
    ...(req.taxFreeAmount !== undefined ? { taxFreeAmount: req.taxFreeAmount } : {}),
    successUrl: req.returnUrl,
    failUrl: req.returnUrl,
  }
  const start = `(function () {
  var clientKey = ${scriptJson(clientKey)};
  var method = ${scriptJson(METHOD_OF[req.method])};
  var params = ${scriptJson(params)};
  var returnUrl = ${scriptJson(req.returnUrl)};
  var closeUrl = ${scriptJson(req.closeUrl)};
  TossPayments(clientKey).requestPayment(method, params).catch(function (err) {
    if (err && (err.code === 'USER_CANCEL' || err.code === 'PAY_PROCESS_CANCELED')) { window.location.assign(closeUrl); return; }
    var u = new URL(returnUrl);
    u.searchParams.set('code', (err && err.code) || 'SDK_ERROR');
    u.searchParams.set('message', (err && err.message) || '');
    u.searchParams.set('orderId', params.orderId);
    window.location.assign(u.toString());
  });
})();`
  return { scripts: [sdkUrl], start, origins: [new URL(sdkUrl).origin] }
}

/**
 * Reads the success / fail redirect. The browser's `amount` and `orderId` are compared with the STORED order
 * before any confirm (spec §1.2: "compare amount/orderId to its own record first"); the approval carries the
 * stored amount, never the browser's.
 */
export function readReturn(input: CheckoutReturn, expected: CheckoutExpected): CheckoutResult {
  const q: Record<string, string> = { ...input.query }
  if (input.method === 'POST' && input.rawBody.length > 0) {
    for (const [k, v] of new URLSearchParams(new TextDecoder().decode(input.rawBody))) q[k] ??= v
  }
  const paymentKey = q.paymentKey
  if (!paymentKey) {
    if (!q.code) return { outcome: 'refused', reason: 'the return carries neither a paymentKey nor a code' }
    if (q.orderId !== undefined && q.orderId !== expected.orderId)
      return { outcome: 'refused', reason: 'the fail redirect names another order' }
    return { outcome: 'declined', code: q.code, message: q.message ?? '' }
  }
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(paymentKey)) return { outcome: 'refused', reason: 'not a paymentKey' }
  if (q.orderId !== expected.orderId) return { outcome: 'refused', reason: 'the result names another order' }
  if (q.amount !== String(expected.amount))
    return { outcome: 'refused', reason: `the result's amount differs from the order's (${expected.amount})` }
  return {
    outcome: 'authenticated',
    approval: {
      transactionId: paymentKey,
      amount: expected.amount,
      data: { paymentKey, orderId: expected.orderId, paymentType: q.paymentType ?? 'NORMAL' },
    },
  }
}

/** A confirmed Payment as the host reads it; one for another payment or order is unknown, never approved. */
export function approvedFrom(
  p: Json,
  paymentKey: string,
  expected: CheckoutExpected,
  bankCodes: Readonly<Record<string, string>>,
  operation: string,
): ApprovedCheckout {
  if (str(p.paymentKey) !== paymentKey || str(p.orderId) !== expected.orderId)
    throw invalidResponse(operation, 'the answer names another payment (a reused Idempotency-Key?)', true)
  const status = str(p.status)
  const amount = krw(p.totalAmount)
  if (amount === undefined) throw invalidResponse(operation, 'the answer has no totalAmount', true)
  if (status !== 'DONE' && status !== 'WAITING_FOR_DEPOSIT')
    throw invalidResponse(operation, `the confirmed payment is ${status ?? 'without a status'}`, true)
  const card = obj(p.card)
  const method: CheckoutMethod = str(p.method) === '가상계좌' ? 'virtual_account' : 'card'
  const virtualAccount = depositAccountOf(p, bankCodes)
  return {
    status: status === 'DONE' ? 'paid' : 'waiting_for_deposit',
    transactionId: paymentKey,
    amount,
    method,
    ...(status === 'DONE' && str(p.approvedAt) ? { paidAt: str(p.approvedAt)! } : {}),
    ...(str(card?.approveNo) ? { approvalNumber: str(card?.approveNo)! } : {}),
    ...(virtualAccount ? { virtualAccount } : {}),
    // A virtual account's webhooks carry this (spec §1.7): the confirm is the one answer that gives it.
    ...(str(p.secret) ? { notificationSecret: str(p.secret)! } : {}),
    providerCode: status,
    providerMessage: '',
  }
}
