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
  /** The window's Decline: the fail URL's code and message. */
  declineCode: string
  declineMessage: string
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
  declineCode: 'REJECT_CARD_PAYMENT',
  declineMessage: '한도초과 혹은 잔액부족으로 결제에 실패했습니다.',
}
