// Test support: a gateway on loopback in front of the real PG simulators, on PGlite or (with DATABASE_URL)
// PostgreSQL in a schema of its own. Not part of the built package.
import { randomBytes } from 'node:crypto'
import { BOOTPAY_DEMO_CREDENTIALS, createBootpaySimulator } from '@paymux/adapter-bootpay/simulator'
import { COOKIEPAY_DEMO_CREDENTIALS, createCookiePaySimulator } from '@paymux/adapter-cookiepay/simulator'
import { createNicePaySimulator, NICEPAY_DEMO_CREDENTIALS } from '@paymux/adapter-nicepay/simulator'
import { type DemoSimulator, Redactor } from '@paymux/core'
import { type RunningServer, startServer } from '@paymux/core/simulator'
import { type GatewayConfigInput, parseConfig } from '../config.js'
import { generateMasterKey, sha256Hex } from '../crypto.js'
import { type Db, dropSchema, openDatabase } from '../db/index.js'
import { createGateway, type Gateway } from '../gateway.js'
import { createLogger } from '../logger.js'
import { accountSecrets, defaultProviderFactory, PROVIDERS, type ProviderFactory } from '../providers.js'

export interface DbTarget {
  name: 'pglite' | 'postgres'
  url?: string
}

/** Every database the suite runs on: PGlite always, PostgreSQL when DATABASE_URL is set. */
export const DB_TARGETS: DbTarget[] = [
  { name: 'pglite' },
  ...(process.env.DATABASE_URL ? [{ name: 'postgres' as const, url: process.env.DATABASE_URL }] : []),
]

/** Secrets the captured logs must never contain. */
export const TEST_CARD_NUMBERS = ['5570420456641074', '4111111111111111', '4242424242424242']

export function newSchemaName(): string {
  return `gw_test_${randomBytes(6).toString('hex')}`
}

/** Opens a fresh database for one test file: in-memory PGlite, or a new schema on PostgreSQL. */
export async function openTestDb(
  target: DbTarget,
  schema = newSchemaName(),
): Promise<{ db: Db; schema: string; drop(): Promise<void> }> {
  const db = await openDatabase(target.url ? { url: target.url, schema, poolSize: 30 } : { schema })
  await db.migrate()
  return {
    db,
    schema,
    async drop() {
      if (target.url) await dropSchema(db, schema).catch(() => {})
      await db.close()
    },
  }
}

/** The PGs whose simulators and accounts below are written by hand; every other registered PG is derived. */
const HAND_WRITTEN = new Set(['nicepay', 'bootpay', 'cookiepay'])

/** What the shared tests read of a simulator's ledger (every registered PG's simulator has an `inspect`). */
export interface SimLedger {
  seedPayment(input: { amount: number }): { transactionId: string }
  inspect(transactionId: string): { cancelledAmount: number; cancelCount: number } | undefined
}

/**
 * A registered PG without a hand-written setup, from its descriptor alone: its demo simulator on loopback and
 * the account `a-<provider>` of shop-a on it (its demo credentials).
 */
export interface RegistrySim {
  provider: string
  account: string
  demo: DemoSimulator
  url: string
  ledger: SimLedger
}

export interface Sims {
  nicepay: ReturnType<typeof createNicePaySimulator>
  bootpay: ReturnType<typeof createBootpaySimulator>
  cookiepay: ReturnType<typeof createCookiePaySimulator>
  urls: { nicepay: string; bootpay: string; cookiepay: string }
  /** Every other registered PG (Toss Payments, …), derived from the provider registry. */
  registry: RegistrySim[]
  close(): Promise<void>
}

export async function startSims(): Promise<Sims> {
  const nicepay = createNicePaySimulator()
  const bootpay = createBootpaySimulator()
  const cookiepay = createCookiePaySimulator()
  const servers: RunningServer[] = [
    await startServer(nicepay.app),
    await startServer(bootpay.app),
    await startServer(cookiepay.app),
  ]
  const registry: RegistrySim[] = []
  for (const d of PROVIDERS) {
    if (!d.simulator || HAND_WRITTEN.has(d.id)) continue
    const demo = await d.simulator()
    const server = await startServer({ fetch: (r) => demo.fetch(r) })
    servers.push(server)
    const ledger = demo.instance as Partial<SimLedger>
    if (typeof ledger.inspect !== 'function')
      throw new Error(`${d.id}'s simulator has no inspect(): the shared tests cannot check its ledger`)
    registry.push({
      provider: d.id,
      account: `a-${d.id}`,
      demo,
      url: server.url,
      ledger: { seedPayment: (i) => demo.seedPayment(i), inspect: (tx) => ledger.inspect!(tx) },
    })
  }
  return {
    nicepay,
    bootpay,
    cookiepay,
    urls: { nicepay: servers[0]!.url, bootpay: servers[1]!.url, cookiepay: servers[2]!.url },
    registry,
    close: async () => {
      await Promise.all(servers.map((s) => s.close()))
    },
  }
}

