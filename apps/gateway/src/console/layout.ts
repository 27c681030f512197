import { html } from 'hono/html'
import type { HtmlEscapedString } from 'hono/utils/html'
import type { ConsoleContext } from './env.js'

type Markup = HtmlEscapedString | Promise<HtmlEscapedString>

/**
 * The Content-Security-Policy of every console page: only this origin's stylesheet and script, forms that post
 * only here, no framing. No 'unsafe-inline' anywhere.
 */
export const CONSOLE_CSP =
  "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

export function securityHeaders(c: ConsoleContext): void {
  c.header('content-security-policy', CONSOLE_CSP)
  c.header('x-content-type-options', 'nosniff')
  c.header('referrer-policy', 'same-origin')
  c.header('cache-control', 'no-store')
}

/** The hidden CSRF field every form carries. */
export const csrfField = (c: ConsoleContext) =>
  html`<input type="hidden" name="csrf" value="${c.get('session').csrf}">`

/** A page of the console: the navigation and who is signed in (when someone is), then the body. */
export function page(
  c: ConsoleContext,
  title: string,
  body: Markup | string,
  status: 200 | 403 | 404 | 409 | 422 | 429 = 200,
) {
  const t = c.get('t')
  const lang = c.get('lang')
  const session = c.get('session') as ReturnType<ConsoleContext['get']> | undefined
  const nav = session
    ? html`<nav aria-label="Console">
<a href="/console/payments">${t.payments}</a>
<a href="/console/review">${t.needsReview}</a>
<a href="/console/webhooks">${t.webhooks}</a>
<a href="/console/accounts">${t.accounts}</a>
<a href="/console/audit">${t.audit}</a>
</nav>
<div class="who"><span>${session.operator.name} · ${session.operator.role} · ${session.operator.merchantId}</span>
<form method="post" action="/console/language">${csrfField(c)}<input type="hidden" name="lang" value="${lang === 'en' ? 'ko' : 'en'}"><button type="submit">${t.language}</button></form>
<form method="post" action="/console/sign-out">${csrfField(c)}<button type="submit">${t.signOut}</button></form></div>`
    : html`<div class="who"><a href="/console/sign-in?lang=${lang === 'en' ? 'ko' : 'en'}">${t.language}</a></div>`
  securityHeaders(c)
  return c.html(
    html`<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · ${t.title}</title><link rel="stylesheet" href="/console/assets/console.css">
<script src="/console/assets/console.js" defer></script></head>
<body><header><strong>${t.title}</strong>${nav}</header><main>${body}</main></body></html>`,
    status,
  )
}
