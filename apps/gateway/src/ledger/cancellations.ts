import { type CompiledQuery, type Kysely, type QueryCreator, sql } from 'kysely'
import type { Database, FailureInfo, StoredDeposit, Tx } from '../db/schema.js'
import { prepared } from '../db/prepared.js'
import type { IdempotencyScope, StorableOutcome, ResourceRef } from '../idempotency-keys.js'
import type { Runtime } from '../runtime.js'
import { newId } from '../ids.js'
import { eventRow, eventWhen } from './events.js'
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
  db: Tx,
  s: SettleCancellation,
): CompiledQuery<{ id: string }> {
  const { cancellation: c, end, now } = s
  const moved = MOVES.has(end.status) && 'amount' in end ? end.amount : 0
  // biome-ignore lint/suspicious/noExplicitAny: the builder's type grows with each optional CTE
  let q: any = db.with('settled_cancellation', (qc) =>
    qc
      .updateTable('cancellations')
      .set({
        status: end.status,
        ...(MOVES.has(end.status) && 'amount' in end
          ? {
              amount: end.amount,
              provider_cancel_id: end.providerCancelId ?? null,
              failure: null,
              completed_at: now,
            }
          : {}),
        ...(end.status === 'failed' ? { failure: JSON.stringify(end.failure), completed_at: now } : {}),
        ...(end.status === 'pending' ? { pending_reason: JSON.stringify(end.pendingReason) } : {}),
        ...(end.status === 'deposit_required' ? { deposit: JSON.stringify(end.deposit) } : {}),
        ...(end.status === 'needs_review' ? { review_reason: JSON.stringify(end.reason) } : {}),
        updated_at: now,
        reconcile_locked_until: null,
      })
      .where('id', '=', c.id)
      .where('status', 'in', [...s.from])
      .returning('id'),
  )
  if (RELEASES.has(end.status)) {
    const remaining = 'remainingAmount' in end ? end.remainingAmount : undefined
    const learned =
      moved === 0
        ? null
        : remaining !== undefined
          ? sql<number>`cancelled_amount + ${moved} + ${remaining}`
          : c.wholeRemainder
            ? sql<number>`cancelled_amount + ${moved}`
            : null
    const total = learned ? sql`COALESCE(amount, ${learned})` : sql`amount`
    q = q.with('settled_payment', (qc: QueryCreator<Database>) =>
      qc
        .updateTable('payments')
        .set({
          reserved_amount: sql`GREATEST(reserved_amount - ${c.reserved}, 0)`,
          inflight_cancels: sql`GREATEST(inflight_cancels - 1, 0)`,
          cancelled_amount: sql`cancelled_amount + ${moved}`,
          ...(learned
            ? {
                amount: sql<number>`${total}`,
                balance_source: sql<string>`CASE WHEN amount IS NULL THEN 'learned' ELSE balance_source END`,
              }
            : {}),
          status: sql<PaymentStatus>`CASE WHEN ${moved}::bigint = 0 THEN status
            WHEN ${total} IS NULL THEN 'partial_cancelled'
            WHEN ${total} <= cancelled_amount + ${moved} THEN 'cancelled'
            ELSE 'partial_cancelled' END`,
          updated_at: now,
        })
        .where('id', '=', c.paymentId)
        .where(sql<boolean>`EXISTS (SELECT 1 FROM settled_cancellation)`),
    )
  }
  if (end.status !== 'pending') {
    const row = eventRow(
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
    q = q.with('settled_event', (qc: QueryCreator<Database>) => eventWhen(qc, row, 'settled_cancellation'))
  }
  const idem = s.idempotency
  if (idem) {
    const resource: ResourceRef = { type: 'cancellation', id: c.id }
    q = q.with('settled_key', (qc: QueryCreator<Database>) =>
      idem.release ? idem.scope.releaseQuery(qc) : idem.scope.completeQuery(qc, idem.outcome, resource),
    )
  }
  // Its text takes one of a few shapes (status, learning, idempotent or not): prepared, like the reservation.
  return prepared(q.selectFrom('settled_cancellation').select('id').compile())
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
