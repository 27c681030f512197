// routing.payments over HTTP, on every database: the Payment shows the account and the rule that chose it, an
// order keeps its account, an explicit account wins, a method goes only where it can be taken, and nothing is
// recorded when every account of the rule is closed. The rules alone are in rules.test.ts.
import { randomBytes } from 'node:crypto'
import { Redactor } from '@paymux/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type GatewayConfigInput, parseConfig } from '../config.js'
import { generateMasterKey, sha256Hex } from '../crypto.js'
import { createGateway, type Gateway } from '../gateway.js'
import { createLogger } from '../logger.js'
import { PROVIDERS } from '../providers.js'
import { pgSetups, type RunningCheckoutSim, toySetup } from '../test-support/checkout-harness.js'
import { type CallResult, caller, DB_TARGETS, openTestDb } from '../test-support/harness.js'

const providers = [...PROVIDERS, ...(toySetup().providers ?? [])]
const quiet = () =>
  createLogger({ level: 'warn', redactor: new Redactor(), destination: { write: () => {} } }).logger

describe.each(DB_TARGETS)('routing new payments on $name', (target) => {
  let toy: RunningCheckoutSim
  let nice: RunningCheckoutSim
  let gateway: Gateway
  let drop: () => Promise<void>
  let call: (m: string, p: string, o?: object) => Promise<CallResult>
  const apiKey = `sk_test_${randomBytes(12).toString('hex')}`

  /** toy-a and toy-b take cards only; nice-main takes cards and virtual accounts. */
  const merchant = (routing: unknown) => ({
    id: 'shop',
    apiKeys: [`sha256:${sha256Hex(apiKey)}`],
    accounts: [
      { ...toy.account, id: 'toy-a' },
      { ...toy.account, id: 'toy-b' },
      { ...nice.account, id: 'nice-main' },
    ],
    routing,
  })
  const configOf = (routing: unknown) =>
    parseConfig(
      { masterKey: generateMasterKey(), merchants: [merchant(routing)] } as unknown as GatewayConfigInput,
      {},
      providers,
    )

  beforeAll(async () => {
    toy = await toySetup().start()
    nice = await pgSetups()[0]!.start()
    const opened = await openTestDb(target)
    drop = opened.drop
    gateway = await createGateway({
      config: configOf({
        payments: [
          { when: { method: 'virtual_account' }, split: [{ account: 'nice-main' }] },
          {
            when: { amountAtLeast: 10 },
            split: [
              { account: 'toy-a', weight: 70 },
              { account: 'toy-b', weight: 30 },
            ],
            fallback: ['nice-main'],
          },
          // Small amounts fall through the rule above: the merchant's app orders go to toy-b.
          { when: { metadata: { channel: 'app' } }, split: [{ account: 'toy-b' }] },
        ],
      }),
      db: opened.db,
      providers,
      logger: quiet(),
    })
    const { url } = await gateway.listen(0, '127.0.0.1')
    call = caller(url, apiKey)
  })
  afterAll(async () => {
    await gateway?.close()
    await drop?.()
    await toy?.close()
    await nice?.close()
  })

  const body = (over: Record<string, unknown> = {}) => ({
    orderId: `ord-${randomBytes(6).toString('hex')}`,
    amount: 15_000,
    orderName: 'T-shirt',
    method: 'card',
    successUrl: 'https://shop.example.com/paid',
    failUrl: 'https://shop.example.com/failed',
    ...over,
  })
  const paymentCount = async () =>
    Number(
      (
        await gateway.db.kysely
          .selectFrom('payments')
          .select((e) => e.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    )

  it('a routed payment shows its account and the rule that chose it, also when read back', async () => {
    const created = await call('POST', '/v1/payments', { body: body() })
    expect(created.status, JSON.stringify(created.body)).toBe(201)
    expect(['toy-a', 'toy-b']).toContain(created.body.account)
    expect(created.body.routing).toEqual({ rule: 1, via: 'split' })
    const read = await call('GET', `/v1/payments/${created.body.id}`)
    expect(read.body).toMatchObject({ account: created.body.account, routing: { rule: 1, via: 'split' } })
    const listed = await call('GET', `/v1/payments?orderId=${created.body.orderId}`)
    expect(listed.body.data[0].routing).toEqual({ rule: 1, via: 'split' })
  })

  it('the same order lands on the same account: a second create is the duplicate, never a second payment elsewhere', async () => {
    for (let i = 0; i < 6; i++) {
      const b = body()
      const first = await call('POST', '/v1/payments', { body: b })
      expect(first.status).toBe(201)
      const again = await call('POST', '/v1/payments', { body: b })
      expect(again.status, JSON.stringify(again.body)).toBe(409)
      expect(again.body.error.code).toBe('duplicate_order_id')
      const rows = await gateway.db.kysely
        .selectFrom('payments')
        .select('account_id')
        .where('order_id', '=', b.orderId)
        .execute()
      expect(rows).toEqual([{ account_id: first.body.account }])
    }
  })

  it('virtual accounts go to the one account that takes them; an explicit account wins and shows no routing', async () => {
    const va = await call('POST', '/v1/payments', { body: body({ method: 'virtual_account' }) })
    expect(va.status, JSON.stringify(va.body)).toBe(201)
    expect(va.body).toMatchObject({ account: 'nice-main', routing: { rule: 0, via: 'split' } })
    const named = await call('POST', '/v1/payments', { body: body({ account: 'nice-main' }) })
    expect(named.status).toBe(201)
    expect(named.body.account).toBe('nice-main')
    expect(named.body).not.toHaveProperty('routing')
  })

  it('no rule matching keeps the default: several accounts take cards, so one must be named', async () => {
    const r = await call('POST', '/v1/payments', { body: body({ amount: 5 }) })
    expect(r.status).toBe(400)
    expect(r.body.error).toMatchObject({ code: 'account_required', param: 'account' })
  })

  it("metadata routes a payment by the merchant's labels and is shown on it; bad metadata is a 400 naming it", async () => {
    const metadata = { channel: 'app', campaign: 'spring' }
    const r = await call('POST', '/v1/payments', { body: body({ amount: 5, metadata }) })
    expect(r.status, JSON.stringify(r.body)).toBe(201)
    expect(r.body).toMatchObject({ account: 'toy-b', routing: { rule: 2, via: 'split' }, metadata })
    expect((await call('GET', `/v1/payments/${r.body.id}`)).body.metadata).toEqual(metadata)
    const other = await call('POST', '/v1/payments', {
      body: body({ amount: 5, metadata: { channel: 'web' } }),
    })
    expect(other.body.error).toMatchObject({ code: 'account_required' })
    const before = await paymentCount()
    const bad = await call('POST', '/v1/payments', { body: body({ metadata: { channel: 7 } }) })
    expect(bad.status).toBe(400)
    expect(bad.body.error.param).toBe('metadata.channel')
    expect(await paymentCount()).toBe(before)
  })

  it('a misspelt condition in a rule is refused at start with the name it most likely meant', () => {
    expect(() =>
      configOf({ payments: [{ when: { metdata: { channel: 'app' } }, split: [{ account: 'toy-a' }] }] }),
    ).toThrow(
      'merchants.0.routing.payments.0.when.metdata: Unrecognized key "metdata" — did you mean "metadata"?',
    )
  })

  it('closed accounts get no new payment: the fallback takes it; all closed is a 503 that records nothing', async () => {
    const closed = new Set(['toy-a', 'toy-b'])
    const monitor = gateway.runtime.health
    gateway.runtime.health = { share: (a) => (closed.has(a) ? 0 : 1), refresh: async () => {} }
    try {
      const r = await call('POST', '/v1/payments', { body: body() })
      expect(r.status).toBe(201)
      expect(r.body).toMatchObject({ account: 'nice-main', routing: { rule: 1, via: 'fallback' } })
      closed.add('nice-main')
      const before = await paymentCount()
      const none = await call('POST', '/v1/payments', { body: body() })
      expect(none.status).toBe(503)
      expect(none.body.error).toMatchObject({ type: 'provider_unavailable', code: 'no_account_available' })
      expect(await paymentCount()).toBe(before)
    } finally {
      if (monitor) gateway.runtime.health = monitor
    }
  })

  it('the config names a missing account, or a rule only unable accounts could serve, before anything starts', async () => {
    expect(() => configOf({ payments: [{ split: [{ account: 'toy-a' }], fallback: ['toy-c'] }] })).toThrow(
      'merchants.0.routing.payments.0.fallback.0: no account toy-c in merchant shop',
    )
    const opened = await openTestDb(target)
    try {
      await expect(
        createGateway({
          config: configOf({
            payments: [{ when: { method: 'virtual_account' }, split: [{ account: 'toy-a' }] }],
          }),
          db: opened.db,
          providers,
          logger: quiet(),
        }),
      ).rejects.toThrow(
        'merchant shop: routing.payments.0: routes virtual_account payments but none of its accounts (toy-a) takes virtual_account',
      )
    } finally {
      await opened.drop()
    }
  })
})
