// Scenario 3, faults: 2,000 partial cancels (500 payments of 10,000, four cancels of 3,000 each — more than
// each payment holds) through two gateways while the NicePay simulator injects, at random on a third of its
// cancel calls: a delay beyond the adapter's timeout (after executing, and before executing), 5xx pages,
// connection resets, HTML bodies, mis-encoded bodies, truncated JSON and execute-then-drop. Then:
// no double cancel and no over-refund per the simulator; every request ends succeeded, failed or pending;
// and once the reconciler has run, nothing is left pending and the gateway's ledger equals the PG's to the won.
import { fetchRetry } from '@paymux/bench/procs'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { type ChaosEnv, figure, isErrorShape, pool, type Reply, startEnv } from '../env.js'
import { FAST_WORKERS, reconcilerAvailable, waitNoPending } from '../reconciler.js'

const withReconciler = reconcilerAvailable()
let env: ChaosEnv
beforeAll(async () => {
  env = await startEnv('3-faults', {
    gateways: 2,
    // A merchant with NicePay's Moid duplicate guard contract: a lost cancel is re-sent with the same Moid.
    cancelDuplicateGuard: true,
    timeoutMs: 400,
    poolSize: 20,
    ...(withReconciler ? { extra: FAST_WORKERS } : {}),
  })
})
afterAll(async () => {
  await env?.close()
})

const FAULTS = [
  { kind: 'delay', ms: 900, phase: 'after' },
  { kind: 'delay', ms: 900, phase: 'before' },
  { kind: 'status', status: 500, body: 'Internal Server Error' },
  { kind: 'status', status: 502, body: '<html><body>Bad Gateway</body></html>', contentType: 'text/html' },
  { kind: 'reset' },
  { kind: 'html' },
  { kind: 'mis_encoded' },
  { kind: 'malformed' },
  { kind: 'drop' },
]

let tids: string[]
const replies: Array<{ tid: string; reply?: Reply; error?: string }> = []

test('2,000 cancels under random PG faults: no double cancel, no over-refund, every request ends in a known state', async () => {
  tids = await env.seed(500, 10_000)
  const res = await fetchRetry(`${env.sim.url}/__sim/faults/random`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ rate: 0.33, faults: FAULTS, path: '/webapi/cancel_process.jsp', seed: 20261122 }),
  })
  expect(res.ok).toBe(true)
  const work = tids.flatMap((tid) => [0, 1, 2, 3].map((k) => ({ tid, k })))
  for (let i = work.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1))
    ;[work[i], work[j]] = [work[j]!, work[i]!]
  }
  const started = performance.now()
  await pool(work, 16, async ({ tid, k }, i) => {
    try {
      const reply = await env.call(i % 2, 'POST', '/v1/cancellations', {
        idem: `fault-${tid}-${k}`,
        body: { account: env.cfg.accountId, transactionId: tid, amount: 3_000, reason: 'fault injection' },
      })
      replies.push({ tid, reply })
    } catch (err) {
      replies.push({ tid, error: (err as Error).message })
    }
  })
  const loadS = (performance.now() - started) / 1000
  await fetchRetry(`${env.sim.url}/__sim/faults`, { method: 'DELETE' })
  const faultLog = (await (await fetchRetry(`${env.sim.url}/__sim/faults/log`)).json()) as {
    calls: number
    log: Array<{ fault: { kind: string; phase?: string; status?: number } }>
  }
  const injected: Record<string, number> = {}
  for (const f of faultLog.log) {
    const k =
      f.fault.kind + (f.fault.phase ? `-${f.fault.phase}` : '') + (f.fault.status ? `-${f.fault.status}` : '')
    injected[k] = (injected[k] ?? 0) + 1
  }

  const statuses: Record<string, number> = {}
  for (const r of replies) {
    const k = r.reply ? String(r.reply.status) : 'network error'
    statuses[k] = (statuses[k] ?? 0) + 1
  }
  // The documented answers: 200 succeeded, 202 pending (answer lost), 409 balance/in flight, 422 PG refusal,
  // 502 unreadable, 503 PG unreachable. Never a 500, never a dropped connection from the gateway.
  const bad = replies.filter((r) => !r.reply || ![200, 202, 409, 422, 502, 503].includes(r.reply.status))
  expect(bad.map((r) => r.error ?? `${r.reply!.status} ${r.reply!.text.slice(0, 200)}`)).toEqual([])
  for (const r of replies) {
    if (r.reply!.status === 200) expect(r.reply!.body.status).toBe('succeeded')
    else if (r.reply!.status === 202) expect(r.reply!.body.status).toBe('pending')
    else expect(isErrorShape(r.reply!.body)).toBe(true)
  }

  const q = (text: string, params: unknown[] = []) => env.db.pool.query(text, params).then((x) => x.rows)
  const states = await q(
    `SELECT status, count(*)::int AS n FROM cancellations GROUP BY status ORDER BY status`,
  )
  for (const s of states) expect(['succeeded', 'failed', 'pending', 'needs_review']).toContain(s.status)
  const ledger = await env.ledger(tids)
  const rows = await q(`SELECT transaction_id, cancel_id, status, amount::int AS amount FROM cancellations`)
  const byCancelId = new Map(rows.map((r) => [r.cancel_id as string, r]))
  const doubled: string[] = []
  const overRefunded: string[] = []
  const executedButFailed: string[] = []
  for (const tid of tids) {
    const l = ledger[tid]!
    const moids = l.cancels.map((c) => c.moid)
    if (new Set(moids).size !== moids.length) doubled.push(tid)
    if (l.cancelledAmount > 10_000) overRefunded.push(tid)
    for (const c of l.cancels) {
      const row = byCancelId.get(c.moid)
      if (!row || row.status === 'failed')
        executedButFailed.push(`${tid}/${c.moid}: ${row?.status ?? 'no row'}`)
    }
  }
  const ledgerRows = await q(
    `SELECT transaction_id, amount::int AS amount, cancelled_amount::int AS cancelled, reserved_amount::int AS reserved FROM payments`,
  )
  const dbOver = ledgerRows.filter((p) => p.cancelled + p.reserved > p.amount)
  expect(doubled).toEqual([])
  expect(overRefunded).toEqual([])
  expect(executedButFailed).toEqual([])
  expect(dbOver).toEqual([])
  const pendingAfterLoad = rows.filter((r) => r.status === 'pending').length
  const pgCancels = Object.values(ledger).reduce((n, l) => n + (l?.cancels.length ?? 0), 0)
  figure(
    '3 faults',
    `${replies.length} cancels (500 payments × 4 of 3,000) over 2 gateways in ${loadS.toFixed(1)} s, ${faultLog.log.length} faults injected ${JSON.stringify(injected)}: ` +
      `answers ${JSON.stringify(statuses)}; rows ${JSON.stringify(Object.fromEntries(states.map((s) => [s.status, s.n])))}; ` +
      `PG cancels ${pgCancels}, doubled 0, over-refunded 0, executed-but-failed 0; pending before reconciliation ${pendingAfterLoad}`,
  )
  if (!withReconciler)
    figure(
      '3 faults (reconciled)',
      'NOT RUN: this gateway build has no reconciler (workers.reconcile in the config)',
    )
})

