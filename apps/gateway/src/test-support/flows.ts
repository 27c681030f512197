// Test support for notifications, webhooks and reconciliation: a gateway in front of the simulators with a
// merchant webhook endpoint (a local HTTP listener), the simulators notifying the gateway, fast workers.
// Not part of the built package.
import { randomBytes } from 'node:crypto'
import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Redactor } from '@paymux/core'
import { type GatewayConfigInput, parseConfig } from '../config.js'
import { type Db, openDatabase } from '../db/index.js'
import { createGateway, type Gateway } from '../gateway.js'
import { createLogger } from '../logger.js'
import { defaultProviderFactory } from '../providers.js'
import { generateWebhookSecret } from '@paymux/webhooks'
import {
  type CallResult,
  caller,
  type DbTarget,
  newSchemaName,
  openTestDb,
  type Sims,
  startSims,
  testConfig,
} from './harness.js'

export interface Received {
  headers: IncomingHttpHeaders
  raw: Buffer
  status: number
}

/** A merchant's webhook endpoint: records every request and answers what `respond` says (default 200). */
export interface Listener {
  url: string
  received: Received[]
  respond: (n: number) => { status: number; headers?: Record<string, string> }
  close(): Promise<void>
}

export async function startListener(): Promise<Listener> {
  const l: Listener = {
    url: '',
    received: [],
    respond: () => ({ status: 200 }),
    close: async () => {},
  }
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const r = l.respond(l.received.length)
      l.received.push({ headers: req.headers, raw: Buffer.concat(chunks), status: r.status })
      res.writeHead(r.status, r.headers ?? {}).end('ok')
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  l.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`
  l.close = () =>
    new Promise<void>((r) => {
      server.closeAllConnections()
      server.close(() => r())
    })
  return l
}

/** Fast workers: pending items looked at after half a second, retries within a second. */
export const FAST_WORKERS = {
  enabled: true,
  outbox: { intervalMs: 50, timeoutMs: 2_000, retryScheduleSeconds: [0.1, 0.1, 0.2, 0.2, 0.2] },
  reconcile: {
    intervalMs: 50,
    minAgeMs: 500,
    backoffSeconds: [0.1],
    giveUpAfterSeconds: 600,
    failAfterNoChangeLookups: 2,
  },
}

export interface FlowGateway {
  url: string
  keyA: string
  keyB: string
  sims: Sims
  gateway: Gateway
  db: Db
  schema: string
  hooks: Listener
  secrets: string[]
  logs: string[]
  call(method: string, path: string, opts?: Parameters<ReturnType<typeof caller>>[2]): Promise<CallResult>
  close(): Promise<void>
}

export interface FlowOptions {
  sims?: Sims
  hooks?: Listener
  /** Another gateway on the same database: PostgreSQL opens its own pool on the schema; PGlite shares the Db. */
  sameDatabaseAs?: FlowGateway
  keys?: { a: string; b: string }
  secrets?: string[]
  workers?: Record<string, unknown>
  timeoutMs?: number
  /** More top-level config (e.g. `notifications:`), merged over the test config. */
  config?: Partial<GatewayConfigInput>
}

export async function startFlowGateway(target: DbTarget, opts: FlowOptions = {}): Promise<FlowGateway> {
  const sims = opts.sims ?? (await startSims())
  const hooks = opts.hooks ?? (await startListener())
  const keys = opts.keys ?? {
    a: `sk_test_a_${randomBytes(12).toString('hex')}`,
    b: `sk_test_b_${randomBytes(12).toString('hex')}`,
  }
  const secrets = opts.secrets ?? [generateWebhookSecret()]
  const raw = testConfig(
    sims,
    keys,
    { workers: (opts.workers ?? FAST_WORKERS) as GatewayConfigInput['workers'], ...opts.config },
    opts.timeoutMs,
  )
  const shopA = raw.merchants[0]!
  shopA.webhook = { url: hooks.url, secret: secrets.length === 1 ? secrets[0]! : secrets }
  for (const a of shopA.accounts) {
    // The simulators notify from loopback, not from the PGs' published sender addresses.
    if (a.provider === 'nicepay') a.options = { notificationIpAllowList: ['127.0.0.1', '::1'] }
    if (a.provider === 'bootpay') a.options = { notificationIpAllowList: [] }
    if (a.provider === 'cookiepay') a.options = { notificationVerifyDelaysMs: [50] }
  }
  // The same NicePay merchant with NicePay's real sender list: a loopback notification must be refused.
  const nice = shopA.accounts.find((a) => a.id === 'a-nice')!
  shopA.accounts.push({ ...nice, id: 'a-nice-ip', options: {} } as (typeof shopA.accounts)[number])
  if (opts.sameDatabaseAs?.gateway.runtime.config.masterKey)
    raw.masterKey = opts.sameDatabaseAs.gateway.runtime.config.masterKey
  const config = parseConfig(raw, {})

  let db: Db
  let schema: string
  let drop: () => Promise<void>
  if (opts.sameDatabaseAs) {
    schema = opts.sameDatabaseAs.schema
    if (target.url) {
      db = await openDatabase({ url: target.url, schema, poolSize: 20 })
      drop = () => db.close()
    } else {
      db = opts.sameDatabaseAs.db
      drop = async () => {}
    }
  } else {
    const opened = await openTestDb(target, newSchemaName())
    db = opened.db
    schema = opened.schema
    drop = opened.drop
  }
  const logs: string[] = []
  const redactor = new Redactor([keys.a, keys.b, ...secrets])
  const { logger } = createLogger({
    level: 'debug',
    redactor,
    destination: { write: (s: string) => void logs.push(s) },
  })
  const gateway = await createGateway({ config, db, logger, redactor })
  const { url } = await gateway.listen(0, '127.0.0.1')
  if (!opts.sims) {
    sims.nicepay.settings.notifyUrl = `${url}/v1/notifications/a-nice`
    sims.cookiepay.setNotifyUrl(`${url}/v1/notifications/a-cookie`)
    sims.bootpay.settings.webhookUrl = `${url}/v1/notifications/a-boot`
    sims.bootpay.settings.webhookRetryDelayMs = 200
    for (const r of sims.registry) r.demo.notifyTo(`${url}/v1/notifications/${r.account}`)
  }
  return {
    url,
    keyA: keys.a,
    keyB: keys.b,
    sims,
    gateway,
    db,
    schema,
    hooks,
    secrets,
    logs,
    call: caller(url, keys.a),
    async close() {
      await gateway.close()
      await drop()
      if (!opts.hooks) await hooks.close()
      if (!opts.sims) await sims.close()
    },
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Polls until `check` returns a truthy value (or throws after `ms`). */
export async function eventually<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  ms = 15_000,
): Promise<T> {
  const until = Date.now() + ms
  let last: unknown
  for (;;) {
    try {
      const v = await check()
      if (v) return v
    } catch (err) {
      last = err
    }
    if (Date.now() > until) throw last instanceof Error ? last : new Error('condition not met in time')
    await sleep(50)
  }
}

/**
 * Makes `a-nice` a NicePay merchant with the Moid duplicate guard contract, in the simulator and on the
 * gateway's account (whose adapter is rebuilt with `cancelDuplicateGuard: true`): a lost cancel may then be
 * re-sent with the same Moid. The default merchant has no such contract.
 */
export async function useMoidGuard(g: { gateway: Gateway; sims: Sims }): Promise<void> {
  const account = g.gateway.runtime.merchants.get('shop-a')!.accounts.get('a-nice')!
  account.config = { ...account.config, cancelDuplicateGuard: true }
  account.provider = await defaultProviderFactory(account.config, {})
  g.sims.nicepay.settings.cancelDuplicateGuard = true
}
