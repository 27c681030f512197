// The fault load shared by scenarios 3 and 3b: partial cancels (four of 3,000 on each payment of 10,000, more
// than each holds) through two gateways while the NicePay simulator injects, at random on a third of its cancel
// calls, every fault kind; then the invariants that hold with or without the PG's duplicate guard: every answer
// documented, nothing doubled or over-refunded at the PG, nothing the PG executed recorded as failed.
import { fetchRetry } from '@paymux/bench/procs'
import { expect } from 'vitest'
import { type ChaosEnv, isErrorShape, pool, type Reply } from './env.js'

export const FAULTS = [
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

export interface FaultLoad {
  tids: string[]
  summary: string
  pendingAfterLoad: number
}

export async function runFaultLoad(env: ChaosEnv, payments: number): Promise<FaultLoad> {
  const tids = await env.seed(payments, 10_000)
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
  const replies: Array<{ tid: string; reply?: Reply; error?: string }> = []
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
  const summary =
    `${replies.length} cancels (${payments} payments × 4 of 3,000) over 2 gateways in ${loadS.toFixed(1)} s, ${faultLog.log.length} faults injected ${JSON.stringify(injected)}: ` +
    `answers ${JSON.stringify(statuses)}; rows ${JSON.stringify(Object.fromEntries(states.map((s) => [s.status, s.n])))}; ` +
    `PG cancels ${pgCancels}, doubled 0, over-refunded 0, executed-but-failed 0; pending before reconciliation ${pendingAfterLoad}`
  return { tids, summary, pendingAfterLoad }
}
