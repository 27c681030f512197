import {
  BaseProvider,
  type CallOptions,
  type CancelRequest,
  type CancelResult,
  type FetchLike,
  type HttpCallEvent,
  invalidRequest,
  isPaymentError,
  kstIso,
  kstParts,
  type Logger,
  type NotificationEvent,
  type NotificationInput,
  type NotificationResult,
  PaymentError,
  type ProviderCapabilities,
  requireText,
  type TransactionLookup,
  validateCancelRequest,
} from '@paymux/core'
import { COOKIEPAY_REFUND_BANK_CODES } from './bank-codes.js'
import { POST_DEPOSIT_CANCEL } from './codes.js'
import {
  fromCancelAnswer,
  fromDepositAccountAnswer,
  toCancelBody,
  validateForCookiePay,
} from './transformers/cancel.js'
import { cancelSumFromPaysearch, fromPaycert } from './transformers/lookup.js'
import {
  NOTI_REJECTED_REPLY,
  NOTI_RETRY_REPLY,
  NOTI_SUCCESS_REPLY,
  type ParsedNoti,
  parseNoti,
  readNotiBody,
} from './transformers/notification.js'
import { CookiePayClient } from './transport.js'
import { PROVIDER } from './wire.js'

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
   * Waits between paycert attempts while verifying a notification: paycert may lag the Noti briefly
   * (third-party integrators retry it). Default [500, 1500].
   */
  notificationVerifyDelaysMs?: readonly number[]
}

