import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { serve } from '@hono/node-server'
import { Redactor } from '@paymux/core'
import { createApp, type GatewayApp } from './app.js'
import type { GatewayConfig } from './config.js'
import { existingMasterKey } from './config-checks.js'
import { ApiKeyIndex, generateMasterKey, Vault } from './crypto.js'
import { type Db, openDatabase } from './db/index.js'
import { sweepIdempotencyKeys } from './idempotency-keys.js'
import { callLogOf } from './call-log/log.js'
import { createLogger, type PinoLogger } from './logger.js'
import {
  type AnyDescriptor,
  accountSecrets,
  PROVIDERS,
  type ProviderFactory,
  providerFactory,
} from './providers.js'
import type { AccountRuntime, MerchantRuntime, Runtime } from './runtime.js'
import { attachMetrics, Metrics } from './metrics/registry.js'
import { checkRoutingRules } from './routing/choose.js'
import { HealthMonitor } from './health/monitor.js'
import { watchOperations } from './health/calls.js'
import { countNotificationPgCall } from './notifications/rate-limit.js'
import { startWorkers, type WorkerOptions, type Workers } from './workers/index.js'

export interface GatewayOptions {
  config: GatewayConfig
  /** The PGs this gateway speaks (default: the built-in list); the config must have been parsed with the same. */
  providers?: readonly AnyDescriptor[]
  /** Replaces how adapters are built (tests put a controlled provider behind an account). */
  providerFactory?: ProviderFactory
  logger?: PinoLogger
  redactor?: Redactor
  /** An already open database (tests share one per file). */
  db?: Db
  /** Where the embedded database and the generated master key live. Default ./.paymux */
  dataDir?: string
  now?: () => Date
  /** On close, how long requests in flight may take to finish before their connections are dropped. Default 10 s. */
  shutdownGraceMs?: number
  /** Probe accounts and keep their health rows (default true; tests that judge health drive its rounds). */
  healthProbes?: boolean
  /** An API key /docs fills in for "try it" (the demo's own; never a production key: the page shows it). */
  docsApiKey?: string
}

export interface Gateway {
  app: GatewayApp
  runtime: Runtime
  db: Db
  logger: PinoLogger
  /** Starts listening; resolves with the URL. */
  listen(port?: number, host?: string): Promise<{ url: string; port: number }>
  /** Starts the outbox and reconciliation workers in this process (stopped by close). */
  startWorkers(opts?: WorkerOptions): Workers
  close(): Promise<void>
}

/**
 * The master key comes from the config or PAYMUX_MASTER_KEY. With the embedded database only, a missing key is
 * generated into the data folder (0600): a shared PostgreSQL needs the same key in every process, so there it
 * must be given.
 */
export function resolveMasterKey(config: GatewayConfig, dataDir: string): string {
  const existing = existingMasterKey(config, dataDir)
  if (existing) return existing
  const file = join(dataDir, 'master.key')
  mkdirSync(dataDir, { recursive: true })
  const key = generateMasterKey()
  writeFileSync(file, `${key}\n`, { mode: 0o600 })
  return key
}

/**
 * Scalar's browser bundle from the installed @scalar/api-reference, so /docs needs no CDN (private networks,
 * CI). The package exports no path to it, so it is found the way Node finds packages: up the directory tree.
 */
function docsBundle(): (() => Promise<Uint8Array | undefined>) | undefined {
  try {
    let dir = dirname(fileURLToPath(import.meta.url))
    let file: string | undefined
    for (let i = 0; i < 8 && !file; i++) {
      const candidate = join(
        dir,
        'node_modules',
        '@scalar',
        'api-reference',
        'dist',
        'browser',
        'standalone.js',
      )
      if (existsSync(candidate)) file = candidate
      dir = dirname(dir)
    }
    if (!file) return undefined
    const path = file
    let cached: Uint8Array | undefined
    return async () => {
      cached ??= readFileSync(path)
      return cached
    }
  } catch {
    return undefined
  }
}

