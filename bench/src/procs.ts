// Processes the benchmark and the chaos suite run on loopback: the NicePay simulator, a gateway started through
// its own CLI with a generated YAML config, and the adapter-only "direct" server. Each runs in a process of
// its own so that the load generator, the gateway and the PG never share an event loop.
import { type ChildProcess, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { NICEPAY_DEMO_CREDENTIALS } from '@paymux/adapter-nicepay/simulator'
import { generateMasterKey, sha256Hex } from '@paymux/gateway'
import pg from 'pg'
import { stringify as toYaml } from 'yaml'

const here = dirname(fileURLToPath(import.meta.url))

/**
 * The gateway's CLI as the `paymux` command runs it (the bundle next to the package's dist/index.js), or the one
 * PAYMUX_BENCH_GATEWAY_CLI names (the bench's --gateway-cli: another build of the gateway, to compare before/after).
 */
export function gatewayCli(): string {
  return (
    process.env.PAYMUX_BENCH_GATEWAY_CLI ??
    join(dirname(fileURLToPath(import.meta.resolve('@paymux/gateway'))), 'bundle', 'paymux.js')
  )
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port
      s.close(() => resolve(port))
    })
  })
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/**
 * fetch for idempotent control calls (seeding, ledgers, counters): resent when the connection was closed under
 * it — a pooled keep-alive socket the server closed while idle (Node's 5 s keepAliveTimeout) fails that way.
 */
export async function fetchRetry(url: string, init?: RequestInit, tries = 3): Promise<Response> {
  for (let k = 1; ; k++) {
    try {
      return await fetch(url, init)
    } catch (err) {
      if (k >= tries) throw err
      await sleep(50 * k)
    }
  }
}

export interface Proc {
  name: string
  pid: number
  child: ChildProcess
  url: string
  logFile: string
  /** Resolves with the exit code (or the signal's name) once the process is gone. */
  exited: Promise<number | string | null>
  /** SIGTERM, then SIGKILL after a grace period. */
  stop(graceMs?: number): Promise<void>
  /** kill -9: no chance to finish anything. */
  kill9(): Promise<void>
}

function spawnLogged(
  name: string,
  args: string[],
  logFile: string,
  env: NodeJS.ProcessEnv,
): Omit<Proc, 'url'> {
  mkdirSync(dirname(logFile), { recursive: true })
  // The child writes straight into the file: at thousands of log lines a second the parent stays out of it.
  const fd = openSync(logFile, 'a')
  const child = spawn(process.execPath, args, { stdio: ['ignore', fd, fd], env })
  closeSync(fd)
  let code: number | string | null | undefined
  const exited = new Promise<number | string | null>((resolve) => {
    child.once('exit', (c, sig) => {
      code = c ?? sig
      resolve(code)
    })
  })
  const stop = async (graceMs = 5_000) => {
    if (code !== undefined) return
    child.kill('SIGTERM')
    const t = setTimeout(() => child.kill('SIGKILL'), graceMs)
    await exited
    clearTimeout(t)
  }
  const kill9 = async () => {
    if (code !== undefined) return
    child.kill('SIGKILL')
    await exited
  }
  if (child.pid === undefined) throw new Error(`${name}: could not start`)
  return { name, pid: child.pid, child, logFile, exited, stop, kill9 }
}

async function waitReady(
  p: Omit<Proc, 'url'>,
  url: string,
  path: string,
  timeoutMs: number,
): Promise<number> {
  const started = performance.now()
  let exitedEarly: number | string | null | undefined
  void p.exited.then((c) => {
    exitedEarly = c
  })
  while (performance.now() - started < timeoutMs) {
    if (exitedEarly !== undefined) break
    try {
      const res = await fetch(`${url}${path}`, { signal: AbortSignal.timeout(1_000) })
      if (res.status === 200) return performance.now() - started
    } catch {}
    await sleep(10)
  }
  await p.stop(500)
  let tail = ''
  try {
    tail = readFileSync(p.logFile, 'utf8').split('\n').slice(-15).join('\n')
  } catch {}
  throw new Error(`${p.name} not ready at ${url}${path} (exit ${String(exitedEarly)}); log tail:\n${tail}`)
}

