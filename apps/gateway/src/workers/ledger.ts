import { type Selectable, sql } from 'kysely'
import type { FailureInfo } from '../db/schema.js'
import { newId } from '../ids.js'
import type { ExtDatabase, XTx } from './schema.js'

export type CancellationRow = Selectable<ExtDatabase['cancellations']>

/** Writes one outbox event in the caller's transaction: it commits with the state change or not at all. */
export async function insertEvent(
  trx: XTx,
  e: {
    merchantId: string
    type: string
    objectType: string
    objectId: string
    data: Record<string, unknown>
    now: Date
  },
): Promise<string> {
  const id = newId('evt')
  await trx
    .insertInto('events')
    .values({
      id,
      merchant_id: e.merchantId,
      type: e.type,
      object_type: e.objectType,
      object_id: e.objectId,
      data: JSON.stringify(e.data),
      created_at: e.now,
      delivered_at: null,
      next_attempt_at: e.now,
    })
    .execute()
  return id
}

export type Resolution =
  | { status: 'succeeded'; amount: number; providerCancelId?: string | null }
  | { status: 'failed'; failure: FailureInfo }
  | { status: 'needs_review'; reason: Record<string, unknown> }

/**
 * Finishes an open (pending, deposit_required or needs_review) cancellation in the caller's transaction, with
 * the same ledger rules as the request path: succeeded moves the reservation to cancelled, failed releases it,
 * needs_review keeps it (money may have moved: nothing is cancellable again until a person decides).
 * Returns false when the row was no longer open (another worker or notification got there first).
 */
export async function resolveCancellation(
  trx: XTx,
  row: CancellationRow,
  r: Resolution,
  now: Date,
  via: 'reconciliation' | 'notification',
): Promise<boolean> {
  const open = ['pending', 'deposit_required', 'needs_review']
  const updated = await trx
    .updateTable('cancellations')
    .set({
      status: r.status,
      ...(r.status === 'succeeded'
        ? {
            amount: r.amount,
            ...(r.providerCancelId ? { provider_cancel_id: r.providerCancelId } : {}),
            failure: null,
            completed_at: now,
          }
        : {}),
      ...(r.status === 'failed' ? { failure: JSON.stringify(r.failure), completed_at: now } : {}),
      ...(r.status === 'needs_review' ? { review_reason: JSON.stringify(r.reason) } : {}),
      updated_at: now,
      reconcile_locked_until: null,
    })
    .where('id', '=', row.id)
    .where('status', '=', row.status)
    .where('status', 'in', open)
    .executeTakeFirst()
  if (Number(updated.numUpdatedRows) !== 1) return false
  if (r.status !== 'needs_review') {
    const reserved = Number(row.amount)
    const delta = r.status === 'succeeded' ? r.amount : 0
    await trx
      .updateTable('payments')
      .set({
        reserved_amount: sql`GREATEST(reserved_amount - ${reserved}, 0)`,
        inflight_cancels: sql`GREATEST(inflight_cancels - 1, 0)`,
        cancelled_amount: sql`cancelled_amount + ${delta}`,
        status: sql`CASE WHEN ${delta} = 0 THEN status
          WHEN COALESCE(amount, -1) <= cancelled_amount + ${delta} THEN 'cancelled'
          ELSE 'partial_cancelled' END`,
        updated_at: now,
      })
      .where('id', '=', row.payment_id)
      .execute()
  }
  await insertEvent(trx, {
    merchantId: row.merchant_id,
    type: `cancellation.${r.status}`,
    objectType: 'cancellation',
    objectId: row.id,
    data: {
      cancellationId: row.id,
      paymentId: row.payment_id,
      transactionId: row.transaction_id,
      previousStatus: row.status,
      resolvedBy: via,
    },
    now,
  })
  return true
}
