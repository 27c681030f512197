// Regressions of the gateway-core defects, and the core's structural promises: a PG the gateway was never
// written for runs through the registry alone; a cancel costs at most three statements.
import { randomBytes } from 'node:crypto'
import { Redactor } from '@paymux/core'
import { startServer } from '@paymux/core/simulator'
import { createToyPg, toyDescriptor } from '@paymux/core/testing'
import { Kysely, PostgresDialect, sql } from 'kysely'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseConfig } from '../config.js'
import { generateMasterKey, sha256Hex } from '../crypto.js'
import { openDatabase } from '../db/index.js'
import type { Database } from '../db/schema.js'
import { createGateway } from '../gateway.js'
import { IdempotencyScope, isKeyTaken, type KeyTaken } from '../idempotency-keys.js'
import { createLogger } from '../logger.js'
import { defaultProviderFactory, PROVIDERS } from '../providers.js'
import { reconcileOnce } from '../workers/reconciler.js'
import {
  caller,
  DB_TARGETS,
  newSchemaName,
  startTestGateway,
  type TestGateway,
} from '../test-support/harness.js'
import { cancelOperation } from './cancel.js'
import { issueBillingKeyOperation } from './billing-keys.js'

const NICE_CARD = {
  number: '5570420456641074',
  expiryYear: '30',
  expiryMonth: '12',
  ownerId: '800101',
  passwordPrefix: '12',
}

