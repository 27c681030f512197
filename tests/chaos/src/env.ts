// One chaos environment: a database of its own on the PostgreSQL of DATABASE_URL, the NicePay simulator in a
// process, and one or more gateway processes started through the real CLI on that database, all sharing one
// config (same API key, same master key). Every log goes to a file under the run folder, where scenario 7
// looks for secrets afterwards.
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  benchTid,
  createScratchDatabase,
  fetchRetry,
  type GatewayConfigFile,
  type GatewayProc,
  type Proc,
  runTag,
  type ScratchDatabase,
  startGateway,
  startSimulator,
  writeGatewayConfig,
} from '@paymux/bench/procs'
import { seedPayments } from '@paymux/bench/seed'
import { Vault } from '@paymux/gateway'

export const DATABASE_URL = process.env.DATABASE_URL
const pkgDir = resolve(dirname(fileURLToPath(import.meta.url)), '..')
export const RUN_DIR = resolve(process.env.CHAOS_RUN_DIR ?? join(pkgDir, '.runs', 'adhoc'))

export interface Reply {
  status: number
  headers: Headers
  text: string
  // biome-ignore lint/suspicious/noExplicitAny: JSON answers are checked field by field
  body: any
  ms: number
}

export interface CallOptions {
  body?: unknown
  raw?: string | Uint8Array
  idem?: string
  key?: string | null
  headers?: Record<string, string>
  timeoutMs?: number
}

export interface Ledger {
  amount: number
  cancelledAmount: number
  cancels: Array<{ moid: string; amount: number }>
}

/** A TxTid of NicePay's payment window as the simulator holds it (sim-server's /__bench/checkouts). */
export interface PgCheckout {
  state: 'opened' | 'authenticated' | 'approved' | 'declined' | 'net_cancelled' | 'failed'
  payMethod: string
  orderId: string
  amount: number
  cancelledAmount: number
  approvalCalls: number
  approvals: number
  netCancelCalls: number
  netCancels: number
}

export interface ChaosEnv {
  name: string
  dir: string
  db: ScratchDatabase
  sim: Proc
  cfg: GatewayConfigFile
  gateways: GatewayProc[]
  /** Seeds `count` paid payments of `amount` in the simulator and in the gateway's database. */
  seed(count: number, amount: number): Promise<string[]>
  call(gw: number, method: string, path: string, o?: CallOptions): Promise<Reply>
  ledger(tids: string[]): Promise<Record<string, Ledger | null>>
  /** The payment window's TxTids as the simulator holds them. */
  checkouts(txTids: string[]): Promise<Record<string, PgCheckout | null>>
  /** Protocol calls the simulator has seen so far. */
  simCalls(): Promise<number>
  /** Restarts gateway i (after a kill) with the same config and database. */
  restart(i: number): Promise<GatewayProc>
  /** Secrets this environment knows of; scenario 7 scans every log for them. */
  addSecrets(...s: string[]): void
  close(): Promise<void>
}

export interface EnvOptions {
  gateways?: number
  /** The adapter's read timeout towards the simulator. */
  timeoutMs?: number
  poolSize?: number
  extra?: Record<string, unknown>
  webhook?: { url: string; secret: string }
  /** More accounts of the merchant (the NicePay one is always there). */
  accounts?: Array<Record<string, unknown>>
  /** More settings of the merchant (`routing:`, `health:`). */
  merchant?: Record<string, unknown>
  /**
   * The merchant has NicePay's Moid duplicate guard (a separate contract): on in the simulator and on the
   * account. Default true, the merchant these scenarios were written for; scenario 3b runs without it.
   */
  cancelDuplicateGuard?: boolean
}

