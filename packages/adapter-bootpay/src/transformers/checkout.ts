import {
  type AmountedLookup,
  type ApprovedCheckout,
  type CheckoutExpected,
  type CheckoutMethod,
  type CheckoutRequest,
  type CheckoutReturn,
  type CheckoutVirtualAccount,
  invalidRequest,
  kstParts,
  parseKstCompact,
} from '@paymux/core'
import { type ApiVersion, type Json, num, obj, str } from '../wire.js'
import { parseNotificationBody } from './notification.js'

/** The `@bootpay/client-js` build the checkout page loads (checkout.md §2.1: 5.x, 3.x/4.x deprecated). */
export const BOOTPAY_SDK_VERSION = '5.3.0'
export const BOOTPAY_SDK_ORIGIN = 'https://js.bootpay.co.kr'
export const sdkPath = (version = BOOTPAY_SDK_VERSION) => `/bootpay-${version}.min.js`

/** Bootpay's method names for what a checkout can take. */
const METHOD_OF: Record<CheckoutMethod, string> = { card: 'card', virtual_account: 'vbank' }

/** Receipt statuses (bootpay.md §5.3) as a checkout reads them. */
export const AWAITING_CONFIRM = '2'
export const APPROVED_STATUSES: ReadonlySet<string> = new Set(['1', '5'])
/** Nothing was approved and nothing will be: waiting without a window, failed midway, approval failed. */
export const NEVER_APPROVED_STATUSES: ReadonlySet<string> = new Set(['0', '-1', '-2'])

/** `yyyy-mm-dd HH:MM:SS` in KST, the form of `extra.deposit_expiration`. */
function depositExpiration(iso: string): string {
  const t = kstParts(Date.parse(iso))
  return `${t.yyyy}-${t.MM}-${t.dd} ${t.HH}:${t.mm}:${t.ss}`
}

/** The checks Bootpay's window needs beyond the shared ones. */
export function validateCheckout(req: CheckoutRequest): void {
  for (const field of ['returnUrl', 'closeUrl'] as const) {
    if (!/^https?:$/.test(new URL(req[field]).protocol)) throw invalidRequest(field, 'must be an http(s) URL')
  }
  if (req.method === 'virtual_account' && Number.isNaN(Date.parse(req.expiresAt)))
    throw invalidRequest('expiresAt', 'must be an ISO-8601 time (the deposit deadline follows it)')
  const phone = req.customer?.phone
  if (phone !== undefined && !/^[0-9-]{8,20}$/.test(phone))
    throw invalidRequest('customer.phone', 'must be 8-20 digits (dashes allowed)')
  if (req.customer?.email !== undefined && !/^[^\s@]+@[^\s@]+$/.test(req.customer.email))
    throw invalidRequest('customer.email', 'must be an e-mail address')
}

/**
 * `Bootpay.requestPayment(...)`'s argument (checkout.md §2.2): separately confirmed, so the window stops after
 * the customer authenticated and the server confirms; redirect mode, so the result comes back to `returnUrl`
 * by GET whatever the device.
 */
export function checkoutPayload(req: CheckoutRequest, o: { applicationId: string; pg?: string }): Json {
  const c = req.customer
  const user: Json = {
    ...(c?.name ? { username: c.name } : {}),
    ...(c?.email ? { email: c.email } : {}),
    ...(c?.phone ? { phone: c.phone.replace(/-/g, '') } : {}),
  }
  return {
    application_id: o.applicationId,
    price: req.amount,
    ...(req.taxFreeAmount !== undefined ? { tax_free: req.taxFreeAmount } : {}),
    order_name: req.orderName,
    order_id: req.orderId,
    // Without a pg Bootpay shows its own window listing the merchant's PGs.
    ...(o.pg ? { pg: o.pg } : {}),
    method: METHOD_OF[req.method],
    ...(Object.keys(user).length > 0 ? { user } : {}),
    redirect_url: req.returnUrl,
    extra: {
      separately_confirmed: true,
      open_type: 'redirect',
      redirect_url: req.returnUrl,
      display_success_result: false,
      display_error_result: false,
      ...(req.method === 'virtual_account' ? { deposit_expiration: depositExpiration(req.expiresAt) } : {}),
    },
  }
}

/** JSON placed inside an inline script: nothing in it can close the script element or break the line. */
const scriptJson = (v: unknown) =>
  JSON.stringify(v)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029')

/**
 * Opens the window. In redirect mode the SDK leaves the page and Bootpay lands on `returnUrl`; should it resolve
 * here instead (an SDK that chose an iframe), the result is carried to `returnUrl` the same way, so the host
 * reads one shape only. A closed window goes to `closeUrl`; an SDK-local error (bad parameters) to `returnUrl`
 * as an error event.
 */
