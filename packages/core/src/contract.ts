/**
 * The provider contract: what every adapter implements. Field names are the neutral ones; PG names never
 * appear here. All amounts are integer KRW; all times are ISO-8601 strings with an offset.
 */
import type { CheckoutMethod, CheckoutProvider, CheckoutRequest, CheckoutVirtualAccount } from './checkout.js'

/** A PG's id: its descriptor's `id` (`nicepay`, …). Open, so that a new PG's package needs no change here. */
export type ProviderId = string

/** What an adapter can do, said up front so callers never have to learn it from an error. */
export interface ProviderCapabilities {
  fullCancel: boolean
  partialCancel: boolean
  /** Refunds of deposited virtual-account / bank-transfer payments to a customer's bank account. */
  refundAccount: boolean
  taxFreeAmount: boolean
  billingKeys: boolean
  virtualAccounts: boolean
  paymentLookup: boolean
  notifications: boolean
  /** A cancel may answer `deposit_required` (the merchant deposits first, the PG finishes later). */
  postDepositCancel: boolean
  /**
   * The PG itself rejects a second cancel with the same `cancelId` (NicePay Moid, Bootpay cancel_id), for THIS
   * account. Only then may an unknown cancel be re-sent; otherwise it is settled from a lookup or reviewed.
   */
  cancelDedup: boolean
  /**
   * The PG itself rejects a second billing-key charge with the same `orderId`, for this account. Only then may
   * an unknown charge be re-sent with the same order id.
   */
  chargeDedup: boolean
  /** Responses carry a signature the adapter verifies. */
  signedResponses: boolean
  /** What the adapter's checkout (startCheckout … approveCheckout) can take; empty: no checkout. */
  checkoutMethods: readonly CheckoutMethod[]
  /**
   * The PG has a network cancel (NicePay NetCancel): `undoCheckout` is safe even when the approval's outcome
   * is unknown, and the host undoes such an approval instead of waiting for a lookup.
   */
  checkoutNetCancel: boolean
  /**
   * The PG charges inside its window (CookiePay): its result reaches the host after the money moved. Such an
   * adapter authenticates a result naming one of the PG's payments without refusing it on the browser's claims
   * (a refusal would leave a charge nobody undoes); `approveCheckout` then verifies it with the PG's lookup,
   * refusing another order's payment and reporting the PG's own amount, for the host to undo a mismatch.
   */
  checkoutChargesInWindow: boolean
  /**
   * `lookupOrder` lists every payment the PG holds for a merchant order id: how a checkout whose customer never
   * came back (or paid twice in the PG's window) is settled from evidence.
   */
  orderLookup: boolean
  /** Why a capability is off, for the ones that are. */
  notes?: Partial<Record<Exclude<keyof ProviderCapabilities, 'notes'>, string>>
}

export interface RefundAccount {
  /** KFTC 3-digit bank code (see `BANKS`). */
  bankCode: string
  accountNumber: string
  holderName: string
}

export interface CancelRequest {
  /** The PG's id of the payment: NicePay TID, Bootpay receipt_id, CookiePay tid. */
  transactionId: string
  /** Omitted: cancel everything that remains. */
  amount?: number
  taxFreeAmount?: number
  reason: string
  /**
   * Unique per cancel attempt and stable across retries of that attempt. Adapters derive the PG's own
   * duplicate guard from it, so resending the same request can never cancel twice.
   */
  cancelId: string
  refundAccount?: RefundAccount
  orderId?: string
  /** The payment's total, when the caller knows it (some PGs need it to tell full from partial). */
  paymentAmount?: number
}

export interface CancelledResult {
  status: 'cancelled'
  /** What this cancel moved. */
  cancelledAmount: number
  /** What remains cancellable, when the PG says so. */
  remainingAmount?: number
  /** The PG's id of this cancel transaction. */
  providerCancelId?: string
  cancelledAt: string
  providerCode: string
  providerMessage: string
}

