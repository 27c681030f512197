import { type Kysely, sql } from 'kysely'

/**
 * Migration 0009 (registered in db/migrations.ts): the operator console's audit (src/console/audit.ts writes
 * and reads it). Shipped: never edit it, add the next migration.
 */
export async function operatorAuditMigration(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('operator_actions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('merchant_id', 'text', (c) => c.notNull())
    .addColumn('operator', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('object_type', 'text')
    .addColumn('object_id', 'text')
    .addColumn('detail', 'jsonb', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .execute()
  await sql`CREATE INDEX operator_actions_object_idx ON operator_actions (merchant_id, object_id, created_at)`.execute(
    db,
  )
  await sql`CREATE INDEX operator_actions_merchant_idx ON operator_actions (merchant_id, created_at DESC, id DESC)`.execute(
    db,
  )
  // Append-only: an UPDATE or DELETE of a row is silently nothing.
  await sql`CREATE RULE operator_actions_no_update AS ON UPDATE TO operator_actions DO INSTEAD NOTHING`.execute(
    db,
  )
  await sql`CREATE RULE operator_actions_no_delete AS ON DELETE TO operator_actions DO INSTEAD NOTHING`.execute(
    db,
  )
}