/** The ledger of the simulator behind a shop-a account's PG: a hand-written one by name, or a derived one. */
export function ledgerOf(sims: Sims, provider: string): SimLedger {
  if (provider === 'nicepay' || provider === 'bootpay' || provider === 'cookiepay') return sims[provider]
  const r = sims.registry.find((x) => x.provider === provider)
  if (!r) throw new Error(`no simulator for ${provider}`)
  return r.ledger
}

/**
 * The shop-a account of every registered PG that has no hand-written one, as the per-PG tests list theirs: its
 * account id and provider. Known before any simulator starts (test tables are built at collection).
 */
export const REGISTRY_ACCOUNTS = PROVIDERS.filter((d) => d.simulator && !HAND_WRITTEN.has(d.id)).map((d) => ({
  account: `a-${d.id}`,
  provider: d.id,
}))

export const PG_TIMEOUT_MS = 400

export function testConfig(
  sims: Sims,
  keys: { a: string; b: string },
  extra: Partial<GatewayConfigInput> = {},
  timeoutMs = PG_TIMEOUT_MS,
): GatewayConfigInput {
  const PG_TIMEOUT_MS = timeoutMs
  return {
    server: { port: 0, host: '127.0.0.1', bodyLimitBytes: 16 * 1024 },
    log: { level: 'debug' },
    masterKey: generateMasterKey(),
    merchants: [
      {
        id: 'shop-a',
        apiKeys: [`sha256:${sha256Hex(keys.a)}`],
        accounts: [
          {
            id: 'a-nice',
            provider: 'nicepay',
            ...NICEPAY_DEMO_CREDENTIALS,
            baseUrl: sims.urls.nicepay,
            timeoutMs: PG_TIMEOUT_MS,
          },
          {
            id: 'a-boot',
            provider: 'bootpay',
            apiVersion: 'v2',
            applicationId: BOOTPAY_DEMO_CREDENTIALS.applicationId,
            privateKey: BOOTPAY_DEMO_CREDENTIALS.privateKey,
            baseUrl: sims.urls.bootpay,
            timeoutMs: PG_TIMEOUT_MS,
          },
          {
            id: 'a-boot-v1',
            provider: 'bootpay',
            apiVersion: 'v1',
            applicationId: BOOTPAY_DEMO_CREDENTIALS.applicationId,
            privateKey: BOOTPAY_DEMO_CREDENTIALS.privateKey,
            baseUrl: sims.urls.bootpay,
            timeoutMs: PG_TIMEOUT_MS,
          },
          {
            id: 'a-cookie',
            provider: 'cookiepay',
            environment: 'sandbox',
            ...COOKIEPAY_DEMO_CREDENTIALS,
            baseUrl: sims.urls.cookiepay,
            timeoutMs: PG_TIMEOUT_MS,
          },
          // Credentials the PG refuses.
          {
            id: 'a-badkey',
            provider: 'cookiepay',
            environment: 'sandbox',
            apiId: COOKIEPAY_DEMO_CREDENTIALS.apiId,
            apiKey: 'wrong-cookiepay-key',
            baseUrl: sims.urls.cookiepay,
            timeoutMs: PG_TIMEOUT_MS,
          },
          // Nothing listens on port 1: the PG is unreachable.
          {
            id: 'a-down',
            provider: 'cookiepay',
            environment: 'sandbox',
            ...COOKIEPAY_DEMO_CREDENTIALS,
            baseUrl: 'http://127.0.0.1:1',
            timeoutMs: PG_TIMEOUT_MS,
            connectTimeoutMs: 300,
          },
          // Every other registered PG on its demo simulator (its answers may take longer on a busy machine).
          ...sims.registry.map((r) => ({
            id: r.account,
            ...r.demo.demoAccount(r.url),
            timeoutMs: Math.max(PG_TIMEOUT_MS, 3_000),
          })),
        ] as GatewayConfigInput['merchants'][number]['accounts'],
        routing: { billing: 'a-nice', virtualAccount: 'a-nice' },
      },
      {
        id: 'shop-b',
        apiKeys: [`sha256:${sha256Hex(keys.b)}`],
        accounts: [
          {
            id: 'b-cookie',
            provider: 'cookiepay',
            environment: 'sandbox',
            ...COOKIEPAY_DEMO_CREDENTIALS,
            baseUrl: sims.urls.cookiepay,
            timeoutMs: PG_TIMEOUT_MS,
          },
        ],
      },
    ],
    ...extra,
  }
}

