import type { OpenAPIHono } from '@hono/zod-openapi'
import type { Context, MiddlewareHandler } from 'hono'
import { sql } from 'kysely'
import type { Runtime } from '../runtime.js'
import { metricsGuard } from './auth.js'
import { type GaugeSample, metricsOf } from './registry.js'

// biome-ignore lint/suspicious/noExplicitAny: the app's env type lives in app.ts, which imports this file
type App = OpenAPIHono<any>

/**
 * Counts requests by the matched route pattern (`/v1/cancellations/{id}`, never the concrete path, so
 * the label set stays small) and status.
 */
export function requestMetrics(rt: Runtime): MiddlewareHandler {
  return async (c: Context, next) => {
    const started = performance.now()
    await next()
    const matched = c.req.matchedRoutes.filter((r) => r.method !== 'ALL')
    const route = matched.length ? matched[matched.length - 1]!.path.replace(/:(\w+)/g, '{$1}') : 'unmatched'
    metricsOf(rt).request(route, c.req.method, c.res.status, (performance.now() - started) / 1000)
  }
}

/** Open work, read from the database so every process reports the same numbers. */
export async function databaseGauges(rt: Runtime): Promise<GaugeSample[]> {
  const db = rt.db
  const cancels = await db
    .selectFrom('cancellations')
    .select(['status', sql<number>`count(*)::int`.as('n')])
    .where('status', 'in', ['pending', 'deposit_required', 'needs_review'])
    .groupBy('status')
    .execute()
  const payments = await db
    .selectFrom('payments')
    .select(['status', sql<number>`count(*)::int`.as('n')])
    .where('status', 'in', ['pending', 'needs_review', 'waiting_for_deposit'])
    .groupBy('status')
    .execute()
  const outbox = await db
    .selectFrom('events')
    .select(['status', sql<number>`count(*)::int`.as('n'), sql<Date | null>`min(created_at)`.as('oldest')])
    .where('status', 'in', ['pending', 'failed'])
    .groupBy('status')
    .execute()
  const count = (rows: Array<{ status: string; n: number }>, s: string) =>
    Number(rows.find((r) => r.status === s)?.n ?? 0)
  const pendingOutbox = outbox.find((r) => r.status === 'pending')
  return [
    {
      name: 'paymux_cancellations_open',
      help: 'Cancellations not finished, by status (needs_review: reconciliation gave up, a person must decide)',
      samples: ['pending', 'deposit_required', 'needs_review'].map((s) => ({
        labels: { status: s },
        value: count(cancels, s),
      })),
    },
    {
      name: 'paymux_payments_open',
      help: 'Payments not finished, by status',
      samples: ['pending', 'needs_review', 'waiting_for_deposit'].map((s) => ({
        labels: { status: s },
        value: count(payments, s),
      })),
    },
    {
      name: 'paymux_outbox_events',
      help: 'Outbox events not delivered: pending (backlog, includes merchants without an endpoint) and failed (attempts exhausted)',
      samples: ['pending', 'failed'].map((s) => ({ labels: { status: s }, value: count(outbox, s) })),
    },
    {
      name: 'paymux_outbox_oldest_pending_seconds',
      help: 'Age of the oldest undelivered event',
      samples: [
        {
          labels: {},
          value: pendingOutbox?.oldest
            ? Math.max(0, (rt.now().getTime() - new Date(pendingOutbox.oldest).getTime()) / 1000)
            : 0,
        },
      ],
    },
  ]
}

export function registerMetricsRoute(app: App, rt: Runtime): void {
  app.get('/metrics', metricsGuard(rt), async (c) => {
    let gauges: GaugeSample[] = []
    try {
      gauges = await databaseGauges(rt)
    } catch (err) {
      rt.logger.warn({ err }, 'metrics: database gauges unavailable')
    }
    return c.body(metricsOf(rt).render(gauges), 200, {
      'content-type': 'text/plain; version=0.0.4; charset=utf-8',
    })
  })
}
