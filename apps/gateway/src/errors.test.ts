import { randomBytes } from 'node:crypto'
import { COOKIEPAY_DEMO_CREDENTIALS } from '@paymux/adapter-cookiepay/simulator'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseConfig } from './config.js'
import { generateMasterKey, sha256Hex } from './crypto.js'
import { openDatabase } from './db/index.js'
import { createGateway, type Gateway } from './gateway.js'
import { createLogger } from './logger.js'
import {
  caller,
  DB_TARGETS,
  type Sims,
  startSims,
  startTestGateway,
  type TestGateway,
} from './test-support/harness.js'

describe('503 when the database is down', () => {
  let gateway: Gateway
  let call: ReturnType<typeof caller>
  let sims: Sims
  const key = `sk_${randomBytes(8).toString('hex')}`
  beforeAll(async () => {
    sims = await startSims()
    // Nothing listens on port 1: every query fails to connect.
    const db = await openDatabase({ url: 'postgres://postgres@127.0.0.1:1/none', poolSize: 2 })
    const config = parseConfig(
      {
        masterKey: generateMasterKey(),
        merchants: [
          {
            id: 'shop',
            apiKeys: [`sha256:${sha256Hex(key)}`],
            accounts: [
              {
                id: 'c',
                provider: 'cookiepay',
                environment: 'sandbox',
                ...COOKIEPAY_DEMO_CREDENTIALS,
                baseUrl: sims.urls.cookiepay,
              },
            ],
          },
        ],
      },
      {},
    )
    const { logger } = createLogger({ level: 'silent' })
    gateway = await createGateway({ config, db, logger })
    const { url } = await gateway.listen(0, '127.0.0.1')
    call = caller(url, key)
  })
  afterAll(async () => {
    await gateway?.close()
    await gateway?.db.close()
    await sims?.close()
  })

  it('readyz, reads and cancels answer 503 database_unavailable; healthz stays 200; the PG is never called', async () => {
    expect((await call('GET', '/healthz', { key: null })).status).toBe(200)
    const ready = await call('GET', '/readyz', { key: null })
    expect(ready.status).toBe(503)
    expect(ready.body.error.type).toBe('database_unavailable')
    const get = await call('GET', '/v1/cancellations/can_x')
    expect(get.status).toBe(503)
    const before = sims.cookiepay.faults.calls
    const { transactionId } = sims.cookiepay.seedPayment({ amount: 1_000 })
    const post = await call('POST', '/v1/cancellations', {
      idem: 'k1',
      body: { account: 'c', transactionId, amount: 500, reason: 'x' },
    })
    expect(post.status).toBe(503)
    expect(post.body.error.code).toBe('database_unavailable')
    expect(sims.cookiepay.faults.calls).toBe(before)
  })
})

