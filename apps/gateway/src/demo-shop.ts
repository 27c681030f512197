// The demo's one-page shop: what a merchant's site does with paymux, in the smallest form that runs. Its server
// side holds the API key and calls the gateway's API (in process); the browser only ever sees the checkout URL.
// It receives the merchant's webhooks itself and verifies them with @paymux/webhooks, as a merchant would.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import { verifyWebhook } from '@paymux/webhooks'
import { type Context, Hono } from 'hono'
import { getCookie, setCookie } from 'hono/cookie'
import { html } from 'hono/html'

interface ShopApi {
  request(path: string, init: RequestInit): Response | Promise<Response>
}

export interface ShopOptions {
  api: ShopApi
  apiKey: string
  webhookSecret: string
  /** The shop's accounts, one per simulated PG. */
  accounts: ReadonlyArray<{ id: string; provider: string; label: string }>
}

const ITEMS = [
  { sku: 'tea', name: '제주 녹차 세트', amount: 15_000 },
  { sku: 'mug', name: 'Ceramic mug', amount: 8_900 },
  { sku: 'book', name: '한국어 요리책', amount: 32_000 },
] as const

interface ReceivedHook {
  type: string
  webhookId: string
  data: Record<string, unknown>
  at: string
}

const page = (title: string, body: unknown) => html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${title} · paymux demo shop</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:16px/1.5 system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#1d2433}
h1{font-size:1.4rem}.items{display:grid;grid-template-columns:repeat(auto-fit,minmax(13rem,1fr));gap:1rem}
form.item{border:1px solid #d6dbe4;border-radius:.5rem;padding:1rem}button{font:inherit;padding:.35rem .9rem;cursor:pointer}
select{font:inherit}code,pre{background:#f3f5f8;border-radius:.25rem;padding:.1rem .3rem}pre{padding:.6rem;overflow:auto}
.ok{color:#17713a}.bad{color:#a3261d}table{border-collapse:collapse}td,th{padding:.2rem .6rem;border-bottom:1px solid #e3e7ee;text-align:left}
</style></head><body>${body}</body></html>`

/**
 * Calls the API in process, under the shop's own origin (the gateway builds its checkout links from it). A POST
 * carries `idempotencyKey`, else a fresh one.
 */
async function callApi(
  o: ShopOptions,
  origin: string,
  method: string,
  path: string,
  body?: unknown,
  idempotencyKey = `shop-${randomBytes(9).toString('base64url')}`,
) {
  const res = await o.api.request(new URL(path, origin).href, {
    method,
    headers: {
      authorization: `Bearer ${o.apiKey}`,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(method === 'POST' ? { 'idempotency-key': idempotencyKey } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  })
  return { status: res.status, body: (await res.json()) as Record<string, unknown> }
}

const CSRF_COOKIE = 'shop_csrf'
const CANCEL_KEY = /^shop-cancel-[A-Za-z0-9_-]{12,64}$/

/**
 * The form that moves money is the shop's own: its token is an HMAC of a random cookie the browser sends only
 * to this site (SameSite=Strict), so a form posted from another site carries neither. Its Idempotency-Key is
 * chosen when the form is rendered, so posting the same form again (a reload, a double click) cancels once.
 */
function csrf(secret: Buffer) {
  const tokenOf = (cookie: string) => createHmac('sha256', secret).update(cookie).digest('base64url')
  return {
    /** The token for this browser's form, setting its cookie on the first visit. */
    issue(c: Context): string {
      let cookie = getCookie(c, CSRF_COOKIE)
      if (!cookie || !/^[A-Za-z0-9_-]{22,64}$/.test(cookie)) {
        cookie = randomBytes(18).toString('base64url')
        setCookie(c, CSRF_COOKIE, cookie, { httpOnly: true, sameSite: 'Strict', path: '/demo-shop' })
      }
      return tokenOf(cookie)
    },
    valid(c: Context, token: unknown): boolean {
      const cookie = getCookie(c, CSRF_COOKIE)
      if (!cookie || typeof token !== 'string') return false
      const want = Buffer.from(tokenOf(cookie))
      const got = Buffer.from(token)
      return got.length === want.length && timingSafeEqual(got, want)
    },
  }
}

/** The shop's routes, mounted at /demo-shop by the demo. */
export function demoShop(o: ShopOptions) {
  const hooks: ReceivedHook[] = []
  const app = new Hono()
  const forms = csrf(randomBytes(32))

  app.get('/', (c) =>
    c.html(
      page(
        'Shop',
        html`<h1>paymux demo shop</h1>
<p>Pick an item and a PG: you pay in that PG's simulated window, the gateway approves on the server, this shop
receives the signed webhook. No real money, no credentials.</p>
<div class="items">${ITEMS.map(
          (item) => html`<form class="item" method="post" action="/demo-shop/buy">
<strong>${item.name}</strong><br>${item.amount.toLocaleString('en-US')} KRW<br>
<input type="hidden" name="sku" value="${item.sku}">
<label>PG <select name="account">${o.accounts.map((a) => html`<option value="${a.id}">${a.label}</option>`)}</select></label><br>
<label>Method <select name="method"><option value="card">card</option><option value="virtual_account">virtual account</option></select></label><br>
<button>Buy ${item.name}</button></form>`,
        )}</div>
<p>Webhooks received so far: ${hooks.length}. The API behind this page: <a href="/docs">/docs</a>.</p>`,
      ),
    ),
  )

  app.post('/buy', async (c) => {
    const form = await c.req.parseBody()
    const item = ITEMS.find((i) => i.sku === form.sku)
    const account = o.accounts.find((a) => a.id === form.account)
    if (!item || !account) return c.text('unknown item or PG', 400)
    const origin = new URL(c.req.url).origin
    const orderId = `shop-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`
    const created = await callApi(o, origin, 'POST', '/v1/payments', {
      orderId,
      amount: item.amount,
      orderName: item.name,
      method: form.method === 'virtual_account' ? 'virtual_account' : 'card',
      customer: { name: '홍길동', email: 'buyer@example.com' },
      successUrl: `${origin}/demo-shop/done`,
      failUrl: `${origin}/demo-shop/failed`,
      account: account.id,
    })
    if (created.status !== 201 || typeof created.body.checkoutUrl !== 'string')
      return c.html(
        page(
          'Not created',
          html`<h1 class="bad">The payment was not created</h1>
<pre>${JSON.stringify(created.body, null, 2)}</pre><p><a href="/demo-shop">Back to the shop</a></p>`,
        ),
        502,
      )
    return c.redirect(created.body.checkoutUrl, 303)
  })

  app.get('/done', async (c) => {
    const id = c.req.query('paymentId') ?? ''
    const payment = await callApi(
      o,
      new URL(c.req.url).origin,
      'GET',
      `/v1/payments/${encodeURIComponent(id)}`,
    )
    const mine = hooks.filter((h) => h.data.paymentId === id)
    return c.html(
      page(
        'Paid',
        html`<h1 class="ok">Thank you: payment ${payment.body.status}</h1>
<table><tr><th>Payment</th><td><code>${id}</code></td></tr>
<tr><th>Order</th><td><code>${c.req.query('orderId') ?? ''}</code></td></tr>
<tr><th>Amount</th><td>${String(payment.body.amount)} KRW, cancellable ${String(payment.body.cancellableAmount)}</td></tr></table>
<h2>Webhooks for it (verified)</h2>
<ul id="webhooks">${mine.map((h) => html`<li><code>${h.type}</code> ${h.at}</li>`)}</ul>
<form method="post" action="/demo-shop/cancel"><input type="hidden" name="paymentId" value="${id}">
<input type="hidden" name="csrf" value="${forms.issue(c)}">
<input type="hidden" name="idempotencyKey" value="shop-cancel-${randomBytes(12).toString('base64url')}">
<button>Cancel 2,000 KRW of it</button></form>
<h2>The payment in the API</h2><pre>${JSON.stringify(payment.body, null, 2)}</pre>
<p><a href="/demo-shop">Back to the shop</a> · <a href="/demo-shop/done?paymentId=${id}">Refresh</a></p>`,
      ),
    )
  })

  app.get('/failed', (c) =>
    c.html(
      page(
        'Not paid',
        html`<h1 class="bad">Not paid</h1><p><code>${c.req.query('code') ?? ''}</code> ${c.req.query('message') ?? ''}</p>
<p><a href="/demo-shop">Back to the shop</a></p>`,
      ),
    ),
  )

  // Post/Redirect/Get: the POST cancels and redirects, so reloading the result page only reads.
  app.post('/cancel', async (c) => {
    const form = await c.req.parseBody()
    if (!forms.valid(c, form.csrf))
      return c.text('this form did not come from the shop: reload the page', 403)
    const id = String(form.paymentId ?? '')
    const key = String(form.idempotencyKey ?? '')
    if (!CANCEL_KEY.test(key)) return c.text('the form has no valid idempotency key: reload the page', 400)
    const r = await callApi(
      o,
      new URL(c.req.url).origin,
      'POST',
      '/v1/cancellations',
      { paymentId: id, amount: 2_000, reason: 'demo shop' },
      key,
    )
    const error = r.body.error as { code?: string; message?: string; cancellationId?: string } | undefined
    const cancellationId = typeof r.body.id === 'string' ? r.body.id : error?.cancellationId
    const q = new URLSearchParams({ paymentId: id })
    if (cancellationId) q.set('cancellationId', cancellationId)
    if (error) q.set('error', `${error.code ?? r.status}: ${error.message ?? ''}`)
    return c.redirect(`/demo-shop/cancelled?${q}`, 303)
  })

  app.get('/cancelled', async (c) => {
    const paymentId = c.req.query('paymentId') ?? ''
    const cancellationId = c.req.query('cancellationId')
    const error = c.req.query('error')
    const r = cancellationId
      ? await callApi(
          o,
          new URL(c.req.url).origin,
          'GET',
          `/v1/cancellations/${encodeURIComponent(cancellationId)}`,
        )
      : undefined
    const status = error ?? String(r?.body.status ?? 'unknown')
    return c.html(
      page(
        'Cancel',
        html`<h1 class="${!error && r?.status === 200 ? 'ok' : 'bad'}">Cancel: ${status}</h1>
<pre>${r ? JSON.stringify(r.body, null, 2) : ''}</pre><p><a href="/demo-shop/done?paymentId=${paymentId}">Back to the payment</a></p>`,
      ),
    )
  })

  // The merchant's webhook endpoint: verified with the exported verifier, or refused.
  app.post('/webhooks', async (c) => {
    const raw = new Uint8Array(await c.req.arrayBuffer())
    try {
      const event = verifyWebhook(o.webhookSecret, c.req.raw.headers, raw)
      hooks.push({
        type: event.type,
        webhookId: c.req.header('webhook-id') ?? '',
        data: event.data as Record<string, unknown>,
        at: new Date().toISOString(),
      })
      if (hooks.length > 500) hooks.shift()
      return c.body(null, 204)
    } catch {
      return c.text('bad signature', 400)
    }
  })

  app.get('/webhooks.json', (c) => c.json(hooks))
  return app
}
