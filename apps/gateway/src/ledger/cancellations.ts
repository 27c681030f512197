import { type CompiledQuery, type Kysely, sql } from 'kysely'
import type { FailureInfo, StoredDeposit, Tx } from '../db/schema.js'
import { preparedSql } from '../db/prepared.js'
import { type IdempotencyScope, type StorableOutcome, storedBody } from '../idempotency-keys.js'
import type { Runtime } from '../runtime.js'
import { newId } from '../ids.js'
import { eventRow } from './events.js'
import type { CancellationStatus, PaymentStatus } from '../db/statuses.js'

/** How a cancellation ends (or stays open), in the ledger's terms. */
export type CancellationEnd =
  | {
      status: 'succeeded' | 'accepted'
      /** What the PG moved (or, accepted, committed to move). */
      amount: number
      /** What the PG says remains: teaches an unknown total. */
      remainingAmount?: number
      providerCancelId?: string | null
    }
  | { status: 'deposit_required'; deposit: StoredDeposit }
  | { status: 'failed'; failure: FailureInfo }
  /** The PG's answer was lost: the amount stays reserved, the reconciler decides later. */
  | { status: 'pending'; pendingReason: FailureInfo }
  /** Evidence cannot settle it: reserved until a person decides. */
  | { status: 'needs_review'; reason: Record<string, unknown> }

/** The cancellation as the ledger needs to know it (from the request's reservation or from its row). */
export interface CancellationRef {
  id: string
  merchantId: string
  paymentId: string
  transactionId: string
  /** The amount its row reserves (0 when it asked for an unknown remainder). */
  reserved: number
  /** It asked for everything that remained (no amount). */
  wholeRemainder: boolean
}

export interface SettleCancellation {
  cancellation: CancellationRef
  /** The statuses it may be settled from; a row found in any other was settled by someone else first. */
  from: readonly CancellationStatus[]
  end: CancellationEnd
  now: Date
  /** Who decided, for the event of a resolution outside the request. */
  resolvedBy?: 'reconciliation' | 'notification' | 'review'
  /** The request's Idempotency-Key: completed with `outcome` (or released) in the same statement. */
  idempotency?: { scope: IdempotencyScope; outcome: StorableOutcome; release?: boolean }
}

const RELEASES = new Set<CancellationStatus>(['succeeded', 'accepted', 'failed'])
const MOVES = new Set<CancellationStatus>(['succeeded', 'accepted'])

/**
 * THE way a cancellation's status and its payment's amounts change, for the request path, the reconciler and
 * notifications alike. One statement of data-modifying CTEs: the cancellation (only if still in `from`), the
 * payment's reservation, cancelled total and status, the event, the stored answer. Answers the cancellation's
 * id when it applied, nothing when the row had already left `from` (then nothing else moved either).
 *
 * The ledger's rules: a move (succeeded, accepted) turns the reservation into cancelled money; a failure
 * releases it; anything still open keeps it. A payment whose total is unknown learns it from the PG's
 * `remainingAmount`, or from a cancel of the whole remainder; until it knows, a cancel leaves it
 * `partial_cancelled`, never `cancelled` (the rest may still be cancellable).
 */
