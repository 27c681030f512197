// The customer-facing pages of a checkout: plain HTML, no script of the gateway's own beyond the adapter's
// `start`, each with a Content-Security-Policy that allows exactly what the page needs.
import { randomBytes } from 'node:crypto'
import type { CheckoutLaunch } from '@paymux/core'

export const esc = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  )

export interface Page {
  status: 200 | 400 | 404 | 410 | 413 | 502 | 503
  html: string
  headers: Record<string, string>
}

/** Headers of every checkout page: never cached, never framed, the token in the URL never sent on. */
const BASE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
}

const STATIC_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

const shell = (title: string, body: string, head = '') =>
  `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(title)}</title>${head}<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;line-height:1.5}</style></head><body>${body}</body></html>`

/** A page with a message and links, nothing executable. */
export function messagePage(
  status: Page['status'],
  title: string,
  text: string,
  links: Array<{ href: string; label: string }> = [],
  head = '',
): Page {
  const list = links.map((l) => `<p><a href="${esc(l.href)}">${esc(l.label)}</a></p>`).join('')
  return {
    status,
    html: shell(title, `<h1>${esc(title)}</h1><p>${esc(text)}</p>${list}`, head),
    headers: { ...BASE_HEADERS, 'content-security-policy': STATIC_CSP },
  }
}

/** The approval is in flight or its answer was lost: the page looks again every few seconds. */
export function processingPage(statusUrl: string): Page {
  return messagePage(
    200,
    'Processing your payment',
    'Your payment is being confirmed with the payment company. This page updates by itself; please do not pay again.',
    [{ href: statusUrl, label: 'Check again' }],
    `<meta http-equiv="refresh" content="2;url=${esc(statusUrl)}">`,
  )
}

/**
 * What the customer is told about the PG's window. Markup the PG rendered with nothing to start is its window,
 * inline on this page (CookiePay): no pop-up to allow. A started window may be a pop-up a browser blocks.
 */
function opening(launch: CheckoutLaunch): string {
  return launch.html && !launch.start && launch.scripts.length === 0
    ? "Complete the payment in the payment company's window below."
    : 'The payment window opens now. If it does not, allow pop-ups for this page and reload it.'
}

/**
 * The page that opens the PG's window: the adapter's launch in the contract's order (form, html, scripts,
 * start). Scripts, frames, form posts and connections are allowed to the launch's origins only; the page's own
 * inline code runs by nonce. Markup the PG rendered (`html`) is the PG's: its scripts get the nonce too.
 */
export function launchPage(
  launch: CheckoutLaunch,
  order: { name: string; amount: number },
  closeUrl: string,
): Page {
  const nonce = randomBytes(16).toString('base64')
  const origins = launch.origins.join(' ')
  const f = launch.form
  const form = f
    ? `<form name="${esc(f.name)}" method="post" action="${esc(f.action)}" accept-charset="${esc(f.acceptCharset ?? 'utf-8')}">${Object.entries(
        f.fields,
      )
        .map(([k, v]) => `<input type="hidden" name="${esc(k)}" value="${esc(v)}">`)
        .join('')}</form>`
    : ''
  const html = (launch.html ?? '').replace(/<script\b/gi, `<script nonce="${nonce}"`)
  const scripts = launch.scripts.map((s) => `<script src="${esc(s)}" nonce="${nonce}"></script>`).join('')
  // A `start` that breaks out of its script element would be the adapter's bug; keep it inside anyway.
  const start = launch.start
    ? `<script nonce="${nonce}">${launch.start.replace(/<\/(script)/gi, '<\\/$1')}</script>`
    : ''
  const body =
    `<h1>Payment</h1><p>${esc(order.name)}: ${order.amount.toLocaleString('en-US')} KRW</p>` +
    `<p>${esc(opening(launch))}</p>` +
    `<p><a href="${esc(closeUrl)}">Cancel the payment</a></p>${form}${html}${scripts}${start}`
  const csp = [
    "default-src 'none'",
    `script-src 'nonce-${nonce}' ${origins}`,
    `style-src 'unsafe-inline' ${origins}`,
    `img-src data: ${origins}`,
    `font-src ${origins}`,
    `frame-src ${origins}`,
    `connect-src ${origins}`,
    `form-action 'self' ${origins}`,
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ')
  return {
    status: 200,
    html: shell('Payment', body),
    headers: { ...BASE_HEADERS, 'content-security-policy': csp },
  }
}
