import { isBankCode } from './banks.js'
import type {
  ApprovedCheckout,
  CheckoutApproval,
  CheckoutExpected,
  CheckoutLaunch,
  CheckoutRequest,
  CheckoutResult,
  CheckoutReturn,
  UndoneCheckout,
} from './checkout.js'
import type {
  BillingKeyResult,
  CallOptions,
  CancelRequest,
  CancelResult,
  ChargeBillingKeyRequest,
  ChargeResult,
  DeleteBillingKeyRequest,
  DeleteBillingKeyResult,
  IssueBillingKeyRequest,
  IssueVirtualAccountRequest,
  NotificationInput,
  NotificationResult,
  PaymentProvider,
  ProviderCapabilities,
  ProviderId,
  ProviderOperation,
  TransactionLookup,
  VirtualAccountResult,
} from './contract.js'
import { invalidRequest, unsupported } from './errors.js'
import { assertKrw } from './money.js'

/**
 * A base for adapters: every operation fails with `unsupported_operation` until the adapter overrides it,
 * and the shared edge checks (amounts, ids, bank codes) live in one place.
 */
export abstract class BaseProvider implements PaymentProvider {
  abstract readonly id: ProviderId
  abstract readonly capabilities: ProviderCapabilities

  /** The shared edge checks; adapters override it to add their own and call `super.validate(op)`. */
  validate(op: ProviderOperation): void {
    if (op.operation === 'cancel') validateCancelRequest(op.request, this.capabilities, this.id)
    if (op.operation === 'checkout') validateCheckoutRequest(op.request, this.capabilities, this.id)
  }

  cancel(_request: CancelRequest, _options?: CallOptions): Promise<CancelResult> {
    return Promise.reject(unsupported(this.id, 'cancel'))
  }
  issueBillingKey(_r: IssueBillingKeyRequest, _o?: CallOptions): Promise<BillingKeyResult> {
    return Promise.reject(unsupported(this.id, 'issueBillingKey', this.capabilities.notes?.billingKeys))
  }
  chargeBillingKey(_r: ChargeBillingKeyRequest, _o?: CallOptions): Promise<ChargeResult> {
    return Promise.reject(unsupported(this.id, 'chargeBillingKey', this.capabilities.notes?.billingKeys))
  }
  deleteBillingKey(_r: DeleteBillingKeyRequest, _o?: CallOptions): Promise<DeleteBillingKeyResult> {
    return Promise.reject(unsupported(this.id, 'deleteBillingKey', this.capabilities.notes?.billingKeys))
  }
  issueVirtualAccount(_r: IssueVirtualAccountRequest, _o?: CallOptions): Promise<VirtualAccountResult> {
    return Promise.reject(
      unsupported(this.id, 'issueVirtualAccount', this.capabilities.notes?.virtualAccounts),
    )
  }
  getTransaction(_id: string, _o?: CallOptions): Promise<TransactionLookup> {
    return Promise.reject(unsupported(this.id, 'getTransaction', this.capabilities.notes?.paymentLookup))
  }
  lookupOrder(_orderId: string, _o?: CallOptions): Promise<TransactionLookup[]> {
    return Promise.reject(unsupported(this.id, 'lookupOrder', this.capabilities.notes?.orderLookup))
  }
  parseNotification(_i: NotificationInput, _o?: CallOptions): Promise<NotificationResult> {
    return Promise.reject(unsupported(this.id, 'parseNotification', this.capabilities.notes?.notifications))
  }
  startCheckout(_r: CheckoutRequest, _o?: CallOptions): Promise<CheckoutLaunch> {
    return Promise.reject(unsupported(this.id, 'startCheckout', this.capabilities.notes?.checkoutMethods))
  }
  readCheckoutReturn(_i: CheckoutReturn, _e: CheckoutExpected, _o?: CallOptions): Promise<CheckoutResult> {
    return Promise.reject(
      unsupported(this.id, 'readCheckoutReturn', this.capabilities.notes?.checkoutMethods),
    )
  }
  approveCheckout(_a: CheckoutApproval, _e: CheckoutExpected, _o?: CallOptions): Promise<ApprovedCheckout> {
    return Promise.reject(unsupported(this.id, 'approveCheckout', this.capabilities.notes?.checkoutMethods))
  }
  undoCheckout(_a: CheckoutApproval, _reason: string, _o?: CallOptions): Promise<UndoneCheckout> {
    return Promise.reject(unsupported(this.id, 'undoCheckout', this.capabilities.notes?.checkoutMethods))
  }
}

