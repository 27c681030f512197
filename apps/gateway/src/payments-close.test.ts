// POST /v1/payments/{id}/close: an unpaid virtual account is closed at the PG once; anything else is refused
// without a PG call; a lost answer leaves it `closing` and the reconciler settles it from the PG's lookup.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { reconcileOnce } from './workers/reconciler.js'
import { DB_TARGETS } from './test-support/harness.js'
import { type FlowGateway, sleep, startFlowGateway } from './test-support/flows.js'

const tomorrow = () => new Date(Date.now() + 86_400_000).toISOString().slice(0, 10)

describe.each(DB_TARGETS)('closing virtual accounts on %o', (target) => {
  let t: FlowGateway
  beforeAll(async () => {
    t = await startFlowGateway(target)
  })
  afterAll(async () => {
    await t?.close()
  })

  const issue = async () => {
    const va = await t.call('POST', '/v1/virtual-accounts', {
      body: { account: 'a-nice', amount: 30_000, goodsName: 'Order 9', bankCode: '004', dueDate: tomorrow() },
    })
    expect(va.status, JSON.stringify(va.body)).toBe(200)
    return va.body as { id: string; transactionId: string }
  }
  const close = (id: string, idem?: string, key?: string) =>
    t.call('POST', `/v1/payments/${id}/close`, { ...(idem ? { idem } : {}), ...(key ? { key } : {}) })
  const pgCalls = () => t.sims.nicepay.faults.calls

  it('refuses what is not an open virtual account, calling no PG: unknown, another merchant’s, a card payment', async () => {
    const va = await issue()
    const { transactionId } = t.sims.nicepay.seedPayment({ amount: 10_000 })
    const cancel = await t.call('POST', '/v1/cancellations', {
      body: { account: 'a-nice', transactionId, amount: 1_000, reason: 'r' },
    })
    const before = pgCalls()
    expect((await close('pay_doesnotexist0000000000')).status).toBe(404)
    expect((await close(va.id, undefined, t.keyB)).status).toBe(404)
    const card = await close(cancel.body.paymentId)
    expect([card.status, card.body.error.code]).toEqual([409, 'payment_not_open'])
    expect(pgCalls()).toBe(before)
  })

  it('closes once: the PG cancels the unpaid account, payment.closed is recorded, a replay answers the same, a second close is 409', async () => {
    const va = await issue()
    const r = await close(va.id, `close-${va.id}`)
    expect(r.status, JSON.stringify(r.body)).toBe(200)
    expect(r.body).toMatchObject({ id: va.id, status: 'closed', cancellableAmount: null })
    expect(t.sims.nicepay.inspect(va.transactionId)).toMatchObject({ status: 'cancelled' })
    const replay = await close(va.id, `close-${va.id}`)
    expect(replay.headers.get('idempotent-replayed')).toBe('true')
    expect(replay.body.status).toBe('closed')
    const again = await close(va.id)
    expect([again.status, again.body.error.code]).toEqual([409, 'already_closed'])
    const events = (await t.call('GET', `/v1/events?objectId=${va.id}`)).body.data.map(
      (e: { type: string }) => e.type,
    )
    expect(events).toContain('payment.closed')
    const got = await t.call('GET', `/v1/payments/${va.id}`)
    expect(got.body.status).toBe('closed')
  })

  it('a close whose answer is lost is closing (202), never sent again; the reconciler settles it from the lookup', async () => {
    const va = await issue()
    t.sims.nicepay.faults.inject({ fault: { kind: 'drop' }, path: 'cancel_process' })
    const r = await close(va.id)
    expect([r.status, r.body.status]).toEqual([202, 'closing'])
    const inFlight = await close(va.id)
    expect([inFlight.status, inFlight.body.error.code]).toEqual([409, 'close_in_progress'])
    const calls = pgCalls()
    const cfg = t.gateway.runtime.config.workers.reconcile
    await sleep(50)
    await reconcileOnce(t.gateway.runtime, { ...cfg, minAgeMs: 0 })
    const got = await t.call('GET', `/v1/payments/${va.id}`)
    expect(got.body.status).toBe('closed')
    // One lookup, no second cancel.
    expect(t.sims.nicepay.inspect(va.transactionId)).toMatchObject({ status: 'cancelled', cancelCount: 1 })
    expect(pgCalls() - calls).toBe(1)
  })
})