const CAPABILITIES: ProviderCapabilities = {
  fullCancel: true,
  partialCancel: true,
  refundAccount: true,
  taxFreeAmount: false,
  billingKeys: false,
  virtualAccounts: false,
  paymentLookup: true,
  notifications: true,
  postDepositCancel: true,
  cancelDedup: false,
  signedResponses: false,
  notes: {
    refundAccount:
      'CookiePay refunds to an account only for Toss virtual accounts; other PGs refuse VA cancels',
    taxFreeAmount: 'the cancel API has no tax-free field',
    billingKeys:
      'CookiePay publishes no standalone "charge a billing key" call; billkeygen always charges a first amount and ' +
      'recurrence_request_payment only replays a registered schedule, so the neutral operations cannot be faithful',
    virtualAccounts:
      'CookiePay issues virtual accounts only through its payment window, not by a server call',
    cancelDedup: 'CookiePay takes no per-cancel id; the gateway idempotency layer must guard retries',
    signedResponses:
      'CookiePay signs neither answers nor notifications; notifications are verified by paycert',
  },
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** The CookiePay adapter for one credential pair (one CookiePay payment type of one merchant). */
export class CookiePay extends BaseProvider {
  readonly id = PROVIDER
  readonly capabilities: ProviderCapabilities = CAPABILITIES
  readonly #client: CookiePayClient
  readonly #apiId: string
  readonly #clock: () => number
  readonly #bankCodes: Readonly<Record<string, string>>
  readonly #verifyDelays: readonly number[]

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
    this.#verifyDelays = o.notificationVerifyDelaysMs ?? [500, 1500]
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
  }

  /** Fetches a TOKEN now (at boot, say), so the first cancel does not pay for it. */
  async warmUp(): Promise<void> {
    await this.#client.tokens.get()
  }

  /** How many tokens this instance has obtained (metrics, tests). */
  get tokensIssued(): number {
    return this.#client.tokens.issued
  }

  override async cancel(req: CancelRequest, options?: CallOptions): Promise<CancelResult> {
    validateCancelRequest(req, this.capabilities, PROVIDER)
    validateForCookiePay(req, this.#bankCodes)
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
      if (t.status === 'unknown') {
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
    const day = (ms: number) => {
      const p = kstParts(ms)
      return `${p.yyyy}-${p.MM}-${p.dd}`
    }
    const accepted = paycert.fields.get('ACCEPTDATE', 'ACCEPT_DATE')
    const from =
      accepted && /^\d{8}/.test(accepted)
        ? `${accepted.slice(0, 4)}-${accepted.slice(4, 6)}-${accepted.slice(6, 8)}`
        : day(this.#clock())
    try {
      const { value } = await this.#client.callRaw(
        {
          operation: 'paysearch',
          path: '/api/paysearch',
          // [DOC] with a TID the date range is ignored; it is sent anyway in case it is required.
          body: { API_ID: this.#apiId, TID: tid, STD_DT: from, END_DT: day(this.#clock()) },
          moneyMoving: false,
          apiKeyHeader: false,
        },
        options,
      )
      return cancelSumFromPaysearch(value, tid)
    } catch (err) {
      // Without paysearch the lookup still stands, with the cancelled amount marked unknown.
      if (isPaymentError(err) && err.code !== 'authentication_failed') return undefined
      throw err
    }
  }

  /**
   * CookiePay signs nothing and publishes no source addresses, so a Noti is only a hint: it is confirmed by
   * asking paycert (and paysearch) about the TID and matching amount and order number.
   */
  override async parseNotification(
    input: NotificationInput,
    options?: CallOptions,
  ): Promise<NotificationResult> {
    const fields = readNotiBody(input.rawBody)
    if (!fields)
      return {
        verified: false,
        reason: 'the body is not a CookiePay notification',
        reply: NOTI_REJECTED_REPLY,
      }
    const noti = parseNoti(fields)
    if ('error' in noti) return { verified: false, reason: noti.error, reply: NOTI_REJECTED_REPLY }
    if (noti.tid.length > 100 || !/^[\x21-\x7e]+$/.test(noti.tid)) {
      return { verified: false, reason: 'the TID is not a CookiePay TID', reply: NOTI_REJECTED_REPLY }
    }
    let lookup: TransactionLookup | undefined
    try {
      lookup = await this.#lookupForNoti(noti, options)
    } catch (err) {
      const why = isPaymentError(err) ? `${err.code}: ${err.message}` : String(err)
      return { verified: false, reason: `could not confirm with CookiePay (${why})`, reply: NOTI_RETRY_REPLY }
    }
    const verdict = await this.#verify(noti, lookup, input)
    if (typeof verdict === 'string') return { verified: false, reason: verdict, reply: NOTI_REJECTED_REPLY }
    return { verified: true, event: verdict.event, dedupKey: verdict.dedupKey, reply: NOTI_SUCCESS_REPLY }
  }

  /** The lookup of the Noti's TID; undefined when CookiePay does not know it. Retries while paycert may lag. */
  async #lookupForNoti(noti: ParsedNoti, options?: CallOptions): Promise<TransactionLookup | undefined> {
    const delays = noti.kind === 'failed' ? [] : this.#verifyDelays
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.getTransaction(noti.tid, options)
      } catch (err) {
        const lagging =
          isPaymentError(err) &&
          ['transaction_not_found', 'provider_unavailable', 'timeout', 'invalid_response'].includes(err.code)
        if (!lagging || attempt >= delays.length) {
          if (isPaymentError(err) && err.code === 'transaction_not_found') return undefined
          throw err
        }
        await sleep(delays[attempt]!)
      }
    }
  }

  async #verify(
    noti: ParsedNoti,
    t: TransactionLookup | undefined,
    input: NotificationInput,
  ): Promise<string | { event: NotificationEvent; dedupKey: string }> {
    if (noti.kind === 'failed') {
      if (t && t.status !== 'failed' && t.status !== 'unknown')
        return 'a failure notification for a payment CookiePay reports as made'
      return {
        event: { type: 'payment.failed', transactionId: noti.tid, reason: `[${noti.code}] ${noti.message}` },
        dedupKey: `cookiepay:failed:${noti.tid}:${noti.code}`,
      }
    }
    if (!t) return 'CookiePay does not know this TID'
    if (noti.orderNo && t.orderId && noti.orderNo !== t.orderId)
      return 'the order number does not match CookiePay'
    const expected = input.expected
      ? await input.expected({ transactionId: noti.tid, ...(noti.orderNo ? { orderId: noti.orderNo } : {}) })
      : undefined
    if (expected && expected.amount !== t.amount)
      return 'the payment amount does not match the expected amount'
    if (noti.kind === 'other') {
      return {
        event: { type: 'payment.other', transactionId: noti.tid, providerStatus: noti.notiType },
        dedupKey: `cookiepay:${noti.notiType}:${noti.tid}`,
      }
    }
    if (noti.kind === 'approval') {
      if (noti.amount !== t.amount) return 'the amount does not match CookiePay'
      if (t.status === 'waiting_for_deposit' || t.status === 'failed')
        return `CookiePay reports the payment as ${t.status}`
      return {
        event: {
          type: 'payment.paid',
          transactionId: noti.tid,
          amount: noti.amount,
          paidAt: noti.paidAt ?? t.approvedAt ?? kstIso(this.#clock()),
          ...(noti.orderNo ? { orderId: noti.orderNo } : {}),
          ...((noti.method ?? t.method) ? { method: (noti.method ?? t.method)! } : {}),
          ...(noti.depositorName ? { depositorName: noti.depositorName } : {}),
        },
        dedupKey: `cookiepay:paid:${noti.tid}`,
      }
    }
    // A cancel or post-deposit cancel: CookiePay must itself report the cancel.
    if (!['cancelled', 'partial_cancelled', 'unknown'].includes(t.status))
      return 'CookiePay reports no cancel for this payment'
    const amount = noti.cancelAmount ?? (t.status === 'unknown' ? undefined : t.cancelledAmount)
    if (amount === undefined || amount <= 0) return 'the cancel amount is missing'
    if (amount > t.amount) return 'the cancel amount exceeds the payment'
    if (t.status !== 'unknown' && amount > t.cancelledAmount)
      return 'the cancel amount exceeds what CookiePay reports cancelled'
    return {
      event: {
        type: 'payment.cancelled',
        transactionId: noti.tid,
        cancelledAmount: amount,
        cancelledAt: noti.cancelledAt ?? kstIso(this.#clock()),
        ...(t.status !== 'unknown' ? { remainingAmount: t.cancellableAmount } : {}),
        ...(noti.cancelTid ? { providerCancelId: noti.cancelTid } : {}),
      },
      dedupKey: `cookiepay:${noti.kind}:${noti.tid}:${noti.cancelTid ?? noti.cancelledAt ?? ''}:${amount}`,
    }
  }
}