export interface DepositInstructions {
  bankName: string
  bankCode?: string
  accountNumber: string
  holderName?: string
  /** What the merchant must deposit. */
  depositAmount: number
  /** What will be cancelled once the deposit arrives. */
  cancelAmount: number
  /** Deposit deadline, when the PG gives one. */
  deadline?: string
}

export interface DepositRequiredResult {
  status: 'deposit_required'
  deposit: DepositInstructions
  providerCode: string
  providerMessage: string
}

/**
 * The PG took the cancel (typically a refund to a bank account) and executes it later (NicePay 2225 "환불 접수
 * 성공"): the amount is committed, but no money has moved yet.
 */
export interface CancelAcceptedResult {
  status: 'accepted'
  /** What the PG accepted to return. */
  acceptedAmount: number
  providerCancelId?: string
  acceptedAt: string
  providerCode: string
  providerMessage: string
}

export type CancelResult = CancelledResult | DepositRequiredResult | CancelAcceptedResult

export interface Buyer {
  name?: string
  email?: string
  phone?: string
}

/** Card data lives only in memory for the duration of one call. */
export interface CardData {
  number: string
  /** Two or four digits. */
  expiryYear: string
  expiryMonth: string
  /** Birth date YYMMDD (personal) or 10-digit business registration number. */
  ownerId?: string
  /** First two digits of the card password. */
  passwordPrefix?: string
}

export interface IssueBillingKeyRequest {
  card: CardData
  /** Unique per issue request; PGs use it as the order id of the registration. */
  requestId: string
  customerId?: string
  goodsName?: string
  buyer?: Buyer
}

export interface BillingKeyResult {
  billingKey: string
  cardCode?: string
  cardName?: string
  /** Masked card number as the PG returns it (never the full number). */
  cardNumberMasked?: string
  issuedAt: string
  providerCode: string
  providerMessage: string
}

export interface ChargeBillingKeyRequest {
  billingKey: string
  /** Merchant order id, unique per charge: the PG's duplicate guard where it has one. */
  orderId: string
  amount: number
  taxFreeAmount?: number
  goodsName: string
  installmentMonths?: number
  interestFree?: boolean
  buyer?: Buyer
}

export interface ChargeResult {
  status: 'paid'
  transactionId: string
  amount: number
  approvedAt: string
  approvalNumber?: string
  cardCode?: string
  cardName?: string
  providerCode: string
  providerMessage: string
}

export interface DeleteBillingKeyRequest {
  billingKey: string
  requestId?: string
  reason?: string
}

export interface DeleteBillingKeyResult {
  deletedAt: string
  providerCode: string
  providerMessage: string
}

export interface CashReceipt {
  type: 'income_deduction' | 'proof_of_expense'
  /** Phone number, card number or business number the receipt is issued to. */
  identifier: string
}

export interface IssueVirtualAccountRequest {
  orderId: string
  amount: number
  taxFreeAmount?: number
  goodsName: string
  /** KFTC 3-digit bank code. */
  bankCode: string
  /** Due date `YYYY-MM-DD` (end of that day) or a full ISO timestamp. */
  dueDate: string
  depositorName?: string
  cashReceipt?: CashReceipt
  buyer?: Buyer
}

export interface VirtualAccountResult {
  transactionId: string
  bankCode: string
  bankName: string
  accountNumber: string
  holderName?: string
  amount: number
  dueDate: string
  issuedAt: string
  providerCode: string
  providerMessage: string
  /**
   * A secret the PG's notifications about this account will carry, where the PG signs nothing else (Toss's
   * `secret`): the host keeps it sealed and hands it back in `ExpectedPayment.notificationSecret`, so a
   * notification carrying another one is refused before anything is looked up.
   */
  notificationSecret?: string
}

export type TransactionStatus =
  | 'ready'
  | 'waiting_for_deposit'
  | 'paid'
  | 'partial_cancelled'
  | 'cancelled'
  | 'failed'
  | 'expired'
  | 'unknown'

