import { type ChildProcess, spawn } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BUNDLED_CLI, compileCli } from '../test-support/compile-cli.js'
import { reconcileOnce } from '../workers/reconciler.js'
import { caller } from '../test-support/harness.js'
import { eventually, type FlowGateway, startFlowGateway } from '../test-support/flows.js'

const url = process.env.DATABASE_URL
const here = dirname(fileURLToPath(import.meta.url))
const pkgDir = resolve(here, '../..')
const outDir = join(pkgDir, 'node_modules', '.cache', 'paymux-crash-test')
const NICE_CARD = {
  number: '5570420456641074',
  expiryYear: '30',
  expiryMonth: '12',
  ownerId: '800101',
  passwordPrefix: '12',
}

const freePort = () =>
  new Promise<number>((res) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port
      s.close(() => res(port))
    })
  })

/**
 * A real gateway process killed with SIGKILL while the PG is answering (the PG has executed, its answer is
 * on the way): billing-key issue, virtual-account issue and charge each leave their recorded intent, which the
 * reconciler resolves — here, with no lookup and no duplicate guard for these calls, into needs_review with
 * what is known. Never a silent orphan at the PG.
 */
describe.skipIf(!url)('kill -9 between the PG call and its answer', () => {
  let api: FlowGateway
  let child: ChildProcess | undefined
  beforeAll(async () => {
    // The CLI compiled from the sources under test.
    await compileCli('paymux-crash-test')
    api = await startFlowGateway({ name: 'postgres', url: url! }, { timeoutMs: 60_000 })
  })
  afterAll(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL')
    await api?.close()
  })

  it('leaves each intent recorded; the reconciler turns them into needs_review', async () => {
    // A key issued through the in-process gateway first, to charge from the one that will die.
    const key = await api.call('POST', '/v1/billing-keys', { body: { account: 'a-nice', card: NICE_CARD } })
    expect(key.status).toBe(200)

    const config = structuredClone(api.gateway.runtime.config) as unknown as Record<string, unknown>
    const port = await freePort()
    config.database = { url, schema: api.schema, poolSize: 5 }
    config.server = { port, host: '127.0.0.1' }
    config.log = { level: 'warn' }
    config.workers = { enabled: false }
    const file = join(outDir, `crash-${api.schema}.yaml`)
    mkdirSync(outDir, { recursive: true })
    writeFileSync(file, JSON.stringify(config), { mode: 0o600 })
    const out: string[] = []
    child = spawn(process.execPath, [join(outDir, BUNDLED_CLI), 'serve', '--config', file], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, PAYMUX_MASTER_KEY: api.gateway.runtime.config.masterKey },
    })
    child.stdout?.on('data', (d) => out.push(String(d)))
    child.stderr?.on('data', (d) => out.push(String(d)))
    const call = caller(`http://127.0.0.1:${port}`, api.keyA)
    await eventually(
      async () => (await call('GET', '/healthz').catch(() => ({ status: 0 }))).status === 200,
      30_000,
    )

    // The PG executes each call, then takes 30 s to answer: the process dies in between.
    const slow = { kind: 'delay' as const, ms: 30_000, phase: 'after' as const }
    for (const path of ['billing_regist', 'get_vacount', 'billing_approve'])
      api.sims.nicepay.faults.inject({ fault: slow, path })
    const inFlight = [
      call('POST', '/v1/billing-keys', { body: { account: 'a-nice', card: NICE_CARD } }),
      call('POST', '/v1/virtual-accounts', {
        body: { amount: 10_000, goodsName: '상품', bankCode: '004', dueDate: '2099-12-31' },
      }),
      call('POST', `/v1/billing-keys/${key.body.id}/charges`, { body: { amount: 2_000, goodsName: '구독' } }),
    ].map((p) => p.catch(() => undefined))
    const db = api.gateway.runtime.db
    // Every intent is recorded (and so every PG call is under way) before the kill.
    await eventually(async () => {
      const keys = await db.selectFrom('billing_keys').select('id').where('status', '=', 'pending').execute()
      const pays = await db.selectFrom('payments').select('id').where('status', '=', 'pending').execute()
      return keys.length === 1 && pays.length === 2
    }, 20_000)
    await new Promise((r) => setTimeout(r, 300))
    child.kill('SIGKILL')
    await Promise.all(inFlight)

    const cfg = { ...api.gateway.runtime.config.workers.reconcile, minAgeMs: 0 }
    await eventually(async () => {
      await reconcileOnce(api.gateway.runtime, cfg)
      const keys = await db
        .selectFrom('billing_keys')
        .select(['status', 'review_reason'])
        .where('id', '!=', key.body.id)
        .execute()
      const pays = await db
        .selectFrom('payments')
        .select(['status', 'review_reason', 'billing_key_id'])
        .where('order_id', 'is not', null)
        .execute()
      return (
        keys.every((k) => k.status === 'needs_review') &&
        pays.every((p) => p.status === 'needs_review') && { keys, pays }
      )
    }, 20_000)
    const keys = await db.selectFrom('billing_keys').selectAll().where('id', '!=', key.body.id).execute()
    expect(keys).toHaveLength(1)
    expect(JSON.stringify(keys[0]!.review_reason)).toContain(keys[0]!.id)
    const pays = await db.selectFrom('payments').selectAll().where('status', '=', 'needs_review').execute()
    expect(pays.map((p) => p.method).sort()).toEqual(['card', 'virtual_account'])
    // What was asked is kept for the person who decides (never card data).
    for (const p of pays) expect(JSON.stringify(p.review_reason)).toContain(String(p.order_id))
    // Their events reach the merchant like any other.
    const events = await db.selectFrom('events').select('type').execute()
    const types = events.map((e) => e.type)
    expect(types).toContain('billing_key.needs_review')
    expect(types.filter((t) => t === 'payment.needs_review')).toHaveLength(2)
    void out
  }, 90_000)
})
