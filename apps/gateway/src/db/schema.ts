import type { ColumnType, Generated } from 'kysely'

/** Timestamps are written as Date and read back as Date by both drivers. */
type Ts = ColumnType<Date, Date | string, Date | string>
/** jsonb: written as a JSON string (both drivers accept it), read back parsed. */
type Json<T> = ColumnType<T, string, string>

export interface PaymentsTable {
  id: string
  merchant_id: string
  account_id: string
  provider: string
  /** The PG's id; null while a charge or virtual account is in flight. */
  transaction_id: string | null
  /** The PG-side order id (a charge's duplicate guard). */
  order_id: string | null
  method: string | null
  /** pending | paid | waiting_for_deposit | partial_cancelled | cancelled | failed | expired */
  status: string
  /** Null while unknown: a payment made elsewhere at a PG without lookup. */
  amount: number | null
  cancelled_amount: number
  /** Cancels in flight (pending, deposit_required): counted against the balance. */
  reserved_amount: number
  inflight_cancels: number
  /** How the balance is known: 'gateway' (we made it), 'lookup' (PG lookup), 'learned' (PG answers), 'unknown'. */
  balance_source: string
  billing_key_id: string | null
  virtual_account: Json<VirtualAccountInfo | null> | null
  failure: Json<FailureInfo | null> | null
  /** Migration 0002: what a billing-key charge asked for (no card data), so reconciliation can ask again. */
  charge_request?: Json<Record<string, unknown> | null> | null
  created_at: Ts
  updated_at: Ts
}

export interface VirtualAccountInfo {
  bankCode: string
  bankName: string
  accountNumber: string
  holderName?: string
  dueDate: string
}

export interface FailureInfo {
  code: string
  message: string
  providerCode?: string
  providerMessage?: string
}

export interface CancellationsTable {
  id: string
  merchant_id: string
  payment_id: string
  account_id: string
  provider: string
  transaction_id: string
  /** succeeded | deposit_required | failed | pending | needs_review */
  status: string
  /** What was asked (null: everything that remained). */
  requested_amount: number | null
  /** What is reserved / was cancelled. */
  amount: number
  tax_free_amount: number | null
  reason: string
  /** The PG-side duplicate guard; stable across retries of this cancel. */
  cancel_id: string
  provider_cancel_id: string | null
  /** Refund account, encrypted (a retry of the same cancel needs it). */
  refund_account: string | null
  failure: Json<FailureInfo | null> | null
  pending_reason: Json<FailureInfo | null> | null
  deposit: Json<Record<string, unknown> | null> | null
  created_at: Ts
  updated_at: Ts
  completed_at: Ts | null
}

export interface BillingKeysTable {
  id: string
  merchant_id: string
  account_id: string
  provider: string
  /** active | deleted */
  status: string
  /** The PG's key, AES-256-GCM with the master key. */
  encrypted_key: string
  card: Json<Record<string, unknown> | null> | null
  customer_id: string | null
  created_at: Ts
  deleted_at: Ts | null
}

export interface IdempotencyKeysTable {
  merchant_id: string
  key: string
  fingerprint: string
  /** in_progress | completed */
  state: string
  /** While in progress: after this a replay answers the resource's current state instead of 409. */
  locked_until: Ts
  response_status: number | null
  response_body: Json<unknown> | null
  /** 'cancellation' | 'payment' | 'billing_key', for replays that answer current state. */
  resource_type: string | null
  resource_id: string | null
  created_at: Ts
}

export interface EventsTable {
  id: string
  merchant_id: string
  type: string
  object_type: string
  object_id: string
  data: Json<Record<string, unknown>>
  created_at: Ts
  /** Delivery bookkeeping (the delivery worker owns these). */
  delivered_at: Ts | null
  attempts: Generated<number>
  next_attempt_at: Ts | null
}

export interface Database {
  payments: PaymentsTable
  cancellations: CancellationsTable
  billing_keys: BillingKeysTable
  idempotency_keys: IdempotencyKeysTable
  events: EventsTable
}
