import { type Insertable, type QueryCreator, sql } from 'kysely'
import type { Database, EventsTable } from '../db/schema.js'
import { newId } from '../ids.js'
import type { Runtime } from '../runtime.js'
import type { CancellationStatus } from '../db/statuses.js'

/** Every event a merchant can receive. Consumers must ignore types they do not know. */
export type EventType =
  | `cancellation.${Exclude<CancellationStatus, 'pending'>}`
  | 'payment.paid'
  | 'payment.failed'
  | 'payment.needs_review'
  | 'payment.virtual_account_issued'
  | 'payment.closed'
  | 'payment.expired'
  | 'charge.succeeded'
  | 'charge.failed'
  | 'billing_key.issued'
  | 'billing_key.deleted'
  | 'billing_key.needs_review'
  | 'account.ejected'
  | 'account.restored'

export type EventObject = 'cancellation' | 'payment' | 'billing_key' | 'account'

export interface EventInput {
  merchantId: string
  type: EventType
  objectType: EventObject
  objectId: string
  /** Ids of the objects concerned (never their data: a receiver GETs the truth). */
  data: Record<string, unknown>
}

/**
 * The outbox row of an event. A merchant without a webhook endpoint gets its events recorded as
 * `not_configured`: listed by the API, never due for delivery.
 */
export function eventRow(rt: Runtime, e: EventInput, now: Date): Insertable<EventsTable> {
  const configured = rt.merchants.get(e.merchantId)?.config.webhook !== undefined
  return {
    id: newId('evt'),
    merchant_id: e.merchantId,
    type: e.type,
    object_type: e.objectType,
    object_id: e.objectId,
    data: JSON.stringify(e.data),
    created_at: now,
    delivered_at: null,
    next_attempt_at: configured ? now : null,
    status: configured ? 'pending' : 'not_configured',
  }
}

/**
 * The event as a statement of a data-modifying CTE: written only when the CTE `when` returned a row, so the
 * event and the state change it reports are one statement.
 */
export function eventWhen(qc: QueryCreator<Database>, row: Insertable<EventsTable>, when: string) {
  return qc
    .insertInto('events')
    .columns([
      'id',
      'merchant_id',
      'type',
      'object_type',
      'object_id',
      'data',
      'created_at',
      'next_attempt_at',
      'status',
    ])
    .expression(
      sql`SELECT ${row.id}, ${row.merchant_id}, ${row.type}, ${row.object_type}, ${row.object_id},
        ${row.data}::jsonb, ${row.created_at}::timestamptz, ${row.next_attempt_at ?? null}::timestamptz, ${row.status ?? 'pending'}
        FROM ${sql.table(when)}`,
    )
}