export async function startEnv(name: string, o: EnvOptions = {}): Promise<ChaosEnv> {
  if (!DATABASE_URL) throw new Error('DATABASE_URL is not set')
  const dir = join(RUN_DIR, name)
  mkdirSync(dir, { recursive: true })
  const db = await createScratchDatabase(DATABASE_URL, 'paymux_chaos')
  const procs: Proc[] = []
  const secretsFile = join(dir, 'secrets.json')
  const secrets: string[] = []
  const addSecrets = (...s: string[]) => {
    secrets.push(...s.filter((x) => x && x.length >= 8))
    writeFileSync(secretsFile, JSON.stringify(secrets))
  }
  try {
    const guard = o.cancelDuplicateGuard ?? true
    const sim = await startSimulator({ logFile: join(dir, 'simulator.log'), cancelDuplicateGuard: guard })
    procs.push(sim)
    const cfg = writeGatewayConfig({
      dir,
      simUrl: sim.url,
      databaseUrl: db.url,
      timeoutMs: o.timeoutMs ?? 2_000,
      poolSize: o.poolSize ?? 10,
      logLevel: 'debug',
      ...(o.extra ? { extra: o.extra } : {}),
      ...(o.webhook ? { webhook: o.webhook } : {}),
      ...(o.accounts ? { accounts: o.accounts } : {}),
      ...(o.merchant ? { merchant: o.merchant } : {}),
      cancelDuplicateGuard: guard,
    })
    addSecrets(...cfg.secrets)
    const u = new URL(db.url)
    if (u.password) addSecrets(decodeURIComponent(u.password))
    const gateways: GatewayProc[] = []
    const launches: number[] = []
    const launch = async (i: number) => {
      launches[i] = (launches[i] ?? 0) + 1
      const g = await startGateway(cfg, {
        databaseUrl: db.url,
        logFile: join(dir, `gateway-${i}.${launches[i]}.log`),
        name: `gateway-${name}-${i}`,
      })
      procs.push(g)
      gateways[i] = g
      return g
    }
    for (let i = 0; i < (o.gateways ?? 1); i++) await launch(i)
    const tag = runTag()
    let next = 0
    return {
      name,
      dir,
      db,
      sim,
      cfg,
      gateways,
      addSecrets,
      async seed(count, amount) {
        const from = next
        next += count
        const res = await fetchRetry(`${sim.url}/__bench/seed`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ tag, from, count, amount }),
        })
        if (!res.ok) throw new Error(`seed: ${res.status}`)
        await seedPayments((t, p) => db.pool.query(t, p), {
          merchantId: cfg.merchantId,
          accountId: cfg.accountId,
          tag,
          from,
          count,
          amount,
        })
        return Array.from({ length: count }, (_, k) => benchTid(tag, from + k))
      },
      async call(gw, method, path, c = {}) {
        const g = gateways[gw]!
        const headers: Record<string, string> = { ...(c.headers ?? {}) }
        const key = c.key === undefined ? cfg.apiKey : c.key
        if (key !== null) headers.authorization = `Bearer ${key}`
        if (c.idem !== undefined) headers['idempotency-key'] = c.idem
        let body: string | Uint8Array | undefined = c.raw
        if (body === undefined && c.body !== undefined) body = JSON.stringify(c.body)
        if (body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type'))
          headers['content-type'] = 'application/json'
        const started = performance.now()
        const res = await fetch(`${g.url}${path}`, {
          method,
          headers,
          ...(body !== undefined ? { body } : {}),
          signal: AbortSignal.timeout(c.timeoutMs ?? 30_000),
        })
        const text = await res.text()
        let parsed: unknown
        try {
          parsed = JSON.parse(text)
        } catch {
          parsed = undefined
        }
        return {
          status: res.status,
          headers: res.headers,
          text,
          body: parsed,
          ms: performance.now() - started,
        }
      },
      async ledger(tids) {
        const res = await fetchRetry(`${sim.url}/__bench/ledger`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ tids }),
        })
        return (await res.json()) as Record<string, Ledger | null>
      },
      async checkouts(txTids) {
        const res = await fetchRetry(`${sim.url}/__bench/checkouts`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ tids: txTids }),
        })
        return (await res.json()) as Record<string, PgCheckout | null>
      },
      async simCalls() {
        const res = await fetchRetry(`${sim.url}/__bench/calls`)
        return ((await res.json()) as { calls: number }).calls
      },
      restart: (i) => launch(i),
      async close() {
        await Promise.all(procs.map((p) => p.stop(10_000).catch(() => {})))
        // The PG's billing keys went through this gateway: scenario 7 looks for them in every log.
        try {
          const vault = new Vault(cfg.masterKey)
          const rows = (await db.pool.query('SELECT encrypted_key FROM billing_keys')).rows
          addSecrets(...rows.map((r) => vault.decrypt(r.encrypted_key as string)))
        } catch {}
        await db.drop().catch(() => {})
      },
    }
  } catch (err) {
    await Promise.all(procs.map((p) => p.stop(2_000).catch(() => {})))
    await db.drop().catch(() => {})
    throw err
  }
}

/** A scenario's figure: printed, and collected for the closing summary. */
export function figure(scenario: string, text: string): void {
  process.stdout.write(`\n[chaos] ${scenario}: ${text}\n`)
  mkdirSync(RUN_DIR, { recursive: true })
  appendFileSync(join(RUN_DIR, 'figures.txt'), `${scenario}: ${text}\n`)
}

/** Runs `fn` over `items` with at most `limit` at once. */
export async function pool<T, R>(
  items: T[],
  limit: number,
  fn: (x: T, i: number) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array(items.length)
  let k = 0
  const worker = async () => {
    while (k < items.length) {
      const i = k++
      out[i] = await fn(items[i]!, i)
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  return out
}

/** The documented error shape: `{error: {type, code, message, …}, requestId}`. */
export function isErrorShape(body: unknown): boolean {
  const b = body as { error?: Record<string, unknown>; requestId?: unknown } | undefined
  return (
    !!b &&
    typeof b === 'object' &&
    typeof b.requestId === 'string' &&
    !!b.error &&
    typeof b.error.type === 'string' &&
    typeof b.error.code === 'string' &&
    typeof b.error.message === 'string'
  )
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
