// Account health from what the PG answers, over HTTP and the database, on every database: the gateway probes with
// the adapter's own probe (a Bootpay token issued afresh, so a token endpoint that fails ejects the account even
// while a cached token would still work), and an answer of real traffic the adapter cannot read is one technical
// failure, never a success and a failure; a refusal ("not found") never counts.
import { randomBytes } from 'node:crypto'
import { BOOTPAY_DEMO_CREDENTIALS, createBootpaySimulator } from '@paymux/adapter-bootpay/simulator'
import { Redactor } from '@paymux/core'
import { type RunningServer, startServer } from '@paymux/core/simulator'
import { createToyPg } from '@paymux/core/testing'
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

describe.each(DB_TARGETS)('health from the answers on $name', (target) => {
  const bootpay = createBootpaySimulator()
  const toy = createToyPg()
  let servers: RunningServer[]
  let db: Db
  let drop: () => Promise<void>
  let gateway: Gateway
  let call: (m: string, p: string, o?: object) => Promise<CallResult>
  const apiKey = `sk_test_${randomBytes(12).toString('hex')}`

  beforeAll(async () => {
    servers = [await startServer(bootpay.app), await startServer(toy.app)]
    const opened = await openTestDb(target)
    db = opened.db
    drop = opened.drop
    const config = parseConfig(
      {
        masterKey: generateMasterKey(),
        merchants: [
          {
            id: 'shop',
            apiKeys: [`sha256:${sha256Hex(apiKey)}`],
            accounts: [
              {
                id: 'boot',
                provider: 'bootpay',
                apiVersion: 'v2',
                applicationId: BOOTPAY_DEMO_CREDENTIALS.applicationId,
                privateKey: BOOTPAY_DEMO_CREDENTIALS.privateKey,
                baseUrl: servers[0]!.url,
                timeoutMs: 2_000,
              },
              { id: 'toy', provider: 'toy', baseUrl: servers[1]!.url, timeoutMs: 2_000 },
            ],
            routing: { payments: [{ split: [{ account: 'boot' }, { account: 'toy' }] }] },
            // Three failures in a row eject. Were an unreadable answer counted as a success and a failure, the
            // success would break the row and nothing would move; counted as two failures, two calls would eject.
            health: { ejectAfterFailures: 3, minRequests: 1000, restoreAfterSuccesses: 1 },
          },
        ],
      } as unknown as GatewayConfigInput,
      {},
      providers,
    )
    gateway = await createGateway({ config, db, providers, logger: quiet(), healthProbes: false })
    const { url } = await gateway.listen(0, '127.0.0.1')
    call = caller(url, apiKey)
  })
  afterAll(async () => {
    await gateway?.close()
    await drop?.()
    for (const s of servers ?? []) await s.close()
  })

  const monitor = () => gateway.runtime.health as HealthMonitor
  const statusOf = async (id: string) =>
    ((await call('GET', '/v1/accounts')).body.data as Array<{ id: string; health: { status: string } }>).find(
      (a) => a.id === id,
    )!.health
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

  it("probes with the adapter's own probe: Bootpay's token endpoint failing ejects the account, with its event", async () => {
    const tokens = () => bootpay.state.stats.tokenRequests.v2
    const before = tokens()
    await monitor().tick()
    await monitor().tick()
    // Each round asked Bootpay for a token: a probe riding the cached one would ask nothing.
    expect(tokens() - before).toBe(2)
    expect((await statusOf('boot')).status).toBe('healthy')
    bootpay.faults.inject({ path: '/request/token', fault: { kind: 'status', status: 503 }, times: 1000 })
    for (let i = 0; i < 3; i++) await monitor().tick()
    expect(await statusOf('boot')).toMatchObject({ status: 'ejected' })
    expect(await eventsOf('boot')).toEqual(['account.ejected'])
    bootpay.faults.clear()
    await monitor().tick()
    expect((await statusOf('boot')).status).toBe('probation')
  })

  it('answers of real traffic the adapter cannot read count once each and eject the account; refusals never count', async () => {
    const cancel = (transactionId: string) =>
      call('POST', '/v1/cancellations', {
        body: { account: 'toy', transactionId, reason: 'test', amount: 1_000 },
        idem: `k-${randomBytes(6).toString('hex')}`,
      })
    // "Not found" is the PG working: however many, the account stays healthy.
    for (let i = 0; i < 4; i++) expect((await cancel(`TOYNONE${i}`)).status).toBe(404)
    await monitor().idle()
    expect((await statusOf('toy')).status).toBe('healthy')
    // A 200 whose body is not the PG's answer, on the lookup that verifies the payment first.
    toy.faults.inject({ path: '/api/tx/', fault: { kind: 'malformed', body: 'not json' }, times: 1000 })
    const seeded = [0, 1, 2].map(() => toy.seed(5_000).transactionId)
    for (const tx of seeded.slice(0, 2)) expect((await cancel(tx)).status).toBe(502)
    await monitor().idle()
    expect((await statusOf('toy')).status).toBe('healthy')
    expect((await cancel(seeded[2]!)).status).toBe(502)
    await monitor().idle()
    expect(await statusOf('toy')).toMatchObject({
      status: 'ejected',
      lastError: expect.stringMatching(/unreadable answer/),
    })
    expect(await eventsOf('toy')).toEqual(['account.ejected'])
    toy.faults.clear()
  })
})
