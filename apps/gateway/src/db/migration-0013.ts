import { type Kysely, sql } from 'kysely'

/**
 * Migration 0013 (registered in db/migrations.ts): console sessions and failed sign-ins in the database, so every
 * gateway process behind one address accepts the same sign-in and counts the same failures
 * (src/console/sessions.ts writes and reads both). Only a hash of a session's token is stored: a copy of the
 * table signs no one in. Shipped: never edit it, add the next migration.
 */
export async function consoleSessionsMigration(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('console_sessions')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('merchant_id', 'text', (c) => c.notNull())
    .addColumn('operator', 'text', (c) => c.notNull())
    // The operator's key hash (as in the config): a person taken out of the config loses their sessions.
    .addColumn('operator_key_hash', 'text', (c) => c.notNull())
    .addColumn('csrf', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('last_seen_at', 'timestamptz', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('revoked_at', 'timestamptz')
    .execute()
  await sql`CREATE INDEX console_sessions_expires_idx ON console_sessions (expires_at)`.execute(db)
  await db.schema
    .createTable('console_sign_in_failures')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('client', 'text', (c) => c.notNull())
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .execute()
  await sql`CREATE INDEX console_sign_in_failures_client_idx ON console_sign_in_failures (client, at)`.execute(
    db,
  )
  await sql`CREATE INDEX console_sign_in_failures_at_idx ON console_sign_in_failures (at)`.execute(db)
}
