import {
  type ApprovedCheckout,
  BaseProvider,
  type CallOptions,
  type CheckoutApproval,
  type CheckoutExpected,
  type CheckoutLaunch,
  type CheckoutRequest,
  type CheckoutResult,
  type CheckoutReturn,
  type UndoneCheckout,
  type CancelRequest,
  type CancelResult,
  type FetchLike,
  type HttpCallEvent,
  invalidRequest,
  isPaymentError,
  kstParts,
  type Logger,
  type NotificationInput,
  type NotificationResult,
  PaymentError,
  type ProviderCapabilities,
  requireText,
  type TransactionLookup,
  type ProviderOperation,
  unsupported,
} from '@paymux/core'
import { COOKIEPAY_REFUND_BANK_CODES } from './bank-codes.js'
import { COOKIEPAY_CAPABILITIES } from './capabilities.js'
import { CookiePayCheckout } from './checkout.js'
import { POST_DEPOSIT_CANCEL } from './codes.js'
import {
  fromCancelAnswer,
  fromDepositAccountAnswer,
  toCancelBody,
  validateForCookiePay,
} from './transformers/cancel.js'
import { validateCheckoutForCookiePay } from './transformers/checkout-request.js'
import { cancelSumFromPaysearch, fromPaycert, orderRow, paysearchRows } from './transformers/lookup.js'
import {
  NOTI_REJECTED_REPLY,
  NOTI_SUCCESS_REPLY,
  readNoti,
  readNotiBody,
} from './transformers/notification.js'
import { CookiePayClient } from './transport.js'
import { PROVIDER } from './wire.js'

/** A paysearch date (`STD_DT`/`END_DT`, `2021-01-01` in the manual), in KST. */
function kstDay(ms: number): string {
  const p = kstParts(ms)
  return `${p.yyyy}-${p.MM}-${p.dd}`
}

export const COOKIEPAY_HOSTS = {
  live: 'https://www.cookiepayments.com',
  sandbox: 'https://sandbox.cookiepayments.com',
} as const

export interface CookiePayOptions {
  /** 연동 ID (`pay2_id`, `API_ID`) of the payment type the payments were made with. */
  apiId: string
  /** 연동 시크릿키 (`pay2_key`, sent as the `ApiKey` header too). */
  apiKey: string
  environment: 'live' | 'sandbox'
  /** Overrides the environment's host (white-label mirrors, simulators). */
  baseUrl?: string
  /** Read timeout of one call once sent. Default 60 s. */
  timeoutMs?: number
  connectTimeoutMs?: number
  fetch?: FetchLike
  clock?: () => number
  logger?: Logger
  onCall?: (event: HttpCallEvent) => void
  /** KFTC bank code → CookiePay `bank` code for virtual-account refunds. Default `COOKIEPAY_REFUND_BANK_CODES`. */
  refundBankCodes?: Readonly<Record<string, string>>
  /** Refresh the TOKEN this long before it expires. Default 5 minutes (capped at half its lifetime). */
  tokenRefreshAheadMs?: number
  /**
   * @deprecated Ignored: parsing a notification calls CookiePay no more (it answers a hint the host looks up).
   * Kept so existing configurations still load.
   */
  notificationVerifyDelaysMs?: readonly number[]
  /** @deprecated Ignored, for the same reason: nothing is `pending` any more. */
  notificationRecheckMs?: number
  /**
   * Waits between paycert calls while paycert does not know a TID the window just returned (it may lag the
   * window: one integrator asks 3 times, 1 s and 2 s apart). Default `[1000, 2000]`; `[]` asks once.
   */
  checkoutVerifyDelaysMs?: readonly number[]
  /**
   * How long after the window's result a TID paycert does not know is still taken for lag (the approval's
   * outcome `unknown`); after it, for a TID CookiePay never issued (`rejected`). Default 10 minutes.
   */
  checkoutUnknownTidGraceMs?: number
  /**
   * How many days back `lookupOrder` searches (paysearch takes a date range, not an order number). Default 31,
   * at most 180 (the newer paylist's documented limit is 6 months); a payment older than that is not seen.
   */
  orderLookupDays?: number
  /** BUYERNAME when the checkout names no customer (CookiePay requires one). Default `구매자`. */
  checkoutBuyerName?: string
  /**
   * Origins the window may load from besides CookiePay's own (or the simulator's): the PG behind CookiePay
   * (e.g. `https://js.tosspayments.com`, which CookiePay's own plugin loads), for the host's CSP.
   */
  checkoutOrigins?: readonly string[]
}