export interface TestGateway {
  url: string
  keyA: string
  keyB: string
  sims: Sims
  gateway: Gateway
  db: Db
  logs: string[]
  redactor: Redactor
  call(method: string, path: string, opts?: CallOptions): Promise<CallResult>
  /** Another gateway process on the same database (PostgreSQL: shares the schema). */
  close(): Promise<void>
}

export interface CallOptions {
  key?: string | null
  body?: unknown
  rawBody?: string
  idem?: string
  headers?: Record<string, string>
}

export interface CallResult {
  status: number
  headers: Headers
  // biome-ignore lint/suspicious/noExplicitAny: test convenience
  body: any
}

export function caller(url: string, defaultKey: string) {
  return async (method: string, path: string, opts: CallOptions = {}): Promise<CallResult> => {
    const headers: Record<string, string> = { ...(opts.headers ?? {}) }
    const key = opts.key === undefined ? defaultKey : opts.key
    if (key !== null) headers.authorization = `Bearer ${key}`
    if (opts.idem) headers['idempotency-key'] = opts.idem
    let body: string | undefined
    if (opts.rawBody !== undefined) body = opts.rawBody
    else if (opts.body !== undefined) body = JSON.stringify(opts.body)
    if (body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type'))
      headers['content-type'] = 'application/json'
    const res = await fetch(`${url}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) })
    const text = await res.text()
    let parsed: unknown = text
    try {
      parsed = JSON.parse(text)
    } catch {}
    return { status: res.status, headers: res.headers, body: parsed }
  }
}

export async function startTestGateway(
  target: DbTarget,
  opts: {
    providerFactory?: ProviderFactory
    sims?: Sims
    shared?: { db: Db }
    timeoutMs?: number
    masterKey?: string
  } = {},
): Promise<TestGateway> {
  const sims = opts.sims ?? (await startSims())
  const keyA = `sk_test_a_${randomBytes(12).toString('hex')}`
  const keyB = `sk_test_b_${randomBytes(12).toString('hex')}`
  const config = parseConfig(
    testConfig(
      sims,
      { a: keyA, b: keyB },
      opts.masterKey ? { masterKey: opts.masterKey } : {},
      opts.timeoutMs,
    ),
    {},
  )
  const opened = opts.shared ? undefined : await openTestDb(target)
  const db = opts.shared?.db ?? opened!.db
  const logs: string[] = []
  const redactor = new Redactor([keyA, keyB])
  const { logger } = createLogger({
    level: 'debug',
    redactor,
    destination: { write: (s: string) => void logs.push(s) },
  })
  const gateway = await createGateway({
    config,
    db,
    logger,
    redactor,
    providerFactory: opts.providerFactory ?? defaultProviderFactory,
  })
  const { url } = await gateway.listen(0, '127.0.0.1')
  return {
    url,
    keyA,
    keyB,
    sims,
    gateway,
    db,
    logs,
    redactor,
    call: caller(url, keyA),
    async close() {
      await gateway.close()
      if (opened) await opened.drop()
      if (!opts.sims) await sims.close()
    },
  }
}

/** Every secret of the test setup that must never reach a log line. */
export function secretsOf(t: TestGateway): string[] {
  return [
    t.keyA,
    t.keyB,
    NICEPAY_DEMO_CREDENTIALS.merchantKey,
    BOOTPAY_DEMO_CREDENTIALS.privateKey,
    COOKIEPAY_DEMO_CREDENTIALS.apiKey,
    t.gateway.runtime.config.masterKey!,
    ...t.sims.registry.flatMap((r) =>
      accountSecrets({ id: r.account, ...r.demo.demoAccount(r.url) } as never),
    ),
    ...TEST_CARD_NUMBERS,
  ]
}

export function findLeaks(lines: string[], secrets: string[]): string[] {
  const leaks: string[] = []
  for (const line of lines)
    for (const s of secrets) if (line.includes(s)) leaks.push(`${s.slice(0, 4)}… in ${line.slice(0, 160)}`)
  return leaks
}
