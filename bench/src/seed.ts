// Bulk seeding straight in SQL (INSERT … SELECT generate_series): payments the benchmark cancels, and the
// history (payments, cancellations, idempotency keys, events) that the scale measurement stores.
import { NICEPAY_DEMO_CREDENTIALS } from '@paymux/adapter-nicepay/simulator'

/** Anything that runs a parameterised statement: a pg.Pool, or a Kysely-backed wrapper for PGlite. */
export type Exec = (text: string, params: unknown[]) => Promise<unknown>

/** The SQL twin of benchTid(tag, i). */
const tidExpr = `$4::text || '0101' || lpad($5::text, 6, '0') || lpad(i::text, 10, '0')`

/** Paid card payments of `amount` won, ids `pay_b<tag>_<i>`, the TIDs the simulator was seeded with. */
export async function seedPayments(
  exec: Exec,
  o: { merchantId: string; accountId: string; tag: number; from: number; count: number; amount: number },
): Promise<void> {
  await exec(
    `INSERT INTO payments (id, merchant_id, account_id, provider, transaction_id, method, status, amount,
       cancelled_amount, reserved_amount, inflight_cancels, balance_source, created_at, updated_at)
     SELECT 'pay_b' || $5::text || '_' || i, $1, $2, 'nicepay', ${tidExpr}, 'card', 'paid', $3::bigint,
       0, 0, 0, 'lookup', now(), now()
     FROM generate_series($6::int, $7::int) AS i`,
    [
      o.merchantId,
      o.accountId,
      o.amount,
      NICEPAY_DEMO_CREDENTIALS.mid,
      String(o.tag),
      o.from,
      o.from + o.count - 1,
    ],
  )
}

/**
 * `count` settled cancellations of as many past payments, each with its idempotency key (inside the 24 h
 * retention) and its delivered event: what a busy merchant's database holds after a while.
 */
export async function seedHistory(
  exec: Exec,
  o: { merchantId: string; accountId: string; from: number; count: number },
): Promise<string[]> {
  const range = [o.from, o.from + o.count - 1]
  const notes: string[] = []
  await exec(
    `INSERT INTO payments (id, merchant_id, account_id, provider, transaction_id, method, status, amount,
       cancelled_amount, reserved_amount, inflight_cancels, balance_source, created_at, updated_at)
     SELECT 'pay_h' || i, $1, $2, 'nicepay', 'H' || lpad(i::text, 12, '0'), 'card', 'partial_cancelled', 10000,
       1000, 0, 0, 'lookup', now() - interval '2 hours', now() - interval '1 hour'
     FROM generate_series($3::int, $4::int) AS i`,
    [o.merchantId, o.accountId, ...range],
  )
  await exec(
    `INSERT INTO cancellations (id, merchant_id, payment_id, account_id, provider, transaction_id, status,
       requested_amount, amount, reason, cancel_id, created_at, updated_at, completed_at)
     SELECT 'can_h' || i, $1, 'pay_h' || i, $2, 'nicepay', 'H' || lpad(i::text, 12, '0'), 'succeeded',
       1000, 1000, 'history', 'can_h' || i, now() - interval '1 hour', now() - interval '1 hour',
       now() - interval '1 hour'
     FROM generate_series($3::int, $4::int) AS i`,
    [o.merchantId, o.accountId, ...range],
  )
  await exec(
    `INSERT INTO idempotency_keys (merchant_id, key, fingerprint, state, locked_until, response_status,
       response_body, resource_type, resource_id, created_at)
     SELECT $1, 'hist-' || i, md5(i::text), 'completed', now() - interval '1 hour', 200, '{}'::jsonb,
       'cancellation', 'can_h' || i, now() - interval '1 hour'
     FROM generate_series($2::int, $3::int) AS i`,
    [o.merchantId, ...range],
  )
  try {
    await exec(
      `INSERT INTO events (id, merchant_id, type, object_type, object_id, data, created_at, delivered_at,
         attempts, next_attempt_at)
       SELECT 'evt_h' || i, $1, 'cancellation.succeeded', 'cancellation', 'can_h' || i, '{}'::jsonb,
         now() - interval '1 hour', now() - interval '1 hour', 1, NULL
       FROM generate_series($2::int, $3::int) AS i`,
      [o.merchantId, ...range],
    )
  } catch (err) {
    // The events table belongs to the outbox work and may have grown columns without defaults.
    notes.push(`events history not seeded: ${(err as Error).message}`)
  }
  return notes
}