export function settleCancellationQuery(
  rt: Runtime,
  _db: Tx,
  s: SettleCancellation,
): CompiledQuery<{ id: string }> {
  const { cancellation: c, end, now } = s
  const movedAmount = MOVES.has(end.status) && 'amount' in end ? end.amount : undefined
  const moves = movedAmount !== undefined
  const moved = movedAmount ?? 0
  const releases = RELEASES.has(end.status)
  const remaining = 'remainingAmount' in end ? end.remainingAmount : undefined
  // What the payment's unknown total is learned as, beyond the cancelled total: nothing (NULL) unless money moved
  // and the PG said what remains, or this cancel took the whole remainder.
  const learnDelta =
    moved === 0 ? null : remaining !== undefined ? moved + remaining : c.wholeRemainder ? moved : null
  const event =
    end.status === 'pending'
      ? undefined
      : eventRow(
          rt,
          {
            merchantId: c.merchantId,
            type: `cancellation.${end.status}`,
            objectType: 'cancellation',
            objectId: c.id,
            data: {
              cancellationId: c.id,
              paymentId: c.paymentId,
              transactionId: c.transactionId,
              ...(s.resolvedBy ? { resolvedBy: s.resolvedBy, previousStatus: s.from[0] } : {}),
            },
          },
          now,
        )
  const idem = s.idempotency
  const complete = idem !== undefined && !idem.release
  const json = (v: unknown) => JSON.stringify(v)
  // ONE fixed text for every end (parsed once per connection): what an end does not touch, a flag leaves as is.
  return preparedSql<{ id: string }>`
WITH settled_cancellation AS (
  UPDATE cancellations SET
    status = ${end.status}::text,
    amount = CASE WHEN ${moves}::boolean THEN ${movedAmount ?? null}::bigint ELSE amount END,
    provider_cancel_id = CASE WHEN ${moves}::boolean
      THEN ${'providerCancelId' in end ? (end.providerCancelId ?? null) : null}::text ELSE provider_cancel_id END,
    failure = CASE WHEN ${moves}::boolean THEN NULL
      WHEN ${end.status === 'failed'}::boolean THEN ${end.status === 'failed' ? json(end.failure) : null}::jsonb
      ELSE failure END,
    completed_at = CASE WHEN ${moves || end.status === 'failed'}::boolean THEN ${now}::timestamptz ELSE completed_at END,
    pending_reason = CASE WHEN ${end.status === 'pending'}::boolean
      THEN ${end.status === 'pending' ? json(end.pendingReason) : null}::jsonb ELSE pending_reason END,
    deposit = CASE WHEN ${end.status === 'deposit_required'}::boolean
      THEN ${end.status === 'deposit_required' ? json(end.deposit) : null}::jsonb ELSE deposit END,
    review_reason = CASE WHEN ${end.status === 'needs_review'}::boolean
      THEN ${end.status === 'needs_review' ? json(end.reason) : null}::jsonb ELSE review_reason END,
    updated_at = ${now}::timestamptz,
    reconcile_locked_until = NULL
  WHERE id = ${c.id}::text AND status = ANY(${[...s.from]}::text[])
  RETURNING id
),
settled_payment AS (
  UPDATE payments SET
    reserved_amount = GREATEST(reserved_amount - ${c.reserved}::bigint, 0),
    inflight_cancels = GREATEST(inflight_cancels - 1, 0),
    cancelled_amount = cancelled_amount + ${moved}::bigint,
    amount = COALESCE(amount, cancelled_amount + ${learnDelta}::bigint),
    balance_source = CASE WHEN amount IS NULL AND ${learnDelta}::bigint IS NOT NULL THEN 'learned'
      ELSE balance_source END,
    status = CASE WHEN ${moved}::bigint = 0 THEN status
      WHEN COALESCE(amount, cancelled_amount + ${learnDelta}::bigint) IS NULL THEN 'partial_cancelled'
      WHEN COALESCE(amount, cancelled_amount + ${learnDelta}::bigint) <= cancelled_amount + ${moved}::bigint
        THEN 'cancelled'
      ELSE 'partial_cancelled' END,
    updated_at = ${now}::timestamptz
  WHERE id = ${c.paymentId}::text AND ${releases}::boolean AND EXISTS (SELECT 1 FROM settled_cancellation)
),
settled_event AS (
  INSERT INTO events (id, merchant_id, type, object_type, object_id, data, created_at, next_attempt_at, status)
  SELECT ${event?.id ?? ''}::text, ${c.merchantId}::text, ${event?.type ?? ''}::text, 'cancellation', ${c.id}::text,
    ${event?.data ?? '{}'}::jsonb, ${now}::timestamptz, ${event?.next_attempt_at ?? null}::timestamptz,
    ${event?.status ?? 'pending'}::text
  FROM settled_cancellation WHERE ${event !== undefined}::boolean
),
settled_key AS (
  UPDATE idempotency_keys SET state = 'completed', response_status = ${idem?.outcome.status ?? null}::int,
    response_body = ${complete ? storedBody(idem.outcome) : null}::json, resource_type = 'cancellation',
    resource_id = ${c.id}::text
  WHERE merchant_id = ${c.merchantId}::text AND key = ${idem?.scope.key ?? ''}::text AND ${complete}::boolean
),
released_key AS (
  DELETE FROM idempotency_keys
  WHERE merchant_id = ${c.merchantId}::text AND key = ${idem?.scope.key ?? ''}::text AND state = 'in_progress'
    AND ${idem?.release === true}::boolean
)
SELECT id FROM settled_cancellation`
}