describe.each(DB_TARGETS)('gateway core on $name', (target) => {
  describe('a PG added through the registry alone (core’s toy PG)', () => {
    const toy = createToyPg()
    let stop: () => Promise<void>
    let call: ReturnType<typeof caller>
    let close: () => Promise<void>
    const statements: string[] = []
    let counting = false
    beforeAll(async () => {
      const server = await startServer(toy.app)
      const schema = newSchemaName()
      const db = await openDatabase({
        ...(target.url ? { url: target.url, schema } : { schema }),
        onStatement: (text) => {
          // The PG call log is written in batches by its own timer, off the request path: not the request's.
          if (counting && !/INSERT INTO pg_calls/.test(text)) statements.push(text)
        },
      })
      await db.migrate()
      const apiKey = `sk_test_${randomBytes(8).toString('hex')}`
      const providers = [...PROVIDERS, toyDescriptor]
      const config = parseConfig(
        {
          masterKey: generateMasterKey(),
          log: { level: 'warn' },
          merchants: [
            {
              id: 'toy-shop',
              apiKeys: [`sha256:${sha256Hex(apiKey)}`],
              accounts: [{ id: 'toy-main', provider: 'toy', baseUrl: server.url, timeoutMs: 2_000 }],
            },
          ],
        },
        {},
        providers,
      )
      const redactor = new Redactor([apiKey])
      const { logger } = createLogger({ level: 'warn', redactor, destination: { write: () => {} } })
      const gateway = await createGateway({ config, db, providers, logger, redactor })
      const { url } = await gateway.listen(0, '127.0.0.1')
      call = caller(url, apiKey)
      stop = () => server.close()
      close = async () => {
        await gateway.close()
        await db.close()
      }
    })
    afterAll(async () => {
      await close?.()
      await stop?.()
    })

    it('cancels, replays byte for byte, and refuses an over-cancel', async () => {
      const { transactionId } = toy.seed(10_000)
      const first = await call('POST', '/v1/cancellations', {
        idem: 'toy-1',
        body: { account: 'toy-main', transactionId, amount: 4_000, reason: 'r' },
      })
      expect(first.status, JSON.stringify(first.body)).toBe(200)
      expect(first.body).toMatchObject({ status: 'succeeded', amount: 4_000, provider: 'toy' })
      const replay = await call('POST', '/v1/cancellations', {
        idem: 'toy-1',
        body: { account: 'toy-main', transactionId, amount: 4_000, reason: 'r' },
      })
      expect(replay.headers.get('idempotent-replayed')).toBe('true')
      expect(JSON.stringify(replay.body)).toBe(JSON.stringify(first.body))
      const over = await call('POST', '/v1/cancellations', {
        body: { paymentId: first.body.paymentId, amount: 6_001, reason: 'r' },
      })
      expect(over.status).toBe(409)
      expect(over.body.error.code).toBe('amount_exceeds_cancellable')
      expect(toy.inspect(transactionId)).toMatchObject({ cancelledAmount: 4_000, cancelCount: 1 })
    })

    it('a cancel of a known payment is at most three statements, with no BEGIN or COMMIT', async () => {
      const { transactionId } = toy.seed(10_000)
      const first = await call('POST', '/v1/cancellations', {
        body: { account: 'toy-main', transactionId, amount: 1_000, reason: 'r' },
      })
      expect(first.status).toBe(200)
      for (const idem of [undefined, 'count-2']) {
        statements.length = 0
        counting = true
        const r = await call('POST', '/v1/cancellations', {
          ...(idem ? { idem } : {}),
          body: { paymentId: first.body.paymentId, amount: 1_000, reason: 'r' },
        })
        counting = false
        expect(r.status).toBe(200)
        expect(statements, statements.join('\n---\n')).toHaveLength(3)
        expect(statements.some((s) => /^\s*(BEGIN|COMMIT)/i.test(s))).toBe(false)
      }
    })

    it('a cancel sent again with its Idempotency-Key is answered from one statement, byte for byte', async () => {
      const { transactionId } = toy.seed(10_000)
      const body = { account: 'toy-main', transactionId, amount: 1_000, reason: 'r' }
      const first = await call('POST', '/v1/cancellations', { idem: 'one-read', body })
      expect(first.status).toBe(200)
      statements.length = 0
      counting = true
      const again = await call('POST', '/v1/cancellations', { idem: 'one-read', body })
      counting = false
      expect(again.headers.get('idempotent-replayed')).toBe('true')
      expect(again.body).toEqual(first.body)
      expect(statements, statements.join('\n---\n')).toHaveLength(1)
      expect(toy.inspect(transactionId)).toMatchObject({ cancelledAmount: 1_000, cancelCount: 1 })
      // The same key with another body is still refused (422), not replayed.
      const other = await call('POST', '/v1/cancellations', {
        idem: 'one-read',
        body: { ...body, amount: 2_000 },
      })
      expect(other.status).toBe(422)
      expect(other.body.error.code).toBe('idempotency_key_reused')
    })
  })

  describe('regressions', () => {
    let t: TestGateway
    let pgCalls = 0
    beforeAll(async () => {
      t = await startTestGateway(target, {
        providerFactory: (account, ctx) =>
          defaultProviderFactory(
            // The NicePay account has the Moid duplicate guard contract, as defect 1's merchant did.
            account.provider === 'nicepay' ? { ...account, cancelDuplicateGuard: true } : account,
            { ...ctx, onCall: () => void pgCalls++ },
          ),
      })
      t.sims.nicepay.settings.cancelDuplicateGuard = true
    })
    afterAll(async () => {
      await t?.close()
    })
    const cfg = () => ({ ...t.gateway.runtime.config.workers.reconcile, minAgeMs: 0 })

    it('defect 1: a reconciled partial cancel of a payment of unknown total leaves the rest cancellable', async () => {
      const { transactionId } = t.sims.nicepay.seedPayment({ amount: 20_000 })
      // Lost before it reached the PG: the re-send (same Moid) executes it and its answer settles it. (A cancel
      // that executed and whose answer was lost is not settled by a refused re-send: see reconcile.test.ts.)
      t.sims.nicepay.faults.inject({ fault: { kind: 'reset' }, path: 'cancel_process' })
      const lost = await t.call('POST', '/v1/cancellations', {
        body: { account: 'a-nice', transactionId, amount: 5_000, reason: '부분 취소' },
      })
      expect(lost.status, JSON.stringify(lost.body)).toBe(202)
      await reconcileOnce(t.gateway.runtime, cfg())
      const resolved = await t.call('GET', `/v1/cancellations/${lost.body.id}`)
      expect(resolved.body).toMatchObject({ status: 'succeeded', amount: 5_000 })
      const between = await t.call('GET', `/v1/payments/${lost.body.paymentId}`)
      // The re-send's answer (RemainAmt) taught the total.
      expect(between.body).toMatchObject({
        status: 'partial_cancelled',
        amount: 20_000,
        cancelledAmount: 5_000,
      })
      const rest = await t.call('POST', '/v1/cancellations', {
        body: { paymentId: lost.body.paymentId, amount: 15_000, reason: '나머지' },
      })
      expect(rest.status, JSON.stringify(rest.body)).toBe(200)
      const after = await t.call('GET', `/v1/payments/${lost.body.paymentId}`)
      // The PG's answer taught the total: the ledger equals the PG's to the won.
      expect(after.body).toMatchObject({
        status: 'cancelled',
        amount: 20_000,
        cancelledAmount: 20_000,
        cancellableAmount: 0,
      })
      expect(t.sims.nicepay.inspect(transactionId)).toMatchObject({ cancelledAmount: 20_000 })
    })

    it('defect 3: without an Idempotency-Key and with the database down, the card never reaches the PG', async () => {
      const rt = t.gateway.runtime
      const real = rt.db
      const down = new Kysely<Database>({
        dialect: new PostgresDialect({
          pool: new pg.Pool({
            connectionString: 'postgres://paymux@127.0.0.1:1/none',
            connectionTimeoutMillis: 300,
          }),
        }),
      })
      const calls = pgCalls
      rt.db = down
      try {
        for (let i = 0; i < 3; i++) {
          const r = await t.call('POST', '/v1/billing-keys', { body: { account: 'a-nice', card: NICE_CARD } })
          expect(r.status).toBe(503)
          expect(r.body.error.code).toBe('database_unavailable')
        }
      } finally {
        rt.db = real
        await down.destroy()
      }
      expect(pgCalls).toBe(calls)
    })

    it('defect 4: the Idempotency-Key lock follows the account’s timeout, also for a cancel by paymentId', async () => {
      const { transactionId } = t.sims.cookiepay.seedPayment({ amount: 10_000 })
      const first = await t.call('POST', '/v1/cancellations', {
        body: { account: 'a-cookie', transactionId, amount: 1_000, reason: 'r' },
      })
      expect(first.status).toBe(200)
      const r = await t.call('POST', '/v1/cancellations', {
        idem: 'lock-by-payment-id',
        body: { paymentId: first.body.paymentId, amount: 1_000, reason: 'r' },
      })
      expect(r.status).toBe(200)
      const key = await t.db.kysely
        .selectFrom('idempotency_keys')
        .select(['locked_until', 'created_at'])
        .where('key', '=', 'lock-by-payment-id')
        .executeTakeFirstOrThrow()
      const lockMs = new Date(key.locked_until).getTime() - new Date(key.created_at).getTime()
      expect(lockMs).toBe(t.gateway.runtime.merchants.get('shop-a')!.accounts.get('a-cookie')!.lockMs)
      expect(lockMs).toBeLessThan(180_000)
    })

    it('defect 4: keys a dead process left in flight are swept into answers of what they recorded', async () => {
      const rt = t.gateway.runtime
      const { transactionId } = t.sims.cookiepay.seedPayment({ amount: 10_000 })
      // A cancel and a billing-key issue that record their intent and then die before the PG answers.
      const fingerprint = (body: unknown) => rt.vault.fingerprint(`dead\n${JSON.stringify(body)}`)
      const cancelKey = new IdempotencyScope('shop-a', 'dead-cancel', fingerprint('c'))
      const fresh = <T>(v: T | KeyTaken): T => {
        if (isKeyTaken(v)) throw new Error(`the key was taken: ${v.claim}`)
        return v
      }
      const cancel = fresh(
        await cancelOperation.open(
          rt,
          fresh(
            await cancelOperation.prepare(rt, 'shop-a', {
              account: 'a-cookie',
              transactionId,
              amount: 2_000,
              reason: 'r',
            }),
          ),
          cancelKey,
        ),
      )
      const keyScope = new IdempotencyScope('shop-a', 'dead-key', fingerprint('k'))
      const issued = fresh(
        await issueBillingKeyOperation.open(
          rt,
          fresh(await issueBillingKeyOperation.prepare(rt, 'shop-a', { account: 'a-nice', card: NICE_CARD })),
          keyScope,
        ),
      )
      await sql`UPDATE idempotency_keys SET locked_until = now() - interval '1 second' WHERE key IN ('dead-cancel', 'dead-key')`.execute(
        t.db.kysely,
      )
      await reconcileOnce(rt, cfg())
      const keys = await t.db.kysely
        .selectFrom('idempotency_keys')
        .select(['key', 'state', 'resource_id'])
        .where('key', 'in', ['dead-cancel', 'dead-key'])
        .orderBy('key')
        .execute()
      expect(keys).toEqual([
        { key: 'dead-cancel', state: 'completed', resource_id: cancel.cancellationId },
        { key: 'dead-key', state: 'completed', resource_id: issued.row.id },
      ])
      // The billing key's intent is now a person's to decide; no key answers 404 forever.
      const bk = await t.call('GET', `/v1/billing-keys/${issued.row.id}`)
      expect(bk.body.status).toBe('needs_review')
    })
  })
})
