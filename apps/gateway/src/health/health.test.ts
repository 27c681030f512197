// Account health over HTTP and the database, on every database: probes eject an account after the configured
// failures and bring it back through probation, each move an event; two accounts at one PG are judged apart;
// an operator's eject holds until an operator restores; the fallback never takes an ejected account; a payment
// in flight on an account that gets ejected is settled there; a second gateway process sees the same health.
import { randomBytes } from 'node:crypto'
import { Redactor } from '@paymux/core'
import { type RunningServer, startServer } from '@paymux/core/simulator'
import { createToyPg, formsOf, pressWindowButton } from '@paymux/core/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type GatewayConfigInput, parseConfig } from '../config.js'
import { generateMasterKey, sha256Hex } from '../crypto.js'
import type { Db } from '../db/index.js'
import { createGateway, type Gateway } from '../gateway.js'
import { createLogger } from '../logger.js'
import { PROVIDERS } from '../providers.js'
import { toySetup } from '../test-support/checkout-harness.js'
import { type CallResult, caller, DB_TARGETS, openTestDb } from '../test-support/harness.js'
import type { HealthMonitor } from './monitor.js'

const providers = [...PROVIDERS, ...(toySetup().providers ?? [])]
const quiet = () =>
  createLogger({ level: 'warn', redactor: new Redactor(), destination: { write: () => {} } }).logger

