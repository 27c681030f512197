import {
  BaseProvider,
  type BillingKeyResult,
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
import { bootpayBankCode, cancelBody, readV1Cancel, readV2Cancel } from './transformers/cancel.js'
import {
  BOOTPAY_NOTIFICATION_IPS,
  dedupKey,
  eventFromLookup,
  failReply,
  ipAllowed,
  notifiedPrice,
  okReply,
  parseNotificationBody,
  sameSecret,
} from './transformers/notification.js'
import { readReceipt } from './transformers/receipt.js'
import { type ApiVersion, type Json, num, str } from './wire.js'

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
}

export type BootpayOptions = CommonOptions &
  (
    | { applicationId: string; privateKey: string }
    | { apiVersion?: 'v2'; clientKey: string; secretKey: string }
  )

const capabilities: ProviderCapabilities = {
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
  notes: {
    partialCancel:
      'only card payments through inicis, kcp, danal, payletter, nicepay, kakao, payco (Bootpay manual)',
    refundAccount: 'virtual-account refunds need a CMS agreement between the merchant and the PG',
    virtualAccounts:
      'Bootpay issues virtual accounts only through its client SDK; there is no server API for it',
    postDepositCancel: 'Bootpay has no deposit-then-cancel flow',
    signedResponses: 'Bootpay answers over TLS without a signature',
  },
}

/** Bootpay REST API (v1 or v2) as a paymux PaymentProvider. */
export class Bootpay extends BaseProvider {
  readonly id = 'bootpay'
  readonly capabilities = capabilities
  readonly apiVersion: ApiVersion
  readonly client: BootpayClient
  #clock: () => number
  #canceller: string
  #billing: { pg: string; subscribeTestPayment?: boolean; feedbackUrl?: string }
  #ipAllow: readonly string[]
  #lookupBeforeFull: boolean
  #privateKey: string | undefined
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

  override async getTransaction(transactionId: string, options?: CallOptions): Promise<AmountedLookup> {
    requireText(transactionId, 'transactionId', 64)
    const id = encodeURIComponent(transactionId)
    const data = await this.client.call(
      {
        operation: 'receipt',
        method: 'GET',
        path: `/receipt/${id}`,
        ...(this.apiVersion === 'v2' ? { query: 'lookup_user_data=false' } : {}),
        moneyMoving: false,
      },
      options,
    )
    const t = readReceipt(this.apiVersion, data, transactionId)
    this.#remember(transactionId, t.cancelledAmount)
    return t
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
   * Bootpay does not sign notifications: the sender IP is checked against the allow-list, a v1 body's
   * `private_key` (when present) against ours, and the receipt is fetched from Bootpay and trusted instead of
   * the body.
   */
  override async parseNotification(
    input: NotificationInput,
    options?: CallOptions,
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
    const claimedKey = str(body.private_key)
    if (claimedKey !== undefined && (!this.#privateKey || !sameSecret(claimedKey, this.#privateKey))) {
      return refuse('the private_key in the body is not ours')
    }
    let t: AmountedLookup
    try {
      t = await this.getTransaction(receiptId, options)
    } catch (err) {
      if (isPaymentError(err) && err.code === 'transaction_not_found')
        return refuse('Bootpay does not know this receipt')
      // Our failure, not the sender's: answer so that Bootpay sends it again.
      return refuse(`the receipt could not be fetched: ${isPaymentError(err) ? err.code : 'error'}`, 503)
    }
    const claimed = notifiedPrice(body)
    if (claimed !== undefined && claimed !== t.amount)
      return refuse('the notified price differs from the receipt')
    if (input.expected) {
      const exp = await input.expected({
        transactionId: t.transactionId,
        ...(t.orderId ? { orderId: t.orderId } : {}),
      })
      if (exp && exp.amount !== t.amount) return refuse('the receipt amount differs from what was expected')
    }
    return {
      verified: true,
      event: eventFromLookup(t, body, kstIso(this.#clock())),
      dedupKey: dedupKey(t, body),
      reply: okReply(v),
    }
  }
}
