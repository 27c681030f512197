/**
 * Every status a merchant can see, as data: the same lists type the database rows, the API's zod enums (so the
 * OpenAPI document lists them) and the ledger's transitions.
 */
export const PAYMENT_STATUSES = [
  /** A checkout created, waiting for the customer at the PG's window. */
  'requires_authentication',
  /** A PG call in flight, or its outcome unknown (a lost approval): the reconciler settles it. */
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

/**
 * Where a checkout's approval stands (payments.approval_state; null for payments made otherwise): what the
 * return route and the reconciler decide from, never shown as a payment status of its own.
 */
export const APPROVAL_STATES = [
  /** Created; no result from the window yet. */
  'awaiting',
  /** Claimed by one return of the window's result: the approval call is (or was) in flight. */
  'approving',
  /** The approval was sent and its answer lost: settled from a lookup. */
  'unknown',
  /** An undo (network cancel, or a cancel of an amount refused) was sent and its answer lost. */
  'undoing',
  'approved',
  /** The PG refused the approval. */
  'rejected',
  /** The customer declined, or the result was not genuine: no approval was sent. */
  'declined',
  'refused',
  /** Approved (or possibly) and then undone. */
  'undone',
  'needs_review',
] as const
export type ApprovalState = (typeof APPROVAL_STATES)[number]

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
