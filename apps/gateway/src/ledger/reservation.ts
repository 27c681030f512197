import { preparedSql } from '../db/prepared.js'
import type { Tx } from '../db/schema.js'
import type { Runtime } from '../runtime.js'

/** What the reservation statement answers: one row, with the reason when it refused. */
export interface ReservationRow {
  refusal: string | null
  id: string | null
  status: string | null
  cancellable: number | null
  reserve: number | null
  cancelled_amount: number | null
  sent_amount: number | null
  amount: number | null
  order_id: string | null
}

export interface Reservation {
  merchantId: string
  cancellationId: string
  paymentId: string
  /** The request's Idempotency-Key, claimed in the same statement (undefined: none). */
  key?: string
  fingerprint?: string
  lockedUntil: Date
  now: Date
  partialOk: boolean
  amount: number | undefined
  taxFreeAmount: number | undefined
  expectedCancellableAmount: number | undefined
  reason: string
  /** The refund account, sealed with the master key. */
  sealedRefundAccount: string | null
}

/**
 * THE balance rule, stated once: ONE statement claims the key (before the payment's row lock, the order every
 * path takes), locks the payment, checks that reserved + cancelled + this cancel stays within the amount, records
 * the pending cancellation with the request it will send, and reserves its amount. It answers one row either way,
 * with the reason when it refused (then it wrote nothing but, possibly, the key).
 */
