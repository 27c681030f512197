// The demo's one-page shop: what a merchant's site does with paymux, in the smallest form that runs. Its server
// side holds the API key and calls the gateway's API (in process); the browser only ever sees the checkout URL.
// It receives the merchant's webhooks itself and verifies them with @paymux/webhooks, as a merchant would.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import { verifyWebhook } from '@paymux/webhooks'
import { type Context, Hono } from 'hono'
import { getCookie, setCookie } from 'hono/cookie'
import { html, raw } from 'hono/html'

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

/** What the cancel button takes off a payment. */
const CANCEL_AMOUNT = 2_000

interface VirtualAccount {
  bankName: string
  bankCode: string
  accountNumber: string
  holderName?: string
  dueDate: string
}

/** The one sentence a failure reads with, whichever PG's window it came from (the PG's own words follow it). */
const FAILURES: Record<string, string> = {
  declined: 'The payment was declined in the payment window.',
  closed: 'The payment window was closed before paying.',
  expired: 'The payment link expired.',
}

const krw = (amount: unknown) =>
  typeof amount === 'number' ? amount.toLocaleString('en-US') : String(amount)

const hookItem = (h: ReceivedHook) => html`<li><code>${h.type}</code> ${h.at}</li>`

/** Where the customer pays a virtual-account order: the account, its bank and until when. */
const virtualAccountTable = (va: VirtualAccount) => html`<h2>Pay by bank transfer</h2>
<table id="virtual-account"><tr><th>Bank</th><td>${va.bankName} (${va.bankCode})</td></tr>
<tr><th>Account number</th><td><code>${va.accountNumber}</code></td></tr>
${va.holderName ? html`<tr><th>Account holder</th><td>${va.holderName}</td></tr>` : ''}
<tr><th>Due date</th><td>${va.dueDate}</td></tr></table>`

/**
 * The payment page's webhook list, kept current from /demo-shop/webhooks.json: a webhook arrives a moment after
 * the customer lands here, and the list shows it without a reload. Built with textContent (a type is data).
 */
const LIVE_WEBHOOKS = `(() => {
  const list = document.getElementById('webhooks')
  const id = list.dataset.paymentId
  let seen = list.children.length
  const poll = async () => {
    try {
      const res = await fetch('/demo-shop/webhooks.json?paymentId=' + encodeURIComponent(id))
      const hooks = await res.json()
      for (const h of hooks.slice(seen)) {
        const li = document.createElement('li')
        const code = document.createElement('code')
        code.textContent = h.type
        li.append(code, ' ' + h.at)
        list.append(li)
      }
      seen = Math.max(seen, hooks.length)
    } catch {}
  }
  const timer = setInterval(poll, 1000)
  // A demo page left open does not poll forever.
  setTimeout(() => clearInterval(timer), 10 * 60 * 1000)
})()`

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
    const orderId = c.req.query('orderId') ?? ''
    const payment = await callApi(
      o,
      new URL(c.req.url).origin,
      'GET',
      `/v1/payments/${encodeURIComponent(id)}`,
    )
    const p = payment.body
    const mine = hooks.filter((h) => h.data.paymentId === id)
    const va = p.virtualAccount as VirtualAccount | undefined
    // The button cancels 2,000 KRW: offered only when that much can be cancelled (an unpaid virtual account, or
    // a payment cancelled down to less, could only be answered 409).
    const cancellable = typeof p.cancellableAmount === 'number' && p.cancellableAmount >= CANCEL_AMOUNT
    const self = `/demo-shop/done?${new URLSearchParams({ paymentId: id, orderId })}`
    return c.html(
      page(
        'Paid',
        html`${
          p.status === 'waiting_for_deposit'
            ? html`<h1 class="ok">Thank you: transfer ${krw(p.amount)} KRW to complete the order</h1>`
            : html`<h1 class="ok">Thank you: payment ${p.status}</h1>`
        }
<table><tr><th>Payment</th><td><code>${id}</code></td></tr>
<tr><th>Order</th><td><code>${orderId}</code></td></tr>
<tr><th>Amount</th><td>${String(p.amount)} KRW, cancellable ${String(p.cancellableAmount)}</td></tr></table>
${va ? virtualAccountTable(va) : ''}
<h2>Webhooks for it (verified)</h2>
<p>This list updates by itself as the shop receives them.</p>
<ul id="webhooks" data-payment-id="${id}">${mine.map(hookItem)}</ul>
${
  cancellable
    ? html`<form method="post" action="/demo-shop/cancel"><input type="hidden" name="paymentId" value="${id}">
<input type="hidden" name="orderId" value="${orderId}">
<input type="hidden" name="csrf" value="${forms.issue(c)}">
<input type="hidden" name="idempotencyKey" value="shop-cancel-${randomBytes(12).toString('base64url')}">
<button>Cancel 2,000 KRW of it</button></form>`
    : ''
}
<h2>The payment in the API</h2><pre>${JSON.stringify(p, null, 2)}</pre>
<p><a href="/demo-shop">Back to the shop</a> · <a href="${self}">Refresh</a></p>
<script>${raw(LIVE_WEBHOOKS)}</script>`,
      ),
    )
  })

  app.get('/failed', (c) => {
    const code = c.req.query('code') ?? ''
    return c.html(
      page(
        'Not paid',
        html`<h1 class="bad">Not paid</h1><p>${FAILURES[code] ?? 'The payment did not go through.'} Nothing was charged.</p>
<p>Details: <code>${code}</code> ${c.req.query('message') ?? ''}</p>
<p><a href="/demo-shop">Back to the shop</a></p>`,
      ),
    )
  })

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
      { paymentId: id, amount: CANCEL_AMOUNT, reason: 'demo shop' },
      key,
    )
    const error = r.body.error as { code?: string; message?: string; cancellationId?: string } | undefined
    const cancellationId = typeof r.body.id === 'string' ? r.body.id : error?.cancellationId
    const q = new URLSearchParams({ paymentId: id, orderId: String(form.orderId ?? '') })
    if (cancellationId) q.set('cancellationId', cancellationId)
    if (error) q.set('error', `${error.code ?? r.status}: ${error.message ?? ''}`)
    return c.redirect(`/demo-shop/cancelled?${q}`, 303)
  })

  app.get('/cancelled', async (c) => {
    const back = new URLSearchParams({
      paymentId: c.req.query('paymentId') ?? '',
      orderId: c.req.query('orderId') ?? '',
    })
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
<pre>${r ? JSON.stringify(r.body, null, 2) : ''}</pre><p><a href="/demo-shop/done?${back}">Back to the payment</a></p>`,
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

  // What the payment page polls (?paymentId=…), or every webhook received.
  app.get('/webhooks.json', (c) => {
    const id = c.req.query('paymentId')
    return c.json(id === undefined ? hooks : hooks.filter((h) => h.data.paymentId === id))
  })
  return app
}
