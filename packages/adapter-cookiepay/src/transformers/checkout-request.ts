import {
  type CheckoutMethod,
  type CheckoutRequest,
  type HttpResponse,
  invalidRequest,
  PaymentError,
} from '@paymux/core'
import { errorForAnswer, SUCCESS } from '../codes.js'
import { decodeBody, Fields, invalidResponse, PROVIDER } from '../wire.js'

/**
 * Request limits. CookiePay's request table was not readable; these are the response-side lengths of the
 * approval Noti (research §5.2), counted in characters as CookiePay's PHP samples count.
 */
export const CHECKOUT_LIMITS = {
  orderNo: 50,
  amountDigits: 10,
  productName: 40,
  buyerName: 20,
  buyerEmail: 50,
  buyerPhone: 20,
} as const

/** PAYMETHOD of each neutral checkout method (research §7.1). */
export const CHECKOUT_PAY_METHODS: Readonly<Record<CheckoutMethod, string>> = {
  card: 'CARD',
  virtual_account: 'VACCT',
}

const chars = (s: string) => [...s].length
const CONTROL = /[\u0000-\u001f\u007f]/

/** CookiePay's limits on top of `validateCheckoutRequest`: nothing CookiePay cannot take reaches it. */
export function validateCheckoutForCookiePay(req: CheckoutRequest, buyerNameFallback: string): void {
  // Order numbers travel in form posts and lookups; PGs behind CookiePay are known to choke on non-ASCII.
  if (!/^[\x21-\x7e]+$/.test(req.orderId) || req.orderId.length > CHECKOUT_LIMITS.orderNo) {
    throw invalidRequest(
      'orderId',
      `must be printable ASCII without spaces, at most ${CHECKOUT_LIMITS.orderNo} characters (CookiePay ORDERNO)`,
    )
  }
  if (String(req.amount).length > CHECKOUT_LIMITS.amountDigits) {
    throw invalidRequest('amount', `must have at most ${CHECKOUT_LIMITS.amountDigits} digits`)
  }
  if (chars(req.orderName) > CHECKOUT_LIMITS.productName || CONTROL.test(req.orderName)) {
    throw invalidRequest(
      'orderName',
      `must be at most ${CHECKOUT_LIMITS.productName} characters without control characters (CookiePay PRODUCTNAME)`,
    )
  }
  const name = req.customer?.name ?? buyerNameFallback
  if (name.trim() === '' || chars(name) > CHECKOUT_LIMITS.buyerName || CONTROL.test(name)) {
    throw invalidRequest(
      'customer.name',
      `must be 1 to ${CHECKOUT_LIMITS.buyerName} characters (CookiePay BUYERNAME)`,
    )
  }
  const email = req.customer?.email
  if (
    email !== undefined &&
    (chars(email) > CHECKOUT_LIMITS.buyerEmail || !/^[^\s@]+@[^\s@]+$/.test(email))
  ) {
    throw invalidRequest(
      'customer.email',
      `must be an e-mail address of at most ${CHECKOUT_LIMITS.buyerEmail} characters`,
    )
  }
  const phone = req.customer?.phone
  if (phone !== undefined && !/^[0-9-]{1,20}$/.test(phone)) {
    throw invalidRequest('customer.phone', 'must be digits (dashes allowed), at most 20 characters')
  }
  for (const field of ['returnUrl', 'closeUrl'] as const) {
    if (!/^https?:$/.test(new URL(req[field]).protocol)) throw invalidRequest(field, 'must be an http(s) URL')
  }
}

/**
 * The `/pay/ready` fields (research §3.1, §7.1), form-encoded as CookiePay's own plugin sends them. RETURNURL and
 * HOMEURL are both the host's return URL: CookiePay support says the mobile window posts its result to HOMEURL,
 * and a bare navigation there without a result is read as such. ORDER_NO_CHECK asks CookiePay to refuse a
 * duplicate order number.
 */
