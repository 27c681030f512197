import type { Selectable } from 'kysely'
import type { BillingKeysTable, CancellationsTable, FailureInfo, PaymentsTable } from './db/schema.js'

const iso = (d: Date | string | null | undefined) => (d == null ? null : new Date(d).toISOString())

export function renderCancellation(row: Selectable<CancellationsTable>) {
  const deposit = row.deposit as Record<string, unknown> | null
  return {
    id: row.id,
    object: 'cancellation' as const,
    paymentId: row.payment_id,
    account: row.account_id,
    provider: row.provider,
    transactionId: row.transaction_id,
    status: row.status as 'succeeded' | 'deposit_required' | 'failed' | 'pending' | 'needs_review',
    amount: Number(row.amount),
    requestedAmount: row.requested_amount == null ? null : Number(row.requested_amount),
    taxFreeAmount: row.tax_free_amount == null ? null : Number(row.tax_free_amount),
    reason: row.reason,
    providerCancelId: row.provider_cancel_id,
    ...(deposit ? { depositInstructions: deposit } : {}),
    ...(row.failure ? { failure: row.failure as FailureInfo } : {}),
    ...(row.pending_reason ? { pendingReason: row.pending_reason as FailureInfo } : {}),
    createdAt: iso(row.created_at)!,
    updatedAt: iso(row.updated_at)!,
    completedAt: iso(row.completed_at),
  }
}

export type CancellationView = ReturnType<typeof renderCancellation>

export function renderPayment(
  row: Selectable<PaymentsTable>,
  cancellations: Array<Selectable<CancellationsTable>> = [],
) {
  const amount = row.amount == null ? null : Number(row.amount)
  const cancelled = Number(row.cancelled_amount)
  const reserved = Number(row.reserved_amount)
  const cancellable =
    amount == null || !['paid', 'partial_cancelled'].includes(row.status)
      ? null
      : Math.max(0, amount - cancelled - reserved)
  return {
    id: row.id,
    object: 'payment' as const,
    account: row.account_id,
    provider: row.provider,
    transactionId: row.transaction_id,
    orderId: row.order_id,
    method: row.method,
    status: row.status,
    amount,
    cancelledAmount: cancelled,
    /** Cancels in flight (pending or awaiting a deposit): not cancellable again until they finish. */
    reservedAmount: reserved,
    cancellableAmount: cancellable,
    balanceSource: row.balance_source,
    ...(row.virtual_account ? { virtualAccount: row.virtual_account } : {}),
    billingKeyId: row.billing_key_id,
    ...(row.failure ? { failure: row.failure as FailureInfo } : {}),
    cancellations: cancellations.map(renderCancellation),
    createdAt: iso(row.created_at)!,
    updatedAt: iso(row.updated_at)!,
  }
}

export type PaymentView = ReturnType<typeof renderPayment>

export function renderBillingKey(row: Selectable<BillingKeysTable>) {
  return {
    id: row.id,
    object: 'billing_key' as const,
    account: row.account_id,
    provider: row.provider,
    status: row.status as 'active' | 'deleted',
    card: (row.card ?? {}) as { name?: string; code?: string; numberMasked?: string },
    customerId: row.customer_id,
    createdAt: iso(row.created_at)!,
    deletedAt: iso(row.deleted_at),
  }
}

export type BillingKeyView = ReturnType<typeof renderBillingKey>
