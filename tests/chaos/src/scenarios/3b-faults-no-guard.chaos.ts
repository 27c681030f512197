// Scenario 3b: scenario 3's faults against a NicePay merchant WITHOUT the Moid duplicate guard contract (the
// default). Nothing may be re-sent: after the load, the PG receives no further cancel; nothing is doubled; and
// what the lookup (no amounts) cannot settle ends in needs_review, never guessed.
// The load itself is scenario 3's (fault-load.ts), on 250 payments.
import { fetchRetry } from '@paymux/bench/procs'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { type ChaosEnv, figure, startEnv } from '../env.js'
import { runFaultLoad } from '../fault-load.js'
import { FAST_WORKERS, reconcilerAvailable, waitNoPending } from '../reconciler.js'

const withReconciler = reconcilerAvailable()
let env: ChaosEnv
beforeAll(async () => {
  env = await startEnv('3b-faults-no-guard', {
    gateways: 2,
    timeoutMs: 400,
    poolSize: 20,
    cancelDuplicateGuard: false,
    // Nothing the lookup can add will come: unresolved items go to review within seconds, not hours.
    ...(withReconciler
      ? {
          extra: {
            workers: {
              ...FAST_WORKERS.workers,
              reconcile: { ...FAST_WORKERS.workers.reconcile, giveUpAfterSeconds: 8 },
            },
          },
        }
      : {}),
  })
})
afterAll(async () => {
  await env?.close()
})

let tids: string[]
let callsAfterLoad = -1

/** Cancel calls the gateways sent to the PG, from their own /metrics (lookups are not counted). */
async function cancelCalls(): Promise<number> {
  let n = 0
  for (const g of env.gateways) {
    const text = await (await fetchRetry(`${g.url}/metrics`)).text()
    for (const line of text.split('\n'))
      if (line.startsWith('paymux_pg_calls_total{') && line.includes('operation="cancel"'))
        n += Number(line.slice(line.lastIndexOf(' ') + 1))
  }
  return n
}

test('1,000 cancels under random PG faults, merchant without the Moid guard: no double cancel, no over-refund, every request ends in a known state', async () => {
  const load = await runFaultLoad(env, 250)
  tids = load.tids
  callsAfterLoad = await cancelCalls()
  figure('3b faults, no guard', load.summary)
  if (!withReconciler)
    figure(
      '3b faults, no guard (reconciled)',
      'NOT RUN: this gateway build has no reconciler (workers.reconcile in the config)',
    )
})

test.skipIf(!withReconciler)(
  'after reconciliation: nothing pending, nothing re-sent, nothing doubled; what evidence cannot settle is in review',
  async () => {
    const took = await waitNoPending(env, 120_000)
    const q = (text: string, params: unknown[] = []) => env.db.pool.query(text, params).then((x) => x.rows)
    const states = await q(
      `SELECT status, count(*)::int AS n FROM cancellations GROUP BY status ORDER BY status`,
    )
    const callsNow = await cancelCalls()
    const ledger = await env.ledger(tids)
    const doubled = tids.filter((tid) => {
      const moids = ledger[tid]!.cancels.map((c) => c.moid)
      return new Set(moids).size !== moids.length
    })
    // Money the PG moved is never recorded as failed, and what the gateway counts as cancelled happened.
    const rows = await q(`SELECT transaction_id, cancel_id, status, amount::int AS amount FROM cancellations`)
    const byCancelId = new Map(rows.map((r) => [r.cancel_id as string, r]))
    const executedButFailed = tids.flatMap((tid) =>
      ledger[tid]!.cancels.filter((c) => byCancelId.get(c.moid)?.status === 'failed').map((c) => c.moid),
    )
    const sums = await q(`SELECT p.transaction_id, p.cancelled_amount::int AS cancelled FROM payments p`)
    const overCounted = sums.filter((s) => s.cancelled > (ledger[s.transaction_id]?.cancelledAmount ?? 0))
    const reviewed = states.find((s) => s.status === 'needs_review')?.n ?? 0
    figure(
      '3b faults, no guard (reconciled)',
      `pending resolved in ${(took / 1000).toFixed(1)} s → rows ${JSON.stringify(Object.fromEntries(states.map((s) => [s.status, s.n])))}; ` +
        `PG cancel requests after the load: ${callsNow - callsAfterLoad} (none re-sent); doubled ${doubled.length}; ` +
        `executed-but-failed ${executedButFailed.length}; payments counting more than the PG moved ${overCounted.length}; in review ${reviewed}`,
    )
    expect(Number.isNaN(took)).toBe(false)
    expect(states.filter((s) => s.status === 'pending')).toEqual([])
    expect(callsNow).toBe(callsAfterLoad)
    expect(doubled).toEqual([])
    expect(executedButFailed).toEqual([])
    expect(overCounted).toEqual([])
  },
)
