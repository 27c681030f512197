import { type Insertable, sql } from 'kysely'
import type { Database } from '../db/schema.js'
import { conflict } from '../errors.js'
import {
  claimOf,
  type IdempotencyScope,
  type KeyClaim,
  type KeyTaken,
  type ResourceRef,
} from '../idempotency-keys.js'
import type { Runtime } from '../runtime.js'

/**
 * Column types of the intent tables: the row is inserted through `SELECT`, where PostgreSQL does not infer a
 * parameter's type from its target column as it does in `VALUES`.
 */
const COLUMN_TYPES: Record<string, string> = {
  amount: 'bigint',
  cancelled_amount: 'bigint',
  reserved_amount: 'bigint',
  inflight_cancels: 'integer',
  virtual_account: 'jsonb',
  failure: 'jsonb',
  charge_request: 'jsonb',
  card: 'jsonb',
  request: 'jsonb',
  review_reason: 'jsonb',
  routing: 'jsonb',
  metadata: 'jsonb',
  created_at: 'timestamptz',
  updated_at: 'timestamptz',
  deleted_at: 'timestamptz',
  next_reconcile_at: 'timestamptz',
  checkout_expires_at: 'timestamptz',
  lookup_requested_at: 'timestamptz',
  reconcile_locked_until: 'timestamptz',
}

/**
 * ONE statement that claims the Idempotency-Key and inserts the row that records an operation's intent: both
 * or neither. A key that already exists inserts nothing: the claim says what the request gets instead.
 */
export async function insertIntent<T extends 'payments' | 'billing_keys'>(
  rt: Runtime,
  table: T,
  row: Insertable<Database[T]>,
  resource: ResourceRef,
  lockMs: number,
  idem: IdempotencyScope | undefined,
): Promise<KeyClaim> {
  const now = rt.now()
  const entries = Object.entries(row).filter(([, v]) => v !== undefined)
  const columns = sql.join(entries.map(([k]) => sql.ref(k)))
  const values = sql.join(
    entries.map(
      ([k, v]) => sql`${v instanceof Date ? v.toISOString() : v}::${sql.raw(COLUMN_TYPES[k] ?? 'text')}`,
    ),
  )
  const statement = idem
    ? sql<{ claimed: number }>`
WITH k AS (
  INSERT INTO idempotency_keys (merchant_id, key, fingerprint, state, locked_until, resource_type, resource_id, created_at)
  VALUES (${idem.merchantId}, ${idem.key}, ${idem.fingerprint}, 'in_progress', ${new Date(now.getTime() + lockMs)}::timestamptz,
    ${resource.type}, ${resource.id}, ${now}::timestamptz)
  ON CONFLICT (merchant_id, key) DO NOTHING
  RETURNING 1 AS one
), ins AS (
  INSERT INTO ${sql.table(table)} (${columns}) SELECT ${values} WHERE EXISTS (SELECT 1 FROM k) RETURNING 1
)
SELECT count(*)::int AS claimed FROM k`
    : sql<{
        claimed: number
      }>`INSERT INTO ${sql.table(table)} (${columns}) VALUES (${values}) RETURNING 1 AS claimed`
  try {
    const r = await statement.execute(rt.db)
    return idem ? await claimOf(rt.db, idem, now, Number(r.rows[0]?.claimed ?? 0) > 0) : { claim: 'new' }
  } catch (err) {
    if ((err as { code?: string }).code === '23505' && table === 'payments') {
      const orderId = (row as { order_id?: unknown }).order_id
      throw conflict(
        'duplicate_order_id',
        `orderId ${String(orderId)} was already used on this account`,
        'orderId',
      )
    }
    throw err
  }
}

/**
 * ONE statement that claims the key and moves an existing row into its in-flight status (a billing key being
 * deleted, a virtual account being closed), only from the statuses given. Answers whether the row moved, or what the taken key answers.
 */
export async function markIntent(
  rt: Runtime,
  target: { table: 'billing_keys' | 'payments'; id: string },
  from: readonly string[],
  to: string,
  lockMs: number,
  idem: IdempotencyScope | undefined,
): Promise<boolean | KeyTaken> {
  const resourceType = target.table === 'payments' ? 'payment' : 'billing_key'
  const now = rt.now()
  const fromList = sql.join(from.map((s) => sql`${s}`))
  const r = await sql<{ claimed: number; moved: number }>`
WITH k AS (
  INSERT INTO idempotency_keys (merchant_id, key, fingerprint, state, locked_until, resource_type, resource_id, created_at)
  SELECT ${idem?.merchantId ?? ''}, ${idem?.key ?? ''}, ${idem?.fingerprint ?? ''}, 'in_progress',
    ${new Date(now.getTime() + lockMs)}::timestamptz, ${resourceType}, ${target.id}, ${now}::timestamptz
  WHERE ${idem !== undefined}::boolean
  ON CONFLICT (merchant_id, key) DO NOTHING
  RETURNING 1 AS one
), c AS (SELECT count(*)::int AS claimed FROM k),
u AS (
  UPDATE ${sql.table(target.table)} SET status = ${to}${target.table === 'payments' ? sql`, updated_at = ${now}::timestamptz` : sql``}
  WHERE id = ${target.id} AND status IN (${fromList})
    AND EXISTS (SELECT 1 FROM c WHERE c.claimed > 0 OR NOT ${idem !== undefined}::boolean)
  RETURNING 1
)
SELECT c.claimed, (SELECT count(*)::int FROM u) AS moved FROM c`.execute(rt.db)
  const row = r.rows[0]
  if (idem) {
    const claim = await claimOf(rt.db, idem, now, Number(row?.claimed ?? 0) > 0)
    if (claim.claim !== 'new') return claim
  }
  const moved = Number(row?.moved ?? 0) > 0
  if (!moved && idem) await idem.release(rt.db)
  return moved
}
