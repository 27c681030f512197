import { type ChildProcess, spawn } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BUNDLED_CLI, compileCli } from '../test-support/compile-cli.js'
import { eventually, type FlowGateway, startFlowGateway, useMoidGuard } from '../test-support/flows.js'

const url = process.env.DATABASE_URL
const here = dirname(fileURLToPath(import.meta.url))
const pkgDir = resolve(here, '../..')
// Inside the package's node_modules so the compiled CLI resolves the same dependencies.
const outDir = join(pkgDir, 'node_modules', '.cache', 'paymux-worker-test')

/**
 * `paymux worker` in two real OS processes next to an API gateway, all on one PostgreSQL schema: the workers
 * share the outbox and the pending cancels through SKIP LOCKED, and nothing is done twice.
 */
describe.skipIf(!url)('paymux worker: two separate worker processes on one PostgreSQL', () => {
  let api: FlowGateway
  const children: Array<{ proc: ChildProcess; out: string[] }> = []
  beforeAll(async () => {
    // The CLI compiled from the sources under test.
    await compileCli('paymux-worker-test')
    api = await startFlowGateway({ name: 'postgres', url: url! })
  })
  afterAll(async () => {
    for (const c of children) if (c.proc.exitCode === null) c.proc.kill('SIGKILL')
    await api?.close()
  })

  it('each event is delivered once and each pending cancel resolved once across the two processes', async () => {
    const config = structuredClone(api.gateway.runtime.config) as unknown as Record<string, unknown> & {
      database: Record<string, unknown>
    }
    config.database = { url, schema: api.schema, poolSize: 5 }
    config.server = { port: 0, host: '127.0.0.1' }
    config.log = { level: 'info' }
    // The NicePay merchant has the Moid guard contract here: the workers resolve its lost cancels by a re-send.
    for (const m of config.merchants as Array<{ accounts: Array<Record<string, unknown>> }>)
      for (const acc of m.accounts) if (acc.id === 'a-nice') acc.cancelDuplicateGuard = true
    await useMoidGuard(api)
    // A delivery that outlasts its timeout on a loaded machine is retried (a second attempt, rightly); give
    // the processes room so that attempts count only what this test is about: two processes racing.
    const workers = config.workers as { outbox: { timeoutMs: number } }
    workers.outbox = { ...workers.outbox, timeoutMs: 15_000 }
    const file = join(outDir, `config-${api.schema}.yaml`)
    mkdirSync(outDir, { recursive: true })
    // JSON is YAML; the file holds test credentials only and lives in node_modules/.cache.
    writeFileSync(file, JSON.stringify(config), { mode: 0o600 })

    // Work for the workers: 20 events from finished cancels, 10 pending cancels (executed and not).
    for (let i = 0; i < 20; i++) {
      const { transactionId } = api.sims.cookiepay.seedPayment({ amount: 1_000 })
      const c = await api.call('POST', '/v1/cancellations', {
        body: { account: 'a-cookie', transactionId, reason: 'r' },
      })
      expect(c.body.status, JSON.stringify(c.body)).toBe('succeeded')
    }
    const pending: Array<{ id: string; tid: string; sim: 'cookiepay' | 'nicepay' }> = []
    for (let i = 0; i < 10; i++) {
      const sim = i % 2 ? 'cookiepay' : 'nicepay'
      const { transactionId } = api.sims[sim].seedPayment({ amount: 5_000 })
      api.sims[sim].faults.inject({
        // A NicePay cancel that executed and whose answer was lost cannot be settled from NicePay's lookup (no
        // amounts) nor from a refused re-send (no evidence): NicePay's are lost before they arrive.
        fault: { kind: sim === 'cookiepay' && i % 4 < 2 ? 'drop' : 'reset' },
        path: sim === 'nicepay' ? 'cancel_process' : '/api/cancel',
      })
      const c = await api.call('POST', '/v1/cancellations', {
        body: {
          account: sim === 'nicepay' ? 'a-nice' : 'a-cookie',
          transactionId,
          amount: 2_000,
          reason: 'r',
        },
      })
      expect(c.body.status).toBe('pending')
      pending.push({ id: c.body.id, tid: transactionId, sim })
    }

    for (let i = 0; i < 2; i++) {
      const proc = spawn(process.execPath, [join(outDir, BUNDLED_CLI), 'worker', '--config', file], {
        cwd: pkgDir,
        env: { ...process.env, PAYMUX_CONFIG: '' },
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      const out: string[] = []
      proc.stdout!.on('data', (d: Buffer) => out.push(d.toString()))
      proc.stderr!.on('data', (d: Buffer) => out.push(d.toString()))
      children.push({ proc, out })
    }

    const db = api.db.kysely
    await eventually(async () => {
      for (const c of children)
        if (c.proc.exitCode !== null) throw new Error(`worker exited: ${c.out.join('').slice(-2000)}`)
      const open = await db
        .selectFrom('events')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('delivered_at', 'is', null)
        .executeTakeFirstOrThrow()
      const stillPending = await db
        .selectFrom('cancellations')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('status', '=', 'pending')
        .executeTakeFirstOrThrow()
      return Number(open.n) === 0 && Number(stillPending.n) === 0
    }, 45_000)
    for (const c of children) c.proc.kill('SIGTERM')
    await Promise.all(
      children.map((c) => new Promise((r) => (c.proc.exitCode !== null ? r(null) : c.proc.once('exit', r)))),
    )

    for (const p of pending) {
      const c = await api.call('GET', `/v1/cancellations/${p.id}`)
      const executed = ['succeeded', 'failed'].includes(c.body.status)
      expect(executed, `${p.id} ${c.body.status}`).toBe(true)
      const at = api.sims[p.sim].inspect(p.tid)!
      // Never twice; and the ledger agrees with the PG.
      expect(at.cancelCount).toBeLessThanOrEqual(1)
      expect(c.body.status === 'succeeded' ? 2_000 : 0).toBe(at.cancelledAmount)
    }
    const events = await db.selectFrom('events').select(['id', 'attempts', 'object_id']).execute()
    expect(events).toHaveLength(30)
    for (const p of pending) expect(events.filter((e) => e.object_id === p.id)).toHaveLength(1)
    expect(events.every((e) => e.attempts === 1)).toBe(true)
    const ids = api.hooks.received.map((r) => String(r.headers['webhook-id']))
    expect(ids).toHaveLength(30)
    expect(new Set(ids).size).toBe(30)
    const resolvedBy = children.map(
      (c) =>
        c.out
          .join('')
          .split('\n')
          .filter((l) => l.includes('pending cancellation resolved')).length,
    )
    expect(resolvedBy[0]! + resolvedBy[1]!).toBe(10)
    console.log(`pending cancels resolved per worker process: ${resolvedBy.join(' / ')}`)
  })
})

if (!url)
  describe('paymux worker processes', () => {
    it.skip('skipped: set DATABASE_URL=postgres://… to run two worker processes against PostgreSQL', () => {})
  })