/** The CookiePay adapter for one credential pair (one CookiePay payment type of one merchant). */
export class CookiePay extends BaseProvider {
  readonly id = PROVIDER
  readonly capabilities: ProviderCapabilities = COOKIEPAY_CAPABILITIES
  readonly #client: CookiePayClient
  readonly #apiId: string
  readonly #clock: () => number
  readonly #bankCodes: Readonly<Record<string, string>>
  readonly #checkout: CookiePayCheckout
  readonly #buyerName: string
  readonly #orderLookupDays: number

  constructor(options: CookiePayOptions) {
    super()
    const o = options ?? ({} as CookiePayOptions)
    requireText(o.apiId, 'apiId', 30)
    requireText(o.apiKey, 'apiKey', 200)
    if (o.environment !== 'live' && o.environment !== 'sandbox') {
      throw invalidRequest('environment', "must be 'live' or 'sandbox'")
    }
    this.#apiId = o.apiId
    this.#clock = o.clock ?? Date.now
    this.#bankCodes = o.refundBankCodes ?? COOKIEPAY_REFUND_BANK_CODES
    this.#client = new CookiePayClient({
      apiId: o.apiId,
      apiKey: o.apiKey,
      baseUrl: o.baseUrl ?? COOKIEPAY_HOSTS[o.environment],
      clock: this.#clock,
      ...(o.fetch ? { fetch: o.fetch } : {}),
      ...(o.timeoutMs !== undefined ? { timeoutMs: o.timeoutMs } : {}),
      ...(o.connectTimeoutMs !== undefined ? { connectTimeoutMs: o.connectTimeoutMs } : {}),
      ...(o.logger ? { logger: o.logger } : {}),
      ...(o.onCall ? { onCall: o.onCall } : {}),
      ...(o.tokenRefreshAheadMs !== undefined ? { tokenRefreshAheadMs: o.tokenRefreshAheadMs } : {}),
    })
    this.#buyerName = o.checkoutBuyerName ?? '구매자'
    this.#orderLookupDays = o.orderLookupDays ?? 31
    if (
      !Number.isSafeInteger(this.#orderLookupDays) ||
      this.#orderLookupDays < 1 ||
      this.#orderLookupDays > 180
    ) {
      throw invalidRequest('orderLookupDays', 'must be a whole number of days from 1 to 180')
    }
    const host = new URL(o.baseUrl ?? COOKIEPAY_HOSTS[o.environment]).origin
    for (const origin of o.checkoutOrigins ?? []) {
      if (!URL.canParse(origin)) throw invalidRequest('checkoutOrigins', 'must be absolute URLs')
    }
    this.#checkout = new CookiePayCheckout({
      client: this.#client,
      apiId: o.apiId,
      apiKey: o.apiKey,
      origins: [...new Set([host, ...(o.checkoutOrigins ?? []).map((u) => new URL(u).origin)])],
      clock: this.#clock,
      verifyDelaysMs: o.checkoutVerifyDelaysMs ?? [1000, 2000],
      graceMs: o.checkoutUnknownTidGraceMs ?? 600_000,
      buyerNameFallback: this.#buyerName,
      bankCodes: this.#bankCodes,
      cancel: (req, options) => this.cancel(req, options),
    })
  }

  /** Fetches a TOKEN now (at boot, say), so the first cancel does not pay for it. */
  async warmUp(): Promise<void> {
    await this.#client.tokens.get()
  }

  /** How many tokens this instance has obtained (metrics, tests). */
  get tokensIssued(): number {
    return this.#client.tokens.issued
  }

  /** The whole pre-flight of every operation, pure: what `cancel` checks, and refusals of what CookiePay lacks. */
  override validate(op: ProviderOperation): void {
    super.validate(op)
    if (op.operation === 'cancel') {
      validateForCookiePay(op.request, this.#bankCodes)
      return
    }
    if (op.operation === 'checkout') {
      validateCheckoutForCookiePay(op.request, this.#buyerName)
      return
    }
    const notes = this.capabilities.notes
    throw unsupported(
      PROVIDER,
      op.operation,
      op.operation === 'issueVirtualAccount' ? notes?.virtualAccounts : notes?.billingKeys,
    )
  }

  override async cancel(req: CancelRequest, options?: CallOptions): Promise<CancelResult> {
    this.validate({ operation: 'cancel', request: req })
    const answer = await this.#client.call(
      {
        operation: 'cancel',
        path: '/api/cancel',
        body: toCancelBody(req, this.#bankCodes),
        moneyMoving: true,
        apiKeyHeader: true,
      },
      options,
    )
    if (answer.code === POST_DEPOSIT_CANCEL) return this.#cancelAfterDeposit(req, answer.message, options)
    return fromCancelAnswer(answer, req, this.#clock())
  }

  /**
   * 9029: the payment is already paid out, so CookiePay cancels only after the merchant deposits the amount
   * into an account it names [DOC]. That call needs an amount even for a full cancel: it comes from the lookup.
   */
  async #cancelAfterDeposit(
    req: CancelRequest,
    cancelMessage: string,
    options?: CallOptions,
  ): Promise<CancelResult> {
    let amount = req.amount
    if (amount === undefined) {
      const t = await this.getTransaction(req.transactionId, options)
      if (t.cancellableAmount === undefined) {
        throw invalidRequest(
          'amount',
          'CookiePay does not say how much of this payment is cancelled; pass the amount',
        )
      }
      if (t.cancellableAmount <= 0) {
        throw new PaymentError({
          code: 'already_cancelled',
          provider: PROVIDER,
          providerCode: POST_DEPOSIT_CANCEL,
          providerMessage: cancelMessage,
          message: 'cookiepay: nothing of this payment is left to cancel',
        })
      }
      amount = t.cancellableAmount
    }
    const answer = await this.#client.call(
      {
        operation: 'get_cancel_bank_account',
        path: '/api/get_cancel_bank_account',
        body: { tid: req.transactionId, reason: req.reason, amount: String(amount) },
        moneyMoving: true,
        apiKeyHeader: true,
      },
      options,
    )
    return fromDepositAccountAnswer(answer, amount, cancelMessage)
  }

  /** Opens CookiePay's window: `/pay/ready` from the server (the ApiKey stays here), its HTML for the page. */
  override async startCheckout(req: CheckoutRequest, options?: CallOptions): Promise<CheckoutLaunch> {
    this.validate({ operation: 'checkout', request: req })
    return this.#checkout.start(req, options)
  }

  /** Reads the RETURNURL post (plain, or ENC_DATA decrypted by CookiePay); its claims are never trusted. */
  override readCheckoutReturn(
    input: CheckoutReturn,
    expected: CheckoutExpected,
    options?: CallOptions,
  ): Promise<CheckoutResult> {
    return this.#checkout.readReturn(input, expected, options)
  }

  /**
   * CookiePay approved inside its window; this verifies it with paycert (order, status, amount). An amount other
   * than the stored one is returned as CookiePay's, for the host to undo (`undoCheckout`).
   */
  override approveCheckout(
    approval: CheckoutApproval,
    expected: CheckoutExpected,
    options?: CallOptions,
  ): Promise<ApprovedCheckout> {
    return this.#checkout.approve(approval, expected, options)
  }

  /** A full cancel of an approval the host refuses (CookiePay has no network cancel). */
  override undoCheckout(
    approval: CheckoutApproval,
    reason: string,
    options?: CallOptions,
  ): Promise<UndoneCheckout> {
    return this.#checkout.undo(approval, reason, options)
  }

  /** The health probe: a token issued afresh (`POST /payAuth/token`), the cheapest call CookiePay has. */
  async probe(): Promise<void> {
    await this.#client.probe()
  }

  override async getTransaction(transactionId: string, options?: CallOptions): Promise<TransactionLookup> {
    requireText(transactionId, 'transactionId', 50)
    const paycert = await this.#client.call(
      {
        operation: 'paycert',
        path: '/api/paycert',
        body: { tid: transactionId },
        moneyMoving: false,
        apiKeyHeader: true,
      },
      options,
    )
    // paycert has no cancelled amount; paysearch has the only cumulative one (CANCLE_SUM_AMOUNT).
    const cancelSum =
      paycert.code === '0000' ? await this.#cancelSum(transactionId, paycert, options) : undefined
    return fromPaycert(paycert, transactionId, cancelSum)
  }

  async #cancelSum(
    tid: string,
    paycert: { fields: { get(...n: string[]): string | undefined } },
    options?: CallOptions,
  ): Promise<number | undefined> {
    const accepted = paycert.fields.get('ACCEPTDATE', 'ACCEPT_DATE')
    const from =
      accepted && /^\d{8}/.test(accepted)
        ? `${accepted.slice(0, 4)}-${accepted.slice(4, 6)}-${accepted.slice(6, 8)}`
        : kstDay(this.#clock())
    try {
      const { value } = await this.#paysearch(
        // [DOC] with a TID the date range is ignored; it is sent anyway in case it is required.
        { API_ID: this.#apiId, TID: tid, STD_DT: from, END_DT: kstDay(this.#clock()) },
        options,
      )
      return cancelSumFromPaysearch(value, tid)
    } catch (err) {
      // Without paysearch the lookup still stands: amounts undefined, status unknown (never a made-up 0).
      if (isPaymentError(err) && err.code !== 'authentication_failed') return undefined
      throw err
    }
  }

  /**
   * Every payment CookiePay holds for an order number. CookiePay documents no search by ORDERNO: paysearch
   * (research §7.4) takes a date range and answers every payment of this 연동 ID in it, each row with its ORDERNO
   * and cancelled sum, so the last `orderLookupDays` are searched and the rows of this order kept (the checkout
   * research §3.4 finds a lost payment the same way). A customer may pay one order twice: all are returned.
   * Anything but a list or CookiePay's "nothing found" throws: an empty answer is never guessed.
   */
  override async lookupOrder(orderId: string, options?: CallOptions): Promise<TransactionLookup[]> {
    requireText(orderId, 'orderId', 50)
    const now = this.#clock()
    const { value } = await this.#paysearch(
      {
        API_ID: this.#apiId,
        STD_DT: kstDay(now - (this.#orderLookupDays - 1) * 86_400_000),
        END_DT: kstDay(now),
      },
      options,
    )
    return (paysearchRows(value) ?? []).filter((f) => f.get('ORDERNO') === orderId).map(orderRow)
  }

  #paysearch(body: Record<string, unknown>, options?: CallOptions) {
    return this.#client.callRaw(
      { operation: 'paysearch', path: '/api/paysearch', body, moneyMoving: false, apiKeyHeader: false },
      options,
    )
  }

  /**
   * CookiePay signs nothing and publishes no source addresses, so a Noti is only a hint: read from the body alone,
   * with no call to CookiePay (a forged one costs nothing), for the host to look the payment up under its own
   * rate limit. Every well-formed Noti gets the reply that stops CookiePay from resending; junk is refused.
   */
  override async parseNotification(input: NotificationInput): Promise<NotificationResult> {
    const fields = readNotiBody(input.rawBody)
    if (!fields)
      return {
        verified: false,
        reason: 'the body is not a CookiePay notification',
        reply: NOTI_REJECTED_REPLY,
      }
    const read = readNoti(fields)
    if ('error' in read) return { verified: false, reason: read.error, reply: NOTI_REJECTED_REPLY }
    const { hint } = read
    return {
      verified: false,
      reason: `unsigned: CookiePay signs no notification; look the payment up (it claims ${hint.claimed})`,
      hint,
      reply: NOTI_SUCCESS_REPLY,
    }
  }
}
