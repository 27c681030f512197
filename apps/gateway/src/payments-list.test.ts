// GET /v1/payments: the merchant's payments newest first, filtered by order id, PG transaction id or status,
// paged with a cursor, never another merchant's.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DB_TARGETS, startTestGateway, type TestGateway } from './test-support/harness.js'

describe.each(DB_TARGETS)('payments list on $name', (target) => {
  let t: TestGateway
  beforeAll(async () => {
    t = await startTestGateway(target)
  })
  afterAll(async () => {
    await t?.close()
  })

  /** A payment the gateway learns of through a first cancel of part of it. */
  async function paymentWithCancel(amount: number, cancel: number) {
    const { transactionId } = t.sims.cookiepay.seedPayment({ amount })
    const r = await t.call('POST', '/v1/cancellations', {
      body: { account: 'a-cookie', transactionId, amount: cancel, reason: 'list test' },
    })
    expect(r.status).toBe(200)
    return { transactionId, paymentId: r.body.paymentId as string }
  }

  it('refuses a bad status, limit or cursor with the field named, and a cursor of another merchant with 404', async () => {
    for (const [query, param] of [
      ['status=shipped', 'status'],
      ['limit=0', 'limit'],
      ['limit=101', 'limit'],
    ] as const) {
      const r = await t.call('GET', `/v1/payments?${query}`)
      expect([r.status, r.body.error.param], query).toEqual([400, param])
    }
    const { paymentId } = await paymentWithCancel(5_000, 1_000)
    const foreign = await t.call('GET', `/v1/payments?startingAfter=${paymentId}`, { key: t.keyB })
    expect(foreign.status).toBe(404)
    expect((await t.call('GET', '/v1/payments', { key: null })).status).toBe(401)
  })

  it('lists newest first with a cursor, each payment with its cancellations, and finds one by transaction id or status', async () => {
    const made = []
    for (const amount of [10_000, 20_000, 30_000]) made.push(await paymentWithCancel(amount, 1_000))
    const first = await t.call('GET', '/v1/payments?limit=2')
    expect(first.status).toBe(200)
    expect(first.body.data.map((p: { id: string }) => p.id)).toEqual([made[2]!.paymentId, made[1]!.paymentId])
    expect(first.body.hasMore).toBe(true)
    expect(first.body.data[0]).toMatchObject({
      object: 'payment',
      amount: 30_000,
      cancelledAmount: 1_000,
      cancellableAmount: 29_000,
      cancellations: [{ amount: 1_000, status: 'succeeded' }],
    })
    const next = await t.call('GET', `/v1/payments?limit=2&startingAfter=${made[1]!.paymentId}`)
    expect(next.body.data[0].id).toBe(made[0]!.paymentId)

    const byTx = await t.call('GET', `/v1/payments?transactionId=${made[1]!.transactionId}`)
    expect(byTx.body.data.map((p: { id: string }) => p.id)).toEqual([made[1]!.paymentId])
    const partial = await t.call('GET', '/v1/payments?status=partial_cancelled&limit=100')
    expect(partial.body.data.map((p: { id: string }) => p.id)).toEqual(
      expect.arrayContaining(made.map((m) => m.paymentId)),
    )
    expect((await t.call('GET', '/v1/payments?status=failed')).body.data).toEqual([])
    expect((await t.call('GET', '/v1/payments?orderId=no-such-order')).body.data).toEqual([])
    // Another merchant sees none of them.
    const b = await t.call('GET', `/v1/payments?transactionId=${made[1]!.transactionId}`, { key: t.keyB })
    expect(b.body.data).toEqual([])
  })
})
