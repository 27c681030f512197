import { type Kysely, sql } from 'kysely'

/**
 * Migration 0002 (registered in db/migrations.ts): the notification dedup table, the webhook delivery log,
 * delivery bookkeeping on the outbox, and reconciliation bookkeeping on cancellations and payments.
 * Shipped: never edit it, add the next migration.
 */
export async function deliveryMigration(db: Kysely<unknown>): Promise<void> {
  // One row per PG notification that changed (or was checked against) our state. The unique key is the
  // adapter's dedupKey per account: a PG re-sending the same notification changes state once.
  await db.schema
    .createTable('notifications')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('merchant_id', 'text', (c) => c.notNull())
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('dedup_key', 'text', (c) => c.notNull())
    .addColumn('event_type', 'text', (c) => c.notNull())
    .addColumn('transaction_id', 'text')
    .addColumn('effect', 'text', (c) => c.notNull())
    .addColumn('received_at', 'timestamptz', (c) => c.notNull())
    .addUniqueConstraint('notifications_dedup_uq', ['account_id', 'dedup_key'])
    .execute()

  await db.schema
    .createTable('webhook_deliveries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('event_id', 'text', (c) => c.notNull().references('events.id'))
    .addColumn('merchant_id', 'text', (c) => c.notNull())
    .addColumn('attempt', 'integer', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('status_code', 'integer')
    /** delivered | retry | failed */
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('error', 'text')
    .addColumn('duration_ms', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .execute()
  await sql`CREATE INDEX webhook_deliveries_event_idx ON webhook_deliveries (event_id, created_at)`.execute(
    db,
  )

  // pending → delivered | failed (attempts exhausted or 410). A claimed row carries a lease.
  await sql`ALTER TABLE events ADD COLUMN status text NOT NULL DEFAULT 'pending'`.execute(db)
  await sql`ALTER TABLE events ADD COLUMN locked_until timestamptz`.execute(db)
  await sql`ALTER TABLE events ADD COLUMN last_error text`.execute(db)
  await sql`ALTER TABLE events ADD COLUMN resends integer NOT NULL DEFAULT 0`.execute(db)
  await sql`CREATE INDEX events_pending_idx ON events (next_attempt_at) WHERE status = 'pending'`.execute(db)
  await sql`CREATE INDEX events_merchant_idx ON events (merchant_id, created_at DESC, id DESC)`.execute(db)

  for (const table of ['cancellations', 'payments']) {
    await sql`ALTER TABLE ${sql.table(table)} ADD COLUMN reconcile_attempts integer NOT NULL DEFAULT 0`.execute(
      db,
    )
    await sql`ALTER TABLE ${sql.table(table)} ADD COLUMN next_reconcile_at timestamptz`.execute(db)
    await sql`ALTER TABLE ${sql.table(table)} ADD COLUMN reconcile_locked_until timestamptz`.execute(db)
    await sql`ALTER TABLE ${sql.table(table)} ADD COLUMN review_reason jsonb`.execute(db)
    // Lookups that found nothing moved: enough of them (after the in-flight window) prove a cancel failed.
    await sql`ALTER TABLE ${sql.table(table)} ADD COLUMN reconcile_no_change integer NOT NULL DEFAULT 0`.execute(
      db,
    )
  }
  // What a billing-key charge asked for (no card data): a PG without lookup is asked again with the same order id.
  await sql`ALTER TABLE payments ADD COLUMN charge_request jsonb`.execute(db)
  await sql`CREATE INDEX payments_review_idx ON payments (updated_at) WHERE status IN ('pending', 'needs_review')`.execute(
    db,
  )
  await sql`CREATE INDEX cancellations_review_idx ON cancellations (updated_at) WHERE status = 'needs_review'`.execute(
    db,
  )
}
