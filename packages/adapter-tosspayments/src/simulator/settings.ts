/**
 * Every fact the spec leaves uncertain is a setting, with the spec's reading as the default. A setting that
 * invents an answer says so.
 */
export interface TossSimulatorSettings {
  /** Minimum gap between two cancels of one paymentKey (spec §1.2: "within 1 s only the first is processed"). */
  consecutiveCancelMs: number
  /** READY → EXPIRED after this long without authentication (spec §1.4: 30 minutes). */
  readyTimeoutMs: number
  /** IN_PROGRESS → EXPIRED after this long without confirm (spec §1.4: 10 minutes). */
  inProgressTimeoutMs: number
  /** How long an Idempotency-Key answer is replayed (spec §1.5: 15 days). */
  idempotencyTtlMs: number
  /**
   * Whether an error answer is stored under its Idempotency-Key as well. Toss does not say (invented either
   * way); default false, so a refused cancel (the 1-second rule) can be sent again with its key.
   */
  idempotencyStoresErrors: boolean
  /**
   * The code a deposited virtual-account cancel without `refundReceiveAccount` gets. The spec says the field is
   * "가상계좌 결제에만 필수" but names no code: invented (a refund-side refusal from the table).
   */
  missingRefundAccountCode: string
  /** The code a confirm with another amount or order id gets. Not in the spec: invented. */
  confirmMismatchCode: string
  /** `DELETE /v1/billing/{billingKey}` exists (spec: third-party notes only). When false it answers 404. */
  billingKeyDelete: boolean
  /**
   * The body of a `DEPOSIT_CALLBACK`: `wrapped` `{eventType, createdAt, data}` (spec §1.7), or `flat`
   * `{createdAt, secret, status, transactionKey, orderId}` (the older documented shape; not in the spec).
   */
  depositCallbackShape: 'wrapped' | 'flat'
  /** Webhook retry delays after a failed delivery (spec §1.7: 1, 4, 16, 64, 256, 1024, 4096 minutes). */
  webhookRetryMinutes: readonly number[]
  /** Only test secret keys (`test_sk_`) honour `TossPayments-Test-Code` (third-party observation, §1.1). */
  testCodeNeedsTestKey: boolean
  /**
   * The customer's browser arrives at the success URL twice for one Approve: a background request, then the
   * redirect itself (a reload, a double redirect). Toss's window redirects once; a browser repeats it. Invented
   * (the spec says nothing of it): the case a host's return route must survive with one confirm. Default false.
   */
  successArrivesTwice: boolean
  /**
   * `POST /v1/payments/key-in` (card data sent server to server) "needs extra contract" (spec §1.2). null
   * (default): this merchant has the contract and key-in approves; a code: it has none, and every key-in is
   * answered with that code (Toss's code for it is not in the spec: invented).
   */
  keyInRefusal: string | null
  /** The window's Decline: the fail URL's code and message. */
  declineCode: string
  declineMessage: string
  /**
   * The HTTP status of every code the spec gives no single status for: one of two it names (400/401 for key
   * errors, 400/404 for NOT_FOUND_*), "5xx" without a number, or none at all (billing, Idempotency-Key and
   * window codes: invented). Defaults: `UNCERTAIN_STATUSES`; a test sets the other variants here.
   */
  errorStatuses: Readonly<Record<string, number>>
  /** The code a charge on a deleted or unknown billing key gets. Not in the spec: invented. */
  unknownBillingKeyCode: string
  /**
   * Closing a virtual account before any deposit: the spec says nothing of how Toss books it. `booked` (default)
   * writes a cancels[] entry of the whole amount and balanceAmount 0, like any full cancel; `balanceKept` writes
   * the entry but leaves balanceAmount at totalAmount (no money was ever received). Invented either way.
   */
  waitingAccountClose: 'booked' | 'balanceKept'
}

/** The statuses the simulator chooses where the spec is unsure (see `errorStatuses`). */
export const UNCERTAIN_STATUSES: Readonly<Record<string, number>> = {
  // 400/401 in the spec: 401 for a key Toss does not know, 400 for a malformed one.
  UNAUTHORIZED_KEY: 401,
  INVALID_API_KEY: 400,
  // 400/404 in the spec: 404 for a payment Toss does not have.
  NOT_FOUND_PAYMENT: 404,
  NOT_FOUND_PAYMENT_SESSION: 404,
  // "5xx" in the spec.
  FAILED_PAYMENT_INTERNAL_SYSTEM_PROCESSING: 500,
  FAILED_INTERNAL_SYSTEM_PROCESSING: 500,
  UNKNOWN_PAYMENT_ERROR: 500,
  // No status in the spec (techchat / third-party): invented.
  DUPLICATED_ORDER_ID: 400,
  NOT_MATCHES_CUSTOMER_KEY: 400,
  FAILED_DB_PROCESSING: 400,
  IDEMPOTENT_REQUEST_PROCESSING: 409,
  INVALID_IDEMPOTENCY_KEY: 400,
  // Fail-URL codes of the window, forced through the test-code header: invented.
  PAY_PROCESS_CANCELED: 400,
  REJECT_CARD_PAYMENT: 403,
  EXPIRED_PAYMENT: 400,
}

export const DEFAULT_SETTINGS: TossSimulatorSettings = {
  consecutiveCancelMs: 1_000,
  readyTimeoutMs: 30 * 60_000,
  inProgressTimeoutMs: 10 * 60_000,
  idempotencyTtlMs: 15 * 86_400_000,
  idempotencyStoresErrors: false,
  missingRefundAccountCode: 'INVALID_REFUND_ACCOUNT_INFO',
  confirmMismatchCode: 'INVALID_REQUEST',
  billingKeyDelete: true,
  depositCallbackShape: 'wrapped',
  webhookRetryMinutes: [1, 4, 16, 64, 256, 1024, 4096],
  testCodeNeedsTestKey: true,
  successArrivesTwice: false,
  keyInRefusal: null,
  declineCode: 'REJECT_CARD_PAYMENT',
  declineMessage: '한도초과 혹은 잔액부족으로 결제에 실패했습니다.',
  errorStatuses: UNCERTAIN_STATUSES,
  unknownBillingKeyCode: 'NOT_FOUND_PAYMENT',
  waitingAccountClose: 'booked',
}
