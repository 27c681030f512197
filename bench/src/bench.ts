// pnpm bench: floor, direct (adapter → simulator), gateway and replay side by side, in one run, medians of
// several rounds. See bench/README.md for what each line means.
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { cpus } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { fileURLToPath } from 'node:url'
import { NICEPAY_DEMO_CREDENTIALS } from '@paymux/adapter-nicepay/simulator'
import { openDatabase } from '@paymux/gateway'
import { CompiledQuery } from 'kysely'
import pg from 'pg'
import { type CpuClock, median, runSegment, type RequestSpec, type SegmentResult } from './load.js'
import {
  benchTid,
  connectionStates,
  cpuMsOf,
  createScratchDatabase,
  fetchRetry,
  type GatewayProc,
  memoryOf,
  postgresCpuOf,
  type Proc,
  runTag,
  type ScratchDatabase,
  startDirect,
  startGateway,
  startSimulator,
  writeGatewayConfig,
} from './procs.js'
import { summariseProfile } from './profile.js'
import { type Exec, seedHistory, seedPayments } from './seed.js'

const benchDir = resolve(dirname(fileURLToPath(import.meta.url)), '..')

const { values: args } = parseArgs({
  options: {
    smoke: { type: 'boolean', default: false },
    profile: { type: 'boolean', default: false },
    rounds: { type: 'string' },
    duration: { type: 'string' },
    concurrency: { type: 'string' },
    'scale-rows': { type: 'string' },
    'no-pglite': { type: 'boolean', default: false },
    'no-scale': { type: 'boolean', default: false },
    'no-realistic': { type: 'boolean', default: false },
    'no-create': { type: 'boolean', default: false },
    'create-only': { type: 'boolean', default: false },
    'realistic-delay': { type: 'string' },
    'realistic-concurrency': { type: 'string' },
    out: { type: 'string' },
    'gateway-cli': { type: 'string' },
    help: { type: 'boolean', default: false },
  },
})

if (args.help) {
  process.stdout.write(`pnpm bench [options]   (see bench/README.md)
  --smoke                    short run (one concurrency, short segments, no scale step)
  --profile                  the PostgreSQL gateway under node --cpu-prof (floors skipped); prints its hot spots
  --rounds N                 rounds of every phase (3; smoke 1)
  --duration S               seconds per segment (3; smoke 0.5)
  --concurrency 1,16,64      concurrency levels
  --scale-rows N             stored cancellations of the scale step's large database (1000000)
  --no-pglite                PostgreSQL only
  --no-scale                 skip the 10^3 -> 10^6 scale step
  --no-realistic             skip the realistic phase (the simulator answers after a delay, high concurrency)
  --no-create                skip the checkout creates (POST /v1/payments routed vs with an explicit account)
  --create-only              only the checkout creates (no floors, cancels, replays, realistic or scale)
  --realistic-delay MS       the simulator's answer delay in the realistic phase (300)
  --realistic-concurrency N  its concurrency (128)
  --out FILE                 where the JSON goes (bench/results.json; smoke: bench/results-smoke.json)
  --gateway-cli PATH         run another build of the gateway (its dist/cli.js): before/after comparisons
`)
  process.exit(0)
}
if (args['gateway-cli']) process.env.PAYMUX_BENCH_GATEWAY_CLI = resolve(args['gateway-cli'])

const smoke = args.smoke
const ROUNDS = Number(args.rounds ?? (smoke ? 1 : 3))
let DURATION = Number(args.duration ?? (smoke ? 0.5 : 3))
const LEVELS = (args.concurrency ?? (smoke ? '16' : '1,16,64')).split(',').map(Number)
const SCALE_SMALL = 1_000
const SCALE_LARGE = Number(args['scale-rows'] ?? (smoke ? 10_000 : 1_000_000))
const DATABASE_URL = process.env.DATABASE_URL
const PAYMENT = 10_000
const CANCEL = 1_000
const REASON = 'bench partial cancel'
const REALISTIC_DELAY_MS = Number(args['realistic-delay'] ?? 300)
const REALISTIC_C = Number(args['realistic-concurrency'] ?? 128)
const REALISTIC_S = smoke ? 1.5 : Math.max(10, DURATION * 3)
const CREATE = !args['no-create'] && !args.profile
const CREATE_ONLY = args['create-only']
/**
 * The merchant's second account (same simulator) and its routing rule: a weighted split over both, so that a
 * create without `account` goes through routing.payments and account health as a merchant's would.
 */
const SECOND_ACCOUNT = 'nice-bench-2'
const routedMerchant = (simUrl: string) => ({
  accounts: [
    {
      id: SECOND_ACCOUNT,
      provider: 'nicepay',
      mid: NICEPAY_DEMO_CREDENTIALS.mid,
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the config's reference to an environment variable
      merchantKey: '${NICE_MERCHANT_KEY}',
      baseUrl: simUrl,
    },
  ],
  merchant: {
    routing: {
      payments: [
        {
          split: [
            { account: 'nice-bench', weight: 70 },
            { account: SECOND_ACCOUNT, weight: 30 },
          ],
        },
      ],
    },
  },
})

const runDir = join(benchDir, '.runs', new Date().toISOString().replace(/[:.]/g, '-'))
mkdirSync(runDir, { recursive: true })
const log = (msg: string) => process.stderr.write(`bench: ${msg}\n`)

// ---------- the payment supply: every fresh cancel gets a payment nobody touched before ----------

class Supply {
  next: number
  seeded: number
  constructor(
    readonly name: string,
    readonly sim: Proc,
    readonly tag: number,
    start: number,
    /** Seeds the same range in the gateway's database (undefined: the simulator is all there is). */
    readonly seedDb?: (from: number, count: number) => Promise<void>,
    /** No more than this many can be seeded (PGlite: seeded before its gateway starts). */
    readonly limit = Number.POSITIVE_INFINITY,
  ) {
    this.next = start
    this.seeded = start
  }

