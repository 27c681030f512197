// The customer's side of a checkout (no API key: the unguessable token in the path is the credential).
// GET /checkout/{token} opens the PG's window; the window's result comes back to /return; /closed and /status
// are where the customer lands when the window is closed or the approval is still being settled.
import { onPath } from '../call-log/path.js'
import { isPaymentError } from '@paymux/core'
import { Hono } from 'hono'
import type { Context } from 'hono'
import {
  ApprovalClaimed,
  approveCheckoutOperation,
  expectedOf,
  failCheckout,
} from '../operations/approve-checkout.js'
import { launchPage, messagePage, type Page, processingPage } from '../checkout/pages.js'
import { checkoutRequestOf, checkoutUrls, findCheckout, publicBase } from '../checkout/token.js'
import type { PaymentRow } from '../db/schema.js'
import type { AppEnv } from '../http/env.js'
import { runOperation } from '../operations/engine.js'
import type { Runtime } from '../runtime.js'

/** A window's result is a small form or a query string; anything larger is not one. */
const MAX_RETURN_BYTES = 64 * 1024

const send = (c: Context, p: Page) => c.body(p.html, p.status, p.headers)

const withQuery = (url: string, params: Record<string, string>) => {
  const u = new URL(url)
  for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v)
  return u.href
}

const PAID = new Set(['paid', 'waiting_for_deposit', 'partial_cancelled', 'cancelled'])
const ENDED = new Set(['failed', 'expired'])

/** Where the customer goes for the payment as it stands: the merchant's success or fail URL, or the processing page. */
function current(c: Context, row: PaymentRow, statusUrl: string): Response {
  if (PAID.has(row.status) && row.success_url)
    return c.redirect(withQuery(row.success_url, { paymentId: row.id, orderId: row.order_id ?? '' }), 303)
  if (ENDED.has(row.status) && row.fail_url) {
    const f = (row.failure ?? { code: row.status, message: `the payment ${row.status}` }) as {
      code: string
      message: string
    }
    return c.redirect(
      withQuery(row.fail_url, { code: f.code, message: f.message, orderId: row.order_id ?? '' }),
      303,
    )
  }
  return send(c, processingPage(statusUrl))
}

const unknownLink = () =>
  messagePage(
    404,
    'Payment link not found',
    'This payment link is not valid. Please return to the shop and start again.',
  )

