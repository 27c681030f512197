import type { CancellationRow, PaymentRow } from '../db/schema.js'
import type { Runtime } from '../runtime.js'

/** The two kinds of item the needs-review queue holds, by the path segment that names them. */
export const REVIEW_KINDS = {
  payments: {
    objectType: 'payment',
    /** The states an operator may assert when resolving: what the evidence outside paymux showed. */
    ends: ['paid', 'failed'],
  },
  cancellations: { objectType: 'cancellation', ends: ['succeeded', 'failed'] },
} as const
export type ReviewKind = keyof typeof REVIEW_KINDS

export const isReviewKind = (k: string): k is ReviewKind => k === 'payments' || k === 'cancellations'

type RowOf<K extends ReviewKind> = K extends 'payments' ? PaymentRow : CancellationRow

/** One item of the merchant's (never another merchant's), whatever its status now. */
export async function ownReviewItem<K extends ReviewKind>(
  rt: Runtime,
  kind: K,
  merchantId: string,
  id: string,
): Promise<RowOf<K> | undefined> {
  const row = await rt.db
    .selectFrom(kind as ReviewKind)
    .selectAll()
    .where('id', '=', id)
    .where('merchant_id', '=', merchantId)
    .executeTakeFirst()
  return row as RowOf<K> | undefined
}

/** The merchant's items of one kind in needs_review, latest first. */
export async function reviewQueue<K extends ReviewKind>(
  rt: Runtime,
  kind: K,
  merchantId: string,
): Promise<RowOf<K>[]> {
  const rows = await rt.db
    .selectFrom(kind as ReviewKind)
    .selectAll()
    .where('merchant_id', '=', merchantId)
    .where('status', '=', 'needs_review')
    .orderBy('updated_at', 'desc')
    .limit(200)
    .execute()
  return rows as RowOf<K>[]
}