export async function reserveCancellation(rt: Runtime, r: Reservation): Promise<ReservationRow | undefined> {
  const hasKey = r.key !== undefined
  const amount = r.amount ?? null
  const taxFree = r.taxFreeAmount ?? null
  const expected = r.expectedCancellableAmount ?? null
  const result = await rt.db.executeQuery<ReservationRow>(
    preparedSql<ReservationRow>`
WITH k AS (
  INSERT INTO idempotency_keys (merchant_id, key, fingerprint, state, locked_until, resource_type, resource_id, created_at)
  SELECT ${r.merchantId}, ${r.key ?? ''}, ${r.fingerprint ?? ''}, 'in_progress', ${r.lockedUntil}::timestamptz,
    'cancellation', ${r.cancellationId}, ${r.now}::timestamptz
  WHERE ${hasKey}::boolean
  ON CONFLICT (merchant_id, key) DO NOTHING
  RETURNING 1 AS one
), c AS (SELECT count(*)::int AS claimed FROM k),
p AS (
  SELECT c.claimed, l.* FROM c LEFT JOIN LATERAL (
    SELECT id, account_id, provider, transaction_id, order_id, status, amount, cancelled_amount, reserved_amount, inflight_cancels
    FROM payments
    WHERE id = ${r.paymentId} AND merchant_id = ${r.merchantId} AND (c.claimed > 0 OR NOT ${hasKey}::boolean)
    FOR UPDATE
  ) l ON true
),
v AS (
  SELECT p.*, CASE WHEN p.amount IS NULL THEN NULL ELSE p.amount - p.cancelled_amount - p.reserved_amount END AS cancellable
  FROM p
),
d AS (
  SELECT v.*,
    CASE WHEN v.amount IS NULL THEN COALESCE(${amount}::bigint, 0) ELSE COALESCE(${amount}::bigint, v.cancellable) END AS reserve,
    -- What goes on the wire: the amount asked; else, after earlier cancels, the remainder as an explicit amount;
    -- a fresh payment cancelled whole carries none (a full cancel at the PG).
    CASE WHEN ${amount}::bigint IS NOT NULL THEN ${amount}::bigint
      WHEN v.amount IS NOT NULL AND v.cancelled_amount > 0 THEN v.cancellable END AS sent_amount,
    CASE
      WHEN ${hasKey}::boolean AND v.claimed = 0 THEN 'key_exists'
      WHEN v.id IS NULL THEN 'payment_missing'
      WHEN v.status = 'cancelled' THEN 'already_cancelled'
      WHEN v.status NOT IN ('paid', 'partial_cancelled') THEN 'payment_not_cancellable'
      WHEN ${amount}::bigint IS NOT NULL AND NOT ${r.partialOk}::boolean
        AND NOT (v.amount IS NOT NULL AND ${amount}::bigint = v.amount AND v.cancelled_amount = 0)
        THEN 'partial_cancel_unsupported'
      WHEN v.amount IS NOT NULL AND ${expected}::bigint IS NOT NULL AND ${expected}::bigint <> v.cancellable
        THEN 'cancellable_amount_mismatch'
      WHEN v.amount IS NOT NULL AND ${amount}::bigint IS NULL AND v.inflight_cancels > 0 THEN 'remainder_in_flight'
      WHEN v.amount IS NOT NULL AND v.cancellable <= 0 AND v.inflight_cancels > 0 THEN 'rest_reserved'
      WHEN v.amount IS NOT NULL AND v.cancellable <= 0 THEN 'nothing_remains'
      WHEN v.amount IS NOT NULL AND ${amount}::bigint > v.cancellable THEN 'amount_exceeds_cancellable'
      WHEN v.amount IS NULL AND v.inflight_cancels > 0 THEN 'balance_unknown_in_flight'
      WHEN v.amount IS NULL AND ${expected}::bigint IS NOT NULL THEN 'cancellable_amount_unknown'
      WHEN ${taxFree}::bigint IS NOT NULL AND ${amount}::bigint IS NULL AND v.amount IS NOT NULL
        AND ${taxFree}::bigint > v.cancellable THEN 'tax_free_exceeds'
    END AS refusal
  FROM v
),
ins AS (
  INSERT INTO cancellations (id, merchant_id, payment_id, account_id, provider, transaction_id, status,
    requested_amount, amount, tax_free_amount, reason, cancel_id, refund_account, created_at, updated_at,
    sent_recorded, sent_amount, sent_payment_amount, sent_order_id)
  SELECT ${r.cancellationId}, ${r.merchantId}, d.id, d.account_id, d.provider, d.transaction_id, 'pending',
    ${amount}::bigint, d.reserve, ${taxFree}::bigint, ${r.reason}, ${r.cancellationId}, ${r.sealedRefundAccount},
    ${r.now}::timestamptz, ${r.now}::timestamptz, true, d.sent_amount, d.amount, d.order_id
  FROM d WHERE d.refusal IS NULL
  RETURNING id
),
upd AS (
  UPDATE payments SET reserved_amount = payments.reserved_amount + d.reserve,
    inflight_cancels = payments.inflight_cancels + 1, updated_at = ${r.now}::timestamptz
  FROM d WHERE payments.id = d.id AND d.refusal IS NULL
  RETURNING payments.id
)
SELECT d.refusal, d.id, d.status, d.cancellable, d.reserve, d.cancelled_amount, d.sent_amount, d.amount, d.order_id FROM d`,
  )
  return result.rows[0]
}

/**
 * The PG does not know the transaction a cancel alone introduced (a payment made elsewhere, recorded from the
 * cancel's own request): nothing of it stays — no payment shown `paid` forever, no failed cancellation, no event.
 * `andThen` runs in the same transaction (the request's stored answer).
 */
export async function forgetImportedCancel(
  rt: Runtime,
  cancellationId: string,
  paymentId: string,
  andThen: (trx: Tx) => Promise<void>,
): Promise<void> {
  await rt.db.transaction().execute(async (trx) => {
    await trx.deleteFrom('cancellations').where('id', '=', cancellationId).execute()
    await trx
      .deleteFrom('payments')
      .where('id', '=', paymentId)
      .where('balance_source', '=', 'unknown')
      .where(({ not, exists, selectFrom }) =>
        not(exists(selectFrom('cancellations').select('id').where('payment_id', '=', paymentId))),
      )
      .execute()
    await andThen(trx)
  })
}
