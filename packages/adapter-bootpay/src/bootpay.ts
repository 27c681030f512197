import {
  type ApprovedCheckout,
  BaseProvider,
  type BillingKeyResult,
  type CheckoutApproval,
  type CheckoutExpected,
  type CheckoutLaunch,
  type CheckoutRequest,
  type CheckoutResult,
  type CheckoutReturn,
  type UndoneCheckout,
  type CallOptions,
  type CancelRequest,
  type CancelResult,
  type ChargeBillingKeyRequest,
  type ChargeResult,
  type DeleteBillingKeyRequest,
  type DeleteBillingKeyResult,
  type FetchLike,
  type HttpCallEvent,
  type IssueBillingKeyRequest,
  invalidRequest,
  isPaymentError,
  kstIso,
  type Logger,
  type NotificationInput,
  type NotificationResult,
  type ProviderCapabilities,
  requireText,
  type AmountedLookup,
  PaymentError,
  type ProviderOperation,
  unsupported,
} from '@paymux/core'
import { BootpayClient, type Credentials } from './client.js'
import {
  chargeBody,
  issueBody,
  readCharge,
  readIssued,
  validateCard,
  validateCharge,
} from './transformers/billing.js'
import {
  bootpayBankCode,
  cancelBody,
  readV1Cancel,
  readV2Cancel,
  validatePartialPrice,
} from './transformers/cancel.js'
import {
  BOOTPAY_NOTIFICATION_IPS,
  eventFromBody,
  failReply,
  hintOf,
  ipAllowed,
  okReply,
  parseNotificationBody,
  sameSecret,
} from './transformers/notification.js'
import {
  APPROVED_STATUSES,
  AWAITING_CONFIRM,
  answeredStatus,
  approvedFrom,
  BOOTPAY_SDK_ORIGIN,
  checkoutPayload,
  mismatch,
  NEVER_APPROVED_STATUSES,
  RECEIPT_ID,
  returnFields,
  sdkPath,
  startScript,
  validateCheckout,
} from './transformers/checkout.js'
import { readReceipt } from './transformers/receipt.js'
import { NOT_CONFIRM_READY } from './codes.js'
import { type ApiVersion, type Json, num, PROVIDER, str } from './wire.js'

export type BootpayEnvironment = 'production' | 'stage' | 'development'

const HOSTS: Record<BootpayEnvironment, string> = {
  production: 'https://api.bootpay.co.kr',
  stage: 'https://stage-api.bootpay.co.kr',
  development: 'https://dev-api.bootpay.co.kr',
}

interface CommonOptions {
  /** Default `v2`. */
  apiVersion?: ApiVersion
  /**
   * The API base. v1: the host (`https://api.bootpay.co.kr`); v2: the host with `/v2` (added when missing).
   * Default: the `environment`'s host.
   */
  baseUrl?: string
  /** Picks Bootpay's production, stage or development host when `baseUrl` is not given. Default production. */
  environment?: BootpayEnvironment
  timeoutMs?: number
  connectTimeoutMs?: number
  fetch?: FetchLike
  clock?: () => number
  logger?: Logger
  onCall?: (event: HttpCallEvent) => void
  /** Name sent as the canceller (`name` / `cancel_username`). Default `paymux`. */
  cancelUsername?: string
  /** PG for REST billing-key issue (`pg`). Default `nicepay`. */
  billingPg?: string
  /** Sends `extra.subscribe_test_payment` on billing-key issue. */
  subscribeTestPayment?: boolean
  /** `feedback_url` sent with billing-key charges. */
  billingFeedbackUrl?: string
  /** Sender IPs accepted for notifications (IPv4 CIDR). Default Bootpay's 223.130.82.0/24; `[]` turns the check off. */
  notificationIpAllowList?: readonly string[]
  /** v1 only: use the `.json` routes older Bootpay clients call (`/cancel.json`, …). */
  v1JsonSuffix?: boolean
  /**
   * v2 only. A v2 cancel answers the new running total, not what the cancel moved, so a full cancel looks the
   * receipt up first and reports the total minus what was cancelled just before (a partial cancel made elsewhere
   * included). Default `true`; `false` trusts the total this instance last saw (none: nothing cancelled before),
   * which overstates the amount after a partial cancel made elsewhere.
   */
  lookupBeforeFullCancel?: boolean
  /**
   * The application id of the merchant's Bootpay *web* (JavaScript) application, which the checkout page hands
   * to `Bootpay.requestPayment`. Bootpay issues one id per platform: the REST `applicationId` above is not it.
   * Without it the account takes no checkout (`capabilities.checkoutMethods` is empty).
   */
  webApplicationId?: string
  /** `pg` of the checkout window (`nicepay`, `kcp`, …). Default none: Bootpay's window lists the merchant's PGs. */
  checkoutPg?: string
  /**
   * The script the checkout page loads. Default Bootpay's CDN build (`https://js.bootpay.co.kr/bootpay-5.3.0.min.js`),
   * or, when `baseUrl` points at a host that is not Bootpay's (the simulator), the same path on that host.
   */
  sdkUrl?: string
}

