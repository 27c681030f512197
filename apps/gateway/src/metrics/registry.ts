import type { HttpCallEvent } from '@paymux/core'
import type { Runtime } from '../runtime.js'

/** Seconds; PG calls run from a few ms (simulators) to the 60 s read timeout. */
const PG_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]
const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

type Labels = Record<string, string>

function key(labels: Labels): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}="${escapeLabel(labels[k]!)}"`)
    .join(',')
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"')
}

class Counter {
  readonly values = new Map<string, number>()
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}
  inc(labels: Labels, by = 1): void {
    const k = key(labels)
    this.values.set(k, (this.values.get(k) ?? 0) + by)
  }
  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`]
    for (const [k, v] of this.values) lines.push(`${this.name}${k ? `{${k}}` : ''} ${v}`)
    return lines.join('\n')
  }
}

class Histogram {
  readonly series = new Map<string, { buckets: number[]; sum: number; count: number }>()
  constructor(
    readonly name: string,
    readonly help: string,
    readonly bounds: number[],
  ) {}
  observe(labels: Labels, value: number): void {
    const k = key(labels)
    let s = this.series.get(k)
    if (!s) {
      s = { buckets: this.bounds.map(() => 0), sum: 0, count: 0 }
      this.series.set(k, s)
    }
    this.bounds.forEach((b, i) => {
      if (value <= b) s!.buckets[i]!++
    })
    s.sum += value
    s.count++
  }
  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`]
    for (const [k, s] of this.series) {
      const pre = k ? `${k},` : ''
      this.bounds.forEach((b, i) => {
        lines.push(`${this.name}_bucket{${pre}le="${b}"} ${s.buckets[i]}`)
      })
      lines.push(`${this.name}_bucket{${pre}le="+Inf"} ${s.count}`)
      lines.push(`${this.name}_sum${k ? `{${k}}` : ''} ${s.sum}`)
      lines.push(`${this.name}_count${k ? `{${k}}` : ''} ${s.count}`)
    }
    return lines.join('\n')
  }
}

/** A gauge read from the database at scrape time (shared truth across processes). */
export interface GaugeSample {
  name: string
  help: string
  samples: Array<{ labels: Labels; value: number }>
}

/**
 * Process-local counters and histograms in the Prometheus text format, written by hand (a dozen series do
 * not need a client library). Counts of open work come from the database at scrape time instead, so every
 * process reports the same backlog.
 */
export class Metrics {
  readonly httpRequests = new Counter(
    'paymux_http_requests_total',
    'HTTP requests by route, method and status',
  )
  readonly httpDuration = new Histogram(
    'paymux_http_request_duration_seconds',
    'HTTP request latency by route',
    HTTP_BUCKETS,
  )
  readonly pgCalls = new Counter(
    'paymux_pg_calls_total',
    'Calls to PGs by provider, operation and outcome (response status class, timeout, broken, never_sent)',
  )
  readonly pgDuration = new Histogram(
    'paymux_pg_call_duration_seconds',
    'PG call latency by provider and operation',
    PG_BUCKETS,
  )
  readonly notifications = new Counter(
    'paymux_notifications_total',
    'PG notifications by provider and result (applied, duplicate, rejected, deferred, rate_limited, error)',
  )
  readonly deliveries = new Counter(
    'paymux_webhook_deliveries_total',
    'Webhook delivery attempts to merchants by outcome (delivered, retry, failed)',
  )
  readonly deliveryFailures = new Counter(
    'paymux_webhook_delivery_failures_total',
    'Webhook delivery attempts that did not get a 2xx',
  )
  readonly reconciliations = new Counter(
    'paymux_reconciliations_total',
    'Reconciliation decisions by object and result (succeeded, failed, needs_review, retry)',
  )
  readonly accountHealthMoves = new Counter(
    'paymux_account_health_moves_total',
    'Account health moves recorded by this process, by account and new status (ejected, probation, healthy)',
  )

  pgCall(e: HttpCallEvent): void {
    const outcome =
      e.outcome === 'response'
        ? e.status === undefined
          ? 'response'
          : `${Math.floor(e.status / 100)}xx`
        : e.outcome
    this.pgCalls.inc({ provider: e.provider, operation: e.operation, outcome })
    this.pgDuration.observe({ provider: e.provider, operation: e.operation }, e.durationMs / 1000)
  }

  request(route: string, method: string, status: number, seconds: number): void {
    this.httpRequests.inc({ route, method, status: String(status) })
    this.httpDuration.observe({ route, method }, seconds)
  }

  notification(provider: string, result: string): void {
    this.notifications.inc({ provider, result })
  }

  render(gauges: GaugeSample[] = []): string {
    const parts = [
      this.httpRequests,
      this.httpDuration,
      this.pgCalls,
      this.pgDuration,
      this.notifications,
      this.deliveries,
      this.deliveryFailures,
      this.reconciliations,
      this.accountHealthMoves,
    ].map((m) => m.render())
    for (const g of gauges) {
      const lines = [`# HELP ${g.name} ${g.help}`, `# TYPE ${g.name} gauge`]
      for (const s of g.samples) {
        const k = key(s.labels)
        lines.push(`${g.name}${k ? `{${k}}` : ''} ${s.value}`)
      }
      parts.push(lines.join('\n'))
    }
    return `${parts.join('\n')}\n`
  }
}

const registry = new WeakMap<object, Metrics>()

/** The metrics of one gateway (one runtime); created on first use. */
export function metricsOf(rt: Runtime): Metrics {
  let m = registry.get(rt)
  if (!m) {
    m = new Metrics()
    registry.set(rt, m)
  }
  return m
}

/** Binds an existing Metrics (already fed by the adapters' onCall) to a runtime. */
export function attachMetrics(rt: Runtime, m: Metrics): void {
  registry.set(rt, m)
}
