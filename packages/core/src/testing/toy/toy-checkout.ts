// The toy PG's payment window and approval: the smallest protocol with the shape every real one has. The host's
// checkout page posts a form to the window; the window shows the order with Approve and Decline; Approve records
// an authentication and posts a signed result through the browser to the host's return URL; the host then
// approves server-side (`/api/approve`, money-moving, with NO duplicate guard: every call that reaches the toy
// charges again, so a host must never send it twice) and may undo it (`/api/undo`, a network cancel).
import { createHmac, randomBytes } from 'node:crypto'
import type { Context, Hono } from 'hono'

/** The toy merchant's signing key (the window's result and the approval answer are signed with it). */
export const TOY_MERCHANT_KEY = 'toy-merchant-key'

/** The window's result signature: what the adapter recomputes to trust a result that came through a browser. */
export function toyResultSignature(key: string, f: { tx: string; orderId: string; amount: string }): string {
  return createHmac('sha256', key).update(`${f.tx}|${f.orderId}|${f.amount}`).digest('hex')
}

/** Live settings of the toy's checkout (tests change them between steps). */
export interface ToyCheckoutSettings {
  /** A toy code the approval is refused with (e.g. 'LIMIT'), executing nothing. Unset: approvals go through. */
  refuseApproval?: string
  /** The window's Decline posts this code. */
  declineCode: string
}

/** One authentication made at the window, and what the server-side calls did with it. */
export interface ToyAuthentication {
  tx: string
  orderId: string
  amount: number
  state: 'authenticated' | 'approved' | 'undone'
  /** Approvals the toy executed for it: more than one is a double charge. */
  approvals: number
  /** Undo (network cancel) calls that reached the toy. */
  undos: number
}

interface WindowSession {
  orderId: string
  orderName: string
  amount: number
  returnUrl: string
  closeUrl: string
}

const esc = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  )

const hidden = (fields: Record<string, string>) =>
  Object.entries(fields)
    .map(([k, v]) => `<input type="hidden" name="${esc(k)}" value="${esc(v)}">`)
    .join('')

const page = (title: string, body: string) =>
  `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title></head><body>${body}</body></html>`

/** The stand-in for a PG's window script: `toyPay(form)` takes the customer to the window. */
const WINDOW_SCRIPT = 'window.toyPay = function (form) { form.submit() }\n'

export interface ToyCheckout {
  settings: ToyCheckoutSettings
  /** Every authentication, by transaction id. */
  authentications: Map<string, ToyAuthentication>
  counters: { windows: number; approvals: number; undos: number }
}

/**
 * Mounts the window (`GET /js/toy.js`, `POST /window`, `POST /window/:sid`) and the server-side calls
 * (`POST /api/approve`, `POST /api/undo`) on the toy's app. `charge` records an approved payment in the toy's
 * ledger, so lookups and cancels see it like any other.
 */