export type BootpayOptions = CommonOptions &
  (
    | { applicationId: string; privateKey: string }
    | { apiVersion?: 'v2'; clientKey: string; secretKey: string }
  )

const baseCapabilities: ProviderCapabilities = {
  fullCancel: true,
  partialCancel: true,
  refundAccount: true,
  taxFreeAmount: true,
  billingKeys: true,
  virtualAccounts: false,
  paymentLookup: true,
  notifications: true,
  postDepositCancel: false,
  cancelDedup: true,
  chargeDedup: false,
  signedResponses: false,
  checkoutMethods: [],
  checkoutNetCancel: false,
  checkoutChargesInWindow: false,
  orderLookup: false,
  notes: {
    partialCancel:
      'only card payments through inicis, kcp, danal, payletter, nicepay, kakao, payco (Bootpay manual)',
    refundAccount: 'virtual-account refunds need a CMS agreement between the merchant and the PG',
    virtualAccounts:
      'Bootpay issues virtual accounts only through its client SDK; there is no server API for it',
    postDepositCancel: 'Bootpay has no deposit-then-cancel flow',
    signedResponses: 'Bootpay answers over TLS without a signature',
    checkoutNetCancel:
      'Bootpay has no network cancel: an unanswered confirm is settled from the receipt, an unwanted approval is cancelled',
    orderLookup:
      'Bootpay documents no lookup by order_id (v1 or v2): receipts are looked up by receipt_id only',
  },
}

/** Where the checkout page's script comes from, and what the page must allow. */
interface CheckoutSetup {
  applicationId: string | undefined
  pg: string | undefined
  scriptUrl: string
  origins: string[]
}

function checkoutSetup(o: CommonOptions, apiHost: string): CheckoutSetup {
  const common = { applicationId: o.webApplicationId, pg: o.checkoutPg }
  const apiOrigin = new URL(apiHost).origin
  if (o.sdkUrl) {
    const origins = [new URL(o.sdkUrl).origin, apiOrigin, 'https://gw.bootpay.co.kr']
    return { ...common, scriptUrl: o.sdkUrl, origins: [...new Set(origins)] }
  }
  // A base URL off Bootpay's domain is its simulator (or a stand-in): its script and window are served there.
  if (o.baseUrl && !/(^|\.)bootpay\.co\.kr$/.test(new URL(apiHost).hostname)) {
    return { ...common, scriptUrl: `${apiOrigin}${sdkPath()}`, origins: [apiOrigin] }
  }
  // The SDK posts the order into its iframe at the API host and shows Bootpay's window from its gateway.
  const origins = [BOOTPAY_SDK_ORIGIN, apiOrigin, 'https://gw.bootpay.co.kr']
  return { ...common, scriptUrl: `${BOOTPAY_SDK_ORIGIN}${sdkPath()}`, origins: [...new Set(origins)] }
}

