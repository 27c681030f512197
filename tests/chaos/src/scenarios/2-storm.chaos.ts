// Scenario 2, duplicate storm: 500 requests carrying 50 distinct Idempotency-Keys (each key 10 times, sent
// concurrently and spread over two gateway processes) → exactly 50 cancels reach the PG; every replay is
// identical to the original answer; a duplicate that arrives while its original is still running gets 409
// (the documented "retry later with the same key"), never a second cancel.
import { afterAll, beforeAll, expect, test } from 'vitest'
import { type ChaosEnv, figure, isErrorShape, type Reply, startEnv } from '../env.js'

let env: ChaosEnv
beforeAll(async () => {
  // A generous PG timeout: this scenario is about keys, not about a slow PG on a loaded machine (a first cancel
  // whose answer outlasts the timeout is rightly pending, and its replays rightly 202).
  env = await startEnv('2-storm', { gateways: 2, poolSize: 20, timeoutMs: 10_000 })
})
afterAll(async () => {
  await env?.close()
})

test('500 requests with 50 Idempotency-Keys over two gateways: exactly 50 PG cancels, replays identical', async () => {
  const tids = await env.seed(50, 10_000)
  const callsBefore = await env.simCalls()
  const requests = tids.flatMap((tid, k) =>
    Array.from({ length: 10 }, (_, copy) => ({
      key: `storm-${k}`,
      gw: (k + copy) % 2,
      body: { account: env.cfg.accountId, transactionId: tid, amount: 2_500, reason: 'duplicate storm' },
    })),
  )
  // Shuffled so copies of one key land at different moments on different processes.
  for (let i = requests.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1))
    ;[requests[i], requests[j]] = [requests[j]!, requests[i]!]
  }
  const replies = await Promise.all(
    requests.map(async (r) => ({
      r,
      reply: await env.call(r.gw, 'POST', '/v1/cancellations', { idem: r.key, body: r.body }),
    })),
  )
  const unexpected = replies.filter(({ reply }) => reply.status !== 200 && reply.status !== 409)
  expect(unexpected.map(({ reply }) => `${reply.status} ${reply.text.slice(0, 200)}`)).toEqual([])
  const originals = new Map<string, Reply>()
  const replays: Array<{ key: string; reply: Reply }> = []
  let inFlight = 0
  for (const { r, reply } of replies) {
    if (reply.status === 409) {
      expect(isErrorShape(reply.body)).toBe(true)
      expect(reply.body.error.code).toBe('idempotency_key_in_use')
      inFlight++
    } else if (reply.headers.get('idempotent-replayed') === 'true') replays.push({ key: r.key, reply })
    else {
      // At most one original per key.
      expect(originals.has(r.key)).toBe(false)
      originals.set(r.key, reply)
    }
  }
  expect(originals.size).toBe(50)
  // Afterwards every key, on both processes, replays the original byte for byte.
  const after = await Promise.all(
    [...originals.keys()].flatMap((key) =>
      [0, 1].map(async (gw) => {
        const k = Number(key.split('-')[1])
        const body = {
          account: env.cfg.accountId,
          transactionId: tids[k],
          amount: 2_500,
          reason: 'duplicate storm',
        }
        return { key, reply: await env.call(gw, 'POST', '/v1/cancellations', { idem: key, body }) }
      }),
    ),
  )
  // Identical as JSON: the stored answer lives in a jsonb column, which keeps values but not key order.
  let sameBytes = 0
  for (const { key, reply } of [...replays, ...after]) {
    expect(reply.status).toBe(200)
    expect(reply.headers.get('idempotent-replayed')).toBe('true')
    expect(reply.body).toStrictEqual(originals.get(key)!.body)
    if (reply.text === originals.get(key)!.text) sameBytes++
  }

  const ledger = await env.ledger(tids)
  const pgCancels = Object.values(ledger).reduce((n, l) => n + (l?.cancels.length ?? 0), 0)
  expect(pgCancels).toBe(50)
  for (const tid of tids) expect(ledger[tid]!.cancelledAmount).toBe(2_500)
  expect((await env.simCalls()) - callsBefore).toBe(50)
  const rows = (
    await env.db.pool.query(`SELECT count(*)::int AS n FROM cancellations WHERE status = 'succeeded'`)
  ).rows[0]
  expect(rows.n).toBe(50)
  figure(
    '2 duplicate storm',
    `500 requests / 50 keys over 2 gateways → ${originals.size} originals, ${replays.length} replays during the storm + ${after.length} after it (all equal as JSON, ${sameBytes} byte for byte), ${inFlight} × 409 in flight; PG cancels ${pgCancels} (simulator calls ${(await env.simCalls()) - callsBefore})`,
  )
})
