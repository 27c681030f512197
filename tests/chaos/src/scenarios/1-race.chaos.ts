// Scenario 1, over-refund race: 100 concurrent partial cancels of 1,000 won on one 10,000 won payment, spread
// over two gateway processes on one PostgreSQL → exactly 10 succeed, the other 90 get 409, and the PG's own
// ledger (the simulator) agrees to the won. Run on several payments, so the race is not won by luck once.
import { afterAll, beforeAll, expect, test } from 'vitest'
import { type ChaosEnv, figure, isErrorShape, startEnv } from '../env.js'

let env: ChaosEnv
beforeAll(async () => {
  env = await startEnv('1-race', { gateways: 2, poolSize: 20 })
})
afterAll(async () => {
  await env?.close()
})

const PAYMENTS = 3

test('100 concurrent partial cancels of 1,000 on a 10,000 payment through two gateways: exactly 10 succeed', async () => {
  const tids = await env.seed(PAYMENTS, 10_000)
  const lines: string[] = []
  for (const tid of tids) {
    const replies = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        env.call(i % 2, 'POST', '/v1/cancellations', {
          idem: `race-${tid}-${i}`,
          body: { account: env.cfg.accountId, transactionId: tid, amount: 1_000, reason: 'race' },
        }),
      ),
    )
    const ok = replies.filter((r) => r.status === 200)
    const conflicts = replies.filter((r) => r.status === 409)
    const other = replies.filter((r) => r.status !== 200 && r.status !== 409)
    expect(other.map((r) => `${r.status} ${r.text.slice(0, 200)}`)).toEqual([])
    expect(ok).toHaveLength(10)
    expect(conflicts).toHaveLength(90)
    for (const r of ok) expect(r.body.status).toBe('succeeded')
    for (const r of conflicts) expect(isErrorShape(r.body)).toBe(true)
    const byGateway = [0, 1].map((g) => replies.filter((_, i) => i % 2 === g && _.status === 200).length)

    const sim = (await env.ledger([tid]))[tid]!
    expect(sim.cancelledAmount).toBe(10_000)
    expect(sim.cancels).toHaveLength(10)
    expect(sim.cancels.reduce((n, c) => n + c.amount, 0)).toBe(10_000)

    const row = (
      await env.db.pool.query(
        'SELECT amount, cancelled_amount, reserved_amount, inflight_cancels, status FROM payments WHERE transaction_id = $1',
        [tid],
      )
    ).rows[0]
    expect(row).toMatchObject({
      amount: '10000',
      cancelled_amount: '10000',
      reserved_amount: '0',
      inflight_cancels: 0,
    })
    expect(row.status).toBe('cancelled')
    const recorded = (
      await env.db.pool.query(
        `SELECT status, count(*)::int AS n, coalesce(sum(amount), 0)::int AS won FROM cancellations
          WHERE transaction_id = $1 GROUP BY status`,
        [tid],
      )
    ).rows
    expect(recorded).toEqual([{ status: 'succeeded', n: 10, won: 10_000 }])
    lines.push(
      `${ok.length} succeeded (gateway A ${byGateway[0]}, B ${byGateway[1]}), ${conflicts.length} × 409, ` +
        `simulator ${sim.cancelledAmount} won in ${sim.cancels.length} cancels`,
    )
  }
  figure('1 over-refund race', `${PAYMENTS} payments × 100 racing cancels: ${lines.join('; ')}`)
})