export function checkoutRoutes(rt: Runtime) {
  const app = new Hono<AppEnv>()
  const base = (c: Context) => publicBase(rt, new URL(c.req.url).origin)

  app.get('/checkout/:token', async (c) => {
    const token = c.req.param('token')
    const row = await findCheckout(rt, token)
    if (!row) return send(c, unknownLink())
    const urls = checkoutUrls(base(c), token)
    if (row.status !== 'requires_authentication') return current(c, row, `${urls.checkoutUrl}/status`)
    if (new Date(row.checkout_expires_at ?? 0).getTime() <= rt.now().getTime()) {
      return send(
        c,
        messagePage(
          410,
          'Payment link expired',
          'This payment link has expired. Please return to the shop and start again.',
          [
            ...(row.fail_url
              ? [
                  {
                    href: withQuery(row.fail_url, {
                      code: 'expired',
                      message: 'the payment link expired',
                      orderId: row.order_id ?? '',
                    }),
                    label: 'Back to the shop',
                  },
                ]
              : []),
          ],
        ),
      )
    }
    const account = rt.merchants.get(row.merchant_id)?.accounts.get(row.account_id)
    if (!account)
      return send(
        c,
        messagePage(
          503,
          'Payment unavailable',
          'This payment cannot be taken right now. Please try again later.',
        ),
      )
    try {
      const launch = await account.provider.startCheckout(checkoutRequestOf(rt, row, base(c), token))
      return send(
        c,
        launchPage(launch, { name: row.order_name ?? '', amount: Number(row.amount) }, urls.closeUrl),
      )
    } catch (err) {
      rt.logger.warn(
        { paymentId: row.id, code: isPaymentError(err) ? err.code : 'error' },
        'the PG could not start the checkout',
      )
      return send(
        c,
        messagePage(
          502,
          'Payment unavailable',
          'The payment company could not open its window. Please try again.',
          [{ href: urls.checkoutUrl, label: 'Try again' }],
        ),
      )
    }
  })

  const onReturn = async (c: Context<AppEnv>) => {
    const token = c.req.param('token') ?? ''
    const row = await findCheckout(rt, token)
    if (!row) return send(c, unknownLink())
    const statusUrl = `${checkoutUrls(base(c), token).checkoutUrl}/status`
    const method = c.req.method === 'POST' ? 'POST' : 'GET'
    // The body exactly as sent, in whatever charset the PG's window used: the adapter decodes it.
    const rawBody = method === 'POST' ? new Uint8Array(await c.req.arrayBuffer()) : new Uint8Array()
    if (rawBody.length > MAX_RETURN_BYTES)
      return send(c, messagePage(413, 'Payment result too large', 'The payment result could not be read.'))
    // A result that arrives for a payment already claimed (a second post, a reload) never approves again.
    if (row.status !== 'requires_authentication') return current(c, row, statusUrl)
    const account = rt.merchants.get(row.merchant_id)?.accounts.get(row.account_id)
    if (!account)
      return send(c, messagePage(503, 'Payment unavailable', 'This payment cannot be confirmed right now.'))
    const query = Object.fromEntries(new URL(c.req.url).searchParams)
    const headers = Object.fromEntries(c.req.raw.headers)
    let result: Awaited<ReturnType<typeof account.provider.readCheckoutReturn>>
    try {
      result = await account.provider.readCheckoutReturn({ method, rawBody, query, headers }, expectedOf(row))
    } catch (err) {
      rt.logger.warn(
        { paymentId: row.id, code: isPaymentError(err) ? err.code : 'error' },
        'the checkout result could not be read',
      )
      return send(
        c,
        messagePage(
          502,
          'Payment not confirmed yet',
          'The payment result could not be checked with the payment company. Reload this page to try again.',
        ),
      )
    }
    if (result.outcome === 'refused') {
      // Not a genuine result for this order (tampered, empty, another order's, a bad signature): no approval
      // call, and no change either: anyone can send a browser here, and the checkout stays payable (the
      // customer's genuine result, a PG notification or the expiry sweeper still settles it from evidence).
      rt.logger.warn({ paymentId: row.id, reason: result.reason }, 'checkout result refused; nothing changed')
    } else if (result.outcome === 'declined') {
      await failCheckout(rt, row, 'declined', {
        code: 'declined',
        message: result.message,
        providerCode: result.code,
        providerMessage: result.message,
      })
    } else {
      try {
        await onPath('checkout_return', () =>
          runOperation(
            rt,
            approveCheckoutOperation,
            row.merchant_id,
            { row, approval: result.approval },
            undefined,
          ),
        )
      } catch (err) {
        if (!(err instanceof ApprovalClaimed)) throw err
      }
    }
    const now = await findCheckout(rt, token)
    return current(c, now ?? row, statusUrl)
  }
  app.get('/checkout/:token/return', onReturn)
  app.post('/checkout/:token/return', onReturn)

  app.get('/checkout/:token/status', async (c) => {
    const token = c.req.param('token')
    const row = await findCheckout(rt, token)
    if (!row) return send(c, unknownLink())
    const urls = checkoutUrls(base(c), token)
    if (row.status === 'requires_authentication')
      return send(
        c,
        messagePage(200, 'Payment not completed', 'The payment was not completed.', [
          { href: urls.checkoutUrl, label: 'Pay now' },
        ]),
      )
    return current(c, row, `${urls.checkoutUrl}/status`)
  })

  app.get('/checkout/:token/closed', async (c) => {
    const token = c.req.param('token')
    const row = await findCheckout(rt, token)
    if (!row) return send(c, unknownLink())
    const urls = checkoutUrls(base(c), token)
    if (row.status !== 'requires_authentication') return current(c, row, `${urls.checkoutUrl}/status`)
    const open = new Date(row.checkout_expires_at ?? 0).getTime() > rt.now().getTime()
    return send(
      c,
      messagePage(
        200,
        'Payment window closed',
        'The payment window was closed before the payment was made. Nothing was charged.',
        [
          ...(open ? [{ href: urls.checkoutUrl, label: 'Try again' }] : []),
          ...(row.fail_url
            ? [
                {
                  href: withQuery(row.fail_url, {
                    code: 'closed',
                    message: 'the customer closed the payment window',
                    orderId: row.order_id ?? '',
                  }),
                  label: 'Back to the shop',
                },
              ]
            : []),
        ],
      ),
    )
  })
  return app
}
