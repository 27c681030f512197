/**
 * Every status a merchant can see, as data: the same lists type the database rows, the API's zod enums (so the
 * OpenAPI document lists them) and the ledger's transitions.
 */
export const PAYMENT_STATUSES = [
  'pending',
  'waiting_for_deposit',
  'paid',
  'partial_cancelled',
  'cancelled',
  'failed',
  'expired',
  /** A virtual account whose close was sent to the PG, its answer not yet known. */
  'closing',
  /** A virtual account closed before any deposit: nothing was paid, nothing can be. */
  'closed',
  'needs_review',
  'unknown',
] as const
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number]

/** A payment in one of these has money that a cancel may return. */
export const CANCELLABLE_PAYMENT_STATUSES = ['paid', 'partial_cancelled'] as const satisfies PaymentStatus[]

export const CANCELLATION_STATUSES = [
  'pending',
  'succeeded',
  'accepted',
  'deposit_required',
  'failed',
  'needs_review',
] as const
export type CancellationStatus = (typeof CANCELLATION_STATUSES)[number]

/** Still open: its amount stays reserved against the payment until it ends. */
export const OPEN_CANCELLATION_STATUSES = [
  'pending',
  'deposit_required',
  'needs_review',
] as const satisfies CancellationStatus[]

export const BILLING_KEY_STATUSES = [
  'pending',
  'active',
  'deleting',
  'deleted',
  'failed',
  'needs_review',
] as const
export type BillingKeyStatus = (typeof BILLING_KEY_STATUSES)[number]