/** Runs a settle; true when it applied (false: the row had already been settled by someone else). */
export async function settleCancellation(rt: Runtime, db: Tx, s: SettleCancellation): Promise<boolean> {
  const r = await db.executeQuery(settleCancellationQuery(rt, db, s))
  return r.rows.length > 0
}

/** A cancellation the ledger reads back (reconciler, notifications) as the ref it settles. */
export function cancellationRef(row: {
  id: string
  merchant_id: string
  payment_id: string
  transaction_id: string
  amount: number
  requested_amount: number | null
}): CancellationRef {
  return {
    id: row.id,
    merchantId: row.merchant_id,
    paymentId: row.payment_id,
    transactionId: row.transaction_id,
    reserved: Number(row.amount),
    wholeRemainder: row.requested_amount == null,
  }
}

export type { Kysely }

/**
 * A cancel the PG reports that no request of ours made (the PG's admin page): recorded, with its event, so the
 * balance stays true. The caller holds the payment's row lock.
 */
export async function recordExternalCancellation(
  rt: Runtime,
  trx: Tx,
  payment: { id: string; merchant_id: string; account_id: string; provider: string; transaction_id: string },
  moved: number,
  providerCancelId: string | null,
  id: string,
  now: Date,
): Promise<void> {
  await trx
    .insertInto('cancellations')
    .values({
      id,
      merchant_id: payment.merchant_id,
      payment_id: payment.id,
      account_id: payment.account_id,
      provider: payment.provider,
      transaction_id: payment.transaction_id,
      status: 'succeeded',
      requested_amount: moved,
      amount: moved,
      tax_free_amount: null,
      reason: 'cancelled outside paymux (reported by the PG)',
      cancel_id: `ext_${id}`,
      provider_cancel_id: providerCancelId,
      refund_account: null,
      failure: null,
      pending_reason: null,
      deposit: null,
      created_at: now,
      updated_at: now,
      completed_at: now,
      next_reconcile_at: null,
      reconcile_locked_until: null,
      review_reason: null,
    })
    .execute()
  await trx
    .updateTable('payments')
    .set({
      cancelled_amount: sql`cancelled_amount + ${moved}`,
      status: sql<PaymentStatus>`CASE WHEN amount IS NULL THEN 'partial_cancelled'
        WHEN amount <= cancelled_amount + ${moved} THEN 'cancelled' ELSE 'partial_cancelled' END`,
      updated_at: now,
    })
    .where('id', '=', payment.id)
    .execute()
  await trx
    .insertInto('events')
    .values(
      eventRow(
        rt,
        {
          merchantId: payment.merchant_id,
          type: 'cancellation.succeeded',
          objectType: 'cancellation',
          objectId: id,
          data: {
            cancellationId: id,
            paymentId: payment.id,
            transactionId: payment.transaction_id,
            external: true,
          },
        },
        now,
      ),
    )
    .execute()
}

/**
 * The PG's cancelled total for a payment is above ours while none of our cancels is open: the difference was
 * cancelled at the PG itself, recorded so the balance stays true. Never beyond the payment's amount. Answers what
 * was recorded (0: nothing).
 */
export async function recordExternalCancellationLocked(
  rt: Runtime,
  paymentId: string,
  pgCancelledTotal: number,
): Promise<number> {
  return rt.db.transaction().execute(async (trx) => {
    const p = await trx
      .selectFrom('payments')
      .selectAll()
      .where('id', '=', paymentId)
      .forUpdate()
      .executeTakeFirst()
    if (!p || p.transaction_id == null || Number(p.inflight_cancels) > 0) return 0
    const moved = pgCancelledTotal - Number(p.cancelled_amount)
    if (moved <= 0 || (p.amount != null && pgCancelledTotal > Number(p.amount))) return 0
    const id = newId('can')
    await recordExternalCancellation(
      rt,
      trx,
      { ...p, transaction_id: p.transaction_id },
      moved,
      null,
      id,
      rt.now(),
    )
    return moved
  })
}