  async ensure(n: number): Promise<void> {
    const want = Math.min(this.next + n, this.limit)
    if (want <= this.seeded) return
    const count = want - this.seeded
    for (let from = this.seeded; from < want; from += 20_000) {
      const c = Math.min(20_000, want - from)
      await simSeed(this.sim, this.tag, from, c)
      if (this.seedDb) await this.seedDb(from, c)
    }
    this.seeded += count
  }

  take(): number | undefined {
    if (this.next >= this.seeded) return undefined
    return this.next++
  }
}

async function simSeed(sim: Proc, tag: number, from: number, count: number): Promise<void> {
  const res = await fetchRetry(`${sim.url}/__bench/seed`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ tag, from, count, amount: PAYMENT }),
  })
  if (!res.ok) throw new Error(`simulator seed failed: ${res.status} ${await res.text()}`)
}

// ---------- targets ----------

interface GatewayTarget {
  name: 'postgres' | 'pglite'
  proc: GatewayProc
  supply: Supply
  db?: ScratchDatabase
  peakMb: number
  /** The requests of the last fresh segment that got their answer: the replay segment sends them again. */
  lastOk: RequestSpec[]
}

function pollMemory(t: GatewayTarget): void {
  const m = memoryOf(t.proc.pid)
  if (m && m.peakMb > t.peakMb) t.peakMb = m.peakMb
}

const cancelBody = (account: string, tid: string) =>
  JSON.stringify({ account, transactionId: tid, amount: CANCEL, reason: REASON })

async function gatewaySegment(
  t: GatewayTarget,
  c: number,
  rate: number,
  opts: { durationS?: number; sample?: { everyMs: number; run: () => Promise<void> } } = {},
): Promise<SegmentResult> {
  const durationS = opts.durationS ?? DURATION
  await t.supply.ensure(Math.max(2_000, Math.ceil(rate * durationS * 1.6)))
  const ok: RequestSpec[] = []
  const account = t.proc.config.accountId
  const r = await runSegment({
    url: t.proc.url,
    method: 'POST',
    concurrency: c,
    durationS,
    ...(opts.sample ? { sample: opts.sample } : {}),
    headers: { authorization: `Bearer ${t.proc.config.apiKey}`, 'content-type': 'application/json' },
    next: () => {
      const i = t.supply.take()
      if (i === undefined) return undefined
      return {
        path: '/v1/cancellations',
        body: cancelBody(account, benchTid(t.supply.tag, i)),
        headers: { 'idempotency-key': `bench-${t.name}-${t.supply.tag}-${i}` },
      }
    },
    cpu: { ...clocks, gateway: () => cpuMsOf(t.proc.pid) },
    check: (status, body) => status === 200 && body.includes('"status":"succeeded"'),
    onOk: (spec) => ok.push(spec),
  })
  t.lastOk = ok
  pollMemory(t)
  return r
}

async function replaySegment(t: GatewayTarget, c: number): Promise<SegmentResult> {
  let k = 0
  const list = t.lastOk
  const r = await runSegment({
    url: t.proc.url,
    method: 'POST',
    concurrency: c,
    durationS: DURATION,
    headers: { authorization: `Bearer ${t.proc.config.apiKey}`, 'content-type': 'application/json' },
    next: () => (list.length ? list[k++ % list.length] : undefined),
    cpu: { ...clocks, gateway: () => cpuMsOf(t.proc.pid) },
    check: (status, body, headers) =>
      status === 200 &&
      body.includes('"status":"succeeded"') &&
      Object.entries(headers).some(([h, v]) => h.toLowerCase() === 'idempotent-replayed' && v === 'true'),
  })
  pollMemory(t)
  return r
}

/**
 * POST /v1/payments (a checkout waiting for its customer: no PG call), each with an order id of its own and its own
 * Idempotency-Key: `routed` without `account` (the merchant's routing rule chooses, by the order's hash and the
 * accounts' health), otherwise naming the account. Same body otherwise, so the difference is routing's cost.
 */
let createSeq = 0
async function createSegment(t: GatewayTarget, c: number, routed: boolean): Promise<SegmentResult> {
  const run = `${t.supply.tag}-${routed ? 'r' : 'e'}-${Date.now().toString(36)}`
  const r = await runSegment({
    url: t.proc.url,
    method: 'POST',
    concurrency: c,
    durationS: DURATION,
    headers: { authorization: `Bearer ${t.proc.config.apiKey}`, 'content-type': 'application/json' },
    next: () => {
      const n = createSeq++
      return {
        path: '/v1/payments',
        body: JSON.stringify({
          orderId: `bench-${run}-${n}`,
          amount: PAYMENT,
          orderName: 'bench order',
          method: 'card',
          successUrl: 'https://shop.example/paid',
          failUrl: 'https://shop.example/failed',
          ...(routed ? {} : { account: t.proc.config.accountId }),
        }),
        headers: { 'idempotency-key': `bench-create-${run}-${n}` },
      }
    },
    cpu: { ...clocks, gateway: () => cpuMsOf(t.proc.pid) },
    // A routed create must say it was routed (the rule's split); a named one must not.
    check: (status, body) =>
      status === 201 &&
      body.includes('"status":"requires_authentication"') &&
      body.includes('"via":"split"') === routed,
  })
  pollMemory(t)
  return r
}

async function directSegment(direct: Proc, supply: Supply, c: number, rate: number): Promise<SegmentResult> {
  await supply.ensure(Math.max(2_000, Math.ceil(rate * DURATION * 1.6)))
  return runSegment({
    url: direct.url,
    method: 'POST',
    concurrency: c,
    durationS: DURATION,
    headers: { 'content-type': 'application/json' },
    next: () => {
      const i = supply.take()
      if (i === undefined) return undefined
      return {
        path: '/cancel',
        body: JSON.stringify({
          transactionId: benchTid(supply.tag, i),
          amount: CANCEL,
          paymentAmount: PAYMENT,
          cancelId: `bench-direct-${supply.tag}-${i}`,
        }),
      }
    },
    check: (status, body) => status === 200 && body.includes('"status":"cancelled"'),
    cpu: { ...clocks, direct: () => cpuMsOf(direct.pid) },
  })
}