/** The NicePay simulator in a process of its own (see sim-server.ts for its extra bulk routes). */
export async function startSimulator(opts: {
  logFile: string
  cancelDuplicateGuard?: boolean
}): Promise<Proc> {
  const port = await freePort()
  const p = spawnLogged('nicepay-simulator', [join(here, 'sim-server.js'), String(port)], opts.logFile, {
    ...process.env,
    NICEPAY_SIM_CANCEL_GUARD: opts.cancelDuplicateGuard ? '1' : '0',
  })
  const url = `http://127.0.0.1:${port}`
  await waitReady(p, url, '/__bench/ready', 15_000)
  return { ...p, url }
}

/** The adapter alone behind a bare HTTP server, so the same load generator can drive it (direct-server.ts). */
export async function startDirect(opts: {
  simUrl: string
  logFile: string
  timeoutMs?: number
}): Promise<Proc> {
  const port = await freePort()
  const p = spawnLogged(
    'direct',
    [join(here, 'direct-server.js'), String(port), opts.simUrl, String(opts.timeoutMs ?? 10_000)],
    opts.logFile,
    process.env,
  )
  const url = `http://127.0.0.1:${port}`
  await waitReady(p, url, '/floor', 15_000)
  return { ...p, url }
}

export interface GatewaySetup {
  /** Where the config, the embedded database and the logs go. */
  dir: string
  simUrl: string
  /** postgres://… or undefined for embedded PGlite (in dir). */
  databaseUrl?: string
  accountId?: string
  merchantId?: string
  timeoutMs?: number
  poolSize?: number
  logLevel?: string
  bodyLimitBytes?: number
  /** The merchant's webhook endpoint (Standard Webhooks secret `whsec_…`). */
  webhook?: { url: string; secret: string }
  /** More top-level config (e.g. `workers:`), merged over the generated one. */
  extra?: Record<string, unknown>
  /** More accounts of the one merchant, after the NicePay one (e.g. other PGs' simulators). */
  accounts?: Array<Record<string, unknown>>
  /** More settings of the one merchant (e.g. `routing:` and `health:`), merged over the generated ones. */
  merchant?: Record<string, unknown>
  /** The NicePay account has the Moid duplicate guard contract (the simulator must be started with it too). */
  cancelDuplicateGuard?: boolean
}

export interface GatewayConfigFile {
  path: string
  apiKey: string
  masterKey: string
  accountId: string
  merchantId: string
  /** Secrets that must never show up in any log. */
  secrets: string[]
}

/** `${NAME}`: the config's reference to an environment variable. */
const envRef = (name: string) => `\${${name}}`

