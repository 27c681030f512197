import { callsOf } from '../call-log/log.js'
import type { CancellationRow, PaymentRow } from '../db/schema.js'
import type { Runtime } from '../runtime.js'
import { actionsOn } from './audit.js'
import { krw } from './i18n.js'

/** One line of a payment's timeline: when, what kind, and what happened in words. */
export interface TimelineEntry {
  at: Date
  kind:
    | 'created'
    | 'pg_call'
    | 'cancellation'
    | 'event'
    | 'webhook'
    | 'notification'
    | 'reconciliation'
    | 'operator'
  text: string
  bad?: boolean
}

const failureText = (
  f: { code: string; message: string; providerCode?: string; providerMessage?: string } | null,
) =>
  f
    ? ` — ${f.code}: ${f.message}${f.providerCode ? ` (PG ${f.providerCode}${f.providerMessage ? ` ${f.providerMessage}` : ''})` : ''}`
    : ''

/**
 * Everything the database records about a payment, in order: its create, every PG call made for it (from the
 * call log: each lookup, re-send and undo too, with the path that made it, its outcome, the PG's code and
 * message, its duration), events and their webhook delivery attempts, PG notifications, reconciliation, and
 * every operator action.
 */
export async function timelineOf(
  rt: Runtime,
  payment: PaymentRow,
  cancels: CancellationRow[],
): Promise<TimelineEntry[]> {
  const db = rt.db
  const out: TimelineEntry[] = []
  const calls = await callsOf(rt, payment.merchant_id, payment.id)
  const byId = new Map(cancels.map((x) => [x.id, x]))
  for (const k of calls) {
    const x = k.cancellation_id ? byId.get(k.cancellation_id) : undefined
    // A call made for a cancellation names it (its amount and reason: which of several cancels it was).
    const of = x ? ` ${krw(x.amount)} (${x.id}, reason "${x.reason}")` : ''
    const pg = [k.provider_code, k.provider_message].filter(Boolean).join(' ')
    out.push({
      at: new Date(k.started_at),
      kind: 'pg_call',
      text: `PG call to ${k.provider}: ${k.operation}${of} by ${k.path.replace('_', ' ')} → ${k.outcome}${k.code ? ` — ${k.code}` : ''}${pg ? ` (PG ${pg})` : ''}, ${k.duration_ms} ms`,
      bad: k.outcome !== 'succeeded',
    })
  }
  // A payment or cancellation with no logged call (made before the log existed, or whose rows a crash lost
  // before they were written) shows the call rebuilt from its own row: its final outcome only.
  const logged = new Set(calls.map((k) => k.cancellation_id ?? payment.id))
  const created = new Date(payment.created_at)
  out.push({
    at: created,
    kind: 'created',
    text: `Payment created: ${payment.method ?? 'payment'} ${krw(payment.amount)} at ${payment.account_id}${payment.order_id ? `, order ${payment.order_id}` : ''}`,
  })
  const objectIds = [payment.id, ...cancels.map((x) => x.id)]
  const events = await db
    .selectFrom('events')
    .selectAll()
    .where('merchant_id', '=', payment.merchant_id)
    .where('object_id', 'in', objectIds)
    .orderBy('created_at')
    .execute()

  // The payment's own PG call: its outcome is what the row holds (transaction id, status, the PG's refusal).
  if ((payment.transaction_id || payment.failure) && !logged.has(payment.id)) {
    // Its answer is the payment's first event (the status now may be a later one: a cancel, a resolution).
    const settled = events.find((e) => e.object_id === payment.id)
    out.push({
      at: new Date(settled?.created_at ?? payment.updated_at),
      kind: 'pg_call',
      text: `PG call to ${payment.provider}: ${settled?.type ?? payment.status}${payment.transaction_id ? `, transaction ${payment.transaction_id}` : ''}${failureText(payment.failure)}`,
      bad: payment.failure !== null,
    })
  }
  for (const x of cancels) {
    if (!logged.has(x.id))
      out.push({
        at: new Date(x.created_at),
        kind: 'pg_call',
        text: `PG call to ${x.provider}: cancel ${krw(x.amount)} (${x.id}, reason "${x.reason}") → ${x.status}${x.provider_cancel_id ? `, PG cancel ${x.provider_cancel_id}` : ''}${failureText(x.failure ?? x.pending_reason)}`,
        bad: x.failure !== null,
      })
    if (x.completed_at)
      out.push({
        at: new Date(x.completed_at),
        kind: 'cancellation',
        text: `Cancellation ${x.id} ${x.status}: ${krw(x.amount)}`,
      })
    if (x.review_reason)
      out.push({
        at: new Date(x.updated_at),
        kind: 'reconciliation',
        text: `Cancellation ${x.id} needs review: ${JSON.stringify(x.review_reason)}`,
        bad: true,
      })
  }
  const deliveries = events.length
    ? await db
        .selectFrom('webhook_deliveries')
        .selectAll()
        .where('merchant_id', '=', payment.merchant_id)
        .where(
          'event_id',
          'in',
          events.map((e) => e.id),
        )
        .execute()
    : []
  for (const e of events) {
    out.push({
      at: new Date(e.created_at),
      kind: 'event',
      text: `Event ${e.type} (${e.id}): webhook ${e.status}`,
    })
  }
  for (const d of deliveries)
    out.push({
      at: new Date(d.created_at),
      kind: 'webhook',
      text: `Webhook attempt ${d.attempt} of ${d.event_id} to ${d.url}: ${d.outcome}${d.status_code ? ` (HTTP ${d.status_code})` : ''}${d.error ? ` — ${d.error}` : ''}`,
      bad: d.outcome !== 'delivered',
    })
  if (payment.transaction_id) {
    const notes = await db
      .selectFrom('notifications')
      .selectAll()
      .where('merchant_id', '=', payment.merchant_id)
      .where('account_id', '=', payment.account_id)
      .where('transaction_id', '=', payment.transaction_id)
      .execute()
    for (const n of notes)
      out.push({
        at: new Date(n.received_at),
        kind: 'notification',
        text: `PG notification ${n.event_type}: ${n.effect}`,
      })
  }
  if (payment.reconcile_attempts > 0 || payment.review_reason)
    out.push({
      at: new Date(payment.updated_at),
      kind: 'reconciliation',
      text: `Reconciliation: ${payment.reconcile_attempts} lookup(s)${payment.review_reason ? `; needs review: ${JSON.stringify(payment.review_reason)}` : ''}`,
      bad: payment.review_reason !== null,
    })
  for (const a of await actionsOn(db, payment.merchant_id, objectIds))
    out.push({
      at: new Date(a.created_at),
      kind: 'operator',
      text: `Operator ${a.operator} (${a.role}): ${a.action} ${JSON.stringify(a.detail)}`,
    })
  return out.sort((a, b) => a.at.getTime() - b.at.getTime())
}
