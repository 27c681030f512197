import type { Selectable } from 'kysely'
import type {
  BillingKeysTable,
  CancellationsTable,
  FailureInfo,
  PaymentRouting,
  PaymentsTable,
} from './db/schema.js'

const iso = (d: Date | string | null | undefined) => (d == null ? null : new Date(d).toISOString())

/** The columns a cancellation's API object shows (a row, or what a settle is about to write). */
export type CancellationFields = Pick<
  Selectable<CancellationsTable>,
  | 'id'
  | 'payment_id'
  | 'account_id'
  | 'provider'
  | 'transaction_id'
  | 'status'
  | 'amount'
  | 'requested_amount'
  | 'tax_free_amount'
  | 'reason'
  | 'provider_cancel_id'
  | 'deposit'
  | 'failure'
  | 'pending_reason'
  | 'created_at'
  | 'updated_at'
  | 'completed_at'
>

export function renderCancellation(row: CancellationFields) {
  const deposit = row.deposit
  return {
    id: row.id,
    object: 'cancellation' as const,
    paymentId: row.payment_id,
    account: row.account_id,
    provider: row.provider,
    transactionId: row.transaction_id,
    status: row.status,
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

/** The columns a payment's API object shows. */
export type PaymentFields = Pick<
  Selectable<PaymentsTable>,
  | 'id'
  | 'account_id'
  | 'provider'
  | 'transaction_id'
  | 'order_id'
  | 'method'
  | 'status'
  | 'amount'
  | 'cancelled_amount'
  | 'reserved_amount'
  | 'balance_source'
  | 'virtual_account'
  | 'billing_key_id'
  | 'failure'
  | 'created_at'
  | 'updated_at'
> & {
  order_name?: string | null
  checkout_expires_at?: Date | string | null
  routing?: PaymentRouting | null
  metadata?: Record<string, string> | null
}

/**
 * A payment's API object. `checkoutUrl`: the payment's checkout link, given by the caller (it is derived from
 * the master key and the gateway's public URL, never stored) while the payment still waits for the customer.
 */
export function renderPayment(
  row: PaymentFields,
  cancellations: CancellationFields[] = [],
  checkoutUrl?: string,
) {
  const amount = row.amount == null ? null : Number(row.amount)
  const cancelled = Number(row.cancelled_amount)
  const reserved = Number(row.reserved_amount)
  // Null only while the total is unknown here, or for a payment that has no money to return (pending, failed,
  // awaiting a deposit); a fully cancelled payment has 0 left.
  const cancellable =
    amount == null
      ? null
      : row.status === 'cancelled'
        ? 0
        : row.status === 'paid' || row.status === 'partial_cancelled'
          ? Math.max(0, amount - cancelled - reserved)
          : null
  return {
    id: row.id,
    object: 'payment' as const,
    account: row.account_id,
    provider: row.provider,
    transactionId: row.transaction_id,
    orderId: row.order_id,
    orderName: row.order_name ?? null,
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
    ...(row.routing ? { routing: { rule: row.routing.rule, via: row.routing.via } } : {}),
    ...(row.metadata ? { metadata: row.metadata } : {}),
    ...(row.checkout_expires_at
      ? {
          checkoutUrl: row.status === 'requires_authentication' ? (checkoutUrl ?? null) : null,
          expiresAt: new Date(row.checkout_expires_at).toISOString(),
        }
      : {}),
    cancellations: cancellations.map(renderCancellation),
    createdAt: iso(row.created_at)!,
    updatedAt: iso(row.updated_at)!,
  }
}

export type PaymentView = ReturnType<typeof renderPayment>

/** The columns a billing key's API object shows. */
export type BillingKeyFields = Pick<
  Selectable<BillingKeysTable>,
  'id' | 'account_id' | 'provider' | 'status' | 'card' | 'customer_id' | 'created_at' | 'deleted_at'
>

export function renderBillingKey(row: BillingKeyFields) {
  return {
    id: row.id,
    object: 'billing_key' as const,
    account: row.account_id,
    provider: row.provider,
    status: row.status,
    card: (row.card ?? {}) as { name?: string; code?: string; numberMasked?: string },
    customerId: row.customer_id,
    createdAt: iso(row.created_at)!,
    deletedAt: iso(row.deleted_at),
  }
}

export type BillingKeyView = ReturnType<typeof renderBillingKey>
