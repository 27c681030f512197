import {
  type ApprovedCheckout,
  BaseProvider,
  type BillingKeyResult,
  type CallOptions,
  type CheckoutApproval,
  type CheckoutExpected,
  type CheckoutLaunch,
  type CheckoutRequest,
  type CheckoutResult,
  type CheckoutReturn,
  type CancelRequest,
  type CancelResult,
  type ChargeBillingKeyRequest,
  type ChargeResult,
  type DeleteBillingKeyRequest,
  type DeleteBillingKeyResult,
  type FetchLike,
  HttpTransport,
  type HttpCallEvent,
  PaymentError,
  type IssueBillingKeyRequest,
  type IssueVirtualAccountRequest,
  invalidRequest,
  kstCompact,
  type Logger,
  type NotificationInput,
  type NotificationResult,
  type ProviderCapabilities,
  type ProviderOperation,
  Redactor,
  type TransactionLookup,
  type UndoneCheckout,
  type VirtualAccountResult,
} from '@paymux/core'
import { nicepayCapabilities } from './capabilities.js'
import { type CheckoutHosts, checkoutHosts } from './checkout-hosts.js'
import { nicepayError, SUCCESS } from './codes.js'
import { encryptEncData } from './crypto.js'
import { assertAsciiId, encodeForm } from './encoding.js'
import {
  acceptedResult,
  type CancelWire,
  cancelForm,
  cancelledResult,
  cancelMoid,
  checkCancel,
  checkCancelAnswer,
  isPartialCancel,
} from './transformers/cancel.js'
import {
  approveForm,
  billingKeyResult,
  chargeResult,
  checkBillingKey,
  checkCharge,
  checkDelete,
  deletedResult,
  registForm,
  removeForm,
} from './transformers/billing.js'
import { approvalForm, approvedCheckout } from './transformers/checkout-approval.js'
import { approvalData, isTxTid, readAuthResult } from './transformers/checkout-return.js'
import { checkCheckout, checkoutLaunch, windowFields } from './transformers/checkout-window.js'
import { ANSWER_PREFS, type FormPairs } from './transformers/common.js'
import { netCancelForm, undoneCheckout } from './transformers/net-cancel.js'
import { buyerPairs, cardPlaintext } from './transformers/fields.js'
import { NICEPAY_NOTIFICATION_IPS, parseDepositNotification } from './transformers/notification.js'
import { isVbankAnswer, transactionLookup, transStatusForm } from './transformers/lookup.js'
import { checkVirtualAccount, vacountForm, virtualAccountResult } from './transformers/virtual-account.js'
import {
  defaultTidGenerator,
  PRDT_BILLING,
  PRDT_NORMAL,
  SVC_CARD,
  SVC_VBANK,
  type TidGenerator,
} from './tid.js'
import { decodeAnswer, type NicePayAnswer } from './wire.js'

export const NICEPAY_WEBAPI_URL = 'https://webapi.nicepay.co.kr'
export const NICEPAY_CARD_CANCEL_URL = 'https://pg-api.nicepay.co.kr'

