// The NicePay simulator as a process of its own: `node sim-server.js <port>`. Besides the simulator's own
// wire and /__sim control routes it answers a few bulk routes (/__bench/*) so that a run can seed tens of
// thousands of payments and read the ledger back in one request instead of one per payment.
import { createNicePaySimulator } from '@paymux/adapter-nicepay/simulator'
import { startServer } from '@paymux/core/simulator'
import { Hono } from 'hono'
import { benchTid } from './procs.js'

const port = Number(process.argv[2] ?? 0)
// The Moid duplicate guard is a separate NicePay contract: on for the suites that model a merchant who has it.
const sim = createNicePaySimulator({ cancelDuplicateGuard: process.env.NICEPAY_SIM_CANCEL_GUARD === '1' })
const app = new Hono()

app.get('/__bench/ready', (c) => c.json({ ok: true }))

/**
 * `{ms}`: every protocol call is answered after this long (0: at once). A real PG takes hundreds of
 * milliseconds to answer a cancel; the realistic phase runs with this set, to show what the gateway holds
 * (memory, database connections, locks) while it waits.
 */
let answerDelayMs = 0
app.post('/__bench/delay', async (c) => {
  answerDelayMs = Math.max(0, Number(((await c.req.json()) as { ms: number }).ms) || 0)
  return c.json({ ms: answerDelayMs })
})
app.use('*', async (c, next) => {
  if (answerDelayMs > 0 && !c.req.path.startsWith('/__'))
    await new Promise((r) => setTimeout(r, answerDelayMs))
  await next()
})

/** `{tag, from, count, amount}`: seeds benchTid(tag, from … from+count-1). */
app.post('/__bench/seed', async (c) => {
  const { tag, from, count, amount } = (await c.req.json()) as {
    tag: number
    from: number
    count: number
    amount: number
  }
  // Idempotent, so a caller may resend after a connection closed under it.
  for (let i = from; i < from + count; i++) {
    const transactionId = benchTid(tag, i)
    if (!sim.inspect(transactionId)) sim.seedPayment({ amount, transactionId })
  }
  return c.json({ seeded: count })
})

/** The ledger of the given TIDs as NicePay knows it. */
app.post('/__bench/ledger', async (c) => {
  const { tids } = (await c.req.json()) as { tids: string[] }
  return c.json(
    Object.fromEntries(
      tids.map((t) => {
        const s = sim.inspect(t)
        return [t, s ? { amount: s.amount, cancelledAmount: s.cancelledAmount, cancels: s.cancels } : null]
      }),
    ),
  )
})

/**
 * What NicePay holds for TxTids opened in its payment window: the window's state (opened, authenticated,
 * approved, declined, net_cancelled, failed), the order and amount, and how often each was approved and
 * network-cancelled (calls received, and executed). `null` for a TxTid the window never issued.
 */
app.post('/__bench/checkouts', async (c) => {
  const { tids } = (await c.req.json()) as { tids: string[] }
  return c.json(
    Object.fromEntries(
      tids.map((t) => {
        const s = sim.inspect(t)
        return [
          t,
          s?.checkout ? { ...s.checkout, amount: s.amount, cancelledAmount: s.cancelledAmount } : null,
        ]
      }),
    ),
  )
})

/** Protocol calls seen (faults included): proves that rejected input never reached the PG. */
app.get('/__bench/calls', (c) => c.json({ calls: sim.faults.calls }))

let server: Awaited<ReturnType<typeof startServer>>
/**
 * `{ms}`: NicePay out of reach for that long: once this answer is sent, the port is closed (every open
 * connection too), so calls meet a refused connection, then the same port listens again with everything the
 * simulator held. Not a PG behaviour: the network between the gateway and the PG going away (chaos scenario 11).
 */
app.post('/__bench/outage', async (c) => {
  const ms = Math.max(0, Number(((await c.req.json()) as { ms: number }).ms) || 0)
  setTimeout(async () => {
    await server.close()
    process.stdout.write(`nicepay simulator: port ${port} closed for ${ms} ms\n`)
    setTimeout(reopen, ms)
  }, 20)
  return c.json({ ms })
})
async function reopen(): Promise<void> {
  // The port may be held for a moment by a socket of the closed listener: try again until it is free.
  for (;;) {
    try {
      server = await startServer(app, { port: server.port })
      process.stdout.write(`nicepay simulator: port ${server.port} open again\n`)
      return
    } catch {
      await new Promise((r) => setTimeout(r, 50))
    }
  }
}

app.route('/', sim.app)

server = await startServer(app, { port })
process.stdout.write(`nicepay simulator on ${server.url}\n`)

const stop = () => void server.close().then(() => process.exit(0))
process.once('SIGTERM', stop)
process.once('SIGINT', stop)
