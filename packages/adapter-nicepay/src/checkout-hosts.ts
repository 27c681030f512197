/**
 * Where a NicePay checkout may talk to. `NextAppURL` and `NetCancelURL` reach the host through the customer's
 * browser, so they are claims: the server posts the approval (with the AuthToken) only to a URL on NicePay's own
 * approval hosts, or on the configured simulator.
 */

/** The window script NicePay's manual and its 3.2 samples load (checkout.md §1.1). */
export const NICEPAY_PGWEB_SCRIPT = 'https://pg-web.nicepay.co.kr/v3/common/js/nicepay-pgweb.js'

/** The path of the window script, on NicePay's host or a stand-in's. */
export const PGWEB_SCRIPT_PATH = '/v3/common/js/nicepay-pgweb.js'

/** Window hosts NicePay lists (checkout.md §1.1, M-g2): the checkout page loads from and posts to these. */
export const NICEPAY_WINDOW_ORIGINS = [
  'https://pg-web.nicepay.co.kr',
  'https://web.nicepay.co.kr',
  'https://dc1-web.nicepay.co.kr',
  'https://dc2-web.nicepay.co.kr',
] as const

/** The only hosts the manual names in NextAppURL / NetCancelURL (checkout.md §1.3). */
export const NICEPAY_APPROVAL_ORIGINS = [
  'https://dc1-api.nicepay.co.kr',
  'https://dc2-api.nicepay.co.kr',
] as const

export const APPROVAL_PATH = '/webapi/pay_process.jsp'
export const NET_CANCEL_PATH = '/webapi/cancel_process.jsp'

export interface CheckoutHosts {
  /** URL of the window script the checkout page loads. */
  script: string
  /** Origins the checkout page needs (script, window, form posts). */
  pageOrigins: readonly string[]
  /** Origins NextAppURL / NetCancelURL may name. */
  approvalOrigins: readonly string[]
}

const isNicePayHost = (url: URL) =>
  url.hostname === 'nicepay.co.kr' || url.hostname.endsWith('.nicepay.co.kr')

/** A baseUrl off NicePay's domain is a simulator (or a test double): the window and approvals follow it. */
function standIn(baseUrl: string | undefined): string | undefined {
  if (!baseUrl) return undefined
  const u = new URL(baseUrl)
  return isNicePayHost(u) ? undefined : u.origin
}

export function checkoutHosts(opts: {
  baseUrl?: string
  checkoutScriptUrl?: string
  checkoutApprovalOrigins?: readonly string[]
}): CheckoutHosts {
  const sim = standIn(opts.baseUrl)
  const script = opts.checkoutScriptUrl ?? (sim ? `${sim}${PGWEB_SCRIPT_PATH}` : NICEPAY_PGWEB_SCRIPT)
  const scriptUrl = new URL(script)
  // NicePay's script opens its window on NicePay's other window hosts; a stand-in stays on its own origin.
  const pageOrigins = isNicePayHost(scriptUrl)
    ? [...new Set([scriptUrl.origin, ...NICEPAY_WINDOW_ORIGINS])]
    : [scriptUrl.origin]
  const approvalOrigins = (opts.checkoutApprovalOrigins ?? (sim ? [sim] : [...NICEPAY_APPROVAL_ORIGINS])).map(
    (o) => new URL(o).origin,
  )
  return { script, pageOrigins, approvalOrigins }
}

/**
 * Why `value` is not an acceptable NextAppURL/NetCancelURL, or undefined when it is: exactly one of the allowed
 * origins (scheme, host and port as configured; an `https` origin only on 443), the expected path, and nothing
 * else — no userinfo, query or fragment (checkout.md §1.3 check 5).
 */
export function approvalUrlProblem(
  value: string | undefined,
  path: string,
  allowed: readonly string[],
): string | undefined {
  if (!value) return 'is missing'
  let u: URL
  try {
    u = new URL(value)
  } catch {
    return 'is not a URL'
  }
  if (u.username || u.password) return 'carries user info'
  if (u.search || u.hash || value.includes('?') || value.includes('#')) return 'carries a query or fragment'
  if (!allowed.includes(u.origin)) return `names a host that is not NicePay's (${u.host})`
  if (u.pathname !== path) return `names another path than ${path}`
  return undefined
}
