// One load segment: autocannon at a fixed concurrency for a fixed time. Latencies are taken from autocannon's
// per-response event (process.hrtime, sub-millisecond) rather than its histogram, which rounds to whole
// milliseconds: the targets are about one or two milliseconds.
import autocannon from 'autocannon'

export interface RequestSpec {
  path: string
  body?: string
  headers?: Record<string, string>
}

export interface SegmentOptions {
  url: string
  method: 'GET' | 'POST'
  concurrency: number
  durationS: number
  headers?: Record<string, string>
  /** The next request; undefined when the supply is used up (the segment then stops early). */
  next: () => RequestSpec | undefined
  /** Whether a response is the expected one (status, and for replays the header). Default: 2xx. */
  check?: (status: number, body: string, headers: Record<string, string>) => boolean
  /** Called with every request that got an expected answer (the replay segment sends them again). */
  onOk?: (req: RequestSpec) => void
  /** CPU clocks of the processes involved: reported per request. */
  cpu?: Record<string, CpuClock>
  /** Called every `everyMs` while the segment runs (e.g. to sample the database's busy connections). */
  sample?: { everyMs: number; run: () => Promise<void> }
}

/**
 * CPU time used so far (ms): one process's clock, or a set of processes by pid (PostgreSQL's backends, which
 * come and go): their delta is summed over the pids seen at the end, a pid new since the start counting from 0.
 */
export type CpuClock = () => number | Map<number, number> | Promise<Map<number, number>>

type CpuReading = number | Map<number, number>

function cpuDelta(before: CpuReading, after: CpuReading): number {
  if (typeof before === 'number' && typeof after === 'number') return after - before
  if (typeof before === 'number' || typeof after === 'number') return Number.NaN
  let d = 0
  for (const [pid, ms] of after) d += ms - (before.get(pid) ?? 0)
  return d
}

async function readClocks(cpu: Record<string, CpuClock>): Promise<Record<string, CpuReading>> {
  const out: Record<string, CpuReading> = {}
  for (const [k, f] of Object.entries(cpu)) out[k] = await f()
  return out
}

export interface SegmentResult {
  concurrency: number
  durationS: number
  requests: number
  rps: number
  p50: number
  p99: number
  max: number
  mean: number
  /** Connection errors, timeouts and unexpected answers. */
  errors: number
  statuses: Record<string, number>
  exhausted: boolean
  /** CPU milliseconds per answered request, by process (loadgen: this process). */
  cpuPerRequest: Record<string, number>
}

export function percentile(sorted: Float64Array | number[], p: number): number {
  if (sorted.length === 0) return Number.NaN
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return sorted[i]!
}

export function median(xs: number[]): number {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b)
  if (s.length === 0) return Number.NaN
  const m = s.length >> 1
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}

export async function runSegment(o: SegmentOptions): Promise<SegmentResult> {
  const latencies: number[] = []
  const statuses: Record<string, number> = {}
  let unexpected = 0
  let exhausted = false
  let instance: autocannon.Instance | undefined
  const checkResponses = o.check !== undefined || o.onOk !== undefined
  const request: autocannon.Request = {
    method: o.method,
    setupRequest: (req, context) => {
      const spec = o.next()
      if (!spec) {
        exhausted = true
        ;(context as { spec?: RequestSpec }).spec = undefined
        instance?.stop()
        // Something harmless to send while stopping: never a second cancel.
        return { ...req, method: 'GET', path: '/healthz', body: undefined } as never
      }
      ;(context as { spec?: RequestSpec }).spec = spec
      return {
        ...req,
        method: o.method,
        path: spec.path,
        ...(spec.body !== undefined ? { body: spec.body } : {}),
        headers: { ...(o.headers ?? {}), ...(spec.headers ?? {}) },
      } as never
    },
    ...(checkResponses
      ? {
          onResponse: (status: number, body: string, context: object, headers?: Record<string, unknown>) => {
            const spec = (context as { spec?: RequestSpec }).spec
            const ok = o.check
              ? o.check(status, body, (headers ?? {}) as Record<string, string>)
              : status >= 200 && status < 300
            if (!ok) unexpected++
            else if (spec && o.onOk) o.onOk(spec)
          },
        }
      : {}),
  }
  const cpuBefore = await readClocks(o.cpu ?? {})
  let sampling: Promise<void> | undefined
  let sampler: NodeJS.Timeout | undefined
  if (o.sample) {
    const s = o.sample
    sampler = setInterval(() => {
      if (sampling) return
      sampling = s.run().finally(() => {
        sampling = undefined
      })
    }, s.everyMs)
  }
  const selfBefore = process.cpuUsage()
  const started = performance.now()
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    instance = autocannon(
      {
        url: o.url,
        connections: o.concurrency,
        pipelining: 1,
        duration: o.durationS,
        timeout: 30,
        requests: [request],
        ...(o.headers ? { headers: o.headers } : {}),
      },
      (err, res) => (err ? reject(err) : resolve(res)),
    )
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      latencies.push(responseTime)
      statuses[statusCode] = (statuses[statusCode] ?? 0) + 1
    })
  })
  // autocannon's own clock: from the first request to the end of the last, without its start-up.
  const elapsed = result.duration > 0 ? result.duration : (performance.now() - started) / 1000
  const self = process.cpuUsage(selfBefore)
  if (sampler) clearInterval(sampler)
  await sampling
  const cpuAfter = await readClocks(o.cpu ?? {})
  const cpuPerRequest: Record<string, number> = {}
  for (const k of Object.keys(cpuAfter))
    cpuPerRequest[k] = cpuDelta(cpuBefore[k]!, cpuAfter[k]!) / Math.max(1, latencies.length)
  cpuPerRequest.loadgen = (self.user + self.system) / 1000 / Math.max(1, latencies.length)
  const sorted = Float64Array.from(latencies).sort()
  let sum = 0
  for (const v of sorted) sum += v
  const non2xx = Object.entries(statuses)
    .filter(([s]) => !s.startsWith('2'))
    .reduce((n, [, c]) => n + c, 0)
  return {
    concurrency: o.concurrency,
    durationS: elapsed,
    requests: sorted.length,
    rps: sorted.length / elapsed,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted.length ? sorted[sorted.length - 1]! : Number.NaN,
    mean: sorted.length ? sum / sorted.length : Number.NaN,
    errors: result.errors + result.timeouts + (checkResponses ? unexpected : non2xx),
    statuses,
    exhausted,
    cpuPerRequest,
  }
}
