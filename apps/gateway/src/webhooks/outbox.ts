import { type Selectable, sql } from 'kysely'
import { postBounded, readBounded } from '../net/bounded-read.js'
import { newId } from '../ids.js'
import { metricsOf } from '../metrics/registry.js'
import type { Runtime } from '../runtime.js'
import type { WorkersConfig } from '../workers-config.js'
import type { Database } from '../db/schema.js'
import { webhookHeaders } from '@paymux/webhooks'

export type EventRow = Selectable<Database['events']>
type OutboxConfig = WorkersConfig['outbox']

/** The thin payload: `timestamp` is the event's own time, the same on every retry. */
export function payloadOf(e: EventRow): string {
  return JSON.stringify({
    type: e.type,
    timestamp: new Date(e.created_at).toISOString(),
    data: e.data,
  })
}

export function secretsOf(secret: string | string[]): string[] {
  return typeof secret === 'string' ? [secret] : secret
}

/**
 * Claims due events with `FOR UPDATE SKIP LOCKED` and a lease, one transaction: several processes each take
 * different rows, and the attempt counter is raised in the claim, so an attempt number is delivered by exactly
 * one process. Only the oldest pending event of each object is due (per-object order: a payment's `paid`
 * reaches the merchant before its cancellations). A process that dies mid-delivery leaves a lease that
 * expires; the event is claimed again (at-least-once).
 */
export async function claimEvents(rt: Runtime, cfg: OutboxConfig): Promise<EventRow[]> {
  const merchants = [...rt.merchants.values()].filter((m) => m.config.webhook).map((m) => m.config.id)
  if (merchants.length === 0) return []
  const db = rt.db
  const now = rt.now()
  const lease = new Date(now.getTime() + cfg.timeoutMs + 30_000)
  return db.transaction().execute(async (trx) => {
    const due = await trx
      .selectFrom('events as e')
      .select('e.id')
      .where('e.status', '=', 'pending')
      .where('e.merchant_id', 'in', merchants)
      .where('e.next_attempt_at', '<=', now)
      .where((eb) => eb.or([eb('e.locked_until', 'is', null), eb('e.locked_until', '<', now)]))
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('events as o')
              .select('o.id')
              .whereRef('o.object_id', '=', 'e.object_id')
              .where('o.status', '=', 'pending')
              .where((eb) =>
                eb.or([
                  eb('o.created_at', '<', eb.ref('e.created_at')),
                  eb.and([eb('o.created_at', '=', eb.ref('e.created_at')), eb('o.id', '<', eb.ref('e.id'))]),
                ]),
              ),
          ),
        ),
      )
      .orderBy('e.next_attempt_at')
      .limit(cfg.batchSize)
      .forUpdate()
      .skipLocked()
      .execute()
    if (due.length === 0) return []
    return trx
      .updateTable('events')
      .set({ locked_until: lease, attempts: sql`attempts + 1` })
      .where(
        'id',
        'in',
        due.map((d) => d.id),
      )
      .returningAll()
      .execute()
  })
}

export interface AttemptResult {
  ok: boolean
  status?: number
  error?: string
  retryAfterSeconds?: number
  durationMs: number
}

/**
 * One POST to the merchant: signed, no redirects followed, bounded by the timeout and in what it reads. Sent
 * with Node's own HTTP client, which counts the answer's bytes as they arrive; `fetchImpl` (tests) replaces it.
 */
export async function attemptDelivery(
  url: string,
  secrets: string[],
  e: EventRow,
  cfg: OutboxConfig,
  now: Date,
  fetchImpl?: typeof fetch,
): Promise<AttemptResult> {
  const body = payloadOf(e)
  const headers = webhookHeaders(secrets, e.id, Math.floor(now.getTime() / 1000), body)
  const started = performance.now()
  // One deadline for the whole delivery: connecting, the answer's headers and what is read of its body.
  const deadline = AbortSignal.timeout(cfg.timeoutMs)
  const sent = { ...headers, 'content-type': 'application/json', 'user-agent': 'paymux-webhooks/1' }
  try {
    // The status is the answer; of the body (huge, slow or endless, the merchant's choice) a few KiB at most.
    let res: { status: number; retryAfter: string | null }
    if (fetchImpl) {
      const r = await fetchImpl(url, {
        method: 'POST',
        headers: sent,
        body,
        redirect: 'manual',
        signal: deadline,
      })
      await readBounded(r, { signal: deadline })
      res = { status: r.status, retryAfter: r.headers.get('retry-after') }
    } else {
      const r = await postBounded(url, { headers: sent, body, signal: deadline })
      res = { status: r.status, retryAfter: [r.headers['retry-after'] ?? []].flat()[0] ?? null }
    }
    const ok = res.status >= 200 && res.status < 300
    const retryAfter = parseRetryAfter(res.retryAfter, now)
    return {
      ok,
      status: res.status,
      ...(ok
        ? {}
        : { error: res.status >= 300 && res.status < 400 ? 'redirect not followed' : `HTTP ${res.status}` }),
      ...(retryAfter !== undefined ? { retryAfterSeconds: retryAfter } : {}),
      durationMs: Math.round(performance.now() - started),
    }
  } catch (err) {
    const e = err as Error
    return {
      ok: false,
      error:
        e.name === 'TimeoutError'
          ? `timeout after ${cfg.timeoutMs} ms`
          : `network: ${e.message}`.slice(0, 200),
      durationMs: Math.round(performance.now() - started),
    }
  }
}

