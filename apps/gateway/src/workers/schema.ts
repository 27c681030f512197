import type { ColumnType, Kysely, Transaction } from 'kysely'
import type { Database } from '../db/schema.js'

type Ts = ColumnType<Date, Date | string, Date | string>
type Json<T> = ColumnType<T, string, string>
type WithDefault<T> = ColumnType<T, T | undefined, T>

/** Columns migration 0002 adds, and its tables: used by the workers, notifications and metrics. */
export interface NotificationsTable {
  id: string
  merchant_id: string
  account_id: string
  provider: string
  dedup_key: string
  event_type: string
  transaction_id: string | null
  effect: string
  received_at: Ts
}

export interface WebhookDeliveriesTable {
  id: string
  event_id: string
  merchant_id: string
  attempt: number
  url: string
  status_code: number | null
  outcome: string
  error: string | null
  duration_ms: number
  created_at: Ts
}

interface ReconcileColumns {
  reconcile_attempts: WithDefault<number>
  reconcile_no_change: WithDefault<number>
  next_reconcile_at: Ts | null
  reconcile_locked_until: Ts | null
  review_reason: Json<Record<string, unknown> | null> | null
}

interface EventColumns {
  status: WithDefault<string>
  locked_until: Ts | null
  last_error: string | null
  resends: WithDefault<number>
}

export interface ExtDatabase extends Omit<Database, 'events' | 'cancellations' | 'payments'> {
  events: Database['events'] & EventColumns
  cancellations: Database['cancellations'] & ReconcileColumns
  payments: Database['payments'] &
    ReconcileColumns & { charge_request: Json<Record<string, unknown> | null> | null }
  notifications: NotificationsTable
  webhook_deliveries: WebhookDeliveriesTable
}

export type XDb = Kysely<ExtDatabase>
export type XTx = Kysely<ExtDatabase> | Transaction<ExtDatabase>

/** The runtime's database seen with migration 0002's columns (the base types stay as the gateway declares them). */
export function xdb(db: Kysely<Database>): XDb {
  return db as unknown as XDb
}