export function toReadyFields(
  req: CheckoutRequest,
  apiId: string,
  buyerNameFallback: string,
): Array<[string, string]> {
  const fields: Array<[string, string]> = [
    ['API_ID', apiId],
    ['ORDERNO', req.orderId],
    ['PRODUCTNAME', req.orderName],
    ['AMOUNT', String(req.amount)],
    ['BUYERNAME', req.customer?.name ?? buyerNameFallback],
    // Sent even when empty: a window without it lost its confirm button on Android (research §9).
    ['BUYEREMAIL', req.customer?.email ?? ''],
    ['PAYMETHOD', CHECKOUT_PAY_METHODS[req.method]],
    ['RETURNURL', req.returnUrl],
    ['HOMEURL', req.returnUrl],
    ['CANCELURL', req.closeUrl],
    ['CLOSEURL', req.closeUrl],
    ['ORDER_NO_CHECK', 'Y'],
  ]
  if (req.customer?.phone) fields.push(['BUYERPHONE', req.customer.phone.replace(/-/g, '')])
  return fields
}

/** The request field a pay/ready error names, by the CookiePay field in its message (`HOMEURL을 입력하시오`). */
const FIELD_PARAMS: ReadonlyArray<readonly [RegExp, string]> = [
  [/ORDER_?NO|주문\s*번호/i, 'orderId'],
  [/PRODUCT_?NAME|상품명/i, 'orderName'],
  [/AMOUNT|금액/i, 'amount'],
  [/BUYER_?NAME|구매자명|고객명/i, 'customer.name'],
  [/BUYER_?EMAIL|이메일/i, 'customer.email'],
  [/BUYER_?PHONE|휴대폰/i, 'customer.phone'],
  [/PAY_?METHOD|결제\s*수단/i, 'method'],
  [/RETURN_?URL|HOME_?URL/i, 'returnUrl'],
  [/CANCEL_?URL|CLOSE_?URL/i, 'closeUrl'],
]

/**
 * pay/ready answers the window's HTML, or JSON `{RTN_CD, RTN_MSG}` on error. Nothing is charged by it, so every
 * failure is a rejection; an error naming one of our fields is `invalid_request` with that field.
 */
export function readReadyAnswer(res: HttpResponse, secrets: readonly string[]): string {
  const decoded = decodeBody(res.body)
  if (!decoded)
    throw invalidResponse('pay/ready', `HTTP ${res.status} with a body in no known charset`, false)
  const text = decoded.text.replace(/^\uFEFF/, '').trim()
  if (text.startsWith('{')) {
    let raw: unknown
    try {
      raw = JSON.parse(text)
    } catch (err) {
      throw invalidResponse('pay/ready', `HTTP ${res.status} with a broken JSON body`, false, err)
    }
    const f =
      typeof raw === 'object' && raw !== null && !Array.isArray(raw)
        ? new Fields(raw as Record<string, unknown>)
        : undefined
    const code = f?.get('RTN_CD', 'RESULTCODE')
    const message = f?.get('RTN_MSG', 'RESULTMSG') ?? ''
    if (!code || code === SUCCESS) {
      throw invalidResponse('pay/ready', `HTTP ${res.status} with JSON but no window`, false)
    }
    throw readyError(code, message)
  }
  if (res.status < 200 || res.status >= 300) {
    throw new PaymentError({
      code: 'provider_unavailable',
      provider: PROVIDER,
      retryable: res.status >= 500,
      message: `cookiepay pay/ready: HTTP ${res.status}; no window was opened`,
    })
  }
  if (!/<[a-z!][^>]*>/i.test(text)) {
    throw invalidResponse('pay/ready', `HTTP ${res.status} with a body that is neither HTML nor JSON`, false)
  }
  // The window reaches the customer's browser: a page echoing a credential must never be shown.
  if (secrets.some((s) => s && text.includes(s))) {
    throw invalidResponse('pay/ready', 'the window HTML contains a credential; it is not shown', false)
  }
  return text
}

function readyError(code: string, message: string): PaymentError {
  if (/중복|duplicate/i.test(message)) {
    return new PaymentError({
      code: 'duplicate_request',
      provider: PROVIDER,
      providerCode: code,
      providerMessage: message,
      param: 'orderId',
      message: `cookiepay pay/ready: CookiePay already has this order number (${code} ${message})`,
    })
  }
  const named = FIELD_PARAMS.find(([pattern]) => pattern.test(message))
  if (named && !/ID\s*&\s*KEY|api\s*key|연동/i.test(message)) {
    return new PaymentError({
      code: 'invalid_request',
      provider: PROVIDER,
      providerCode: code,
      providerMessage: message,
      param: named[1],
      message: `${named[1]}: CookiePay refused it (${code} ${message})`,
    })
  }
  return errorForAnswer(code, message, false)
}