const floorSegment = (url: string, path: string, c: number) =>
  runSegment({ url, method: 'GET', concurrency: c, durationS: DURATION, next: () => ({ path }) })

// ---------- run ----------

type Phase =
  | 'floor'
  | 'floor-bare'
  | 'direct'
  | `gateway-${string}`
  | `replay-${string}`
  | `create-${'explicit' | 'routed'}-${string}`
const results: Record<string, Record<number, SegmentResult[]>> = {}
const record = (phase: Phase, r: SegmentResult) => {
  const byC = results[phase] ?? {}
  results[phase] = byC
  const list = byC[r.concurrency] ?? []
  list.push(r)
  byC[r.concurrency] = list
}
const bestRps: Record<string, number> = {}
const rateOf = (phase: string) => bestRps[phase] ?? 3_000
const noteRate = (phase: string, r: SegmentResult) => {
  bestRps[phase] = Math.max(bestRps[phase] ?? 0, r.rps)
}

const procs: Proc[] = []
/** CPU clocks of the processes of the run; every segment reports CPU per request for each. */
const clocks: Record<string, CpuClock> = {}
/** Connected to DATABASE_URL's own database: reads pg_stat_activity (never one of the scratch databases). */
let admin: pg.Pool | undefined
const scratch: ScratchDatabase[] = []
const notes: string[] = []

async function cleanup() {
  await Promise.all(procs.map((p) => p.stop(10_000).catch(() => {})))
  for (const d of scratch) await d.drop().catch((e) => log(`could not drop ${d.name}: ${e.message}`))
  await admin?.end().catch(() => {})
}

async function startPgTarget(sim: Proc, tag: number, label: string): Promise<GatewayTarget> {
  const db = await createScratchDatabase(DATABASE_URL!, 'paymux_bench')
  scratch.push(db)
  const cfg = writeGatewayConfig({
    dir: join(runDir, label),
    simUrl: sim.url,
    databaseUrl: db.url,
    ...routedMerchant(sim.url),
  })
  const proc = await startGateway(cfg, {
    databaseUrl: db.url,
    logFile: join(runDir, label, 'gateway.log'),
    name: `gateway-${label}`,
    ...(args.profile ? { nodeArgs: ['--cpu-prof', '--cpu-prof-dir', join(runDir, label, 'profiles')] } : {}),
  })
  procs.push(proc)
  const exec: Exec = (text, params) => db.pool.query(text, params)
  const supply = new Supply(label, sim, tag, 0, (from, count) =>
    seedPayments(exec, {
      merchantId: cfg.merchantId,
      accountId: cfg.accountId,
      tag,
      from,
      count,
      amount: PAYMENT,
    }),
  )
  return { name: 'postgres', proc, supply, db, peakMb: 0, lastOk: [] }
}

async function startPgliteTarget(sim: Proc, tag: number, poolSize: number): Promise<GatewayTarget> {
  const dir = join(runDir, 'pglite')
  const cfg = writeGatewayConfig({ dir, simUrl: sim.url, ...routedMerchant(sim.url) })
  // PGlite belongs to one process at a time: its payments are written before the gateway opens it.
  const db = await openDatabase({ dataDir: join(dir, 'db') })
  await db.migrate()
  const exec: Exec = (text, params) => db.kysely.executeQuery(CompiledQuery.raw(text, params))
  await seedPayments(exec, {
    merchantId: cfg.merchantId,
    accountId: cfg.accountId,
    tag,
    from: 0,
    count: poolSize,
    amount: PAYMENT,
  })
  await db.close()
  for (let from = 0; from < poolSize; from += 20_000)
    await simSeed(sim, tag, from, Math.min(20_000, poolSize - from))
  const proc = await startGateway(cfg, { logFile: join(dir, 'gateway.log'), name: 'gateway-pglite' })
  procs.push(proc)
  const supply = new Supply('pglite', sim, tag, 0, undefined, poolSize)
  supply.seeded = poolSize
  return { name: 'pglite', proc, supply, peakMb: 0, lastOk: [] }
}

