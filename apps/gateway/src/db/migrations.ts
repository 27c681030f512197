import { type Kysely, type Migration, type MigrationProvider, sql } from 'kysely'
import { deliveryMigration } from './migration-0002.js'
import { operatorAuditMigration } from './migration-0009.js'
import { consoleSessionsMigration } from './migration-0013.js'
import { pgCallLogMigration } from './migration-0014.js'

/**
 * Migrations live in code so the packaged gateway needs no migration folder. The same SQL runs on PGlite and
 * PostgreSQL. Never edit a migration that has shipped: add the next one.
 */
const migrations: Record<string, Migration> = {
  '0001_initial': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('payments')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('merchant_id', 'text', (c) => c.notNull())
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('provider', 'text', (c) => c.notNull())
        .addColumn('transaction_id', 'text')
        .addColumn('order_id', 'text')
        .addColumn('method', 'text')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('amount', 'bigint')
        .addColumn('cancelled_amount', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('reserved_amount', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('inflight_cancels', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('balance_source', 'text', (c) => c.notNull())
        .addColumn('billing_key_id', 'text')
        .addColumn('virtual_account', 'jsonb')
        .addColumn('failure', 'jsonb')
        .addColumn('created_at', 'timestamptz', (c) => c.notNull())
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
        .addCheckConstraint(
          'payments_balance_check',
          sql`cancelled_amount >= 0 AND reserved_amount >= 0 AND (amount IS NULL OR cancelled_amount + reserved_amount <= amount)`,
        )
        .execute()
      await sql`CREATE UNIQUE INDEX payments_transaction_uq ON payments (merchant_id, account_id, transaction_id) WHERE transaction_id IS NOT NULL`.execute(
        db,
      )
      await sql`CREATE UNIQUE INDEX payments_order_uq ON payments (merchant_id, account_id, order_id) WHERE order_id IS NOT NULL`.execute(
        db,
      )
      await sql`CREATE INDEX payments_pending_idx ON payments (updated_at) WHERE status = 'pending'`.execute(
        db,
      )

      await db.schema
        .createTable('cancellations')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('merchant_id', 'text', (c) => c.notNull())
        .addColumn('payment_id', 'text', (c) => c.notNull().references('payments.id'))
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('provider', 'text', (c) => c.notNull())
        .addColumn('transaction_id', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('requested_amount', 'bigint')
        .addColumn('amount', 'bigint', (c) => c.notNull())
        .addColumn('tax_free_amount', 'bigint')
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('cancel_id', 'text', (c) => c.notNull().unique())
        .addColumn('provider_cancel_id', 'text')
        .addColumn('refund_account', 'text')
        .addColumn('failure', 'jsonb')
        .addColumn('pending_reason', 'jsonb')
        .addColumn('deposit', 'jsonb')
        .addColumn('created_at', 'timestamptz', (c) => c.notNull())
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
        .addColumn('completed_at', 'timestamptz')
        .execute()
      await sql`CREATE INDEX cancellations_txn_idx ON cancellations (merchant_id, transaction_id, created_at DESC, id DESC)`.execute(
        db,
      )
      await sql`CREATE INDEX cancellations_payment_idx ON cancellations (payment_id, created_at)`.execute(db)
      await sql`CREATE INDEX cancellations_list_idx ON cancellations (merchant_id, created_at DESC, id DESC)`.execute(
        db,
      )
      await sql`CREATE INDEX cancellations_open_idx ON cancellations (updated_at) WHERE status IN ('pending', 'deposit_required')`.execute(
        db,
      )

      await db.schema
        .createTable('billing_keys')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('merchant_id', 'text', (c) => c.notNull())
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('provider', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('encrypted_key', 'text', (c) => c.notNull())
        .addColumn('card', 'jsonb')
        .addColumn('customer_id', 'text')
        .addColumn('created_at', 'timestamptz', (c) => c.notNull())
        .addColumn('deleted_at', 'timestamptz')
        .execute()
      await sql`CREATE INDEX billing_keys_customer_idx ON billing_keys (merchant_id, customer_id) WHERE customer_id IS NOT NULL`.execute(
        db,
      )

      await db.schema
        .createTable('idempotency_keys')
        .addColumn('merchant_id', 'text', (c) => c.notNull())
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('fingerprint', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('locked_until', 'timestamptz', (c) => c.notNull())
        .addColumn('response_status', 'integer')
        .addColumn('response_body', 'jsonb')
        .addColumn('resource_type', 'text')
        .addColumn('resource_id', 'text')
        .addColumn('created_at', 'timestamptz', (c) => c.notNull())
        .addPrimaryKeyConstraint('idempotency_keys_pk', ['merchant_id', 'key'])
        .execute()
      await sql`CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at)`.execute(db)

      await db.schema
        .createTable('events')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('merchant_id', 'text', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('object_type', 'text', (c) => c.notNull())
        .addColumn('object_id', 'text', (c) => c.notNull())
        .addColumn('data', 'jsonb', (c) => c.notNull())
        .addColumn('created_at', 'timestamptz', (c) => c.notNull())
        .addColumn('delivered_at', 'timestamptz')
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('next_attempt_at', 'timestamptz')
        .execute()
      await sql`CREATE INDEX events_undelivered_idx ON events (next_attempt_at) WHERE delivered_at IS NULL`.execute(
        db,
      )
      await sql`CREATE INDEX events_object_idx ON events (object_id, created_at)`.execute(db)
    },
  },
  // Notifications in, webhook delivery, reconciliation (src/notifications, src/webhooks, src/reconcile).
  '0002_notifications_outbox_reconcile': {
    up: (db: Kysely<unknown>) => deliveryMigration(db),
  },
  // A replay must be the stored answer byte for byte: json keeps the text as written, jsonb reorders keys.
  '0003_idempotency_response_text': {
    async up(db: Kysely<unknown>) {
      await sql`ALTER TABLE idempotency_keys ALTER COLUMN response_body TYPE json USING response_body::json`.execute(
        db,
      )
    },
  },
  // Billing keys record their intent before the PG is called (a pending row, its key filled in on success) and are
  // reconciled like payments; keys stuck in flight are found by the sweeper without a scan.
  '0004_billing_key_intent_and_sweeps': {
    async up(db: Kysely<unknown>) {
      await sql`ALTER TABLE billing_keys ALTER COLUMN encrypted_key DROP NOT NULL`.execute(db)
      await sql`ALTER TABLE billing_keys ADD COLUMN request jsonb`.execute(db)
      await sql`ALTER TABLE billing_keys ADD COLUMN reconcile_attempts integer NOT NULL DEFAULT 0`.execute(db)
      await sql`ALTER TABLE billing_keys ADD COLUMN reconcile_no_change integer NOT NULL DEFAULT 0`.execute(
        db,
      )
      await sql`ALTER TABLE billing_keys ADD COLUMN next_reconcile_at timestamptz`.execute(db)
      await sql`ALTER TABLE billing_keys ADD COLUMN reconcile_locked_until timestamptz`.execute(db)
      await sql`ALTER TABLE billing_keys ADD COLUMN review_reason jsonb`.execute(db)
      await sql`CREATE INDEX billing_keys_pending_idx ON billing_keys (created_at) WHERE status = 'pending'`.execute(
        db,
      )
      await sql`CREATE INDEX idempotency_keys_in_progress_idx ON idempotency_keys (locked_until) WHERE state = 'in_progress'`.execute(
        db,
      )
    },
  },
  // A notification the PG sends once whose lookup does not confirm it yet is kept (sealed) and checked again.
  '0005_notification_rechecks': {
    async up(db: Kysely<unknown>) {
      await sql`ALTER TABLE notifications ADD COLUMN sealed_body text`.execute(db)
      await sql`ALTER TABLE notifications ADD COLUMN next_check_at timestamptz`.execute(db)
      await sql`ALTER TABLE notifications ADD COLUMN check_attempts integer NOT NULL DEFAULT 0`.execute(db)
      await sql`CREATE INDEX notifications_recheck_idx ON notifications (next_check_at) WHERE effect = 'awaiting_verification'`.execute(
        db,
      )
    },
  },
  // Checkout: a payment created before the customer pays at the PG's window, approved server-side.
  '0006_checkout': {
    async up(db: Kysely<unknown>) {
      for (const column of [
        'order_name text',
        'checkout_token_hash text',
        'checkout_expires_at timestamptz',
        'success_url text',
        'fail_url text',
        'checkout_customer text',
        'approval text',
        'approval_state text',
      ])
        await sql`ALTER TABLE payments ADD COLUMN ${sql.raw(column)}`.execute(db)
      await sql`CREATE UNIQUE INDEX payments_checkout_token_uq ON payments (checkout_token_hash) WHERE checkout_token_hash IS NOT NULL`.execute(
        db,
      )
      // A checkout's order id is the merchant's: unique across all its accounts, not only per account.
      await sql`CREATE UNIQUE INDEX payments_checkout_order_uq ON payments (merchant_id, order_id) WHERE checkout_token_hash IS NOT NULL`.execute(
        db,
      )
    },
  },
  // The payments list (newest first per merchant), and virtual accounts whose close is in flight found by the
  // reconciler with the pending ones, without a scan.
  '0007_payment_list_and_closes': {
    async up(db: Kysely<unknown>) {
      await sql`CREATE INDEX payments_merchant_created_idx ON payments (merchant_id, created_at DESC, id DESC)`.execute(
        db,
      )
      await sql`DROP INDEX payments_pending_idx`.execute(db)
      await sql`CREATE INDEX payments_open_idx ON payments (updated_at) WHERE status IN ('pending', 'closing')`.execute(
        db,
      )
    },
  },
  // The unhappy half: a cancel's request as first sent (a re-send carries the same bytes), a payment's lookup asked
  // for by a notification hint, and checkouts past their expiry found by the sweeper without a scan.
  '0008_resume': {
    async up(db: Kysely<unknown>) {
      for (const column of [
        'sent_recorded boolean NOT NULL DEFAULT false',
        'sent_amount bigint',
        'sent_payment_amount bigint',
        'sent_order_id text',
      ])
        await sql`ALTER TABLE cancellations ADD COLUMN ${sql.raw(column)}`.execute(db)
      await sql`ALTER TABLE payments ADD COLUMN lookup_requested_at timestamptz`.execute(db)
      await sql`CREATE INDEX payments_lookup_requested_idx ON payments (lookup_requested_at) WHERE lookup_requested_at IS NOT NULL`.execute(
        db,
      )
      // Notifications kept sealed for a re-check (the recheck loop is gone: unsigned notifications are hints now)
      // become lookups of their payment; their bodies are dropped.
      await sql`UPDATE payments p SET lookup_requested_at = now() FROM notifications n
        WHERE n.effect = 'awaiting_verification' AND n.account_id = p.account_id AND n.transaction_id = p.transaction_id`.execute(
        db,
      )
      await sql`UPDATE notifications SET effect = 'superseded: looked up', sealed_body = NULL, next_check_at = NULL
        WHERE effect = 'awaiting_verification'`.execute(db)
      await sql`CREATE INDEX payments_checkout_expiry_idx ON payments (checkout_expires_at) WHERE status = 'requires_authentication'`.execute(
        db,
      )
    },
  },
  // The operator console's audit: who did what, append-only (src/console/audit.ts).
  '0009_operator_audit': {
    up: (db: Kysely<unknown>) => operatorAuditMigration(db),
  },
  // Routing: which rule of routing.payments chose a payment's account, and whether from its split or fallback.
  '0010_payment_routing': {
    async up(db: Kysely<unknown>) {
      await sql`ALTER TABLE payments ADD COLUMN routing jsonb`.execute(db)
    },
  },
  // Account health shared by every gateway process: one row per account, written only by health/store.ts.
  '0011_account_health': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('account_health')
        .addColumn('account_id', 'text', (c) => c.primaryKey())
        .addColumn('merchant_id', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('since', 'timestamptz', (c) => c.notNull())
        .addColumn('last_error', 'text')
        .addColumn('manual', 'boolean', (c) => c.notNull().defaultTo(false))
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
        .execute()
    },
  },
  // Two columns on payments in one step (a fresh database runs every migration at start-up):
  // - metadata: the merchant's string labels, shown on the payment and matched by routing rules;
  // - notification_secret: what a PG's notifications about a payment must carry (a virtual account's, at PGs
  //   that sign nothing else), sealed with the master key; the notification route refuses one carrying another.
  '0012_payment_metadata_and_notification_secret': {
    async up(db: Kysely<unknown>) {
      await sql`ALTER TABLE payments ADD COLUMN metadata jsonb, ADD COLUMN notification_secret text`.execute(
        db,
      )
    },
  },
  // Console sessions and failed sign-ins shared by every gateway process (src/console/sessions.ts).
  '0013_console_sessions': {
    up: (db: Kysely<unknown>) => consoleSessionsMigration(db),
  },
  // One row per PG call made for a payment or a cancellation (src/call-log), for the console's timeline.
  '0014_pg_calls': {
    up: (db: Kysely<unknown>) => pgCallLogMigration(db),
  },
}

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
}
