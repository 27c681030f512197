// A deliberately tiny PG used only by core's own tests: enough protocol to run the conformance suite
// against a reference adapter and against broken ones.
import { Hono } from 'hono'
import { FaultInjector, faultControlRoutes, faultMiddleware } from '../../simulator/faults.js'
import { mountToyCheckout } from './toy-checkout.js'

interface ToyPayment {
  amount: number
  cancelled: number
  cancels: number
  method: 'card' | 'virtual_account'
  deposited: boolean
}

export function createToyPg() {
  const faults = new FaultInjector()
  const payments = new Map<string, ToyPayment>()
  const cancelIds = new Set<string>()
  let n = 0
  const app = new Hono()
  app.route('/__sim', faultControlRoutes(faults))
  app.use('/api/*', faultMiddleware(faults))
  app.post('/api/cancel', async (c) => {
    const b = (await c.req.json()) as { tx: string; amount?: number; cancelId?: string; refund?: unknown }
    const p = payments.get(b.tx)
    if (!p) return c.json({ code: 'NOT_FOUND', message: 'no such payment' }, 404)
    if (typeof b.amount === 'number' && (!Number.isInteger(b.amount) || b.amount <= 0)) {
      return c.json({ code: 'BAD_AMOUNT', message: 'bad amount' }, 400)
    }
    if (b.cancelId && cancelIds.has(b.cancelId))
      return c.json({ code: 'DUPLICATE', message: 'duplicate cancel id' }, 409)
    const remaining = p.amount - p.cancelled
    if (remaining === 0) return c.json({ code: 'ALREADY', message: 'already cancelled' }, 409)
    const amount = b.amount ?? remaining
    if (amount > remaining) return c.json({ code: 'EXCEEDS', message: 'exceeds' }, 409)
    if (p.method === 'virtual_account' && p.deposited && !b.refund) {
      return c.json({ code: 'REFUND_ACCOUNT', message: 'refund account required' }, 400)
    }
    if (b.cancelId) cancelIds.add(b.cancelId)
    p.cancelled += amount
    p.cancels++
    return c.json({
      code: 'OK',
      amount,
      remaining: p.amount - p.cancelled,
      at: new Date().toISOString(),
      id: `C${++n}`,
    })
  })
  const checkout = mountToyCheckout(
    app,
    (tx, amount) => {
      payments.set(tx, { amount, cancelled: 0, cancels: 0, method: 'card', deposited: true })
    },
    (tx) => {
      const p = payments.get(tx)
      if (p) p.cancelled = p.amount
    },
    () => String(++n),
  )
  app.get('/api/tx/:id', (c) => {
    const p = payments.get(c.req.param('id'))
    if (!p) return c.json({ code: 'NOT_FOUND', message: 'no such payment' }, 404)
    return c.json({ code: 'OK', amount: p.amount, cancelled: p.cancelled })
  })
  return {
    app,
    faults,
    /** The window and approval: live settings, every authentication, counters. */
    checkout,
    seed(amount: number, method: ToyPayment['method'] = 'card', deposited = true) {
      const id = `TOY${++n}`
      payments.set(id, { amount, cancelled: 0, cancels: 0, method, deposited })
      return { transactionId: id }
    },
    inspect(id: string) {
      const p = payments.get(id)
      const auth = checkout.authentications.get(id)
      if (!p && !auth) throw new Error(`no payment ${id}`)
      return {
        amount: p?.amount ?? auth?.amount ?? 0,
        cancelledAmount: p?.cancelled ?? 0,
        cancelCount: p?.cancels ?? 0,
        approvals: auth?.approvals ?? 0,
        undos: auth?.undos ?? 0,
      }
    },
  }
}