async function main() {
  log(`run folder ${runDir}`)
  log(
    `${smoke ? 'SMOKE, ' : ''}rounds ${ROUNDS} × ${DURATION} s at concurrency ${LEVELS.join('/')}; ${
      DATABASE_URL ? 'PostgreSQL (DATABASE_URL) and PGlite' : 'PGlite only (set DATABASE_URL for PostgreSQL)'
    }`,
  )
  const sim = await startSimulator({ logFile: join(runDir, 'simulator.log') })
  procs.push(sim)
  const direct = await startDirect({ simUrl: sim.url, logFile: join(runDir, 'direct.log') })
  procs.push(direct)
  clocks.simulator = () => cpuMsOf(sim.pid)
  if (DATABASE_URL) {
    admin = new pg.Pool({ connectionString: DATABASE_URL, max: 2, application_name: 'paymux-bench-admin' })
    admin.on('error', () => {})
    const pool = admin
    // The backends of this run's databases, not other work on the same server; its shared background
    // processes apart.
    clocks.postgres = () => postgresCpuOf(pool, () => scratch.map((d) => d.name), 'backends')
    clocks['pg-shared'] = () => postgresCpuOf(pool, () => scratch.map((d) => d.name), 'background')
  }
  const tagBase = runTag()
  const directSupply = new Supply('direct', sim, tagBase, 0)

  const targets: GatewayTarget[] = []
  const startup: Record<string, number> = {}
  if (DATABASE_URL) {
    const t = await startPgTarget(sim, (tagBase + 1) % 1_000_000, 'postgres')
    targets.push(t)
    startup.postgres = t.proc.startupMs
  }
  if (!args['no-pglite'] && !args.profile && !(smoke && DATABASE_URL)) {
    const pool =
      smoke || CREATE_ONLY ? 8_000 : Math.min(150_000, ROUNDS * LEVELS.length * DURATION * 3_000 + 5_000)
    const t = await startPgliteTarget(sim, (tagBase + 2) % 1_000_000, pool)
    targets.push(t)
    startup.pglite = t.proc.startupMs
  }
  for (const [k, v] of Object.entries(startup)) log(`gateway on ${k} ready in ${v.toFixed(0)} ms`)
  const floorUrl = targets[0]!.proc.url

  // Warm-up (not recorded): JIT, connection pools, the simulator's maps.
  log('warming up')
  const warm = async <T>(f: () => Promise<T>) => {
    const saved = DURATION
    DURATION = smoke ? 0.3 : saved
    await f()
    DURATION = saved
  }
  if (!CREATE_ONLY) {
    for (const t of targets) await warm(() => gatewaySegment(t, 16, 2_000))
    await warm(() => directSegment(direct, directSupply, 16, 2_000))
  }
  if (CREATE)
    for (const t of targets)
      for (const routed of [false, true]) await warm(() => createSegment(t, 16, routed))

  for (let round = 1; round <= ROUNDS; round++) {
    for (const c of LEVELS) {
      if (CREATE)
        for (const t of targets) {
          // Side by side, the order alternating by round: neither always runs on a warmer process.
          for (const routed of round % 2 ? [false, true] : [true, false]) {
            const k = `create-${routed ? 'routed' : 'explicit'}-${t.name}`
            const r = await createSegment(t, c, routed)
            record(k as Phase, r)
          }
          const last = (k: string) => results[`create-${k}-${t.name}`]![c]!.at(-1)!
          log(
            `round ${round} c${c} ${t.name} create: explicit ${last('explicit').rps.toFixed(0)} req/s, routed ${last('routed').rps.toFixed(0)} req/s`,
          )
        }
      if (CREATE_ONLY) continue
      // The profile is of the cancel path: tens of thousands of /healthz answers would drown it.
      if (!args.profile) {
        record('floor', await floorSegment(floorUrl, '/healthz', c))
        record('floor-bare', await floorSegment(direct.url, '/floor', c))
      }
      const d = await directSegment(direct, directSupply, c, rateOf(`direct-${c}`))
      noteRate(`direct-${c}`, d)
      record('direct', d)
      for (const t of targets) {
        const g = await gatewaySegment(t, c, rateOf(`gateway-${t.name}-${c}`))
        noteRate(`gateway-${t.name}-${c}`, g)
        record(`gateway-${t.name}`, g)
        record(`replay-${t.name}`, await replaySegment(t, c))
      }
      log(
        `round ${round} c${c}: direct ${d.rps.toFixed(0)} req/s p50 ${d.p50.toFixed(2)} ms; ${targets
          .map((t) => {
            const g = results[`gateway-${t.name}`]![c]!.at(-1)!
            return `${t.name} ${g.rps.toFixed(0)} req/s p50 ${g.p50.toFixed(2)} ms`
          })
          .join('; ')}`,
      )
    }
  }
  for (const t of targets) pollMemory(t)

  // ---------- realistic: a PG that takes its time, many clients waiting at once (PostgreSQL) ----------
  let realistic: Realistic | undefined
  if (DATABASE_URL && !args['no-realistic'] && !args.profile && !CREATE_ONLY)
    realistic = await measureRealistic(sim, (tagBase + 4) % 1_000_000)

  // ---------- scale: 10^3 vs 10^6 stored cancellations (PostgreSQL) ----------
  let scale: Record<string, unknown> | undefined
  if (DATABASE_URL && !args['no-scale'] && !smoke && !CREATE_ONLY)
    scale = await measureScale(sim, direct, directSupply, tagBase)

  // ---------- profile ----------
  let profile: string[] | undefined
  if (args.profile && targets[0]) {
    await targets[0].proc.stop(15_000)
    const pdir = join(runDir, 'postgres', 'profiles')
    const files = readdirSync(pdir).filter((f) => f.endsWith('.cpuprofile'))
    profile = files.length ? summariseProfile(join(pdir, files[0]!), 25) : ['no profile written']
  }

  const report = summarise(targets, startup, scale, realistic)
  if (profile) {
    report.profile = profile
    process.stdout.write(`\nCPU profile of the gateway (self time, top functions):\n${profile.join('\n')}\n`)
  }
  report.notes = notes
  const out = args.out ? resolve(args.out) : join(benchDir, smoke ? 'results-smoke.json' : 'results.json')
  writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`)
  log(`wrote ${out}`)
  // Not a test: a missed target is reported, not failed; errors (a wrong answer, a 5xx) fail the run.
  return report.errors === 0 ? 0 : 1
}

interface Realistic {
  delayMs: number
  concurrency: number
  /** concurrency ÷ delay: what a gateway adding nothing would reach. */
  idealRps: number
  segment: SegmentResult
  peakRssMb: number
  /** The gateway's connections to its database while the requests wait on the PG, sampled every 20 ms. */
  connections: {
    samples: number
    activeMean: number
    activeMax: number
    idleInTransactionMax: number
    openMax: number
  }
}

async function measureRealistic(sim: Proc, tag: number): Promise<Realistic> {
  const c = REALISTIC_C
  const idealRps = c / (REALISTIC_DELAY_MS / 1000)
  log(`realistic: the simulator answers after ${REALISTIC_DELAY_MS} ms, concurrency ${c}`)
  const t = await startPgTarget(sim, tag, 'realistic')
  const setDelay = async (ms: number) => {
    const res = await fetchRetry(`${sim.url}/__bench/delay`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ms }),
    })
    if (!res.ok) throw new Error(`simulator delay: ${res.status}`)
  }
  await setDelay(REALISTIC_DELAY_MS)
  try {
    await gatewaySegment(t, c, idealRps, { durationS: smoke ? 0.5 : 2 })
    const active: number[] = []
    let idleInTx = 0
    let open = 0
    const db = t.db!
    const segment = await gatewaySegment(t, c, idealRps, {
      durationS: REALISTIC_S,
      sample: {
        everyMs: 20,
        run: async () => {
          const s = await connectionStates(db.pool, db.name)
          active.push(s.active)
          idleInTx = Math.max(idleInTx, s.idleInTransaction)
          open = Math.max(open, s.open)
        },
      },
    })
    pollMemory(t)
    const r: Realistic = {
      delayMs: REALISTIC_DELAY_MS,
      concurrency: c,
      idealRps,
      segment,
      peakRssMb: t.peakMb,
      connections: {
        samples: active.length,
        activeMean: active.reduce((a, b) => a + b, 0) / Math.max(1, active.length),
        activeMax: Math.max(0, ...active),
        idleInTransactionMax: idleInTx,
        openMax: open,
      },
    }
    log(
      `realistic: ${segment.rps.toFixed(0)} req/s of ${idealRps.toFixed(0)} ideal, p99 ${segment.p99.toFixed(1)} ms, ` +
        `DB connections busy mean ${r.connections.activeMean.toFixed(2)} max ${r.connections.activeMax}`,
    )
    return r
  } finally {
    await setDelay(0)
    await t.proc.stop(10_000)
  }
}

async function measureScale(sim: Proc, direct: Proc, directSupply: Supply, tagBase: number) {
  log(`scale: fresh database with ${SCALE_SMALL} stored cancellations`)
  const t = await startPgTarget(sim, (tagBase + 3) % 1_000_000, 'scale')
  const exec: Exec = (text, params) => t.db!.pool.query(text, params)
  const ids = { merchantId: t.proc.config.merchantId, accountId: t.proc.config.accountId }
  notes.push(...(await seedHistory(exec, { ...ids, from: 0, count: SCALE_SMALL })))
  await t.db!.pool.query('ANALYZE')
  const c = 16
  const rounds = smoke ? 1 : Math.max(2, ROUNDS)
  const measure = async (label: string) => {
    const count = Number((await t.db!.pool.query('SELECT count(*) AS n FROM cancellations')).rows[0].n)
    const added50: number[] = []
    const added99: number[] = []
    const gw50: number[] = []
    for (let r = 0; r < rounds; r++) {
      const d = await directSegment(direct, directSupply, c, rateOf(`direct-${c}`))
      const g = await gatewaySegment(t, c, rateOf(`gateway-postgres-${c}`))
      added50.push(g.p50 - d.p50)
      added99.push(g.p99 - d.p99)
      gw50.push(g.p50)
    }
    const res = {
      storedCancellations: count,
      addedP50: median(added50),
      addedP99: median(added99),
      gatewayP50: median(gw50),
    }
    log(
      `scale ${label}: ${count} stored, added p50 ${res.addedP50.toFixed(2)} ms, gateway p50 ${res.gatewayP50.toFixed(2)} ms`,
    )
    return res
  }
  // Warm the fresh process first, as the main run does.
  await gatewaySegment(t, c, 2_000)
  const small = await measure('small')
  log(`scale: bulk-seeding to ${SCALE_LARGE} stored cancellations (INSERT … SELECT generate_series)`)
  const seedStart = performance.now()
  const have = Number((await t.db!.pool.query('SELECT count(*) AS n FROM cancellations')).rows[0].n)
  const step = 250_000
  for (let from = SCALE_SMALL; from < SCALE_LARGE - have + SCALE_SMALL; from += step) {
    const count = Math.min(step, SCALE_LARGE - have + SCALE_SMALL - from)
    notes.push(...(await seedHistory(exec, { ...ids, from, count })))
  }
  await t.db!.pool.query('ANALYZE')
  const seedS = (performance.now() - seedStart) / 1000
  log(`scale: seeded in ${seedS.toFixed(1)} s`)
  // Restart on the large database: start-up time to ready with a million rows, and no warm caches carried over.
  await t.proc.stop(10_000)
  const proc = await startGateway(t.proc.config, {
    databaseUrl: t.db!.url,
    logFile: join(runDir, 'scale', 'gateway-large.log'),
    name: 'gateway-scale-large',
  })
  procs.push(proc)
  t.proc = proc
  await gatewaySegment(t, c, 2_000)
  const large = await measure('large')
  const growth = (large.addedP50 - small.addedP50) / Math.abs(small.addedP50)
  const growthGateway = (large.gatewayP50 - small.gatewayP50) / small.gatewayP50
  await t.proc.stop(10_000)
  return {
    peakRssMb: t.peakMb,
    small,
    large,
    growth,
    growthGatewayP50: growthGateway,
    seedSeconds: seedS,
    startupLargeMs: proc.startupMs,
  }
}

// ---------- report ----------

interface Row {
  phase: string
  c: number
  rps: number
  p50: number
  p99: number
  max: number
  errors: number
  requests: number
  rounds: number
  /** CPU ms per request by process (medians over rounds). */
  cpu: Record<string, number>
}

function summarise(
  targets: GatewayTarget[],
  startup: Record<string, number>,
  scale?: Record<string, unknown>,
  realistic?: Realistic,
) {
  const rows: Row[] = []
  for (const [phase, byC] of Object.entries(results)) {
    for (const [c, list] of Object.entries(byC)) {
      rows.push({
        phase,
        c: Number(c),
        rps: median(list.map((r) => r.rps)),
        p50: median(list.map((r) => r.p50)),
        p99: median(list.map((r) => r.p99)),
        max: Math.max(...list.map((r) => r.max)),
        errors: list.reduce((n, r) => n + r.errors, 0),
        requests: list.reduce((n, r) => n + r.requests, 0),
        rounds: list.length,
        cpu: Object.fromEntries(
          [...new Set(list.flatMap((r) => Object.keys(r.cpuPerRequest)))].map((k) => [
            k,
            median(list.map((r) => r.cpuPerRequest[k] ?? Number.NaN)),
          ]),
        ),
      })
    }
  }
  const order = [
    'floor',
    'floor-bare',
    'direct',
    'gateway-postgres',
    'replay-postgres',
    'gateway-pglite',
    'replay-pglite',
    'create-explicit-postgres',
    'create-routed-postgres',
    'create-explicit-pglite',
    'create-routed-pglite',
  ]
  rows.sort((a, b) => order.indexOf(a.phase) - order.indexOf(b.phase) || a.c - b.c)

  // Paired per round: gateway and direct of the same round and concurrency ran back to back.
  const paired: Record<string, { ratio: number; addedP50: number; addedP99: number }> = {}
  for (const t of targets) {
    for (const c of LEVELS) {
      const g = results[`gateway-${t.name}`]?.[c] ?? []
      const d = results.direct?.[c] ?? []
      const n = Math.min(g.length, d.length)
      if (n === 0) continue
      const ratio: number[] = []
      const a50: number[] = []
      const a99: number[] = []
      for (let i = 0; i < n; i++) {
        ratio.push(g[i]!.rps / d[i]!.rps)
        a50.push(g[i]!.p50 - d[i]!.p50)
        a99.push(g[i]!.p99 - d[i]!.p99)
      }
      paired[`${t.name}@${c}`] = { ratio: median(ratio), addedP50: median(a50), addedP99: median(a99) }
    }
  }

  // Routing's cost: each round's routed creates against the explicit ones that ran beside them.
  const routingCost: Record<
    string,
    {
      throughputRatio: number
      gatewayCpuRatio: number
      postgresCpuRatio: number
      gatewayCpuMs: [number, number]
    }
  > = {}
  for (const t of targets) {
    for (const c of LEVELS) {
      const e = results[`create-explicit-${t.name}`]?.[c] ?? []
      const r = results[`create-routed-${t.name}`]?.[c] ?? []
      const n = Math.min(e.length, r.length)
      if (n === 0) continue
      const pairs = Array.from({ length: n }, (_, i) => [e[i]!, r[i]!] as const)
      const cpu = (x: SegmentResult, k: string) => x.cpuPerRequest[k] ?? Number.NaN
      routingCost[`${t.name}@${c}`] = {
        throughputRatio: median(pairs.map(([a, b]) => b.rps / a.rps)),
        gatewayCpuRatio: median(pairs.map(([a, b]) => cpu(b, 'gateway') / cpu(a, 'gateway'))),
        // PGlite runs inside the gateway process: no server of its own to count.
        postgresCpuRatio:
          t.name === 'postgres'
            ? median(pairs.map(([a, b]) => cpu(b, 'postgres') / cpu(a, 'postgres')))
            : Number.NaN,
        gatewayCpuMs: [median(e.map((x) => cpu(x, 'gateway'))), median(r.map((x) => cpu(x, 'gateway')))],
      }
    }
  }

  const f = (n: number, d = 2) => (Number.isFinite(n) ? n.toFixed(d) : '-')
  const lines: string[] = []
  lines.push(
    `${'phase'.padEnd(24)}${'conc'.padStart(5)}${'req/s'.padStart(9)}${'p50 ms'.padStart(9)}${'p99 ms'.padStart(9)}${'max ms'.padStart(9)}${'errors'.padStart(8)}${'requests'.padStart(10)}`,
  )
  for (const r of rows) {
    lines.push(
      `${r.phase.padEnd(24)}${String(r.c).padStart(5)}${f(r.rps, 0).padStart(9)}${f(r.p50).padStart(9)}${f(r.p99).padStart(9)}${f(r.max, 1).padStart(9)}${String(r.errors).padStart(8)}${String(r.requests).padStart(10)}`,
    )
  }
  lines.push('')
  lines.push(
    `${'gateway vs direct'.padEnd(24)}${'conc'.padStart(5)}${'thrpt ratio'.padStart(13)}${'added p50'.padStart(11)}${'added p99'.padStart(11)}`,
  )
  for (const [k, v] of Object.entries(paired)) {
    const [name, c] = k.split('@')
    lines.push(
      `${name!.padEnd(24)}${c!.padStart(5)}${f(v.ratio).padStart(13)}${f(v.addedP50).padStart(11)}${f(v.addedP99).padStart(11)}`,
    )
  }
  if (Object.keys(routingCost).length > 0) {
    lines.push('')
    lines.push(
      `${'routed ÷ explicit'.padEnd(24)}${'conc'.padStart(5)}${'thrpt ratio'.padStart(13)}${'gw CPU ratio'.padStart(14)}${'pg CPU ratio'.padStart(14)}${'gw CPU ms explicit → routed'.padStart(30)}`,
    )
    for (const [k, v] of Object.entries(routingCost)) {
      const [name, c] = k.split('@')
      lines.push(
        `${`create ${name}`.padEnd(24)}${c!.padStart(5)}${f(v.throughputRatio).padStart(13)}${f(v.gatewayCpuRatio).padStart(14)}${f(v.postgresCpuRatio).padStart(14)}${`${f(v.gatewayCpuMs[0], 3)} → ${f(v.gatewayCpuMs[1], 3)}`.padStart(30)}`,
      )
    }
  }
  lines.push('')
  lines.push(
    "CPU ms per request, by process (where the two cores go; postgres: this run's backends; pg-shared: the server's background processes, which serve every database on it)",
  )
  const procNames = ['loadgen', 'direct', 'gateway', 'simulator', 'postgres', 'pg-shared']
  lines.push(
    `${'phase'.padEnd(24)}${'conc'.padStart(5)}${procNames.map((n) => n.padStart(11)).join('')}${'total'.padStart(9)}`,
  )
  for (const r of rows.filter((x) => !x.phase.startsWith('floor'))) {
    const vals = procNames.map((n) => r.cpu[n])
    const total = vals.reduce<number>((a, v) => a + (v !== undefined && Number.isFinite(v) ? v : 0), 0)
    lines.push(
      `${r.phase.padEnd(24)}${String(r.c).padStart(5)}${vals.map((v) => (v === undefined ? '-' : f(v)).padStart(11)).join('')}${f(total).padStart(9)}`,
    )
  }
  lines.push('')
  const peak: Record<string, number> = {}
  for (const t of targets) peak[t.name] = Math.max(t.peakMb, memoryOf(t.proc.pid)?.peakMb ?? 0)
  // Over the whole run: the scale step's gateways (same defaults, a million rows) count for PostgreSQL too.
  const scalePeak = (scale as { peakRssMb?: number } | undefined)?.peakRssMb
  if (peak.postgres !== undefined && scalePeak !== undefined)
    peak.postgres = Math.max(peak.postgres, scalePeak)
  lines.push(
    `peak RSS of the gateway (VmHWM): ${Object.entries(peak)
      .map(([k, v]) => `${k} ${f(v, 1)} MB`)
      .join(', ')}`,
  )
  lines.push(
    `start-up to ready (fresh database, migrations included): ${Object.entries(startup)
      .map(([k, v]) => `${k} ${f(v, 0)} ms`)
      .join(', ')}`,
  )
  const sc = scale as
    | {
        small: { storedCancellations: number; addedP50: number; gatewayP50: number }
        large: { storedCancellations: number; addedP50: number; gatewayP50: number }
        growth: number
        growthGatewayP50: number
        startupLargeMs: number
      }
    | undefined
  if (sc) {
    lines.push(
      `scale (PostgreSQL, c16): ${sc.small.storedCancellations} stored → added p50 ${f(sc.small.addedP50)} ms (gateway p50 ${f(sc.small.gatewayP50)}); ` +
        `${sc.large.storedCancellations} stored → added p50 ${f(sc.large.addedP50)} ms (gateway p50 ${f(sc.large.gatewayP50)}); ` +
        `growth ${f(sc.growth * 100, 1)}% (gateway p50 ${f(sc.growthGatewayP50 * 100, 1)}%); start-up with ${sc.large.storedCancellations} rows ${f(sc.startupLargeMs, 0)} ms`,
    )
  }

  if (realistic) {
    const r = realistic
    lines.push(
      `realistic (PostgreSQL, the PG answers after ${r.delayMs} ms, c${r.concurrency}): ${f(r.segment.rps, 0)} req/s of ${f(r.idealRps, 0)} ideal ` +
        `(${f((100 * r.segment.rps) / r.idealRps, 1)}%), p50 ${f(r.segment.p50)} ms, p99 ${f(r.segment.p99)} ms, ${r.segment.errors} errors, ` +
        `peak RSS ${f(r.peakRssMb, 1)} MB; DB connections while waiting: busy mean ${f(r.connections.activeMean)} max ${r.connections.activeMax}, ` +
        `idle in transaction max ${r.connections.idleInTransactionMax}, open max ${r.connections.openMax} (${r.connections.samples} samples)`,
    )
  }

  // ---------- targets ----------
  const pgT = targets.find((t) => t.name === 'postgres')
  const liteT = targets.find((t) => t.name === 'pglite')
  const rowOf = (phase: string, c: number) => rows.find((r) => r.phase === phase && r.c === c)
  const totalErrors = rows.reduce((n, r) => n + r.errors, 0) + (realistic?.segment.errors ?? 0)
  const exhausted = Object.values(results).some((byC) =>
    Object.values(byC).some((l) => l.some((r) => r.exhausted)),
  )
  if (exhausted)
    notes.push('a segment ran out of seeded payments and stopped early (its rate covers the time it ran)')
  const why = (need: string) => `not measured (${need})`
  const noPg = why('needs DATABASE_URL')
  const noLevel = (c: number) => why(`concurrency ${c} not run`)
  type Check = { target: string; value: string; met: boolean | undefined }
  /** A check of a number: met when `ok(v)`; not measured when the number is missing. */
  const num = (
    target: string,
    v: number | undefined,
    show: (v: number) => string,
    ok: (v: number) => boolean,
    missing: string,
  ): Check =>
    v !== undefined && Number.isFinite(v)
      ? { target, value: show(v), met: ok(v) }
      : { target, value: missing, met: undefined }
  const ms = (v: number) => `${f(v)} ms`
  const x = (v: number) => f(v)
  const mb = (v: number) => `${f(v, 1)} MB`
  const pgCpu16 = rowOf('gateway-postgres', 16)?.cpu
  const pairedOf = (name: string, c: number) => paired[`${name}@${c}`]
  const replayRatio16 = (() => {
    const g = results['replay-postgres']?.[16] ?? []
    const d = results.direct?.[16] ?? []
    const n = Math.min(g.length, d.length)
    return n ? median(Array.from({ length: n }, (_, i) => g[i]!.rps / d[i]!.rps)) : undefined
  })()
  const pgMissing = (c: number) => (pgT ? noLevel(c) : noPg)
  const sc2 = sc
  const checks: Check[] = [
    num(
      'CPU per cancel at c16, gateway process (PostgreSQL) ≤ 1.0 ms',
      pgCpu16?.gateway,
      ms,
      (v) => v <= 1,
      pgMissing(16),
    ),
    num('CPU per cancel at c16, PostgreSQL ≤ 0.4 ms', pgCpu16?.postgres, ms, (v) => v <= 0.4, pgMissing(16)),
    num(
      'throughput vs direct, PostgreSQL c16 ≥ 0.5',
      pairedOf('postgres', 16)?.ratio,
      x,
      (v) => v >= 0.5,
      pgMissing(16),
    ),
    num(
      'throughput vs direct, PostgreSQL c64 ≥ 0.5',
      pairedOf('postgres', 64)?.ratio,
      x,
      (v) => v >= 0.5,
      pgMissing(64),
    ),
    num(
      'throughput vs direct, PGlite c16 ≥ 0.35',
      pairedOf('pglite', 16)?.ratio,
      x,
      (v) => v >= 0.35,
      liteT ? noLevel(16) : why('PGlite not run'),
    ),
    num(
      'added p50 at c1, PostgreSQL ≤ 1.0 ms',
      pairedOf('postgres', 1)?.addedP50,
      ms,
      (v) => v <= 1,
      pgMissing(1),
    ),
    num('replay throughput vs direct, PostgreSQL c16 ≥ 2', replayRatio16, x, (v) => v >= 2, pgMissing(16)),
    num('peak RSS over the run, PostgreSQL gateway ≤ 150 MB', peak.postgres, mb, (v) => v <= 150, noPg),
    num(
      'peak RSS over the run, PGlite gateway ≤ 300 MB',
      peak.pglite,
      mb,
      (v) => v <= 300,
      why('PGlite not run'),
    ),
    num(
      'start-up to ready, PostgreSQL (fresh database) ≤ 500 ms',
      startup.postgres,
      (v) => `${f(v, 0)} ms`,
      (v) => v <= 500,
      noPg,
    ),
    num(
      `added p50 growth from 10³ to ${SCALE_LARGE.toExponential(0).replace('e+', '×10^')} stored cancellations ≤ 20% (flat)`,
      sc2?.growth,
      (v) => `${f(v * 100, 1)}%`,
      (v) => v <= 0.2,
      why(smoke ? 'smoke run' : args['no-scale'] ? '--no-scale' : 'needs DATABASE_URL'),
    ),
  ]
  const noReal = why(
    realistic
      ? 'no answer within the segment'
      : args['no-realistic']
        ? '--no-realistic'
        : args.profile
          ? '--profile'
          : 'needs DATABASE_URL',
  )
  const r = realistic
  checks.push(
    num(
      `realistic (PG answers after ${REALISTIC_DELAY_MS} ms, c${REALISTIC_C}): throughput ≥ 90% of ideal`,
      r ? r.segment.rps / r.idealRps : undefined,
      (v) => `${f(v * 100, 1)}% (${f(r!.segment.rps, 0)} of ${f(r!.idealRps, 0)} req/s)`,
      (v) => v >= 0.9,
      noReal,
    ),
    num('realistic: p99 ≤ 350 ms', r?.segment.p99, ms, (v) => v <= 350, noReal),
    num('realistic: 0 errors', r?.segment.errors, String, (v) => v === 0, noReal),
    num('realistic: peak RSS ≤ 200 MB', r?.peakRssMb, mb, (v) => v <= 200, noReal),
    // Nothing may hold a connection (or a transaction, hence a lock) while it waits on the PG: with every
    // request waiting, the busy connections are only those running a statement right then.
    num(
      'realistic: no DB connection held across the PG call (none idle in a transaction > 50 ms; busy mean ≤ 10% of concurrency)',
      r ? r.connections.activeMean : undefined,
      (v) =>
        `busy mean ${f(v)} max ${r!.connections.activeMax}, held idle in a transaction max ${r!.connections.idleInTransactionMax}, ${r!.connections.samples} samples`,
      (v) => r!.connections.idleInTransactionMax === 0 && v <= 0.1 * REALISTIC_C,
      noReal,
    ),
    num(
      'routing adds no measurable cost to POST /v1/payments (PostgreSQL c16: routed ÷ explicit throughput ≥ 0.95, gateway CPU per create ≤ 1.05×)',
      routingCost['postgres@16']?.throughputRatio,
      (v) => `throughput ${x(v)}, gateway CPU ${x(routingCost['postgres@16']!.gatewayCpuRatio)}`,
      (v) => v >= 0.95 && routingCost['postgres@16']!.gatewayCpuRatio <= 1.05,
      CREATE ? pgMissing(16) : why(args.profile ? '--profile' : '--no-create'),
    ),
    { target: '0 errors (every phase)', value: String(totalErrors), met: totalErrors === 0 },
  )
  lines.push('')
  for (const ch of checks)
    lines.push(
      `${ch.met === undefined ? 'n/a    ' : ch.met ? 'MET    ' : 'NOT MET'}  ${ch.target}: ${ch.value}`,
    )
  for (const n of notes) lines.push(`note: ${n}`)
  process.stdout.write(`\n${lines.join('\n')}\n`)
  return {
    when: new Date().toISOString(),
    machine: { node: process.version, cpus: cpus().length },
    settings: {
      smoke,
      rounds: ROUNDS,
      durationS: DURATION,
      concurrency: LEVELS,
      payment: PAYMENT,
      cancel: CANCEL,
    },
    rows,
    paired,
    routingCost,
    peakRssMb: peak,
    startupMs: startup,
    scale,
    realistic,
    checks,
    errors: totalErrors,
    allMet: checks.every((c) => c.met !== false),
    raw: results,
    table: lines,
    notes,
    profile: undefined as string[] | undefined,
  }
}

main()
  .then(async (code) => {
    await cleanup()
    if (!args.profile && !process.env.BENCH_KEEP_RUN) rmSync(runDir, { recursive: true, force: true })
    process.exit(code)
  })
  .catch(async (err) => {
    log(
      `failed: ${(err as Error).stack ?? err}${(err as Error).cause ? ` (cause: ${String((err as Error).cause)})` : ''}`,
    )
    await cleanup()
    log(`logs kept in ${runDir}`)
    process.exit(1)
  })