export interface NicePayOptions {
  /** Merchant id (10 characters). */
  mid: string
  /** MerchantKey from NicePay's merchant admin: signs every request and keys EncData. */
  merchantKey: string
  /** Host of get_vacount, billing and virtual-account cancels. Default `https://webapi.nicepay.co.kr`. */
  baseUrl?: string
  /**
   * Host of card cancels. Default `https://pg-api.nicepay.co.kr` (where the manual documents them), or
   * `baseUrl` when only that was given (a simulator, a proxy).
   */
  cancelBaseUrl?: string
  /** Read timeout. Default 30 s (NicePay's REST manual: connect 5 s, read 30 s). */
  timeoutMs?: number
  connectTimeoutMs?: number
  fetch?: FetchLike
  clock?: () => number
  /** TIDs for billing charges and virtual accounts. Default: the FAQ rule with a collision-free counter. */
  tidGenerator?: TidGenerator
  logger?: Logger
  onCall?: (event: HttpCallEvent) => void
  /** Source IPs notifications are accepted from. Default NicePay's three senders; `false` turns the check off. */
  notificationIpAllowList?: readonly string[] | false
  /**
   * NicePay cancels need the amount even for a full cancel. When a request has neither `amount` nor
   * `paymentAmount`, this is asked (typically the merchant's order record). Amounts this instance itself
   * issued or charged are remembered as a fallback.
   */
  paymentAmountOf?: (transactionId: string) => Promise<number | undefined> | number | undefined
  /**
   * Refuse a successful cancel answer without a `Signature` (`signature_mismatch`, unknown). Default false:
   * seeds 000 and 001 mark the Signature optional, so an unsigned answer is accepted when it names the
   * requested TID and CancelAmt (a present Signature is always verified). Set true for a MID known to sign
   * every cancel — the behaviour before the default changed.
   */
  requireCancelSignature?: boolean
  /**
   * The account has NicePay's separate contract for the Moid duplicate guard (seed 000, `Moid`: "부분 취소 시
   * 중복취소 방지를 위해 설정 (별도 계약 필요)"): NicePay then refuses a second cancel with the same Moid, and
   * only then is `capabilities.cancelDedup` true, so a caller may re-send an unknown cancel. Default false:
   * without the contract a re-sent cancel that had executed executes again.
   */
  cancelDuplicateGuard?: boolean
  /**
   * The payment window's script. Default NicePay's `https://pg-web.nicepay.co.kr/v3/common/js/nicepay-pgweb.js`,
   * or — when `baseUrl` is off nicepay.co.kr (a simulator) — `{baseUrl's origin}/v3/common/js/nicepay-pgweb.js`.
   */
  checkoutScriptUrl?: string
  /**
   * Origins NextAppURL / NetCancelURL may name (they come through the customer's browser). Default NicePay's
   * `https://dc1-api.nicepay.co.kr` and `https://dc2-api.nicepay.co.kr`, or — when `baseUrl` is off
   * nicepay.co.kr (a simulator) — `baseUrl`'s origin only.
   */
  checkoutApprovalOrigins?: readonly string[]
}

const PATHS = {
  cancel: '/webapi/cancel_process.jsp',
  vacount: '/webapi/get_vacount.jsp',
  billingRegist: '/webapi/billing/billing_regist.jsp',
  billingApprove: '/webapi/billing/billing_approve.jsp',
  billkeyRemove: '/webapi/billing/billkey_remove.jsp',
  transStatus: '/webapi/inquery/trans_status.jsp',
} as const

const CONTENT_TYPE = 'application/x-www-form-urlencoded; charset=euc-kr'

/** How many issued/charged amounts an instance remembers for cancels that omit the amount. */
const REMEMBERED = 10_000

export class NicePay extends BaseProvider {
  readonly id = 'nicepay'
  readonly capabilities: ProviderCapabilities

  readonly #mid: string
  readonly #key: string
  readonly #webapi: HttpTransport
  readonly #cardCancel: HttpTransport
  readonly #clock: () => number
  readonly #tid: TidGenerator
  readonly #allowList: readonly string[] | false
  readonly #amountOf: NicePayOptions['paymentAmountOf']
  readonly #requireSig: boolean
  readonly #known = new Map<string, number>()
  readonly #redactor: Redactor
  readonly #hosts: CheckoutHosts