/**
 * The checks every adapter applies to a CheckoutRequest before anything is stored or sent; PG limits (byte
 * lengths, charsets) are the adapter's to add in its own `validate`.
 */
export function validateCheckoutRequest(
  req: CheckoutRequest,
  caps: ProviderCapabilities,
  provider: string,
): void {
  if (!caps.checkoutMethods.includes(req.method)) {
    throw invalidRequest(
      'method',
      caps.checkoutMethods.length === 0
        ? `${provider} accounts take no checkout here`
        : `${provider} checkouts take ${caps.checkoutMethods.join(' or ')}`,
    )
  }
  requireText(req.orderId, 'orderId', 64)
  requireText(req.orderName, 'orderName', 200)
  assertKrw(req.amount, 'amount', 1)
  if (req.taxFreeAmount !== undefined) {
    assertKrw(req.taxFreeAmount, 'taxFreeAmount')
    if (!caps.taxFreeAmount && req.taxFreeAmount > 0) throw unsupported(provider, 'taxFreeAmount')
    if (req.taxFreeAmount > req.amount) throw invalidRequest('taxFreeAmount', 'must not exceed amount')
  }
  for (const field of ['returnUrl', 'closeUrl'] as const) {
    if (!URL.canParse(req[field])) throw invalidRequest(field, 'must be an absolute URL')
  }
}

export function requireText(value: unknown, field: string, maxLength = 1000): string {
  if (typeof value !== 'string' || value.trim() === '') throw invalidRequest(field, 'is required')
  if (value.length > maxLength) throw invalidRequest(field, `must be at most ${maxLength} characters`)
  return value
}

/**
 * The checks every adapter applies to a CancelRequest before anything touches the network. PG-specific limits
 * (byte lengths, charsets) are the adapter's to add.
 */
export function validateCancelRequest(
  req: CancelRequest,
  caps: ProviderCapabilities,
  provider: string,
): void {
  requireText(req.transactionId, 'transactionId', 100)
  requireText(req.cancelId, 'cancelId', 100)
  requireText(req.reason, 'reason', 500)
  if (req.amount !== undefined) assertKrw(req.amount, 'amount', 1)
  if (req.taxFreeAmount !== undefined) {
    assertKrw(req.taxFreeAmount, 'taxFreeAmount')
    if (!caps.taxFreeAmount && req.taxFreeAmount > 0) throw unsupported(provider, 'taxFreeAmount')
    if (req.amount !== undefined && req.taxFreeAmount > req.amount) {
      throw invalidRequest('taxFreeAmount', 'must not exceed amount')
    }
  }
  if (req.paymentAmount !== undefined) assertKrw(req.paymentAmount, 'paymentAmount', 1)
  if (req.refundAccount !== undefined) {
    if (!caps.refundAccount) throw unsupported(provider, 'refundAccount')
    const ra = req.refundAccount
    if (!isBankCode(ra.bankCode))
      throw invalidRequest('refundAccount.bankCode', 'must be a KFTC 3-digit bank code')
    if (typeof ra.accountNumber !== 'string' || !/^[0-9-]{6,20}$/.test(ra.accountNumber)) {
      throw invalidRequest('refundAccount.accountNumber', 'must be 6-20 digits (dashes allowed)')
    }
    requireText(ra.holderName, 'refundAccount.holderName', 50)
  }
}