export function mountToyCheckout(
  app: Hono,
  charge: (tx: string, amount: number) => void,
  voidPayment: (tx: string) => void,
  nextId: () => string,
): ToyCheckout {
  const state: ToyCheckout = {
    settings: { declineCode: 'USER_CANCEL' },
    authentications: new Map(),
    counters: { windows: 0, approvals: 0, undos: 0 },
  }
  const sessions = new Map<string, WindowSession>()

  app.get('/js/toy.js', (c) => c.body(WINDOW_SCRIPT, 200, { 'content-type': 'text/javascript' }))

  app.post('/window', async (c) => {
    const f = await c.req.parseBody()
    const amount = Number(f.amount)
    const fields = ['orderId', 'orderName', 'returnUrl', 'closeUrl'] as const
    if (!Number.isInteger(amount) || amount <= 0 || fields.some((k) => typeof f[k] !== 'string' || !f[k])) {
      return c.html(page('Toy PG', '<h1>Bad request</h1><p>The payment request is incomplete.</p>'), 400)
    }
    const sid = randomBytes(12).toString('hex')
    const s: WindowSession = {
      orderId: String(f.orderId),
      orderName: String(f.orderName),
      amount,
      returnUrl: String(f.returnUrl),
      closeUrl: String(f.closeUrl),
    }
    sessions.set(sid, s)
    state.counters.windows++
    return c.html(
      page(
        'Toy PG',
        `<h1>Toy PG</h1><p>${esc(s.orderName)} (order ${esc(s.orderId)})</p><p>${s.amount} KRW</p>` +
          `<form method="post" action="/window/${sid}">` +
          '<button type="submit" name="decision" value="approve">Approve</button> ' +
          '<button type="submit" name="decision" value="decline">Decline</button></form>' +
          `<p><a href="${esc(s.closeUrl)}">Close the window</a></p>`,
      ),
    )
  })

  app.post('/window/:sid', async (c) => {
    const s = sessions.get(c.req.param('sid'))
    if (!s) return c.html(page('Toy PG', '<h1>This window has expired</h1>'), 404)
    sessions.delete(c.req.param('sid'))
    const decision = (await c.req.parseBody()).decision
    let fields: Record<string, string>
    if (decision === 'approve') {
      const tx = `TOYC${nextId()}`
      state.authentications.set(tx, {
        tx,
        orderId: s.orderId,
        amount: s.amount,
        state: 'authenticated',
        approvals: 0,
        undos: 0,
      })
      const f = { tx, orderId: s.orderId, amount: String(s.amount) }
      fields = { result: 'authenticated', ...f, signature: toyResultSignature(TOY_MERCHANT_KEY, f) }
    } else {
      fields = {
        result: 'declined',
        orderId: s.orderId,
        code: state.settings.declineCode,
        message: 'the customer declined',
      }
    }
    // The result goes back through the browser, as a real window's does: an auto-submitted form.
    return c.html(
      page(
        'Toy PG',
        `<form id="result" method="post" action="${esc(s.returnUrl)}">${hidden(fields)}` +
          '<noscript><button type="submit">Continue</button></noscript></form>' +
          "<script>document.getElementById('result').submit()</script>",
      ),
    )
  })

  const authOf = async (c: Context) => {
    const b = (await c.req.json()) as { tx?: string; amount?: number; orderId?: string }
    return { b, auth: typeof b.tx === 'string' ? state.authentications.get(b.tx) : undefined }
  }

  app.post('/api/approve', async (c) => {
    const { b, auth } = await authOf(c)
    if (!auth) return c.json({ code: 'NOT_FOUND', message: 'no such authentication' }, 404)
    if (b.amount !== auth.amount || b.orderId !== auth.orderId)
      return c.json({ code: 'BAD_AMOUNT', message: 'the approval does not match the authentication' }, 400)
    if (auth.state === 'undone')
      return c.json({ code: 'VOIDED', message: 'the authentication was voided' }, 409)
    if (state.settings.refuseApproval)
      return c.json({ code: state.settings.refuseApproval, message: 'approval refused' }, 402)
    // No duplicate guard, on purpose: a second approval of the same authentication charges again.
    auth.approvals++
    state.counters.approvals++
    if (auth.state === 'authenticated') charge(auth.tx, auth.amount)
    auth.state = 'approved'
    return c.json({
      code: 'OK',
      tx: auth.tx,
      amount: auth.amount,
      approvalNumber: `A${auth.approvals}${auth.tx.slice(-4)}`,
      at: new Date().toISOString(),
    })
  })

  app.post('/api/undo', async (c) => {
    const { auth } = await authOf(c)
    if (!auth) return c.json({ code: 'NOT_FOUND', message: 'no such authentication' }, 404)
    auth.undos++
    state.counters.undos++
    const was = auth.state
    if (was === 'approved') voidPayment(auth.tx)
    // Undoing an authentication that was never approved voids it: a late approval can no longer charge.
    auth.state = 'undone'
    return c.json({ code: 'OK', status: was === 'approved' ? 'net_cancelled' : 'nothing_to_undo' })
  })

  app.post('/__sim/checkout/settings', async (c) => {
    Object.assign(state.settings, (await c.req.json()) as Partial<ToyCheckoutSettings>)
    return c.json({ settings: state.settings })
  })
  app.get('/__sim/checkout', (c) =>
    c.json({ counters: state.counters, authentications: [...state.authentications.values()] }),
  )
  return state
}
