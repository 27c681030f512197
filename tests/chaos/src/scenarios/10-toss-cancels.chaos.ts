// Scenario 10, Toss cancels whose answers are lost under load: payments made at Toss (seeded in its simulator,
// unknown to the gateway) are cancelled in two parts each over two gateways while half of the cancel calls execute
// at Toss and lose their answer (the connection drops, or the answer comes after the adapter's timeout). The
// reconciler settles what was left pending. Toss keeps one answer per Idempotency-Key, so a re-send that carries
// its cancel's original key never executes again; a re-send under a new key would. Afterwards, from the
// simulator's own log of every cancel request with its key: each logical cancel executed exactly once, and every
// request the gateway sent for it carried that cancel's key.
import { idempotencyKey } from '@paymux/adapter-tosspayments'
import { TOSS_DEMO_CREDENTIALS } from '@paymux/adapter-tosspayments/simulator'
import { fetchRetry } from '@paymux/bench/procs'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { type ChaosEnv, figure, pool, sleep, startEnv } from '../env.js'
import { FAST_WORKERS, reconcilerAvailable, waitNoPending } from '../reconciler.js'
import { type SimProcess, scenarioDir, startSimProcess } from '../sim-process.js'

const PAYMENTS = 40
const TOSS = 'toss'
const withReconciler = reconcilerAvailable()

let env: ChaosEnv
let toss: SimProcess

beforeAll(async () => {
  // Cancels show in lookups 3 s late: the reconciler (after 1.5 s) cannot settle a lost one by looking it up and
  // re-sends it, so the re-sends this scenario is about happen.
  toss = await startSimProcess('tosspayments-sim.mjs', scenarioDir('10-toss-cancels'), {
    TOSS_SIM_CANCEL_LAG_MS: '3000',
  })
  env = await startEnv('10-toss-cancels', {
    gateways: 2,
    poolSize: 20,
    accounts: [
      {
        id: TOSS,
        provider: 'tosspayments',
        ...TOSS_DEMO_CREDENTIALS,
        baseUrl: toss.url,
        // Below the 2,500 ms delay fault: that answer comes too late, after the cancel executed.
        timeoutMs: 1_200,
      },
    ],
    ...(withReconciler ? { extra: FAST_WORKERS } : {}),
  })
  env.addSecrets(TOSS_DEMO_CREDENTIALS.secretKey)
}, 120_000)
afterAll(async () => {
  await env?.close()
  await toss?.stop()
})

