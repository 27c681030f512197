// What a person reads when the API refuses a request: a missing field "is required", every problem is listed
// (`error.errors`), and an unknown key names the key it most likely meant, on every route that takes a body.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestGateway, type TestGateway } from './test-support/harness.js'

describe('validation messages a person can act on', () => {
  let t: TestGateway
  beforeAll(async () => {
    t = await startTestGateway({ name: 'pglite' })
  })
  afterAll(async () => {
    await t?.close()
  })

  it('a missing field says it is required, and every problem of the request is listed', async () => {
    const r = await t.call('POST', '/v1/payments', {
      idem: 'missing-fields',
      body: { amount: -5, orderName: 'T-shirt', method: 'card', failUrl: 'https://shop.example.com/failed' },
    })
    expect(r.status, JSON.stringify(r.body)).toBe(400)
    expect(r.body.error).toMatchObject({ param: 'orderId', message: 'orderId is required' })
    expect(r.body.error.message).not.toMatch(/Invalid input|received undefined/)
    expect(r.body.error.errors).toEqual([
      { param: 'orderId', message: 'orderId is required' },
      { param: 'amount', message: expect.stringMatching(/^amount: /) },
      { param: 'successUrl', message: 'successUrl is required' },
    ])
  })

  it('an unknown key on /v1/payments names the key meant, with the other problems after it', async () => {
    const r = await t.call('POST', '/v1/payments', {
      idem: 'order-underscore',
      body: {
        order_id: 'order-1',
        amount: 1_000,
        orderName: 'T-shirt',
        method: 'card',
        successUrl: 'https://shop.example.com/paid',
        failUrl: 'https://shop.example.com/failed',
        customer: { e_mail: 'buyer@example.com' },
      },
    })
    expect(r.status, JSON.stringify(r.body)).toBe(400)
    expect(r.body.error).toMatchObject({
      param: 'order_id',
      message: 'Unrecognized key "order_id" — did you mean "orderId"?',
    })
    expect(r.body.error.errors).toEqual([
      { param: 'order_id', message: 'Unrecognized key "order_id" — did you mean "orderId"?' },
      { param: 'customer.e_mail', message: 'Unrecognized key "e_mail" — did you mean "email"?' },
      { param: 'orderId', message: 'orderId is required' },
    ])
  })

  it('an unknown query parameter is refused naming the one meant, never ignored into a wider list', async () => {
    const r = await t.call('GET', '/v1/payments?order_id=order-1')
    expect(r.status, JSON.stringify(r.body)).toBe(400)
    expect(r.body.error).toMatchObject({
      param: 'order_id',
      message: 'Unrecognized key "order_id" — did you mean "orderId"?',
    })
    const events = await t.call('GET', '/v1/events?objectid=pay_x&limt=2')
    expect(events.status).toBe(400)
    expect(events.body.error.errors).toEqual([
      { param: 'objectid', message: 'Unrecognized key "objectid" — did you mean "objectId"?' },
      { param: 'limt', message: 'Unrecognized key "limt" — did you mean "limit"?' },
    ])
  })

  it('several unknown keys of one object: each reported with its own near match', async () => {
    const r = await t.call('POST', '/v1/cancellations', {
      idem: 'two-unknown',
      body: { paymentId: 'pay_x', resaon: 'r', ammount: 5 },
    })
    expect(r.status).toBe(400)
    expect(r.body.error.errors).toEqual(
      expect.arrayContaining([
        { param: 'resaon', message: 'Unrecognized key "resaon" — did you mean "reason"?' },
        { param: 'ammount', message: 'Unrecognized key "ammount" — did you mean "amount"?' },
        { param: 'reason', message: 'reason is required' },
      ]),
    )
  })

  it('a 400 that is not the schema carries the list too (one problem)', async () => {
    const r = await t.call('POST', '/v1/cancellations', {
      idem: 'not-schema',
      body: { account: 'no-such-account', transactionId: 't', reason: 'r' },
    })
    expect(r.status, JSON.stringify(r.body)).toBe(400)
    expect(r.body.error.errors).toEqual([{ param: r.body.error.param, message: r.body.error.message }])
  })

  it('every body the API takes suggests its own keys when they come in another case', async () => {
    const doc = (await t.call('GET', '/openapi.json')).body
    const resolve = (s: { $ref?: string }) =>
      s.$ref ? doc.components.schemas[s.$ref.replace('#/components/schemas/', '')] : s
    const checked: string[] = []
    for (const [path, item] of Object.entries<
      Record<string, { requestBody?: { content: Record<string, { schema: object }> } }>
    >(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        const schema = op.requestBody?.content['application/json']?.schema
        if (!schema || path.startsWith('/v1/notifications')) continue
        const root = resolve(schema)
        // A body of several forms: the properties of each form.
        const forms = (root.oneOf ?? root.anyOf ?? [root]).map(resolve)
        for (const form of forms)
          for (const key of Object.keys(form.properties ?? {})) {
            const url = path.replace('{id}', 'pay_nothing')
            const r = await t.call(method.toUpperCase(), url, {
              idem: `case-${method}-${path}-${key}`,
              body: { [key.toUpperCase()]: 1 },
            })
            expect(r.status, `${method} ${path} ${key}`).toBe(400)
            expect(
              r.body.error.errors.map((e: { message: string }) => e.message),
              `${method} ${path} ${key}`,
            ).toContain(`Unrecognized key "${key.toUpperCase()}" — did you mean "${key}"?`)
            checked.push(`${path} ${key}`)
          }
      }
    }
    expect(checked).toEqual(expect.arrayContaining(['/v1/payments orderId', '/v1/cancellations paymentId']))
  })
})