describe.each(DB_TARGETS)('account health on $name', (target) => {
  // Three toy PG hosts: toy-a and toy-b are two accounts of the same PG, each on its own host, so a fault
  // at one host hits one account only; toy-c is the fallback.
  const pgs = [createToyPg(), createToyPg(), createToyPg()]
  let servers: RunningServer[]
  let db: Db
  let drop: () => Promise<void>
  const gateways: Gateway[] = []
  let call: (m: string, p: string, o?: object) => Promise<CallResult>
  let clock = Date.parse('2026-01-15T09:00:00Z')
  const apiKey = `sk_test_${randomBytes(12).toString('hex')}`
  const [a, b, c] = ['toy-a', 'toy-b', 'toy-c']

  const start = async () => {
    const config = parseConfig(
      {
        masterKey: generateMasterKey(),
        merchants: [
          {
            id: 'shop',
            apiKeys: [`sha256:${sha256Hex(apiKey)}`],
            accounts: servers.map((s, i) => ({
              provider: 'toy',
              baseUrl: s.url,
              timeoutMs: 400,
              id: [a, b, c][i],
            })),
            routing: {
              payments: [
                {
                  split: [
                    { account: a, weight: 50 },
                    { account: b, weight: 50 },
                  ],
                  fallback: [c],
                },
              ],
            },
            health: {
              ejectAfterFailures: 2,
              restoreAfterSuccesses: 2,
              probationSeconds: 20,
              minRequests: 1000,
            },
          },
        ],
      } as unknown as GatewayConfigInput,
      {},
      providers,
    )
    const g = await createGateway({
      config,
      db,
      providers,
      logger: quiet(),
      healthProbes: false,
      now: () => new Date(clock),
    })
    gateways.push(g)
    return g
  }
  const monitor = (g: Gateway) => g.runtime.health as HealthMonitor
  const accounts = async () =>
    Object.fromEntries(
      (
        (await call('GET', '/v1/accounts')).body.data as Array<{ id: string; health: { status: string } }>
      ).map((x) => [x.id, x.health.status]),
    )
  const eventsOf = async (account: string) =>
    (
      await db.kysely
        .selectFrom('events')
        .select('type')
        .where('object_id', '=', account)
        .orderBy('created_at')
        .orderBy('id')
        .execute()
    ).map((e) => e.type)
  const body = () => ({
    orderId: `ord-${randomBytes(6).toString('hex')}`,
    amount: 15_000,
    orderName: 'T-shirt',
    method: 'card',
    successUrl: 'https://shop.example.com/paid',
    failUrl: 'https://shop.example.com/failed',
  })
  const createMany = async (n: number) => {
    const on = new Map<string, number>()
    for (let i = 0; i < n; i++) {
      const r = await call('POST', '/v1/payments', { body: body() })
      expect(r.status, JSON.stringify(r.body)).toBe(201)
      on.set(r.body.account, (on.get(r.body.account) ?? 0) + 1)
    }
    return on
  }

  beforeAll(async () => {
    servers = await Promise.all(pgs.map((pg) => startServer(pg.app)))
    const opened = await openTestDb(target)
    db = opened.db
    drop = opened.drop
    const g = await start()
    const { url } = await g.listen(0, '127.0.0.1')
    call = caller(url, apiKey)
  })
  afterAll(async () => {
    for (const g of gateways) await g.close()
    await drop?.()
    for (const s of servers ?? []) await s.close()
  })

  it('lists the accounts with provider, methods and health', async () => {
    const r = await call('GET', '/v1/accounts')
    expect(r.status).toBe(200)
    expect(r.body.data).toHaveLength(3)
    expect(r.body.data[0]).toMatchObject({
      id: a,
      object: 'account',
      provider: 'toy',
      methods: ['card'],
      health: { status: 'healthy', lastError: null, manual: false },
    })
  })

  it('5xx at one host ejects that account only (two accounts of one PG are judged apart), with its event', async () => {
    const g = gateways[0]!
    pgs[0]!.faults.inject({ fault: { kind: 'status', status: 503 }, times: 1000 })
    await monitor(g).tick()
    expect(await accounts()).toEqual({ [a]: 'healthy', [b]: 'healthy', [c]: 'healthy' })
    await monitor(g).tick()
    expect(await accounts()).toEqual({ [a]: 'ejected', [b]: 'healthy', [c]: 'healthy' })
    expect(await eventsOf(a)).toEqual(['account.ejected'])
    expect(await eventsOf(b)).toEqual([])
    const listed = (await call('GET', '/v1/accounts')).body.data[0]
    expect(listed.health.lastError).toMatch(/2 failures in a row; last: invalid_response/)
    // An ejected account gets no new payment: its share goes to the rest of the split.
    const on = await createMany(30)
    expect([...on.keys()]).toEqual([b])
  })

  it('a second gateway process routes by the same health, read from the database', async () => {
    const second = await start()
    expect(second.runtime.health!.share(a)).toBe(0)
    expect(second.runtime.health!.share(b)).toBe(1)
  })

  it('after the configured probe successes the account is on probation, then healthy again with its event', async () => {
    const g = gateways[0]!
    pgs[0]!.faults.clear()
    await monitor(g).tick()
    expect((await accounts())[a]).toBe('ejected')
    await monitor(g).tick()
    expect((await accounts())[a]).toBe('probation')
    // On probation: a tenth of its weight, so a few new payments, most to the healthy account.
    const on = await createMany(60)
    expect(on.get(b)).toBeGreaterThan(on.get(a) ?? 0)
    clock += 20_000
    await monitor(g).tick()
    expect((await accounts())[a]).toBe('healthy')
    expect(await eventsOf(a)).toEqual(['account.ejected', 'account.restored'])
  })

  it("an operator's eject holds against probe successes until restored; the fallback never takes an ejected account", async () => {
    const g = gateways[0]!
    clock += 1_000 // events of this test come after the last one's
    for (const id of [a, b]) {
      const r = await call('POST', `/v1/accounts/${id}/eject`)
      expect(r.status).toBe(200)
      expect(r.body.health).toMatchObject({ status: 'ejected', manual: true })
    }
    // Ejecting again changes nothing and tells nothing again.
    await call('POST', `/v1/accounts/${a}/eject`)
    expect(await eventsOf(a)).toEqual(['account.ejected', 'account.restored', 'account.ejected'])
    for (let i = 0; i < 3; i++) await monitor(g).tick()
    expect(await accounts()).toEqual({ [a]: 'ejected', [b]: 'ejected', [c]: 'healthy' })
    const fallback = await call('POST', '/v1/payments', { body: body() })
    expect(fallback.body).toMatchObject({ account: c, routing: { rule: 0, via: 'fallback' } })
    await call('POST', `/v1/accounts/${c}/eject`)
    const none = await call('POST', '/v1/payments', { body: body() })
    expect(none.status).toBe(503)
    expect(none.body.error.code).toBe('no_account_available')
    for (const id of [a, b, c]) expect((await call('POST', `/v1/accounts/${id}/restore`)).status).toBe(200)
    expect(await accounts()).toEqual({ [a]: 'healthy', [b]: 'healthy', [c]: 'healthy' })
    expect((await call('POST', '/v1/accounts/nope/eject')).status).toBe(404)
  })

  it('a payment in flight on an account that gets ejected is settled on that account, never moved', async () => {
    let created = await call('POST', '/v1/payments', { body: body() })
    for (let i = 0; i < 50 && created.body.account !== a; i++)
      created = await call('POST', '/v1/payments', { body: body() })
    expect(created.body.account).toBe(a)
    const checkoutUrl = created.body.checkoutUrl as string
    const page = await fetch(checkoutUrl)
    expect(page.status).toBe(200)
    const form = formsOf(await page.text())[0]!
    await call('POST', `/v1/accounts/${a}/eject`)
    const back = await pressWindowButton(
      fetch,
      {
        form: { name: 'f', action: form.action, fields: Object.fromEntries(form.fields) },
        scripts: [],
        origins: [],
      },
      `${checkoutUrl}/return`,
      'Approve',
    )
    const res = await fetch(`${checkoutUrl}/return`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new TextDecoder().decode(back.rawBody),
      redirect: 'manual',
    })
    expect(res.status).toBeLessThan(400)
    const paid = await call('GET', `/v1/payments/${created.body.id}`)
    expect(paid.body).toMatchObject({ status: 'paid', account: a })
    // Its cancel goes to its own account too, ejected or not.
    const cancel = await call('POST', '/v1/cancellations', {
      body: { paymentId: created.body.id, reason: 'test' },
      idem: `k-${randomBytes(4).toString('hex')}`,
    })
    expect(cancel.status, JSON.stringify(cancel.body)).toBe(200)
    expect(cancel.body.account).toBe(a)
    await call('POST', `/v1/accounts/${a}/restore`)
  })
})
