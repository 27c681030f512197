#!/usr/bin/env node
// The Toss Payments simulator in a process of its own (`node tosspayments-sim.mjs <port>`), as the NicePay one runs
// for the suite: its wire protocol and its /__sim control routes (seeding on /__sim/seed/payment, every cancel
// request with its Idempotency-Key on /__sim/cancels), plus a readiness route under /__sim/bench.
import { createTossSimulator } from '@paymux/adapter-tosspayments/simulator'
import { startServer } from '@paymux/core/simulator'

const port = Number(process.argv[2] ?? 0)
const sim = createTossSimulator()

sim.app.get('/__sim/bench/ready', (c) => c.json({ ok: true }))

// TOSS_SIM_CANCEL_LAG_MS: a cancel shows in lookups only this long after it executed (invented, for the chaos
// suite: Toss documents no such lag). A lookup then cannot settle a cancel whose answer was lost, and the gateway
// must re-send it, which Toss answers from its Idempotency-Key store without cancelling again.
const lagMs = Number(process.env.TOSS_SIM_CANCEL_LAG_MS ?? 0)
/** A Payment as a lookup shows it while its latest cancels are inside the lag. */
function hide(p) {
  if (!p || !Array.isArray(p.cancels)) return p
  const now = Date.now()
  const shown = p.cancels.filter((x) => now - Date.parse(x.canceledAt) >= lagMs)
  if (shown.length === p.cancels.length) return p
  const hidden = p.cancels.length - shown.length
  const back = p.cancels.slice(-hidden).reduce((n, x) => n + x.cancelAmount, 0)
  return {
    ...p,
    cancels: shown.length ? shown : null,
    balanceAmount: p.balanceAmount + back,
    status: shown.length ? 'PARTIAL_CANCELED' : 'DONE',
  }
}

/** Lookups (GET /v1/payments/…) with the cancels still inside their lag taken out. */
async function serve(request) {
  const res = await sim.app.fetch(request)
  const path = new URL(request.url).pathname
  if (!(lagMs > 0) || request.method !== 'GET' || !path.startsWith('/v1/payments/') || res.status !== 200)
    return res
  const body = await res.json()
  return new Response(JSON.stringify(Array.isArray(body) ? body.map(hide) : hide(body)), {
    status: 200,
    headers: { 'content-type': 'application/json' },
  })
}

const server = await startServer({ fetch: serve }, { port })
process.stdout.write(`tosspayments simulator on ${server.url}\n`)
const stop = () => void server.close().then(() => process.exit(0))
process.once('SIGTERM', stop)
process.once('SIGINT', stop)