const post = (path: string, body: unknown) =>
  fetchRetry(`${toss.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })

test.skipIf(!withReconciler)(
  `${PAYMENTS * 2} Toss cancels, half their answers lost: after reconciliation each executed exactly once, every re-send under its original Idempotency-Key`,
  async () => {
    const keys: string[] = []
    for (let i = 0; i < PAYMENTS; i++) {
      const seeded = (await (await post('/__sim/seed/payment', { amount: 10_000 })).json()) as {
        transactionId: string
      }
      keys.push(seeded.transactionId)
    }
    // Half the cancel calls execute at Toss and lose their answer: a dropped connection, or an answer after the
    // adapter's read timeout. Nothing else is faulted (lookups answer, so the reconciler can settle).
    const faulted = await post('/__sim/faults/random', {
      rate: 0.5,
      seed: 10,
      path: '/cancel',
      faults: [{ kind: 'drop' }, { kind: 'delay', ms: 2_500, phase: 'after' }],
    })
    expect(faulted.status).toBe(200)

    // Two logical cancels per payment, one after the other (Toss refuses a second cancel within a second), the
    // payments 16 at a time over both gateways; the client re-sends a request left pending or unanswered under ITS Idempotency-Key.
    const answers: Record<string, number> = {}
    await pool(keys, 16, async (transactionId, i) => {
      for (const part of [1, 2]) {
        const idem = `toss-${transactionId}-${part}`
        const body = { account: TOSS, transactionId, amount: 3_000, reason: `part ${part}` }
        let r = await env.call(i % 2, 'POST', '/v1/cancellations', { idem, body })
        answers[r.status] = (answers[r.status] ?? 0) + 1
        // 202: pending (its replay comes back); 5xx: the payment's first lookup went unanswered under load and
        // nothing was recorded, so the same request is simply tried again.
        for (let t = 0; t < 3 && (r.status === 202 || r.status >= 500); t++) {
          await sleep(500)
          r = await env.call((i + t + 1) % 2, 'POST', '/v1/cancellations', { idem, body })
        }
      }
    })
    const took = await waitNoPending(env, 120_000)
    await fetchRetry(`${toss.url}/__sim/faults`, { method: 'DELETE' })

    const rows = (
      await env.db.pool.query(
        `SELECT c.cancel_id, c.status, c.amount::int AS amount, p.transaction_id
           FROM cancellations c JOIN payments p ON p.id = c.payment_id`,
      )
    ).rows as Array<{ cancel_id: string; status: string; amount: number; transaction_id: string }>
    const log = (await (await fetchRetry(`${toss.url}/__sim/cancels`)).json()) as {
      requests: Array<{ paymentKey: string; idempotencyKey?: string }>
      executed: Array<{ paymentKey: string; amount: number; idempotencyKey?: string }>
    }
    const requestsOf = new Map<string, number>()
    for (const r of log.requests)
      requestsOf.set(r.idempotencyKey ?? '', (requestsOf.get(r.idempotencyKey ?? '') ?? 0) + 1)
    const executionsOf = new Map<string, number>()
    for (const e of log.executed)
      executionsOf.set(e.idempotencyKey ?? '', (executionsOf.get(e.idempotencyKey ?? '') ?? 0) + 1)

    // Each logical cancel is one row; its Toss key is derived from the row's cancel id.
    const keyOf = new Map(rows.map((r) => [idempotencyKey('cancel', r.cancel_id), r]))
    const states = rows.reduce<Record<string, number>>((n, r) => {
      n[r.status] = (n[r.status] ?? 0) + 1
      return n
    }, {})
    const resent = [...requestsOf.values()].filter((n) => n > 1).length
    const twice = [...executionsOf.entries()].filter(([, n]) => n > 1)
    const succeededNotOnce = rows.filter(
      (r) => r.status === 'succeeded' && executionsOf.get(idempotencyKey('cancel', r.cancel_id)) !== 1,
    )
    // A request under a key no logical cancel has, or under none: a re-send that changed its key.
    const strangers = log.requests.filter((r) => !r.idempotencyKey || !keyOf.has(r.idempotencyKey))
    // The ledger: what Toss executed per payment is what the gateway booked.
    const executedAt = new Map<string, number>()
    for (const e of log.executed) executedAt.set(e.paymentKey, (executedAt.get(e.paymentKey) ?? 0) + e.amount)
    const bookedAt = new Map<string, number>()
    for (const r of rows.filter((x) => x.status === 'succeeded'))
      bookedAt.set(r.transaction_id, (bookedAt.get(r.transaction_id) ?? 0) + r.amount)
    const differs = keys.filter((k) => (executedAt.get(k) ?? 0) !== (bookedAt.get(k) ?? 0))

    figure(
      '10 toss cancels',
      `${rows.length} logical cancels (answers ${JSON.stringify(answers)}), pending resolved in ${(took / 1000).toFixed(1)} s → ${JSON.stringify(states)}; ` +
        `${log.requests.length} cancel requests at Toss for ${requestsOf.size} keys (${resent} keys sent more than once), ${log.executed.length} executed; ` +
        `keys executed twice ${twice.length}, requests under a foreign or no key ${strangers.length}, payments whose ledger differs ${differs.length}`,
    )
    expect(Number.isNaN(took)).toBe(false)
    expect(rows).toHaveLength(PAYMENTS * 2)
    // The faults did lose answers, and some cancel was sent again: otherwise this proves nothing.
    expect(resent).toBeGreaterThan(0)
    expect(twice).toEqual([])
    expect(strangers).toEqual([])
    expect(succeededNotOnce.map((r) => r.cancel_id)).toEqual([])
    // Every logical cancel ends known, and none executed without being booked.
    expect(rows.filter((r) => r.status === 'pending')).toEqual([])
    expect(differs).toEqual([])
    expect(states.succeeded ?? 0).toBeGreaterThan(PAYMENTS)
  },
  300_000,
)