const notPaid = (message: string, providerCode?: string) =>
  new PaymentError({
    code: 'provider_rejected',
    outcome: 'rejected',
    provider: PROVIDER,
    ...(providerCode !== undefined ? { providerCode } : {}),
    message,
  })

/** Bootpay REST API (v1 or v2) as a paymux PaymentProvider. */
export class Bootpay extends BaseProvider {
  readonly id = 'bootpay'
  readonly capabilities: ProviderCapabilities
  readonly apiVersion: ApiVersion
  readonly client: BootpayClient
  #clock: () => number
  #canceller: string
  #billing: { pg: string; subscribeTestPayment?: boolean; feedbackUrl?: string }
  #ipAllow: readonly string[]
  #lookupBeforeFull: boolean
  #privateKey: string | undefined
  #checkout: CheckoutSetup
  /** Running cancelled totals seen per receipt: a v2 full cancel answers only the new total. */
  #known = new Map<string, number>()

  constructor(options: BootpayOptions) {
    super()
    const o = options as CommonOptions &
      Partial<Record<'applicationId' | 'privateKey' | 'clientKey' | 'secretKey', string>>
    const version = o.apiVersion ?? 'v2'
    if (version !== 'v1' && version !== 'v2') throw invalidRequest('apiVersion', "must be 'v1' or 'v2'")
    this.apiVersion = version
    let credentials: Credentials
    const hasBasic = o.clientKey !== undefined || o.secretKey !== undefined
    if (hasBasic && version === 'v1' && o.applicationId === undefined) {
      throw invalidRequest('clientKey', 'client_key/secret_key (Basic) exists only on v2')
    }
    // Like Bootpay's SDK: with both key pairs, v2 uses the Basic pair.
    if (hasBasic && version === 'v2') {
      credentials = {
        kind: 'basic',
        clientKey: requireText(o.clientKey, 'clientKey'),
        secretKey: requireText(o.secretKey, 'secretKey'),
      }
    } else {
      credentials = {
        kind: 'token',
        applicationId: requireText(o.applicationId, 'applicationId'),
        privateKey: requireText(o.privateKey, 'privateKey'),
      }
      this.#privateKey = credentials.privateKey
    }
    const host = (o.baseUrl ?? HOSTS[o.environment ?? 'production']).replace(/\/+$/, '')
    const baseUrl = version === 'v2' && !/\/v2$/.test(host) ? `${host}/v2` : host
    this.#checkout = checkoutSetup(o, host)
    this.capabilities = this.#checkout.applicationId
      ? { ...baseCapabilities, checkoutMethods: ['card', 'virtual_account'] }
      : {
          ...baseCapabilities,
          notes: {
            ...baseCapabilities.notes,
            checkoutMethods: "set webApplicationId (the Bootpay web application's id) to take checkouts",
          },
        }
    this.#clock = o.clock ?? Date.now
    this.#canceller = o.cancelUsername ?? 'paymux'
    this.#billing = {
      pg: o.billingPg ?? 'nicepay',
      ...(o.subscribeTestPayment !== undefined ? { subscribeTestPayment: o.subscribeTestPayment } : {}),
      ...(o.billingFeedbackUrl ? { feedbackUrl: o.billingFeedbackUrl } : {}),
    }
    this.#ipAllow = o.notificationIpAllowList ?? BOOTPAY_NOTIFICATION_IPS
    this.#lookupBeforeFull = o.lookupBeforeFullCancel !== false
    this.client = new BootpayClient({
      apiVersion: version,
      credentials,
      baseUrl,
      clock: this.#clock,
      ...(o.timeoutMs !== undefined ? { timeoutMs: o.timeoutMs } : {}),
      ...(o.connectTimeoutMs !== undefined ? { connectTimeoutMs: o.connectTimeoutMs } : {}),
      ...(o.fetch ? { fetch: o.fetch } : {}),
      ...(o.logger ? { logger: o.logger } : {}),
      ...(o.onCall ? { onCall: o.onCall } : {}),
      ...(o.v1JsonSuffix ? { v1JsonSuffix: true } : {}),
    })
  }

  /** Fetches the access token ahead of the first call (no-op with Basic keys). */
  warmUp(): Promise<void> {
    return this.client.warmUp()
  }

  #remember(receiptId: string, cancelled: number): void {
    this.#known.delete(receiptId)
    this.#known.set(receiptId, cancelled)
    if (this.#known.size > 10_000) this.#known.delete(this.#known.keys().next().value as string)
  }

  /** Every check an operation makes before it sends anything: pure, so a caller can run it before recording. */
  override validate(op: ProviderOperation): void {
    super.validate(op)
    switch (op.operation) {
      case 'cancel':
        requireText(op.request.transactionId, 'transactionId', 64)
        validatePartialPrice(op.request)
        if (op.request.refundAccount) bootpayBankCode(op.request.refundAccount.bankCode)
        return
      case 'issueBillingKey':
        validateCard(op.request)
        return
      case 'chargeBillingKey':
        validateCharge(op.request)
        return
      case 'deleteBillingKey':
        requireText(op.request.billingKey, 'billingKey', 100)
        return
      case 'issueVirtualAccount':
        throw unsupported(this.id, 'issueVirtualAccount', this.capabilities.notes?.virtualAccounts)
      case 'checkout':
        validateCheckout(op.request)
        return
    }
  }

  override async cancel(req: CancelRequest, options?: CallOptions): Promise<CancelResult> {
    this.validate({ operation: 'cancel', request: req })
    const body = cancelBody(this.apiVersion, req, this.#canceller)
    let before = this.#known.get(req.transactionId)
    // A v2 answer names only the new running total: what a full cancel moved is that minus the total just before.
    if (req.amount === undefined && this.apiVersion === 'v2' && this.#lookupBeforeFull) {
      before = (await this.getTransaction(req.transactionId, options)).cancelledAmount
    }
    let data: Json
    try {
      data = await this.client.call(
        { operation: 'cancel', method: 'POST', path: '/cancel', body, moneyMoving: true },
        options,
      )
    } catch (err) {
      if (isPaymentError(err) && err.code === 'already_cancelled')
        throw await this.#settleAlreadyCancelled(req, err, options)
      throw err
    }
    const now = this.#clock()
    const result =
      this.apiVersion === 'v1' ? readV1Cancel(data, req, before, now) : readV2Cancel(data, req, before, now)
    const total = num(data.cancelled_price)
    if (total !== undefined) this.#remember(req.transactionId, total)
    return result
  }

  /**
   * "Already cancelled" (by code, or by the PG's "기취소된 건입니다"): seed 003 says a PG-side cancel (test-mode
   * scheduler, the PG's console) is not reflected in Bootpay. Only a receipt that shows nothing left to cancel
   * makes it a plain refusal; otherwise the money may well have been returned outside Bootpay and the outcome is
   * unknown: the PG's own records must settle it, never a failed cancel on our side.
   */
  async #settleAlreadyCancelled(
    req: CancelRequest,
    err: PaymentError,
    options?: CallOptions,
  ): Promise<PaymentError> {
    const raw = {
      ...(err.providerCode !== undefined ? { providerCode: err.providerCode } : {}),
      ...(err.providerMessage !== undefined ? { providerMessage: err.providerMessage } : {}),
    }
    let t: AmountedLookup
    try {
      t = await this.getTransaction(req.transactionId, options)
    } catch (lookupErr) {
      return new PaymentError({
        code: 'already_cancelled',
        outcome: 'unknown',
        provider: this.id,
        ...raw,
        message: `bootpay: the PG says the payment is already cancelled and the receipt could not be read (${isPaymentError(lookupErr) ? lookupErr.code : 'error'}); check the PG's records`,
      })
    }
    if (t.cancellableAmount === 0 && t.cancelledAmount >= t.amount) {
      return new PaymentError({
        code: 'already_cancelled',
        provider: this.id,
        ...raw,
        message: `bootpay: already cancelled; the receipt shows ${t.cancelledAmount} of ${t.amount} cancelled`,
      })
    }
    return new PaymentError({
      code: 'already_cancelled',
      outcome: 'unknown',
      provider: this.id,
      ...raw,
      message:
        `bootpay: the PG says the payment is already cancelled while Bootpay's receipt shows ${t.cancellableAmount} ` +
        `of ${t.amount} cancellable (status ${t.providerStatus ?? t.status}): it was cancelled at the PG outside ` +
        "Bootpay; check the PG's records before anything else is refunded",
    })
  }

  /** The health probe: see BootpayClient.probe (a fresh token, or in Basic mode a receipt that cannot exist). */
  async probe(options?: CallOptions): Promise<void> {
    await this.client.probe(options)
  }

  override async getTransaction(transactionId: string, options?: CallOptions): Promise<AmountedLookup> {
    return (await this.#receipt(transactionId, options)).lookup
  }

  /** The receipt as Bootpay answers it, and read. */
  async #receipt(
    transactionId: string,
    options?: CallOptions,
  ): Promise<{ raw: Json; lookup: AmountedLookup }> {
    requireText(transactionId, 'transactionId', 64)
    const id = encodeURIComponent(transactionId)
    const raw = await this.client.call(
      {
        operation: 'receipt',
        method: 'GET',
        path: `/receipt/${id}`,
        ...(this.apiVersion === 'v2' ? { query: 'lookup_user_data=false' } : {}),
        moneyMoving: false,
      },
      options,
    )
    const lookup = readReceipt(this.apiVersion, raw, transactionId)
    this.#remember(transactionId, lookup.cancelledAmount)
    return { raw, lookup }
  }

  // ---- checkout (separately confirmed: the window authenticates, this server confirms) ----

  override async startCheckout(req: CheckoutRequest, _options?: CallOptions): Promise<CheckoutLaunch> {
    this.validate({ operation: 'checkout', request: req })
    const { applicationId, pg, scriptUrl, origins } = this.#checkout
    const payload = checkoutPayload(req, { applicationId: applicationId ?? '', ...(pg ? { pg } : {}) })
    return { scripts: [scriptUrl], start: startScript(payload, req.returnUrl, req.closeUrl), origins }
  }

  /**
   * Bootpay signs nothing in the redirect (checkout.md §2.3): its query says which receipt, and the receipt read
   * from Bootpay with our keys says the rest. The browser's price and status are never read.
   */
  override async readCheckoutReturn(
    input: CheckoutReturn,
    expected: CheckoutExpected,
    options?: CallOptions,
  ): Promise<CheckoutResult> {
    const f = returnFields(input)
    const event = str(f.event)
    const receiptId = str(f.receipt_id)
    if (event === 'error' || event === 'cancel') {
      const code = str(f.error_code) ?? (event === 'cancel' ? 'RC_CLOSE_WINDOW' : 'error')
      const pgCode = str(f.pg_error_code)
      return {
        outcome: 'declined',
        code,
        message: `${str(f.message) ?? (event === 'cancel' ? 'the customer closed the window' : 'the window reported an error')}${pgCode ? ` (pg_error_code ${pgCode})` : ''}`,
        ...(receiptId && RECEIPT_ID.test(receiptId) ? { transactionId: receiptId } : {}),
      }
    }
    if (!receiptId) return { outcome: 'refused', reason: 'the result names no receipt_id' }
    if (!RECEIPT_ID.test(receiptId)) return { outcome: 'refused', reason: 'the receipt_id is malformed' }
    const claimedOrder = str(f.order_id)
    if (claimedOrder !== undefined && claimedOrder !== expected.orderId)
      return { outcome: 'refused', reason: 'the result names another order' }
    let t: AmountedLookup
    try {
      t = (await this.#receipt(receiptId, options)).lookup
    } catch (err) {
      if (isPaymentError(err) && err.code === 'transaction_not_found')
        return { outcome: 'refused', reason: 'Bootpay does not know this receipt' }
      throw err
    }
    const wrong = mismatch(t, expected)
    if (wrong) return { outcome: 'refused', reason: wrong }
    const status = t.providerStatus ?? ''
    if (status !== AWAITING_CONFIRM && !APPROVED_STATUSES.has(status)) {
      return {
        outcome: 'declined',
        code: `status_${status || 'unknown'}`,
        message: `the receipt is in status ${status || 'unknown'}, not awaiting a confirm`,
        transactionId: t.transactionId,
      }
    }
    return {
      outcome: 'authenticated',
      approval: { transactionId: t.transactionId, amount: t.amount, data: { orderId: expected.orderId } },
    }
  }

  /**
   * Bootpay's sequence (checkout.md §2.4): the receipt must await a confirm for the stored order's price, then
   * `/v2/confirm` (v1 `/submit`), then the receipt must show the payment approved for that price. A receipt
   * already approved (an earlier confirm whose answer was lost) is read, not confirmed again.
   */
  override async approveCheckout(
    approval: CheckoutApproval,
    expected: CheckoutExpected,
    options?: CallOptions,
  ): Promise<ApprovedCheckout> {
    const id = requireText(approval.transactionId, 'transactionId', 64)
    if (approval.amount !== expected.amount)
      throw notPaid(
        `bootpay confirm: the approval is for ${approval.amount}, the order for ${expected.amount}`,
      )
    const before = await this.#receipt(id, options)
    if (before.lookup.orderId !== expected.orderId)
      throw notPaid('bootpay confirm: the receipt belongs to another order; not confirmed')
    const status = before.lookup.providerStatus ?? ''
    // Approved already (money moved): the host compares the amount and undoes a mismatch.
    if (APPROVED_STATUSES.has(status)) return approvedFrom(this.apiVersion, before.raw, before.lookup)
    const wrong = mismatch(before.lookup, expected)
    // Nothing is confirmed for another price or method: no money moves.
    if (wrong) throw notPaid(`bootpay confirm: ${wrong}; not confirmed`)
    if (status !== AWAITING_CONFIRM)
      throw notPaid(
        `bootpay confirm: the receipt is in status ${status || 'unknown'}, not awaiting a confirm`,
        status,
      )
    let answer: Json
    try {
      answer = await this.client.call(
        {
          operation: 'confirm',
          method: 'POST',
          path: this.apiVersion === 'v1' ? '/submit' : '/confirm',
          body: { receipt_id: id },
          moneyMoving: true,
        },
        options,
      )
    } catch (err) {
      if (isPaymentError(err) && err.providerCode !== undefined && NOT_CONFIRM_READY.has(err.providerCode))
        return this.#settleNotReady(id, expected, err, options)
      throw err
    }
    const said = answeredStatus(answer)
    if (said?.startsWith('-'))
      throw notPaid(`bootpay confirm: the answer shows the receipt in status ${said}`, said)
    return this.#confirmed(id, expected, options)
  }

  /** After a confirm Bootpay answered: the receipt must now show the approval. */
  async #confirmed(id: string, expected: CheckoutExpected, options?: CallOptions): Promise<ApprovedCheckout> {
    let after: { raw: Json; lookup: AmountedLookup }
    try {
      after = await this.#receipt(id, options)
    } catch (err) {
      throw new PaymentError({
        code: 'invalid_response',
        outcome: 'unknown',
        provider: PROVIDER,
        message: `bootpay confirm: answered, but the receipt could not be read to verify it (${isPaymentError(err) ? err.code : 'error'})`,
        cause: err,
      })
    }
    const status = after.lookup.providerStatus ?? ''
    if (APPROVED_STATUSES.has(status)) {
      // The host compares the amount with the order and undoes a mismatch; the order itself must be ours.
      if (after.lookup.orderId !== expected.orderId) {
        throw new PaymentError({
          code: 'invalid_response',
          outcome: 'unknown',
          provider: PROVIDER,
          message: 'bootpay confirm: the confirmed receipt names another order',
        })
      }
      return approvedFrom(this.apiVersion, after.raw, after.lookup)
    }
    if (NEVER_APPROVED_STATUSES.has(status))
      throw notPaid(`bootpay confirm: the receipt is in status ${status} after the confirm`, status)
    throw new PaymentError({
      code: 'invalid_response',
      outcome: 'unknown',
      provider: PROVIDER,
      message: `bootpay confirm: answered, but the receipt is in status ${status || 'unknown'}`,
    })
  }

  /** "Not awaiting a confirm" to a receipt that was: another confirm got there first, or it lapsed or failed. */
  async #settleNotReady(
    id: string,
    expected: CheckoutExpected,
    err: PaymentError,
    options?: CallOptions,
  ): Promise<ApprovedCheckout> {
    try {
      return await this.#confirmed(id, expected, options)
    } catch (settled) {
      if (isPaymentError(settled) && settled.outcome === 'rejected') throw settled
      throw new PaymentError({
        code: 'provider_rejected',
        outcome: 'unknown',
        provider: PROVIDER,
        ...(err.providerCode !== undefined ? { providerCode: err.providerCode } : {}),
        ...(err.providerMessage !== undefined ? { providerMessage: err.providerMessage } : {}),
        message: `bootpay confirm: the receipt was not awaiting a confirm and its state could not be settled`,
      })
    }
  }

  /**
   * Bootpay has no network cancel: an approval known to have happened is cancelled in full, with a cancel_id
   * derived from the receipt so a re-sent undo can never cancel twice. A receipt that was never approved has
   * nothing to undo.
   */
  override async undoCheckout(
    approval: CheckoutApproval,
    reason: string,
    options?: CallOptions,
  ): Promise<UndoneCheckout> {
    const id = requireText(approval.transactionId, 'transactionId', 64)
    const { lookup: t } = await this.#receipt(id, options)
    const status = t.providerStatus ?? ''
    if (status === AWAITING_CONFIRM || NEVER_APPROVED_STATUSES.has(status))
      return {
        status: 'nothing_to_undo',
        providerCode: status,
        providerMessage: 'the receipt was never approved',
      }
    if (t.status === 'cancelled')
      return {
        status: 'cancelled',
        providerCode: status,
        providerMessage: 'the receipt was already cancelled',
      }
    const done = await this.cancel(
      { transactionId: id, reason: requireText(reason, 'reason', 500), cancelId: `checkout-undo-${id}` },
      options,
    )
    return { status: 'cancelled', providerCode: done.providerCode, providerMessage: done.providerMessage }
  }

  override async issueBillingKey(
    req: IssueBillingKeyRequest,
    options?: CallOptions,
  ): Promise<BillingKeyResult> {
    this.validate({ operation: 'issueBillingKey', request: req })
    const body = issueBody(this.apiVersion, req, this.#billing)
    const data = await this.client.call(
      {
        operation: 'billing_key_issue',
        method: 'POST',
        path: this.apiVersion === 'v1' ? '/request/card_rebill' : '/request/subscribe',
        body,
        moneyMoving: true,
      },
      options,
    )
    return readIssued(this.apiVersion, data, this.#clock())
  }

  override async chargeBillingKey(
    req: ChargeBillingKeyRequest,
    options?: CallOptions,
  ): Promise<ChargeResult> {
    this.validate({ operation: 'chargeBillingKey', request: req })
    const data = await this.client.call(
      {
        operation: 'billing_key_charge',
        method: 'POST',
        path: this.apiVersion === 'v1' ? '/subscribe/billing' : '/subscribe/payment',
        body: chargeBody(this.apiVersion, req, this.#billing),
        moneyMoving: true,
      },
      options,
    )
    return readCharge(this.apiVersion, data, req, this.#clock())
  }

  override async deleteBillingKey(
    req: DeleteBillingKeyRequest,
    options?: CallOptions,
  ): Promise<DeleteBillingKeyResult> {
    this.validate({ operation: 'deleteBillingKey', request: req })
    const key = encodeURIComponent(req.billingKey)
    const data = await this.client.call(
      {
        operation: 'billing_key_delete',
        method: 'DELETE',
        path: this.apiVersion === 'v1' ? `/subscribe/billing/${key}` : `/subscribe/billing_key/${key}`,
        // The key is a credential for charging the card: never in a log line or an error.
        logPath:
          this.apiVersion === 'v1'
            ? '/subscribe/billing/:billing_key'
            : '/v2/subscribe/billing_key/:billing_key',
        // The older v1 client deletes without `.json`.
        jsonSuffix: false,
        moneyMoving: true,
      },
      options,
    )
    return {
      deletedAt: kstIso(this.#clock()),
      providerCode: this.apiVersion === 'v1' ? '0' : 'deleted',
      providerMessage: str(data.billing_key) ? 'billing key deleted' : 'deleted',
    }
  }

  /**
   * Bootpay signs no webhook (bootpay.md §10). A v1 Feedback URL body carries the project's `private_key`, a
   * secret only Bootpay and the merchant hold: when it matches ours the body is Bootpay's and its event is read
   * from it. Any other well-formed body is a hint: read from the body alone, with no call to Bootpay, for the host
   * to look the receipt up. A foreign `private_key`, a sender off the allow-list or a malformed body is refused.
   */
  override async parseNotification(
    input: NotificationInput,
    _options?: CallOptions,
  ): Promise<NotificationResult> {
    const v = this.apiVersion
    const refuse = (reason: string, status = 403): NotificationResult => ({
      verified: false,
      reason,
      reply: failReply(v, status),
    })
    if (this.#ipAllow.length > 0) {
      if (!input.sourceIp) return refuse('the sender IP is unknown and an IP allow-list is configured')
      if (!ipAllowed(input.sourceIp, this.#ipAllow))
        return refuse(`sender ${input.sourceIp} is not in the allow-list`)
    }
    const body = parseNotificationBody(input.rawBody, input.headers)
    if (!body) return refuse('the body is neither JSON nor a form', 400)
    const receiptId = str(body.receipt_id)
    if (!receiptId) return refuse('the body has no receipt_id', 400)
    // A receipt id Bootpay never issues is the sender's garbage: refused, never handed on as a hint.
    if (!RECEIPT_ID.test(receiptId)) return refuse('the receipt_id is not a Bootpay receipt id', 400)
    const claimedKey = str(body.private_key)
    const hint = (why: string): NotificationResult => ({
      verified: false,
      reason: `unsigned: ${why}`,
      hint: hintOf(receiptId, body),
      reply: okReply(v),
    })
    if (claimedKey === undefined) return hint('Bootpay signs no webhook; the receipt must be looked up')
    // With Basic keys this instance holds no private key to compare: the body cannot be told from a forgery.
    if (!this.#privateKey) return hint('the body carries a private_key and this account has none to compare')
    if (!sameSecret(claimedKey, this.#privateKey)) return refuse('the private_key in the body is not ours')
    const read = eventFromBody(v, receiptId, body, kstIso(this.#clock()))
    if (typeof read === 'string') return hint(`the private_key matched, but ${read}`)
    if (input.expected && read.event.type === 'payment.paid') {
      const exp = await input.expected({
        transactionId: receiptId,
        ...(read.event.orderId ? { orderId: read.event.orderId } : {}),
      })
      if (exp && exp.amount !== read.event.amount)
        return refuse('the notified amount differs from what was expected')
    }
    return { verified: true, event: read.event, dedupKey: read.dedupKey, reply: okReply(v) }
  }
}
