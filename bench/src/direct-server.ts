// "direct": the NicePay adapter alone, with no gateway, behind the barest HTTP server so the load generator
// drives it exactly as it drives the gateway. `node direct-server.js <port> <simulator url> <timeoutMs>`.
// POST /cancel {transactionId, amount, cancelId, paymentAmount} → the adapter's CancelResult.
// GET /floor → a constant (a bare Hono route on @hono/node-server, no middleware at all).
import { serve } from '@hono/node-server'
import { NicePay } from '@paymux/adapter-nicepay'
import { NICEPAY_DEMO_CREDENTIALS } from '@paymux/adapter-nicepay/simulator'
import { isPaymentError } from '@paymux/core'
import { Hono } from 'hono'

const [portArg, simUrl, timeoutArg] = process.argv.slice(2)
const nice = new NicePay({
  ...NICEPAY_DEMO_CREDENTIALS,
  baseUrl: simUrl!,
  timeoutMs: Number(timeoutArg ?? 10_000),
})
const app = new Hono()
app.get('/floor', (c) => c.json({ status: 'ok' }))
app.post('/cancel', async (c) => {
  const b = (await c.req.json()) as {
    transactionId: string
    amount: number
    cancelId: string
    paymentAmount: number
  }
  try {
    const r = await nice.cancel({
      transactionId: b.transactionId,
      amount: b.amount,
      cancelId: b.cancelId,
      reason: 'bench partial cancel',
      paymentAmount: b.paymentAmount,
    })
    return c.json(r)
  } catch (err) {
    const e = isPaymentError(err) ? { code: err.code, outcome: err.outcome } : { code: 'internal' }
    return c.json({ error: e }, 502)
  }
})
const server = serve({ fetch: app.fetch, port: Number(portArg), hostname: '127.0.0.1' })
const stop = () => server.close(() => process.exit(0))
process.once('SIGTERM', stop)
process.once('SIGINT', stop)
