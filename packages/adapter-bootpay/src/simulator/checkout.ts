import { type Context, Hono } from 'hono'
import type { AppDeps } from './app.js'
import { decryptSdkPayload } from './sdk-payload.js'
import { standInScript } from './standin.js'
import type { SimWindow } from './state.js'
import { objectId } from './state.js'
import { errorPage, twicePage, windowPage } from './window.js'

type Payload = Record<string, unknown>

/** The redirect back to the merchant (checkout.md §2.3): GET `redirect_url` with the event in the query. */
function resultUrl(redirectUrl: string, fields: Record<string, string | number | undefined>): string {
  const u = new URL(redirectUrl)
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) u.searchParams.set(k, String(v))
  return u.toString()
}

const redirectOf = (p: Payload): string | undefined => {
  const extra = (p.extra && typeof p.extra === 'object' ? p.extra : {}) as Payload
  const url = typeof p.redirect_url === 'string' ? p.redirect_url : extra.redirect_url
  return typeof url === 'string' && URL.canParse(url) && /^https?:$/.test(new URL(url).protocol)
    ? url
    : undefined
}

/** Drops the connection after the work is done: the caller never reads an answer. */
export function dropConnection(c: Context): Response {
  const incoming = (c.env as { incoming?: { socket?: { destroy(): void } } } | undefined)?.incoming
  if (incoming?.socket) {
    incoming.socket.destroy()
    return new Response(null, { status: 200 })
  }
  const err = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })
  const body = new ReadableStream({
    start(ctrl) {
      ctrl.error(err)
    },
  })
  return new Response(body, { status: 200, headers: { 'content-type': 'application/json' } })
}

/**
 * The browser half of Bootpay: the SDK stand-in, the window the order is posted to, and the customer's choices
 * in it. The server half (`/v2/confirm`) is in app.ts with the other authenticated routes.
 */
export function checkoutRoutes(deps: AppDeps): Hono {
  const { state, credentials } = deps
  const settings = state.settings
  const app = new Hono()

  app.get('/:file{bootpay-[0-9.]+\\.min\\.js}', (c) =>
    c.body(standInScript(new URL(c.req.url).origin), 200, {
      'content-type': 'application/javascript; charset=utf-8',
      'cache-control': 'no-store',
    }),
  )

  // The SDK's iframe target: the stand-in's plain `payload`, or the real SDK's encrypted `payload` + `token`.
  app.post('/v2/request/payment', async (c) => {
    const form = new URLSearchParams(await c.req.text())
    const raw = form.get('payload') ?? ''
    const token = form.get('token')
    let p: Payload | undefined
    if (token) p = decryptSdkPayload(raw, token)
    else {
      try {
        const v: unknown = JSON.parse(raw)
        p = v && typeof v === 'object' && !Array.isArray(v) ? (v as Payload) : undefined
      } catch {
        p = undefined
      }
    }
    if (!p) return c.html(errorPage('INVALID_REQUEST_PARAMS', 'the payment request could not be read'), 400)
    const redirectUrl = redirectOf(p)
    if (!redirectUrl)
      return c.html(errorPage('RC_REDIRECT_URL_INVALID', 'redirect_url is missing or not a URL'), 400)
    const fail = (code: string, message: string) =>
      c.redirect(
        resultUrl(redirectUrl, {
          event: 'error',
          error_code: code,
          message,
          order_id: String(p.order_id ?? ''),
        }),
        303,
      )
    const knownApp =
      p.application_id === credentials.webApplicationId ||
      (p.application_id === undefined && p.client_key === credentials.clientKey)
    if (!knownApp) return fail('APP_KEY_NOT_FOUND', '등록되지 않은 application_id 입니다.')
    const price = typeof p.price === 'number' ? p.price : Number.NaN
    if (
      !Number.isSafeInteger(price) ||
      price <= 0 ||
      typeof p.order_id !== 'string' ||
      p.order_id === '' ||
      !p.order_name
    )
      return fail('INVALID_REQUEST_PARAMS', 'price, order_id and order_name are required')
    const w: SimWindow = { id: objectId(state.clock()), payload: p, redirectUrl, openedAt: state.clock() }
    state.windows.set(w.id, w)
    return c.html(windowPage(w))
  })

  const openWindow = (c: Context): SimWindow | undefined => state.windows.get(c.req.param('sid') ?? '')

  app.post('/window/:sid/approve', (c) => {
    const w = openWindow(c)
    if (!w) return c.html(errorPage('RC_NOT_FOUND', 'no such window'), 404)
    const fresh = w.receiptId === undefined
    const r = state.authenticate(w)
    if (fresh && r.status !== 2) deps.changed(r)
    const event = r.status === 2 ? 'confirm' : r.status === 5 ? 'issued' : 'done'
    const url = resultUrl(w.redirectUrl, {
      event,
      receipt_id: r.receiptId,
      order_id: r.orderId,
      status: r.status,
      status_locale: r.status === 2 ? '승인대기' : r.status === 5 ? '가상계좌 발급 완료' : '결제완료',
      application_id: String(w.payload.application_id ?? ''),
    })
    return settings.windowResultTwice ? c.html(twicePage(url)) : c.redirect(url, 303)
  })

  app.post('/window/:sid/decline', (c) => {
    const w = openWindow(c)
    if (!w) return c.html(errorPage('RC_NOT_FOUND', 'no such window'), 404)
    const d = settings.windowDecline
    const url = resultUrl(w.redirectUrl, {
      event: d.event,
      error_code: d.errorCode,
      message: d.message,
      order_id: String(w.payload.order_id ?? ''),
    })
    return settings.windowResultTwice ? c.html(twicePage(url)) : c.redirect(url, 303)
  })

  app.post('/window/:sid/close', (c) => {
    const w = openWindow(c)
    if (!w) return c.html(errorPage('RC_NOT_FOUND', 'no such window'), 404)
    return c.redirect(
      resultUrl(w.redirectUrl, {
        event: 'cancel',
        error_code: 'RC_CLOSE_WINDOW',
        message: '사용자가 결제창을 닫았습니다.',
        order_id: String(w.payload.order_id ?? ''),
      }),
      303,
    )
  })

  return app
}
