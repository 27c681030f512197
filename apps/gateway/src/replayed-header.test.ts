// `Idempotent-Replayed: true` says "this is the answer to an earlier request": the first answer to a new key
// never carries it, even when it is a refusal that was stored for the key's replays.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type FlowGateway, startFlowGateway } from './test-support/flows.js'
import { DB_TARGETS } from './test-support/harness.js'

const tomorrow = () => new Date(Date.now() + 86_400_000).toISOString().slice(0, 10)

describe.each(DB_TARGETS)('Idempotent-Replayed on $name', (target) => {
  let t: FlowGateway
  beforeAll(async () => {
    t = await startFlowGateway(target)
  })
  afterAll(async () => {
    await t?.close()
  })

  it('NicePay refuses a refund without a refund account: the first answer is not a replay, the repeat is', async () => {
    const va = await t.call('POST', '/v1/virtual-accounts', {
      body: { account: 'a-nice', amount: 5_000, goodsName: 'x', bankCode: '004', dueDate: tomorrow() },
    })
    expect(va.status, JSON.stringify(va.body)).toBe(200)
    await t.sims.nicepay.deposit(va.body.transactionId as string)
    expect((await t.call('GET', `/v1/payments/${va.body.id}`)).body.status).toBe('paid')

    const cancel = { paymentId: va.body.id, reason: 'refund' }
    const first = await t.call('POST', '/v1/cancellations', { idem: 'refund-no-account', body: cancel })
    expect(first.status, JSON.stringify(first.body)).toBe(400)
    expect(first.body.error.code).toBe('refund_account_required')
    expect(first.headers.get('idempotent-replayed')).toBeNull()

    const again = await t.call('POST', '/v1/cancellations', { idem: 'refund-no-account', body: cancel })
    expect(again.status).toBe(400)
    expect(again.headers.get('idempotent-replayed')).toBe('true')
    expect({ ...again.body, requestId: undefined }).toEqual({ ...first.body, requestId: undefined })
  })

  it("a replay's headers are the first answer's: the same content-type, byte for byte", async () => {
    const body = { account: 'a-nice', amount: 3_000, goodsName: 'x', bankCode: '004', dueDate: tomorrow() }
    const first = await t.call('POST', '/v1/virtual-accounts', { idem: 'va-content-type', body })
    expect(first.status, JSON.stringify(first.body)).toBe(200)
    const again = await t.call('POST', '/v1/virtual-accounts', { idem: 'va-content-type', body })
    expect(again.headers.get('idempotent-replayed')).toBe('true')
    expect(again.headers.get('content-type')).toBe(first.headers.get('content-type'))
    // And an error answers with the same type as a success.
    const refused = await t.call('GET', '/v1/payments/pay_none')
    expect(refused.headers.get('content-type')).toBe(first.headers.get('content-type'))
  })
})
