import {
  type CheckoutLaunch,
  type CheckoutMethod,
  type CheckoutRequest,
  invalidRequest,
  kstCompact,
} from '@paymux/core'
import type { CheckoutHosts } from '../checkout-hosts.js'
import { signData } from '../crypto.js'
import { assertAsciiId, assertEucKrText } from '../encoding.js'
import type { FormPairs } from './common.js'
import { buyerPairs } from './fields.js'

/** PayMethod of the window per checkout method (checkout.md §1.2). */
export const PAY_METHOD: Readonly<Record<CheckoutMethod, string>> = {
  card: 'CARD',
  virtual_account: 'VBANK',
}

/** The form the page holds: NicePay's script reads it by this name (its samples' `payForm`). */
export const PAY_FORM = 'payForm'

/**
 * The auth result's charset. EUC-KR is NicePay's default and what its manual's pages declare on `payForm`; the
 * result is read whatever charset it arrives in, since only AuthResultMsg can carry non-ASCII.
 */
const RESULT_CHARSET = 'euc-kr'

/** What a checkout request becomes once checked against NicePay's limits. */
export interface CheckedCheckout {
  amt: string
  payMethod: string
  /** VbankExpDate (`yyyyMMddHHmm`, KST) for a virtual account: the deposit deadline is the checkout's expiry. */
  vbankExpDate?: string
  buyer: FormPairs
}

/** NicePay's own limits on a checkout, on top of core's; pure, naming the request's field. */
export function checkCheckout(req: CheckoutRequest, now: number): CheckedCheckout {
  assertAsciiId(req.orderId, 'orderId', 64)
  assertEucKrText(req.orderName, 'orderName', 40)
  if (req.returnUrl.length > 500) throw invalidRequest('returnUrl', 'NicePay allows at most 500 bytes')
  const expires = typeof req.expiresAt === 'string' ? Date.parse(req.expiresAt) : Number.NaN
  if (Number.isNaN(expires) || !/[zZ]|[+-]\d{2}:?\d{2}$/.test(req.expiresAt)) {
    throw invalidRequest('expiresAt', 'must be an ISO timestamp with an offset')
  }
  if (expires <= now) throw invalidRequest('expiresAt', 'is in the past')
  const checked: CheckedCheckout = {
    amt: String(req.amount),
    payMethod: PAY_METHOD[req.method],
    buyer: buyerPairs(req.customer, 'customer'),
  }
  if (req.method === 'virtual_account') {
    const exp = kstCompact(expires).slice(0, 12)
    // A deadline within the current minute would already be past once truncated to minutes (W034).
    if (exp <= kstCompact(now).slice(0, 12)) throw invalidRequest('expiresAt', 'is less than a minute away')
    checked.vbankExpDate = exp
  }
  return checked
}

/** The window's request fields, in the order of NicePay's payRequest sample. */
export function windowFields(
  req: CheckoutRequest,
  ctx: { mid: string; merchantKey: string; now: number },
): FormPairs {
  const c = checkCheckout(req, ctx.now)
  const ediDate = kstCompact(ctx.now)
  const pairs: FormPairs = [
    ['PayMethod', c.payMethod],
    ['GoodsName', req.orderName],
    ['Amt', c.amt],
    ...c.buyer,
    ['Moid', req.orderId],
    ['MID', ctx.mid],
    ['ReturnURL', req.returnUrl],
  ]
  if (c.vbankExpDate) pairs.push(['VbankExpDate', c.vbankExpDate])
  pairs.push(
    ['TransType', '0'],
    ['CharSet', RESULT_CHARSET],
    ['EdiDate', ediDate],
    // Signed here from the stored amount only: the window's SignData does not cover Moid (checkout.md §1.6).
    ['SignData', signData.window(ediDate, ctx.mid, c.amt, ctx.merchantKey)],
  )
  return pairs
}

/**
 * The page: `payForm`, NicePay's script, and the two globals it calls back. On PC NicePay writes its result into
 * `payForm` and calls `nicepaySubmit()`, which posts it to the form's action — the host's return URL; on mobile
 * its window posts to ReturnURL, the same URL.
 */
export function checkoutLaunch(
  req: CheckoutRequest,
  fields: FormPairs,
  hosts: CheckoutHosts,
): CheckoutLaunch {
  // `<` escaped so that no URL can close the inline script it is placed in.
  const close = JSON.stringify(req.closeUrl).replace(/</g, '\\u003c')
  return {
    form: {
      name: PAY_FORM,
      action: req.returnUrl,
      acceptCharset: RESULT_CHARSET,
      fields: Object.fromEntries(fields),
    },
    scripts: [hosts.script],
    start: [
      `window.nicepaySubmit = function () { document.${PAY_FORM}.submit() }`,
      `window.nicepayClose = function () { window.location.href = ${close} }`,
      `goPay(document.${PAY_FORM})`,
    ].join('\n'),
    origins: [...new Set([...hosts.pageOrigins, new URL(req.returnUrl).origin])],
  }
}
