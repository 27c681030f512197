#!/usr/bin/env node
// The CookiePay simulator in a process of its own (`node cookiepay-sim.mjs <port>`), as the NicePay one runs for
// the suite: its wire protocol, its window and its /__sim control routes, plus two read-only routes under
// /__sim/bench (never faulted) so that a scenario reads the PG's ledger of many orders in one request.
import { createCookiePaySimulator } from '@paymux/adapter-cookiepay/simulator'
import { startServer } from '@paymux/core/simulator'

const port = Number(process.argv[2] ?? 0)
// A cancel shows in paycert/paysearch only this long after it executed (CookiePay's figures lagging a Noti).
const sim = createCookiePaySimulator({
  cancelLookupLagMs: Number(process.env.COOKIEPAY_SIM_CANCEL_LAG_MS ?? 0),
})

sim.app.get('/__sim/bench/ready', (c) => c.json({ ok: true }))

/** `{orders}` → every payment CookiePay holds for each order number: TID, amount, cancelled amount, cancels, status. */
sim.app.post('/__sim/bench/orders', async (c) => {
  const { orders } = await c.req.json()
  return c.json(
    Object.fromEntries(
      orders.map((o) => [
        o,
        sim.paymentsForOrder(o).map((tid) => {
          const s = sim.inspect(tid)
          return {
            tid,
            amount: s.amount,
            cancelledAmount: s.cancelledAmount,
            cancelCount: s.cancelCount,
            status: s.status,
          }
        }),
      ]),
    ),
  )
})

const server = await startServer(sim.app, { port })
process.stdout.write(`cookiepay simulator on ${server.url}\n`)
const stop = () => void server.close().then(() => process.exit(0))
process.once('SIGTERM', stop)
process.once('SIGINT', stop)
