// Scenario 6, database outage: while 8 clients cancel steadily, PostgreSQL stops answering the gateway — its
// connections are terminated (pg_terminate_backend) and the database refuses new ones for 2.5 s — and then
// comes back. Requests during the outage get 503 with the documented shape (never a 500); nothing is half
// written (every reservation matches its pending cancellations, every cancel the PG executed is recorded);
// the same gateway process, never restarted, answers ready and cancels again once the database is back.
import { afterAll, beforeAll, expect, test } from 'vitest'
import { type ChaosEnv, figure, isErrorShape, type Reply, sleep, startEnv } from '../env.js'

let env: ChaosEnv
beforeAll(async () => {
  env = await startEnv('6-outage', { gateways: 1, poolSize: 10 })
})
afterAll(async () => {
  await env?.db.allowConnections(true).catch(() => {})
  await env?.close()
})

interface Done {
  i: number
  tid: string
  reply?: Reply
  error?: string
  at: number
}

test('PostgreSQL stops answering mid-run: 503s, nothing half-written, recovery without restart', async () => {
  const tids = await env.seed(4_000, 10_000)
  const body = (tid: string) => ({
    account: env.cfg.accountId,
    transactionId: tid,
    amount: 1_000,
    reason: 'outage',
  })
  const done: Done[] = []
  let next = 0
  let stop = false
  const t0 = performance.now()
  const client = async () => {
    while (!stop && next < tids.length) {
      const i = next++
      const tid = tids[i]!
      try {
        const reply = await env.call(0, 'POST', '/v1/cancellations', {
          idem: `outage-${i}`,
          body: body(tid),
          timeoutMs: 20_000,
        })
        done.push({ i, tid, reply, at: performance.now() - t0 })
      } catch (err) {
        done.push({ i, tid, error: (err as Error).message, at: performance.now() - t0 })
      }
    }
  }
  const clients = Array.from({ length: 8 }, client)

  await sleep(2_000)
  const outageStart = performance.now() - t0
  await env.db.allowConnections(false)
  let terminated = await env.db.terminateOthers()
  const hold = performance.now()
  while (performance.now() - hold < 2_500) {
    await sleep(250)
    terminated += await env.db.terminateOthers()
  }
  await env.db.allowConnections(true)
  const outageEnd = performance.now() - t0

  // Back: the same process must become ready by itself.
  let readyAfter = Number.NaN
  for (let k = 0; k < 200; k++) {
    const r = await env.call(0, 'GET', '/readyz').catch(() => undefined)
    if (r?.status === 200) {
      readyAfter = performance.now() - t0 - outageEnd
      break
    }
    await sleep(50)
  }
  await sleep(2_000)
  stop = true
  await Promise.all(clients)

  const during = done.filter((d) => d.at >= outageStart && d.at <= outageEnd + 1_000)
  const statuses: Record<string, number> = {}
  for (const d of done) {
    const k = d.reply ? String(d.reply.status) : 'network error'
    statuses[k] = (statuses[k] ?? 0) + 1
  }
  // Only answers the API documents for a database outage: 200/202 (done or pending), 503 (retry).
  const bad = done.filter((d) => !d.reply || ![200, 202, 503].includes(d.reply.status))
  expect(bad.map((d) => `${d.i}: ${d.error ?? `${d.reply!.status} ${d.reply!.text.slice(0, 200)}`}`)).toEqual(
    [],
  )
  const unavailable = done.filter((d) => d.reply!.status === 503)
  expect(unavailable.length).toBeGreaterThan(0)
  for (const d of unavailable) {
    expect(isErrorShape(d.reply!.body)).toBe(true)
    expect(d.reply!.body.error.type).toBe('database_unavailable')
  }
  expect(readyAfter).toBeLessThan(10_000)

  // New work after the outage succeeds on the same process.
  const fresh = await env.seed(20, 10_000)
  const after = await Promise.all(
    fresh.map((tid, k) => env.call(0, 'POST', '/v1/cancellations', { idem: `after-${k}`, body: body(tid) })),
  )
  expect(after.map((r) => r.status)).toEqual(fresh.map(() => 200))

  // Retrying every 503 with its own key never cancels twice: fresh run, current state or "still in flight".
  const retried = await Promise.all(
    unavailable.map((d) =>
      env.call(0, 'POST', '/v1/cancellations', { idem: `outage-${d.i}`, body: body(d.tid) }),
    ),
  )
  const retryStatuses: Record<string, number> = {}
  for (const r of retried) retryStatuses[r.status] = (retryStatuses[r.status] ?? 0) + 1
  expect(
    retried
      .filter((r) => ![200, 202, 409].includes(r.status))
      .map((r) => `${r.status} ${r.text.slice(0, 160)}`),
  ).toEqual([])

  // ---- nothing half-written ----
  const touched = [...new Set([...done.map((d) => d.tid), ...fresh])]
  const ledger = await env.ledger(touched)
  const q = (text: string, params: unknown[] = []) => env.db.pool.query(text, params).then((r) => r.rows)
  const payments = await q(
    `SELECT p.transaction_id, p.cancelled_amount::int AS cancelled, p.reserved_amount::int AS reserved, p.inflight_cancels AS inflight,
            coalesce(sum(c.amount) FILTER (WHERE c.status = 'succeeded'), 0)::int AS succeeded_sum,
            coalesce(sum(c.amount) FILTER (WHERE c.status = 'pending'), 0)::int AS pending_sum,
            count(c.id) FILTER (WHERE c.status = 'pending')::int AS pending_n
       FROM payments p LEFT JOIN cancellations c ON c.payment_id = p.id
      WHERE p.transaction_id = ANY($1) GROUP BY p.id`,
    [touched],
  )
  const ledgerMismatch = payments.filter(
    (p) => p.cancelled !== p.succeeded_sum || p.reserved !== p.pending_sum || p.inflight !== p.pending_n,
  )
  expect(ledgerMismatch).toEqual([])
  const rows = await q(
    `SELECT transaction_id, cancel_id, status, amount::int AS amount FROM cancellations WHERE transaction_id = ANY($1)`,
    [touched],
  )
  const byCancelId = new Map(rows.map((r) => [r.cancel_id as string, r]))
  const unrecorded: string[] = []
  const doubled: string[] = []
  const succeededButNotAtPg: string[] = []
  for (const tid of touched) {
    const l = ledger[tid]
    if (!l) continue
    if (l.cancels.length > 1) doubled.push(tid)
    for (const c of l.cancels) {
      const row = byCancelId.get(c.moid)
      if (!row || (row.status !== 'succeeded' && row.status !== 'pending'))
        unrecorded.push(`${tid}/${c.moid}`)
    }
  }
  for (const r of rows) {
    if (r.status === 'succeeded' && !ledger[r.transaction_id]?.cancels.some((c) => c.moid === r.cancel_id))
      succeededButNotAtPg.push(r.cancel_id)
  }
  expect(unrecorded).toEqual([])
  expect(doubled).toEqual([])
  expect(succeededButNotAtPg).toEqual([])
  // Every key that claimed work points at a row written in the same transaction.
  const orphanKeys = await q(
    `SELECT k.key FROM idempotency_keys k LEFT JOIN cancellations c ON c.id = k.resource_id
      WHERE k.resource_type = 'cancellation' AND c.id IS NULL`,
  )
  expect(orphanKeys).toEqual([])
  const pending = rows.filter((r) => r.status === 'pending').length
  // Every client-acknowledged success is in the database and at the PG.
  for (const d of done.filter((x) => x.reply?.status === 200)) {
    const row = byCancelId.get(d.reply!.body.id)
    expect(row?.status).toBe('succeeded')
  }

  figure(
    '6 database outage',
    `${done.length} cancels by 8 clients, outage ${((outageEnd - outageStart) / 1000).toFixed(1)} s (${terminated} connections terminated, new ones refused): ` +
      `answers ${JSON.stringify(statuses)}, ${during.length} in the outage window; 500s 0; ready again ${readyAfter.toFixed(0)} ms after the database returned, no restart; ` +
      `20/20 new cancels succeeded after; retries of the 503s ${JSON.stringify(retryStatuses)}; ledger mismatches 0, PG cancels unrecorded 0, doubled 0, ` +
      `orphan keys 0, left pending for reconciliation ${pending}`,
  )
})