/** Writes a YAML config with one merchant and one NicePay account pointed at the simulator. */
export function writeGatewayConfig(s: GatewaySetup): GatewayConfigFile {
  mkdirSync(s.dir, { recursive: true })
  const apiKey = `sk_bench_${randomBytes(18).toString('base64url')}`
  const masterKey = generateMasterKey()
  const accountId = s.accountId ?? 'nice-bench'
  const merchantId = s.merchantId ?? 'bench-shop'
  const config = {
    server: { port: 0, host: '127.0.0.1', bodyLimitBytes: s.bodyLimitBytes ?? 64 * 1024 },
    // The pool size a user gets unless a suite asks for another.
    database: {
      ...(s.databaseUrl ? { url: envRef('PAYMUX_DATABASE_URL') } : { path: join(s.dir, 'db') }),
      ...(s.poolSize !== undefined ? { poolSize: s.poolSize } : {}),
    },
    // The key comes in through the environment, as the README recommends: never in the file.
    masterKey: envRef('PAYMUX_MASTER_KEY'),
    log: { level: s.logLevel ?? 'info' },
    merchants: [
      {
        id: merchantId,
        apiKeys: [`sha256:${sha256Hex(apiKey)}`],
        ...(s.webhook ? { webhook: s.webhook } : {}),
        accounts: [
          {
            id: accountId,
            provider: 'nicepay',
            mid: NICEPAY_DEMO_CREDENTIALS.mid,
            merchantKey: envRef('NICE_MERCHANT_KEY'),
            baseUrl: s.simUrl,
            timeoutMs: s.timeoutMs ?? 10_000,
            ...(s.cancelDuplicateGuard ? { cancelDuplicateGuard: true } : {}),
          },
          ...(s.accounts ?? []),
        ],
        ...(s.merchant ?? {}),
      },
    ],
    ...(s.extra ?? {}),
  }
  const path = join(s.dir, 'paymux.yaml')
  writeFileSync(path, toYaml(config))
  return {
    path,
    apiKey,
    masterKey,
    accountId,
    merchantId,
    secrets: [
      apiKey,
      masterKey,
      NICEPAY_DEMO_CREDENTIALS.merchantKey,
      ...(s.webhook ? [s.webhook.secret] : []),
    ],
  }
}

export interface GatewayProc extends Proc {
  startupMs: number
  config: GatewayConfigFile
}

/** Starts `paymux serve --config …` and waits for /readyz; `startupMs` is spawn → ready. */
export async function startGateway(
  cfg: GatewayConfigFile,
  opts: { databaseUrl?: string; logFile: string; nodeArgs?: string[]; name?: string; port?: number },
): Promise<GatewayProc> {
  const port = opts.port ?? (await freePort())
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PAYMUX_MASTER_KEY: cfg.masterKey,
    NICE_MERCHANT_KEY: NICEPAY_DEMO_CREDENTIALS.merchantKey,
    PAYMUX_DATABASE_URL: opts.databaseUrl ?? '',
  }
  delete env.DATABASE_URL
  delete env.PAYMUX_CONFIG
  const started = performance.now()
  const p = spawnLogged(
    opts.name ?? 'gateway',
    [
      ...(opts.nodeArgs ?? []),
      ...(process.env.BENCH_GATEWAY_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
      gatewayCli(),
      'serve',
      '--config',
      cfg.path,
      '--port',
      String(port),
    ],
    opts.logFile,
    env,
  )
  const url = `http://127.0.0.1:${port}`
  await waitReady(p, url, '/readyz', 60_000)
  return { ...p, url, startupMs: performance.now() - started, config: cfg }
}

/** Peak resident set (VmHWM) and current RSS of a process, in MB, from /proc. */
export function memoryOf(pid: number): { peakMb: number; rssMb: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN)
    return { peakMb: kb('VmHWM') / 1024, rssMb: kb('VmRSS') / 1024 }
  } catch {
    return undefined
  }
}

/** A database of its own for one run on the server DATABASE_URL points at; dropped at the end. */
export interface ScratchDatabase {
  url: string
  name: string
  /** Connected to the scratch database (seeding, checks). */
  pool: pg.Pool
  /** Ends every gateway connection to it (a database outage as the gateway sees it). */
  terminateOthers(): Promise<number>
  /** Opens or closes the database to new connections (ALTER DATABASE … ALLOW_CONNECTIONS). */
  allowConnections(allow: boolean): Promise<void>
  drop(): Promise<void>
}