export function startScript(payload: Json, returnUrl: string, closeUrl: string): string {
  return `(function () {
  var payload = ${scriptJson(payload)};
  var returnUrl = ${scriptJson(returnUrl)};
  var closeUrl = ${scriptJson(closeUrl)};
  function back(fields) {
    var u = new URL(returnUrl);
    Object.keys(fields).forEach(function (k) {
      if (fields[k] !== undefined && fields[k] !== null && typeof fields[k] !== 'object') u.searchParams.set(k, String(fields[k]));
    });
    window.location.assign(u.toString());
  }
  document.addEventListener('bootpayclose', function () { window.location.assign(closeUrl); });
  Bootpay.requestPayment(payload).then(function (res) {
    var d = (res && res.data) || {};
    back({ event: res && res.event, receipt_id: (res && res.receipt_id) || d.receipt_id, order_id: (res && res.order_id) || d.order_id });
  }, function (err) {
    if (err && (err.event === 'cancel' || err.error_code === 'RC_CLOSE_WINDOW')) { window.location.assign(closeUrl); return; }
    back({ event: 'error', error_code: err && err.error_code, pg_error_code: err && err.pg_error_code, message: err && err.message, receipt_id: err && err.receipt_id });
  });
})();`
}

/** The result as it reached the return URL: the redirect's query, and a body if something posted one. */
export function returnFields(input: CheckoutReturn): Json {
  const body =
    input.method === 'POST' ? parseNotificationBody(input.rawBody, { ...input.headers }) : undefined
  return { ...input.query, ...(body ?? {}) }
}

/** A receipt id as Bootpay makes them (24 hex in practice); anything else is not worth a lookup. */
export const RECEIPT_ID = /^[A-Za-z0-9_-]{1,64}$/

/**
 * Why the receipt is not the stored order, or undefined when it is. The receipt's price is what the browser
 * sent to Bootpay: a changed price shows here and nowhere else.
 */
export function mismatch(t: AmountedLookup, expected: CheckoutExpected): string | undefined {
  if (t.orderId !== expected.orderId) return 'the receipt belongs to another order'
  if (t.amount !== expected.amount)
    return `the receipt's price (${t.amount}) differs from the order's amount (${expected.amount})`
  const method = t.method === 'virtual_account' ? 'virtual_account' : t.method === 'card' ? 'card' : undefined
  if (method !== undefined && method !== expected.method)
    return `the receipt was paid by ${method}, the order asked for ${expected.method}`
  return undefined
}

function iso(v: unknown): string | undefined {
  const s = str(v)
  if (!s) return undefined
  if (/T.*([+-]\d\d:?\d\d|Z)$/.test(s) && !Number.isNaN(Date.parse(s))) return s
  return parseKstCompact(s)
}

function virtualAccountOf(version: ApiVersion, r: Json): CheckoutVirtualAccount | undefined {
  // v2: `vbank_data` (bootpay.md §5.2); v1 keeps it in `payment_data` (the simulator's spelling, undocumented).
  const v = version === 'v2' ? obj(r.vbank_data) : obj(r.payment_data)
  if (!v) return undefined
  const accountNumber = str(version === 'v2' ? v.bank_account : v.account)
  const bankName = str(version === 'v2' ? v.bank_name : v.bankname) ?? ''
  if (!accountNumber) return undefined
  const bankCode = str(version === 'v2' ? v.bank_code : v.bankcode)
  const holderName = str(version === 'v2' ? v.bank_username : v.accountholder)
  const dueDate = iso(version === 'v2' ? v.expired_at : v.expiredate)
  return {
    bankName,
    accountNumber,
    ...(bankCode ? { bankCode } : {}),
    ...(holderName ? { holderName } : {}),
    ...(dueDate ? { dueDate } : {}),
  }
}

/** An approved receipt (status 1, or 5 for an issued virtual account) as the host reads it. */
export function approvedFrom(version: ApiVersion, r: Json, t: AmountedLookup): ApprovedCheckout {
  const waiting = t.providerStatus === '5'
  const card = version === 'v2' ? obj(r.card_data) : obj(r.payment_data)
  const approvalNumber = str(version === 'v2' ? card?.card_approve_no : card?.card_auth_no)
  const cardName = str(version === 'v2' ? card?.card_company : card?.card_name)
  const va = t.method === 'virtual_account' ? virtualAccountOf(version, r) : undefined
  return {
    status: waiting ? 'waiting_for_deposit' : 'paid',
    transactionId: t.transactionId,
    amount: t.amount,
    method: t.method === 'virtual_account' ? 'virtual_account' : 'card',
    ...(t.approvedAt && !waiting ? { paidAt: t.approvedAt } : {}),
    ...(approvalNumber && t.method !== 'virtual_account' ? { approvalNumber } : {}),
    ...(cardName && t.method !== 'virtual_account' ? { cardName } : {}),
    ...(va ? { virtualAccount: va } : {}),
    providerCode: t.providerStatus ?? '',
    providerMessage: str(r.status_locale) ?? str(r.status_ko) ?? '',
  }
}

/** The numeric status a confirm answer carries, when it carries one. */
export const answeredStatus = (r: Json): string | undefined =>
  num(r.status) !== undefined ? String(num(r.status)) : undefined