export async function createGateway(opts: GatewayOptions): Promise<Gateway> {
  const config = opts.config
  const providers = opts.providers ?? PROVIDERS
  const dataDir = resolve(opts.dataDir ?? './.paymux')
  const redactor = opts.redactor ?? new Redactor()
  const logger = opts.logger ?? createLogger({ level: config.log.level, redactor }).logger
  const masterKey = resolveMasterKey(config, dataDir)
  redactor.add(masterKey)
  for (const m of config.merchants)
    for (const a of m.accounts) for (const s of accountSecrets(a, providers)) redactor.add(s)
  // Webhook signing secrets (whsec_…) never reach a log line either.
  for (const m of config.merchants) if (m.webhook) for (const s of [m.webhook.secret].flat()) redactor.add(s)
  if (config.metrics.token) redactor.add(config.metrics.token)

  const db =
    opts.db ??
    (await openDatabase({
      ...(config.database.url ? { url: config.database.url } : { dataDir: resolve(config.database.path) }),
      ...(config.database.schema ? { schema: config.database.schema } : {}),
      poolSize: config.database.poolSize,
      connectTimeoutMs: config.database.connectTimeoutMs,
      statementTimeoutMs: config.database.statementTimeoutMs,
      queryTimeoutMs: config.database.queryTimeoutMs,
    }))
  if (!opts.db) {
    const applied = await db.migrate()
    if (applied.length) logger.info({ migrations: applied }, 'database migrated')
  }

  const factory = opts.providerFactory ?? providerFactory(providers)
  const metrics = new Metrics()
  // Built once the runtime exists; the adapters' call hooks reach it through this binding.
  let health: HealthMonitor | undefined
  const merchants = new Map<string, MerchantRuntime>()
  const keys = new ApiKeyIndex()
  for (const m of config.merchants) {
    const accounts = new Map<string, AccountRuntime>()
    for (const a of m.accounts) {
      const adapter = await factory(a, {
        logger: logger.child({ account: a.id, provider: a.provider }),
        onCall: (e) => {
          metrics.pgCall(e)
          health?.observe(a.id, e)
          countNotificationPgCall()
        },
        // No paymentAmountOf hook: every cancel already carries paymentAmount whenever the gateway knows it, so
        // a lookup could only find nothing (one wasted query per cancel of a payment whose amount is unknown).
      })
      // Each operation's calls are judged once it ends: an answer the adapter could not read is a failure.
      const provider = watchOperations(adapter, (samples) => health?.observeOperation(a.id, samples))
      const timeout = a.timeoutMs ?? 60_000
      // Long enough for the token call and the money call to time out: after it, a replay reports state.
      accounts.set(a.id, { merchantId: m.id, config: a, provider, lockMs: timeout * 2 + 30_000 })
    }
    merchants.set(m.id, { config: m, accounts })
    for (const k of m.apiKeys) keys.add(m.id, k)
  }
  try {
    checkRoutingRules(merchants)
  } catch (err) {
    if (!opts.db) await db.close()
    throw err
  }

  const runtime: Runtime = {
    config,
    db: db.kysely,
    vault: new Vault(masterKey),
    logger,
    merchants,
    now: opts.now ?? (() => new Date()),
  }
  attachMetrics(runtime, metrics)
  health = new HealthMonitor(runtime, (account, to) =>
    metrics.accountHealthMoves.inc({ account, status: to }),
  )
  runtime.health = health
  await health.start(opts.healthProbes !== false)
  const bundle = docsBundle()
  const app = createApp(runtime, keys, {
    ...(bundle ? { docsScript: bundle, docsScriptUrl: '/docs/scalar.js' } : {}),
    ...(opts.docsApiKey ? { docsApiKey: opts.docsApiKey } : {}),
  })

  // Keys are kept at least the retention; expired ones are removed in small batches.
  const sweep = setInterval(() => {
    const cutoff = new Date(runtime.now().getTime() - config.idempotency.retentionHours * 3600_000)
    sweepIdempotencyKeys(db.kysely, cutoff).catch((err) => logger.warn({ err }, 'idempotency sweep failed'))
  }, 10 * 60_000)
  sweep.unref()

  let server: ReturnType<typeof serve> | undefined
  const workers: Workers[] = []
  return {
    app,
    runtime,
    db,
    logger,
    listen(port = config.server.port, host = config.server.host) {
      return new Promise((resolveListen, reject) => {
        server = serve({ fetch: app.fetch, port, hostname: host }, (info) => {
          const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host
          resolveListen({ url: `http://${shown}:${info.port}`, port: info.port })
        })
        server.once('error', reject)
      })
    },
    startWorkers(wopts) {
      const w = startWorkers(runtime, wopts)
      workers.push(w)
      return w
    },
    async close() {
      clearInterval(sweep)
      health?.stop()
      await Promise.all(workers.map((w) => w.stop()))
      if (server) {
        const s = server as unknown as {
          closeAllConnections?: () => void
          closeIdleConnections?: () => void
          close(cb: (err?: Error) => void): void
        }
        // Stop accepting, let requests in flight finish (a cancel cut off between its PG call and its record
        // would be left pending), then drop whatever is still open after the grace period.
        const closed = new Promise<void>((r) => s.close(() => r()))
        s.closeIdleConnections?.()
        const force = setTimeout(() => s.closeAllConnections?.(), opts.shutdownGraceMs ?? 10_000)
        const idle = setInterval(() => s.closeIdleConnections?.(), 100)
        await closed
        clearTimeout(force)
        clearInterval(idle)
      }
      // The PG calls logged since the last flush are written before the database goes.
      await callLogOf(runtime).close()
      if (!opts.db) await db.close()
    },
  }
}