export async function createScratchDatabase(baseUrl: string, prefix: string): Promise<ScratchDatabase> {
  const name = `${prefix}_${randomBytes(5).toString('hex')}`
  const admin = new pg.Client({ connectionString: baseUrl })
  await admin.connect()
  try {
    await admin.query(`CREATE DATABASE ${name}`)
  } finally {
    await admin.end()
  }
  const u = new URL(baseUrl)
  u.pathname = `/${name}`
  const url = u.toString()
  const pool = new pg.Pool({ connectionString: url, max: 4, application_name: 'paymux-bench' })
  pool.on('error', () => {})
  return {
    url,
    name,
    pool,
    async terminateOthers() {
      const admin = new pg.Client({ connectionString: baseUrl })
      await admin.connect()
      try {
        const r = await admin.query(
          `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
            WHERE datname = $1 AND pid <> pg_backend_pid() AND application_name NOT LIKE 'paymux-bench%'`,
          [name],
        )
        return r.rowCount ?? 0
      } finally {
        await admin.end()
      }
    },
    async allowConnections(allow: boolean) {
      const admin = new pg.Client({ connectionString: baseUrl })
      await admin.connect()
      try {
        await admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS ${allow ? 'true' : 'false'}`)
      } finally {
        await admin.end()
      }
    },
    async drop() {
      await pool.end().catch(() => {})
      const admin = new pg.Client({ connectionString: baseUrl })
      await admin.connect()
      try {
        await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
      } finally {
        await admin.end()
      }
    },
  }
}

/** TIDs in NicePay's shape (MID + svcCd 01 + prdtCd 01 + 16 digits), unique per run and index. */
export function benchTid(runTag: number, i: number): string {
  return `${NICEPAY_DEMO_CREDENTIALS.mid}0101${String(runTag).padStart(6, '0')}${String(i).padStart(10, '0')}`
}

export const runTag = () => Math.floor(Math.random() * 1_000_000)

/** CPU time (user + system, ms) a process has used so far, from /proc/<pid>/stat. */
export function cpuMsOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    // utime and stime are fields 14 and 15 of stat (11 and 12 after the command name), in clock ticks (100/s).
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100
  } catch {
    return 0
  }
}

/**
 * CPU time of the PostgreSQL server processes by pid: the backends of the given databases (`backends`: they
 * parse, plan, execute and flush the WAL of their own commits), or the server's shared background processes
 * (`background`: WAL writer, checkpointer, … — on a shared server they also work for everyone else, so they
 * are reported apart). Other databases' backends are left out. The server must be local (pids from /proc).
 */
export async function postgresCpuOf(
  admin: pg.Pool,
  databases: () => string[],
  which: 'backends' | 'background',
): Promise<Map<number, number>> {
  const r =
    which === 'backends'
      ? await admin.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = ANY($1)', [
          databases(),
        ])
      : await admin.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname IS NULL')
  return new Map(r.rows.map(({ pid }) => [pid, cpuMsOf(pid)]))
}

/**
 * Connections to a database by state, as PostgreSQL sees them (the bench's own pool left out). A transaction
 * counts as held when it has sat idle for over 50 ms: longer than any gap between two statements of the
 * gateway's own (worker) transactions, far shorter than a PG call.
 */
export async function connectionStates(
  admin: pg.Pool,
  database: string,
): Promise<{ active: number; idleInTransaction: number; open: number }> {
  const r = await admin.query<{ active: number; idle_in_tx: number; open: number }>(
    `SELECT count(*) FILTER (WHERE state = 'active')::int AS active,
            count(*) FILTER (WHERE state LIKE 'idle in transaction%'
                               AND now() - state_change > interval '50 milliseconds')::int AS idle_in_tx,
            count(*)::int AS open
       FROM pg_stat_activity
      WHERE datname = $1 AND backend_type = 'client backend' AND application_name NOT LIKE 'paymux-bench%'`,
    [database],
  )
  const row = r.rows[0]!
  return { active: row.active, idleInTransaction: row.idle_in_tx, open: row.open }
}

/** CPU time of every PostgreSQL server process on this machine (a local server: backends, WAL writer, …). */
export function postgresCpuMs(): number {
  let total = 0
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue
    try {
      if (readFileSync(`/proc/${d}/comm`, 'utf8').trim() === 'postgres') total += cpuMsOf(Number(d))
    } catch {}
  }
  return total
}