export type PaymentMethod = 'card' | 'virtual_account' | 'bank_transfer' | 'phone' | 'easy_pay' | 'other'

export interface TransactionCancel {
  /** Undefined when the PG's lookup names the cancel but not its amount. */
  amount?: number
  cancelledAt?: string
  providerCancelId?: string
  /** The `cancelId` of the cancel, where the PG echoes it. */
  cancelId?: string
}

export interface TransactionLookup {
  transactionId: string
  status: TransactionStatus
  /**
   * The amounts are undefined when the PG's lookup does not report them (NicePay's trans_status answers a state
   * and the last cancel's Moid only): a caller then decides from `status` and `cancels`, never from a guess.
   */
  amount?: number
  cancelledAmount?: number
  cancellableAmount?: number
  method?: PaymentMethod
  orderId?: string
  approvedAt?: string
  cancels?: TransactionCancel[]
  providerStatus?: string
  /** What the PG answered, verbatim and free of secrets: attached to an item a person must review. */
  evidence?: Record<string, string>
  /**
   * The `VirtualAccountResult.notificationSecret` of the payment's virtual account, where the lookup answers it:
   * a host that never heard the issue's (or the approval's) answer keeps it from here. Never evidence.
   */
  notificationSecret?: string
  /**
   * The payment's virtual account (bank, number, holder, due date), where the lookup answers it: a host that
   * never heard the issue's (or the approval's) answer can still tell the customer where to deposit.
   */
  virtualAccount?: CheckoutVirtualAccount
}

/** A lookup whose PG reports the amounts (Bootpay receipts, CookiePay paycert). */
export type AmountedLookup = TransactionLookup &
  Required<Pick<TransactionLookup, 'amount' | 'cancelledAmount' | 'cancellableAmount'>>

export interface NotificationInput {
  /** The body exactly as received: never re-serialised (NicePay sends EUC-KR forms). */
  rawBody: Uint8Array
  headers: Record<string, string>
  sourceIp?: string
  /**
   * Looks up what the caller issued or knows for a transaction, so the adapter can match account and amount.
   * Optional; adapters that re-query the PG do so as well.
   */
  expected?: (ref: { transactionId?: string; orderId?: string }) => Promise<ExpectedPayment | undefined>
}

export interface ExpectedPayment {
  transactionId: string
  amount: number
  accountNumber?: string
  /**
   * The notification secret kept for the payment (`VirtualAccountResult.notificationSecret`, or the approval's or
   * a lookup's), when there was one.
   */
  notificationSecret?: string
}

export type NotificationEvent =
  | {
      type: 'payment.paid'
      transactionId: string
      orderId?: string
      amount: number
      method?: PaymentMethod
      paidAt: string
      depositorName?: string
    }
  | {
      type: 'payment.cancelled'
      transactionId: string
      /** What the cancel behind this notification moved, when the PG says so. */
      cancelledAmount?: number
      /**
       * Everything cancelled on the payment so far, when the PG says so instead (Bootpay's receipts carry only
       * this running total). At least one of the two amounts is present.
       */
      totalCancelledAmount?: number
      remainingAmount?: number
      providerCancelId?: string
      cancelledAt: string
    }
  | { type: 'payment.failed'; transactionId: string; reason?: string }
  | { type: 'payment.other'; transactionId?: string; providerStatus: string }

/** The HTTP answer the PG expects back, so it stops retrying (or retries, on failure). */
export interface NotificationReply {
  status: number
  headers: Record<string, string>
  body: string
}

/**
 * A well-formed notification the PG does not sign: a reason to look the payment up, never a state change by
 * itself. Read from the body alone (no PG call: a forged one must cost nothing); the host looks the payment up
 * under its own rate limit and settles from what the PG's lookup shows.
 */
