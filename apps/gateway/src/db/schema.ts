import type { ColumnType, Generated, Kysely, Selectable, Transaction } from 'kysely'
import type { DepositInstructions } from '@paymux/core'
import type { ApprovalState, BillingKeyStatus, CancellationStatus, PaymentStatus } from './statuses.js'

/** Timestamps are written as Date and read back as Date by both drivers. */
type Ts = ColumnType<Date, Date | string, Date | string>
/** jsonb: written as a JSON string (both drivers accept it), read back parsed. */
type Json<T> = ColumnType<T, string, string>
/** A column with a database default: optional on insert. */
type WithDefault<T> = ColumnType<T, T | undefined, T>

/** Reconciliation bookkeeping (migration 0002; billing keys since 0004). */
interface ReconcileColumns {
  reconcile_attempts: WithDefault<number>
  reconcile_no_change: WithDefault<number>
  next_reconcile_at: Ts | null
  reconcile_locked_until: Ts | null
  review_reason: Json<Record<string, unknown> | null> | null
}

export interface PaymentsTable extends ReconcileColumns {
  id: string
  merchant_id: string
  account_id: string
  provider: string
  /** The PG's id; null while a charge or virtual account is in flight. */
  transaction_id: string | null
  /** The PG-side order id (a charge's duplicate guard). */
  order_id: string | null
  method: string | null
  status: PaymentStatus
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
  /** What a billing-key charge or virtual-account issue asked for (no card data): the stored intent. */
  charge_request: Json<Record<string, unknown> | null> | null
  created_at: Ts
  updated_at: Ts
  /** Checkout (migration 0006): what the PG's window shows. */
  order_name: string | null
  /** SHA-256 of the checkout URL's token: the token itself is derived with the master key, never stored. */
  checkout_token_hash: string | null
  checkout_expires_at: Ts | null
  success_url: string | null
  fail_url: string | null
  /** The customer (name, email, phone) the window is opened with, sealed with the master key. */
  checkout_customer: string | null
  /** The adapter's CheckoutApproval (may hold a one-time token), sealed with the master key. */
  approval: string | null
  approval_state: ApprovalState | null
  /** A notification hint asked for a lookup of this payment (migration 0008); cleared by the lookup. */
  lookup_requested_at: Ts | null
  /** How routing.payments chose the account (migration 0010); null when named or the only one. */
  routing: Json<PaymentRouting | null> | null
  /** The merchant's string labels given to POST /v1/payments (migration 0012); null when none. */
  metadata: Json<Record<string, string> | null> | null
  /**
   * What the PG's notifications about this payment must carry (`VirtualAccountResult.notificationSecret`, migration
   * 0012), sealed with the master key; null when the PG gave none.
   */
  notification_secret: string | null
}

export interface PaymentRouting {
  rule: number
  via: 'split' | 'fallback'
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

/** What a post-deposit cancel asks the merchant to deposit, with the PG's words. */
export type StoredDeposit = DepositInstructions & { providerCode?: string; providerMessage?: string }

export interface CancellationsTable extends ReconcileColumns {
  id: string
  merchant_id: string
  payment_id: string
  account_id: string
  provider: string
  transaction_id: string
  status: CancellationStatus
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
  deposit: Json<StoredDeposit | null> | null
  created_at: Ts
  updated_at: Ts
  completed_at: Ts | null
  /** The PG request as first sent (migration 0008): a re-send is rebuilt from these alone, byte for byte. */
  sent_recorded: Generated<boolean>
  /** The amount sent (null: the whole remainder, no amount on the wire). */
  sent_amount: number | null
  sent_payment_amount: number | null
  sent_order_id: string | null
}

export interface BillingKeysTable extends ReconcileColumns {
  id: string
  merchant_id: string
  account_id: string
  provider: string
  status: BillingKeyStatus
  /** The PG's key, AES-256-GCM with the master key; null until the PG has issued it. */
  encrypted_key: string | null
  /** What the issue asked for (never card data): the stored intent a reviewer sees. */
  request: Json<Record<string, unknown> | null> | null
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
  /** pending | delivered | failed | not_configured */
  status: WithDefault<string>
  locked_until: Ts | null
  last_error: string | null
  resends: WithDefault<number>
}

/** One row per PG notification applied (migration 0002): the adapter's dedup key makes a re-send a no-op. */
export interface NotificationsTable {
  id: string
  merchant_id: string
  account_id: string
  provider: string
  dedup_key: string
  event_type: string
  transaction_id: string | null
  effect: string
  received_at: Ts
  /** Awaiting verification only: the body, headers and sender as received, sealed with the master key. */
  sealed_body: string | null
  next_check_at: Ts | null
  check_attempts: WithDefault<number>
}

export interface WebhookDeliveriesTable {
  id: string
  event_id: string
  merchant_id: string
  attempt: number
  url: string
  status_code: number | null
  outcome: string
  error: string | null
  duration_ms: number
  created_at: Ts
}

export interface Database {
  payments: PaymentsTable
  cancellations: CancellationsTable
  billing_keys: BillingKeysTable
  idempotency_keys: IdempotencyKeysTable
  events: EventsTable
  notifications: NotificationsTable
  webhook_deliveries: WebhookDeliveriesTable
  account_health: AccountHealthTable
  pg_calls: PgCallsTable
}

/** One PG call made for a payment or cancellation (migration 0014), written only by call-log/. */
export interface PgCallsTable {
  id: Generated<string>
  merchant_id: string
  payment_id: string
  cancellation_id: string | null
  account_id: string
  provider: string
  operation: string
  path: string
  started_at: Ts
  duration_ms: number
  outcome: string
  code: string | null
  provider_code: string | null
  provider_message: string | null
}

/** An account's health (migration 0010), shared by every gateway process; written by health/store.ts only. */
export interface AccountHealthTable {
  account_id: string
  merchant_id: string
  /** healthy | ejected | probation */
  status: string
  since: Ts
  /** Why it was last ejected (a short reason, never a PG body). */
  last_error: string | null
  /** Ejected by an operator: only an operator restores it. */
  manual: WithDefault<boolean>
  updated_at: Ts
}

export type Tx = Kysely<Database> | Transaction<Database>

/** A payment as stored: the one row type every module reads. */
export type PaymentRow = Selectable<PaymentsTable>
/** A cancellation as stored. */
export type CancellationRow = Selectable<CancellationsTable>
