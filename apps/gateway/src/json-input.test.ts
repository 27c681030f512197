// JSON bodies a client gets wrong in ways JSON.parse accepts: nesting deep enough to overflow whatever walks it,
// and strings no UTF-8 text can carry. Each is the client's 400, naming the field, and nothing is recorded.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DB_TARGETS, startTestGateway, type TestGateway } from './test-support/harness.js'

describe.each(DB_TARGETS)('JSON bodies a client got wrong, on $name', (target) => {
  let t: TestGateway
  beforeAll(async () => {
    t = await startTestGateway(target)
  })
  afterAll(async () => {
    await t?.close()
  })

  const checkout = (over: Record<string, unknown> = {}) => ({
    orderId: `o-${Math.random().toString(36).slice(2)}`,
    amount: 1_000,
    orderName: 'T-shirt',
    method: 'card',
    successUrl: 'https://shop.example.com/paid',
    failUrl: 'https://shop.example.com/failed',
    account: 'a-nice',
    ...over,
  })

  it('a body nested 5,000 deep with an Idempotency-Key: 400 naming the body, the key left unused', async () => {
    const deep = `${'['.repeat(5_000)}${']'.repeat(5_000)}`
    for (const path of ['/v1/cancellations', '/v1/payments', '/v1/billing-keys']) {
      const r = await t.call('POST', path, { idem: `deep-${path}`, rawBody: `{"reason":${deep}}` })
      expect(r.status, JSON.stringify(r.body)).toBe(400)
      expect(r.body.error).toMatchObject({ type: 'invalid_request_error', param: 'body' })
    }
    // 64 levels are still read (and refused by the schema as any wrong value is).
    const ok = await t.call('POST', '/v1/cancellations', {
      idem: 'deep-64',
      rawBody: `{"paymentId":"pay_nobody","reason":${'['.repeat(63)}${']'.repeat(63)}}`,
    })
    expect(ok.status).toBe(400)
    expect(ok.body.error.param).toBe('reason')
    // Nothing was recorded under the key: a valid request may use it.
    const created = await t.call('POST', '/v1/payments', { idem: 'deep-/v1/payments', body: checkout() })
    expect(created.status, JSON.stringify(created.body)).toBe(201)
  })

  it('a lone surrogate in any string field: 400 naming the field, nothing stored', async () => {
    const raw = (body: Record<string, unknown>, field: string) =>
      JSON.stringify(body).replace(`"${field}":"x`, `"${field}":"\\ud800x`)
    const name = await t.call('POST', '/v1/payments', {
      idem: 'lone-1',
      rawBody: raw(checkout({ orderName: 'x shirt', orderId: 'lone-order-1' }), 'orderName'),
    })
    expect(name.status, JSON.stringify(name.body)).toBe(400)
    expect(name.body.error).toMatchObject({ type: 'invalid_request_error', param: 'orderName' })
    const list = await t.call('GET', '/v1/payments?orderId=lone-order-1')
    expect(list.body.data).toEqual([])

    const nested = await t.call('POST', '/v1/payments', {
      rawBody: raw(checkout({ customer: { name: 'x', email: 'buyer@example.com' } }), 'name'),
    })
    expect(nested.status).toBe(400)
    expect(nested.body.error.param).toBe('customer.name')

    const low = await t.call('POST', '/v1/cancellations', {
      rawBody: '{"paymentId":"pay_nobody","reason":"\\udc00 late"}',
    })
    expect(low.status).toBe(400)
    expect(low.body.error.param).toBe('reason')

    // A pair is one character: it passes (the unknown payment is what refuses this one).
    const pair = await t.call('POST', '/v1/cancellations', {
      rawBody: JSON.stringify({ paymentId: 'pay_nobody', reason: 'tea \ud83c\udf75' }),
    })
    expect(pair.status, JSON.stringify(pair.body)).toBe(404)
  })
})