test.skipIf(!withReconciler)(
  'after reconciliation nothing the PG knows stays pending and the ledgers agree to the won',
  async () => {
    const took = await waitNoPending(env, 120_000)
    const q = (text: string, params: unknown[] = []) => env.db.pool.query(text, params).then((x) => x.rows)
    const states = await q(
      `SELECT status, count(*)::int AS n FROM cancellations GROUP BY status ORDER BY status`,
    )
    const left = states.filter((s) => s.status === 'pending' || s.status === 'needs_review')
    const ledger = await env.ledger(tids)
    const sums = await q(
      `SELECT p.transaction_id, p.cancelled_amount::int AS cancelled, p.reserved_amount::int AS reserved,
            coalesce(sum(c.amount) FILTER (WHERE c.status = 'succeeded'), 0)::int AS succeeded
       FROM payments p LEFT JOIN cancellations c ON c.payment_id = p.id GROUP BY p.id`,
    )
    const mismatch = sums.filter((s) => {
      const pg = ledger[s.transaction_id]?.cancelledAmount ?? 0
      return s.cancelled !== pg || s.succeeded !== pg || s.reserved !== 0
    })
    figure(
      '3 faults (reconciled)',
      `all pending resolved in ${(took / 1000).toFixed(1)} s → rows ${JSON.stringify(Object.fromEntries(states.map((s) => [s.status, s.n])))}; ` +
        `payments whose ledger differs from the PG's: ${mismatch.length} of ${sums.length}; won cancelled at the PG ${Object.values(ledger).reduce((n, l) => n + (l?.cancelledAmount ?? 0), 0)}, in the gateway ${sums.reduce((n, s) => n + s.cancelled, 0)}`,
    )
    expect(left).toEqual([])
    expect(mismatch.slice(0, 10)).toEqual([])
  },
)

test.skipIf(!withReconciler)(
  'then the rest of every payment (whose total the gateway never knew) is cancelled: ledgers equal to the won',
  async () => {
    // The merchant knows each order's total (10,000); the gateway knew none of them. What remains per the PG.
    const before = await env.ledger(tids)
    const work = tids.filter((tid) => before[tid]!.cancelledAmount < 10_000)
    const answers: Record<string, number> = {}
    await pool(work, 16, async (tid, i) => {
      const reply = await env.call(i % 2, 'POST', '/v1/cancellations', {
        body: {
          account: env.cfg.accountId,
          transactionId: tid,
          amount: 10_000 - before[tid]!.cancelledAmount,
          reason: 'the rest',
        },
      })
      answers[reply.status] = (answers[reply.status] ?? 0) + 1
    })
    const ledger = await env.ledger(tids)
    const rows = (
      await env.db.pool.query(
        `SELECT transaction_id, status, amount::int AS amount, cancelled_amount::int AS cancelled, reserved_amount::int AS reserved FROM payments`,
      )
    ).rows
    const differs = rows.filter(
      (p) =>
        p.cancelled !== ledger[p.transaction_id]!.cancelledAmount ||
        p.reserved !== 0 ||
        (ledger[p.transaction_id]!.cancelledAmount === 10_000 && p.status !== 'cancelled'),
    )
    const fully = tids.filter((tid) => ledger[tid]!.cancelledAmount === 10_000).length
    figure(
      '3 faults (the rest cancelled)',
      `${work.length} remainders asked → answers ${JSON.stringify(answers)}; fully cancelled at the PG ${fully}/${tids.length}; ` +
        `payments whose ledger differs from the PG's: ${differs.length}; won at the PG ${Object.values(ledger).reduce((n, l) => n + (l?.cancelledAmount ?? 0), 0)}, in the gateway ${rows.reduce((n, p) => n + p.cancelled, 0)}`,
    )
    expect(answers['409'] ?? 0).toBe(0)
    expect(fully).toBe(tids.length)
    expect(differs.slice(0, 10)).toEqual([])
  },
)