export interface NotificationHint {
  /** The PG's id of the payment the notification names, when it names one. */
  transactionId?: string
  /** The merchant order id, when named: finds a checkout whose transaction id the host does not know yet. */
  orderId?: string
  /** What the notification claims: for logs and review, never applied as it stands. */
  claimed: NotificationEvent['type']
  /**
   * What the PG names (its transaction id and the state claimed), never a field a sender can vary freely
   * (a cancel's own id, a timestamp): repeats of one hint collapse onto it.
   */
  dedupKey: string
  /**
   * What else the notification names, verbatim (an amount, the PG's id of a cancel): to find the payment when it
   * names no transaction id, and for review. A claim like `claimed`, never applied.
   */
  evidence?: Record<string, string>
}

/**
 * `verified`: the PG signed it (or a secret only the PG and we know matched): apply `event` once under
 * `dedupKey`. Not verified with a `hint`: unsigned but well-formed, so the host looks the payment up (`reason`
 * says why it is only a hint). Not verified without one: refused (`reply` tells the PG).
 */
export type NotificationResult =
  | { verified: true; event: NotificationEvent; dedupKey: string; reply: NotificationReply }
  | {
      verified: false
      reason: string
      reply: NotificationReply
      hint?: NotificationHint
    }

export interface CallOptions {
  signal?: AbortSignal
  /** Overrides the adapter's read timeout for this call. */
  timeoutMs?: number
}

/** One PG call as data: what `validate` checks before anything is recorded or sent. */
export type ProviderOperation =
  | { operation: 'cancel'; request: CancelRequest }
  | { operation: 'issueBillingKey'; request: IssueBillingKeyRequest }
  | { operation: 'chargeBillingKey'; request: ChargeBillingKeyRequest }
  | { operation: 'deleteBillingKey'; request: DeleteBillingKeyRequest }
  | { operation: 'issueVirtualAccount'; request: IssueVirtualAccountRequest }
  | { operation: 'checkout'; request: CheckoutRequest }

export interface PaymentProvider extends CheckoutProvider {
  readonly id: ProviderId
  readonly capabilities: ProviderCapabilities
  /**
   * The adapter's whole pre-flight check of a request, pure: no I/O, no PG call, nothing stored. Throws the
   * same `invalid_request` / `unsupported_operation` PaymentError (naming the field) that the operation itself
   * would throw before sending. A caller runs it before it records anything, so a request the adapter would
   * refuse leaves no trace. The operations still run it themselves.
   */
  validate(op: ProviderOperation): void
  cancel(request: CancelRequest, options?: CallOptions): Promise<CancelResult>
  issueBillingKey(request: IssueBillingKeyRequest, options?: CallOptions): Promise<BillingKeyResult>
  chargeBillingKey(request: ChargeBillingKeyRequest, options?: CallOptions): Promise<ChargeResult>
  deleteBillingKey(request: DeleteBillingKeyRequest, options?: CallOptions): Promise<DeleteBillingKeyResult>
  issueVirtualAccount(
    request: IssueVirtualAccountRequest,
    options?: CallOptions,
  ): Promise<VirtualAccountResult>
  getTransaction(transactionId: string, options?: CallOptions): Promise<TransactionLookup>
  /** Every payment the PG holds for this merchant order id (`capabilities.orderLookup`); empty: none. */
  lookupOrder(orderId: string, options?: CallOptions): Promise<TransactionLookup[]>
  /**
   * Reads a PG notification. A signed one is verified here; an unsigned one answers a `hint` and makes NO PG
   * call (the host looks the payment up under its own rate limit).
   */
  parseNotification(input: NotificationInput, options?: CallOptions): Promise<NotificationResult>
  /**
   * The cheapest authenticated call the PG allows, for a host's health checks: a token issue, or a lookup of a
   * transaction that cannot exist answered by the PG's own "not found" code. Moves nothing and is never cached
   * (a token cache would answer without asking the PG). Resolves when the PG answered as a working PG does;
   * otherwise throws a PaymentError: `authentication_failed` for refused credentials, `timeout`,
   * `provider_unavailable` or `invalid_response` when it could not be heard or read. Optional: a host without
   * it falls back to a lookup of its own.
   */
  probe?(options?: CallOptions): Promise<void>
}