export function parseRetryAfter(v: string | null, now: Date): number | undefined {
  if (!v) return undefined
  if (/^\d+$/.test(v.trim())) return Number(v.trim())
  const at = Date.parse(v)
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now.getTime()) / 1000))
}

/** Delivers what is due once; returns how many attempts were made. Safe to run in several processes at once. */
export async function deliverDueEvents(
  rt: Runtime,
  cfg: OutboxConfig,
  fetchImpl?: typeof fetch,
): Promise<{ attempted: number; delivered: number }> {
  const claimed = await claimEvents(rt, cfg)
  let delivered = 0
  await Promise.all(
    claimed.map(async (e) => {
      const hook = rt.merchants.get(e.merchant_id)?.config.webhook
      if (!hook) return
      const startedAt = rt.now()
      const r = await attemptDelivery(hook.url, secretsOf(hook.secret), e, cfg, startedAt, fetchImpl)
      if (await recordAttempt(rt, cfg, e, hook.url, r)) delivered += r.ok ? 1 : 0
    }),
  )
  return { attempted: claimed.length, delivered }
}

async function recordAttempt(
  rt: Runtime,
  cfg: OutboxConfig,
  e: EventRow,
  url: string,
  r: AttemptResult,
): Promise<boolean> {
  const db = rt.db
  const now = rt.now()
  const metrics = metricsOf(rt)
  const maxAttempts = 1 + cfg.retryScheduleSeconds.length + e.resends
  // 410 Gone: the merchant removed the endpoint; retrying will not help (Standard Webhooks).
  const final = r.ok || r.status === 410 || e.attempts >= maxAttempts
  const outcome = r.ok ? 'delivered' : final ? 'failed' : 'retry'
  const wait = cfg.retryScheduleSeconds[Math.min(e.attempts - 1, cfg.retryScheduleSeconds.length - 1)]!
  const delay = Math.max(wait, Math.min(r.retryAfterSeconds ?? 0, cfg.maxRetryAfterSeconds))
  metrics.deliveries.inc({ outcome })
  if (!r.ok) metrics.deliveryFailures.inc({ reason: r.status ? `http_${r.status}` : 'network' })
  return db.transaction().execute(async (trx) => {
    // Fenced on the attempt number: a process whose lease ran out cannot overwrite a newer attempt.
    const updated = await trx
      .updateTable('events')
      .set({
        status: r.ok ? 'delivered' : final ? 'failed' : 'pending',
        delivered_at: r.ok ? now : null,
        locked_until: null,
        last_error: r.ok ? null : (r.error ?? null),
        next_attempt_at: r.ok || final ? null : new Date(now.getTime() + delay * 1000),
      })
      .where('id', '=', e.id)
      .where('attempts', '=', e.attempts)
      .where('status', '=', 'pending')
      .executeTakeFirst()
    await trx
      .insertInto('webhook_deliveries')
      .values({
        id: newId('evt').replace(/^evt_/, 'whd_'),
        event_id: e.id,
        merchant_id: e.merchant_id,
        attempt: e.attempts,
        url,
        status_code: r.status ?? null,
        outcome,
        error: r.error ?? null,
        duration_ms: r.durationMs,
        created_at: now,
      })
      .execute()
    if (!r.ok)
      rt.logger.warn(
        { eventId: e.id, attempt: e.attempts, status: r.status, error: r.error, final },
        'webhook delivery failed',
      )
    return Number(updated.numUpdatedRows) === 1
  })
}