describe.each(DB_TARGETS.slice(0, 1))('PG error classes on $name', (target) => {
  let t: TestGateway
  beforeAll(async () => {
    t = await startTestGateway(target)
  })
  afterAll(async () => {
    await t?.close()
  })

  it('an HTML 5xx page instead of the PG answer is unreadable: pending (202), amount kept reserved', async () => {
    const { transactionId } = t.sims.cookiepay.seedPayment({ amount: 10_000 })
    const warm = await t.call('POST', '/v1/cancellations', {
      body: { account: 'a-cookie', transactionId, amount: 1_000, reason: 'x' },
    })
    expect(warm.status).toBe(200)
    t.sims.cookiepay.faults.inject({ fault: { kind: 'html', status: 503 }, path: '/api/cancel', times: 1 })
    const r = await t.call('POST', '/v1/cancellations', {
      body: { account: 'a-cookie', transactionId, amount: 1_000, reason: 'x' },
    })
    // An HTML page is unreadable: money may have moved unless the adapter proves otherwise.
    expect(r.status).toBe(202)
    expect(r.body.pendingReason.code).toBe('invalid_response')
    const pay = await t.call('GET', `/v1/payments/${warm.body.paymentId}`)
    expect(pay.body.reservedAmount).toBe(1_000)
    expect(t.sims.cookiepay.inspect(transactionId)).toMatchObject({ cancelledAmount: 1_000, cancelCount: 1 })
  })

  it('a malformed answer after the PG executed: pending (202), never a second cancel', async () => {
    const { transactionId } = t.sims.cookiepay.seedPayment({ amount: 10_000 })
    const warm = await t.call('POST', '/v1/cancellations', {
      body: { account: 'a-cookie', transactionId, amount: 1_000, reason: 'x' },
    })
    expect(warm.status).toBe(200)
    t.sims.cookiepay.faults.inject({ fault: { kind: 'malformed' }, path: '/api/cancel', times: 1 })
    const r = await t.call('POST', '/v1/cancellations', {
      idem: `m-${transactionId}`,
      body: { account: 'a-cookie', transactionId, amount: 2_000, reason: 'x' },
    })
    expect(r.status).toBe(202)
    expect(r.body.pendingReason.code).toBe('invalid_response')
    const again = await t.call('POST', '/v1/cancellations', {
      idem: `m-${transactionId}`,
      body: { account: 'a-cookie', transactionId, amount: 2_000, reason: 'x' },
    })
    expect(again.status).toBe(202)
    expect(t.sims.cookiepay.inspect(transactionId)).toMatchObject({ cancelledAmount: 3_000, cancelCount: 2 })
  })
  it("a PG refusing the account's own credentials is 502 (a configuration problem the client cannot fix)", async () => {
    const r = await t.call('POST', '/v1/cancellations', {
      body: { account: 'a-badkey', transactionId: 'cTS22222222222222222', amount: 1_000, reason: 'x' },
    })
    expect(r.status).toBe(502)
    expect(r.body.error).toMatchObject({ type: 'provider_error', code: 'authentication_failed' })
    expect(JSON.stringify(r.body)).not.toContain('wrong-cookiepay-key')
  })
  it('a key left in flight by a process that died: 409 until its lock expires, then the recorded state, never a re-run', async () => {
    const { transactionId } = t.sims.cookiepay.seedPayment({ amount: 10_000 })
    const body = { account: 'a-cookie', transactionId, amount: 1_500, reason: 'crash' }
    const warm = await t.call('POST', '/v1/cancellations', { body: { ...body, amount: 1_000 } })
    expect(warm.status).toBe(200)
    t.sims.cookiepay.faults.inject({ fault: { kind: 'delay', ms: 1_000 }, path: '/api/cancel', times: 1 })
    const first = await t.call('POST', '/v1/cancellations', { idem: `crash-${transactionId}`, body })
    expect(first.status).toBe(202)
    await new Promise((r) => setTimeout(r, 800))
    // As if the process had died between the PG call and recording its answer.
    const db = t.db.kysely
    const where = { merchant_id: 'shop-a', key: `crash-${transactionId}` }
    await db
      .updateTable('idempotency_keys')
      .set({
        state: 'in_progress',
        response_status: null,
        response_body: null,
        locked_until: new Date(Date.now() + 60_000),
      })
      .where('merchant_id', '=', where.merchant_id)
      .where('key', '=', where.key)
      .execute()
    const busy = await t.call('POST', '/v1/cancellations', { idem: `crash-${transactionId}`, body })
    expect(busy.status).toBe(409)
    expect(busy.body.error.code).toBe('idempotency_key_in_use')
    await db
      .updateTable('idempotency_keys')
      .set({ locked_until: new Date(Date.now() - 1_000) })
      .where('merchant_id', '=', where.merchant_id)
      .where('key', '=', where.key)
      .execute()
    const after = await t.call('POST', '/v1/cancellations', { idem: `crash-${transactionId}`, body })
    expect(after.status).toBe(202)
    expect(after.headers.get('idempotent-replayed')).toBe('true')
    expect(after.body.id).toBe(first.body.id)
    expect(t.sims.cookiepay.inspect(transactionId)).toMatchObject({ cancelCount: 2, cancelledAmount: 2_500 })
  })
})