  constructor(opts: NicePayOptions) {
    super()
    if (typeof opts?.mid !== 'string' || !/^[A-Za-z0-9]{10}$/.test(opts.mid)) {
      throw new TypeError('NicePay: mid must be the 10-character merchant id')
    }
    if (typeof opts.merchantKey !== 'string' || opts.merchantKey.length < 16) {
      throw new TypeError('NicePay: merchantKey must be the merchant key (at least 16 characters)')
    }
    this.capabilities = nicepayCapabilities({ cancelDuplicateGuard: opts.cancelDuplicateGuard === true })
    this.#mid = opts.mid
    this.#key = opts.merchantKey
    this.#clock = opts.clock ?? Date.now
    this.#tid = opts.tidGenerator ?? defaultTidGenerator
    this.#allowList = opts.notificationIpAllowList ?? NICEPAY_NOTIFICATION_IPS
    this.#amountOf = opts.paymentAmountOf
    this.#requireSig = opts.requireCancelSignature === true
    this.#hosts = checkoutHosts({
      ...(opts.baseUrl ? { baseUrl: opts.baseUrl } : {}),
      ...(opts.checkoutScriptUrl ? { checkoutScriptUrl: opts.checkoutScriptUrl } : {}),
      ...(opts.checkoutApprovalOrigins ? { checkoutApprovalOrigins: opts.checkoutApprovalOrigins } : {}),
    })
    const redactor = new Redactor([opts.merchantKey, opts.merchantKey.slice(0, 16)])
    this.#redactor = redactor
    const common = {
      provider: 'nicepay',
      redactor,
      timeoutMs: opts.timeoutMs ?? 30_000,
      connectTimeoutMs: opts.connectTimeoutMs ?? 5_000,
      ...(opts.fetch ? { fetch: opts.fetch } : {}),
      ...(opts.logger ? { logger: opts.logger } : {}),
      ...(opts.onCall ? { onCall: opts.onCall } : {}),
    }
    const base = opts.baseUrl ?? NICEPAY_WEBAPI_URL
    this.#webapi = new HttpTransport({ ...common, baseUrl: base })
    const cancelBase = opts.cancelBaseUrl ?? (opts.baseUrl ? opts.baseUrl : NICEPAY_CARD_CANCEL_URL)
    this.#cardCancel =
      cancelBase === base ? this.#webapi : new HttpTransport({ ...common, baseUrl: cancelBase })
  }

  async #post(
    transport: HttpTransport,
    operation: string,
    path: string,
    pairs: FormPairs,
    moneyMoving: boolean,
    options?: CallOptions,
  ): Promise<NicePayAnswer> {
    const res = await transport.request({
      operation,
      method: 'POST',
      path,
      headers: { 'content-type': CONTENT_TYPE, accept: 'application/json, text/plain, */*' },
      body: encodeForm(pairs),
      moneyMoving,
      ...(options?.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
      ...(options?.signal ? { signal: options.signal } : {}),
    })
    return decodeAnswer(res, moneyMoving)
  }

  #remember(tid: string, amount: number): void {
    this.#known.delete(tid)
    this.#known.set(tid, amount)
    if (this.#known.size > REMEMBERED) this.#known.delete(this.#known.keys().next().value as string)
  }

  async #paymentTotal(req: CancelRequest): Promise<number | undefined> {
    if (req.paymentAmount !== undefined) return req.paymentAmount
    const viaHook = this.#amountOf ? await this.#amountOf(req.transactionId) : undefined
    return viaHook ?? this.#known.get(req.transactionId)
  }

  /**
   * Everything checkable without I/O, before anything is recorded or sent. The one cancel check that may need
   * I/O — the payment total from `paymentAmountOf` — runs in `cancel` itself; here a full cancel is refused
   * only when no source of the total exists at all.
   */
  override validate(op: ProviderOperation): void {
    super.validate(op)
    switch (op.operation) {
      case 'cancel': {
        const req = op.request
        checkCancel(req)
        const mayKnowTotal =
          req.paymentAmount !== undefined ||
          this.#amountOf !== undefined ||
          this.#known.has(req.transactionId)
        if (req.amount === undefined && !mayKnowTotal) throw totalUnknown()
        return
      }
      case 'issueVirtualAccount':
        checkVirtualAccount(op.request, this.#clock())
        return
      case 'issueBillingKey':
        checkBillingKey(op.request)
        return
      case 'chargeBillingKey':
        checkCharge(op.request)
        return
      case 'deleteBillingKey':
        checkDelete(op.request)
        return
      case 'checkout':
        checkCheckout(op.request, this.#clock())
        return
    }
  }

  override async cancel(req: CancelRequest, options?: CallOptions): Promise<CancelResult> {
    this.validate({ operation: 'cancel', request: req })
    const { refund } = checkCancel(req)
    const total = await this.#paymentTotal(req)
    const cancelAmt = req.amount ?? total
    if (cancelAmt === undefined) throw totalUnknown()
    const now = this.#clock()
    const wire: CancelWire = {
      tid: req.transactionId,
      mid: this.#mid,
      moid: cancelMoid(req.cancelId),
      cancelAmt,
      cancelMsg: req.reason,
      partial: isPartialCancel(req, cancelAmt, total),
      ediDate: kstCompact(now),
      ...(refund ? { refund } : {}),
      ...(req.orderId ? { orderId: req.orderId } : {}),
    }
    // Virtual-account cancels live on webapi, card cancels on pg-api; the TID's svcCd says which it is.
    const isVbank = refund !== undefined || req.transactionId.slice(10, 12) === SVC_VBANK
    const transport = isVbank ? this.#webapi : this.#cardCancel
    const answer = await this.#post(
      transport,
      'cancel',
      PATHS.cancel,
      cancelForm(wire, this.#key),
      true,
      options,
    )
    const code = answer.ResultCode!
    if (SUCCESS.cancel.has(code)) {
      checkCancelAnswer(answer, wire, this.#key, this.#requireSig)
      return cancelledResult(answer, wire, now)
    }
    if (SUCCESS.cancelAccepted.has(code)) {
      checkCancelAnswer(answer, wire, this.#key, this.#requireSig)
      return acceptedResult(answer, wire, now)
    }
    throw nicepayError(code, answer.ResultMsg ?? '')
  }

  override async issueVirtualAccount(
    req: IssueVirtualAccountRequest,
    options?: CallOptions,
  ): Promise<VirtualAccountResult> {
    this.validate({ operation: 'issueVirtualAccount', request: req })
    const now = this.#clock()
    const tid = this.#tid(this.#mid, SVC_VBANK, PRDT_NORMAL, now)
    const pairs = vacountForm(req, {
      tid,
      mid: this.#mid,
      ediDate: kstCompact(now),
      merchantKey: this.#key,
      now,
    })
    const answer = await this.#post(this.#webapi, 'issueVirtualAccount', PATHS.vacount, pairs, true, options)
    if (!SUCCESS.vacount.has(answer.ResultCode!))
      throw nicepayError(answer.ResultCode!, answer.ResultMsg ?? '')
    const result = virtualAccountResult(answer, req, tid, now)
    this.#remember(result.transactionId, result.amount)
    return result
  }

  override async issueBillingKey(
    req: IssueBillingKeyRequest,
    options?: CallOptions,
  ): Promise<BillingKeyResult> {
    this.validate({ operation: 'issueBillingKey', request: req })
    const { moid } = checkBillingKey(req)
    const buyer = buyerPairs(req.buyer)
    // The plaintext exists only inside this call; validation messages never quote it.
    const encData = encryptEncData(cardPlaintext(req.card), this.#key)
    const now = this.#clock()
    const pairs = [
      ...registForm({ mid: this.#mid, ediDate: kstCompact(now), moid, encData, merchantKey: this.#key }),
      ...buyer,
      ...ANSWER_PREFS,
    ]
    const answer = await this.#post(
      this.#webapi,
      'issueBillingKey',
      PATHS.billingRegist,
      pairs,
      true,
      options,
    )
    if (!SUCCESS.billingRegist.has(answer.ResultCode!))
      throw nicepayError(answer.ResultCode!, answer.ResultMsg ?? '')
    return billingKeyResult(answer, now)
  }

  override async chargeBillingKey(
    req: ChargeBillingKeyRequest,
    options?: CallOptions,
  ): Promise<ChargeResult> {
    this.validate({ operation: 'chargeBillingKey', request: req })
    const now = this.#clock()
    const tid = this.#tid(this.#mid, SVC_CARD, PRDT_BILLING, now)
    const pairs = approveForm(req, { tid, mid: this.#mid, ediDate: kstCompact(now), merchantKey: this.#key })
    const answer = await this.#post(
      this.#webapi,
      'chargeBillingKey',
      PATHS.billingApprove,
      pairs,
      true,
      options,
    )
    if (!SUCCESS.billingApprove.has(answer.ResultCode!))
      throw nicepayError(answer.ResultCode!, answer.ResultMsg ?? '')
    const result = chargeResult(answer, req, tid, now)
    this.#remember(result.transactionId, result.amount)
    return result
  }

  override async deleteBillingKey(
    req: DeleteBillingKeyRequest,
    options?: CallOptions,
  ): Promise<DeleteBillingKeyResult> {
    this.validate({ operation: 'deleteBillingKey', request: req })
    const { bid } = checkDelete(req)
    const now = this.#clock()
    const moid = req.requestId
      ? req.requestId
      : `del-${kstCompact(now)}-${Math.random().toString(36).slice(2, 10)}`
    const pairs = removeForm({ bid, mid: this.#mid, ediDate: kstCompact(now), moid, merchantKey: this.#key })
    const answer = await this.#post(
      this.#webapi,
      'deleteBillingKey',
      PATHS.billkeyRemove,
      pairs,
      true,
      options,
    )
    if (!SUCCESS.billkeyRemove.has(answer.ResultCode!))
      throw nicepayError(answer.ResultCode!, answer.ResultMsg ?? '')
    return deletedResult(answer, now)
  }

  /** The window's form (signed from the stored amount), NicePay's script or the simulator's, and the callbacks. */
  override async startCheckout(req: CheckoutRequest, _options?: CallOptions): Promise<CheckoutLaunch> {
    this.validate({ operation: 'checkout', request: req })
    const fields = windowFields(req, { mid: this.#mid, merchantKey: this.#key, now: this.#clock() })
    return checkoutLaunch(req, fields, this.#hosts)
  }

  /** The auth result posted through the browser, verified against the stored order; no call to NicePay. */
  override async readCheckoutReturn(
    input: CheckoutReturn,
    expected: CheckoutExpected,
    _options?: CallOptions,
  ): Promise<CheckoutResult> {
    return readAuthResult(input, expected, {
      mid: this.#mid,
      merchantKey: this.#key,
      approvalOrigins: this.#hosts.approvalOrigins,
      now: this.#clock(),
    })
  }

  #checkoutData(approval: CheckoutApproval) {
    if (!isTxTid(String(approval?.transactionId ?? ''))) {
      throw invalidRequest('approval.transactionId', 'is not a NicePay TxTid')
    }
    const data = approvalData(approval.data ?? {}, this.#hosts.approvalOrigins)
    if (typeof data === 'string')
      throw invalidRequest(`approval.data.${data}`, 'is missing or not acceptable')
    if (data.mid !== this.#mid) throw invalidRequest('approval.data.mid', "is another merchant's")
    return data
  }

  /**
   * POST NextAppURL with the stored amount. Money-moving: an answer that is missing, non-200, unreadable or not
   * provably this approval is `unknown` (the host then network-cancels it with `undoCheckout`).
   */
  override async approveCheckout(
    approval: CheckoutApproval,
    expected: CheckoutExpected,
    options?: CallOptions,
  ): Promise<ApprovedCheckout> {
    const data = this.#checkoutData(approval)
    const tid = approval.transactionId
    const pairs = approvalForm(tid, expected.amount, data, this.#key)
    const answer = await this.#post(this.#webapi, 'approveCheckout', data.nextAppUrl, pairs, true, options)
    const result = approvedCheckout(answer, { tid, data, merchantKey: this.#key, now: this.#clock() })
    this.#remember(tid, result.amount)
    return result
  }

  /** The network cancel to NetCancelURL: safe whether the approval executed or not (`checkoutNetCancel`). */
  override async undoCheckout(
    approval: CheckoutApproval,
    _reason: string,
    options?: CallOptions,
  ): Promise<UndoneCheckout> {
    const data = this.#checkoutData(approval)
    const tid = approval.transactionId
    const pairs = netCancelForm(tid, approval.amount, data, this.#key)
    const answer = await this.#post(this.#webapi, 'undoCheckout', data.netCancelUrl, pairs, true, options)
    return undoneCheckout(answer, {
      tid,
      amount: approval.amount,
      mid: this.#mid,
      merchantKey: this.#key,
      requireSignature: this.#requireSig,
    })
  }

  /**
   * inquery/trans_status.jsp: NicePay's state of the payment and, where it says so, the last cancel's date and
   * Moid — never an amount (see the README, "Lookup"). Status 9 is `transaction_not_found`, except for a virtual
   * account: there it, like ResultCode 4109, is `waiting_for_deposit`, and Status 0 is `paid`.
   */
  override async getTransaction(transactionId: string, options?: CallOptions): Promise<TransactionLookup> {
    const tid = assertAsciiId(String(transactionId ?? ''), 'transactionId', 30, /^[A-Za-z0-9]+$/)
    const now = this.#clock()
    const pairs = transStatusForm({ tid, mid: this.#mid, ediDate: kstCompact(now), merchantKey: this.#key })
    const answer = await this.#post(this.#webapi, 'getTransaction', PATHS.transStatus, pairs, false, options)
    // 4109 입금대기상태 about a virtual account is a state (waiting for its deposit), not a refusal.
    const waiting = answer.ResultCode === '4109' && isVbankAnswer(answer, tid)
    if (answer.ResultCode !== '0000' && !waiting)
      throw nicepayError(answer.ResultCode!, answer.ResultMsg ?? '', false)
    return transactionLookup(answer, tid, this.#evidence(answer), now)
  }

  /**
   * The health probe: a signed `trans_status` of a TID no transaction has (its date part is all zeros, a
   * second NicePay never stamps). NicePay's "not found" (0000 with Status 9, or A115/A118/A251) is a working
   * account; a SignData or MID refusal (A101, A109, …) is `authentication_failed`, and any other answer or none
   * throws.
   */
  async probe(options?: CallOptions): Promise<void> {
    const tid = `${this.#mid}${SVC_CARD}${PRDT_NORMAL}0000000000000000`
    const pairs = transStatusForm({
      tid,
      mid: this.#mid,
      ediDate: kstCompact(this.#clock()),
      merchantKey: this.#key,
    })
    const answer = await this.#post(this.#webapi, 'probe', PATHS.transStatus, pairs, false, options)
    if (answer.ResultCode === '0000' && answer.Status === '9') return
    if (answer.ResultCode !== '0000') {
      const err = nicepayError(answer.ResultCode ?? '', answer.ResultMsg ?? '', false)
      if (err.code === 'transaction_not_found') return
      throw err
    }
    throw new PaymentError({
      code: 'invalid_response',
      outcome: 'rejected',
      provider: this.id,
      message: `nicepay probe: trans_status answered Status ${answer.Status ?? '(none)'} for a TID no transaction has`,
    })
  }

  /** The answer verbatim for a reviewer, minus anything that could carry the key. */
  #evidence(answer: NicePayAnswer): Record<string, string> {
    const out: Record<string, string> = {}
    for (const [k, v] of Object.entries(answer)) {
      if (/merchantkey|encdata/i.test(k)) continue
      out[k] = this.#redactor.apply(v)
    }
    return out
  }

  /**
   * NicePay's notification is unsigned: a well-formed one from an allowed sender answers a `hint` (and `OK`, so
   * NicePay stops re-sending), never an event, and nothing is called while reading it.
   */
  override parseNotification(input: NotificationInput): Promise<NotificationResult> {
    return parseDepositNotification(input, { mid: this.#mid, allowList: this.#allowList })
  }
}

function totalUnknown() {
  return invalidRequest(
    'amount',
    'NicePay needs the amount of every cancel, a full one included: pass amount, or paymentAmount (the payment total), or configure paymentAmountOf',
  )
}
