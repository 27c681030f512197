import { type Kysely, sql } from 'kysely'

/**
 * Migration 0014 (registered in db/migrations.ts): one row per PG call made on behalf of a payment or a
 * cancellation, written only by call-log/ (the operator console's timeline reads it). A log, not money: nothing
 * the ledger decides depends on it, so it has no foreign keys (a row may be written after its payment's own
 * statement, or be lost with a crash) and may be pruned by age (`started_at`) without touching any balance.
 * Shipped: never edit it, add the next migration.
 */
export async function pgCallLogMigration(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('pg_calls')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('merchant_id', 'text', (c) => c.notNull())
    .addColumn('payment_id', 'text', (c) => c.notNull())
    .addColumn('cancellation_id', 'text')
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('provider', 'text', (c) => c.notNull())
    // approve, undo, confirm, cancel, lookup, lookup_order, close, charge, issue_virtual_account
    .addColumn('operation', 'text', (c) => c.notNull())
    // request, reconciler, notification, checkout_return, sweeper, console
    .addColumn('path', 'text', (c) => c.notNull())
    .addColumn('started_at', 'timestamptz', (c) => c.notNull())
    .addColumn('duration_ms', 'integer', (c) => c.notNull())
    // succeeded, declined (the PG refused), unknown (the answer was lost), failed (never reached the PG)
    .addColumn('outcome', 'text', (c) => c.notNull())
    // The gateway's neutral code, and the PG's own result code and message: never a body, a secret or card data.
    .addColumn('code', 'text')
    .addColumn('provider_code', 'text')
    .addColumn('provider_message', 'text')
    .execute()
  await sql`CREATE INDEX pg_calls_payment_idx ON pg_calls (payment_id, started_at)`.execute(db)
  // Pruning by age reads this, never a scan.
  await sql`CREATE INDEX pg_calls_started_idx ON pg_calls (started_at)`.execute(db)
}
