import { timingSafeEqual } from 'node:crypto'
import type {
  ApprovedCheckout,
  CheckoutApproval,
  CheckoutExpected,
  CheckoutLaunch,
  CheckoutRequest,
  CheckoutResult,
  CheckoutReturn,
  UndoneCheckout,
} from '../../checkout.js'
import type {
  CancelRequest,
  CancelResult,
  ProviderCapabilities,
  ProviderOperation,
  TransactionLookup,
} from '../../contract.js'
import { errorFromTable, PaymentError, type CodeTable } from '../../errors.js'
import { type FetchLike, type HttpCallEvent, HttpTransport } from '../../http.js'
import { BaseProvider, validateCancelRequest, validateCheckoutRequest } from '../../provider.js'
import { TOY_MERCHANT_KEY, toyResultSignature } from './toy-checkout.js'

export const TOY_CODES: CodeTable = {
  NOT_FOUND: { code: 'transaction_not_found' },
  DUPLICATE: { code: 'duplicate_request' },
  ALREADY: { code: 'already_cancelled' },
  EXCEEDS: { code: 'amount_exceeds_cancellable' },
  REFUND_ACCOUNT: { code: 'refund_account_required' },
  BAD_AMOUNT: { code: 'invalid_request' },
  LIMIT: { code: 'card_declined' },
  VOIDED: { code: 'provider_rejected' },
}

export const TOY_CAPABILITIES: ProviderCapabilities = {
  fullCancel: true,
  partialCancel: true,
  refundAccount: true,
  taxFreeAmount: false,
  billingKeys: false,
  virtualAccounts: false,
  paymentLookup: true,
  notifications: false,
  postDepositCancel: false,
  cancelDedup: true,
  chargeDedup: false,
  signedResponses: false,
  checkoutMethods: ['card'],
  checkoutNetCancel: false,
  checkoutChargesInWindow: false,
  orderLookup: false,
}

export interface ToyProviderOptions {
  baseUrl: string
  fetch?: FetchLike
  timeoutMs: number
  /** The key the window's results are signed with. Default: the toy's own. */
  merchantKey?: string
  /** The account has the toy's network cancel: an approval whose answer was lost may be undone. */
  netCancel?: boolean
  /** Every HTTP call to the toy PG, as the real adapters report theirs (a host's metrics and health). */
  onCall?: (event: HttpCallEvent) => void
}

/** The reference adapter for the toy PG: what a correct adapter does, in as few lines as possible. */
export class ToyProvider extends BaseProvider {
  readonly id = 'toy'
  readonly capabilities: ProviderCapabilities
  protected http: HttpTransport
  readonly #baseUrl: string
  readonly #merchantKey: string

  constructor(opts: ToyProviderOptions) {
    super()
    this.capabilities = { ...TOY_CAPABILITIES, checkoutNetCancel: opts.netCancel === true }
    this.#baseUrl = opts.baseUrl.replace(/\/+$/, '')
    this.#merchantKey = opts.merchantKey ?? TOY_MERCHANT_KEY
    this.http = new HttpTransport({
      provider: 'toy',
      baseUrl: opts.baseUrl,
      timeoutMs: opts.timeoutMs,
      ...(opts.fetch ? { fetch: opts.fetch } : {}),
      ...(opts.onCall ? { onCall: opts.onCall } : {}),
    })
  }

  /** The toy's pre-flight: the shared checks (broken variants override it to skip them). */
  override validate(op: ProviderOperation): void {
    if (op.operation === 'cancel') validateCancelRequest(op.request, this.capabilities, this.id)
    if (op.operation === 'checkout') validateCheckoutRequest(op.request, this.capabilities, this.id)
  }

  protected body(req: CancelRequest): object {
    return { tx: req.transactionId, amount: req.amount, cancelId: req.cancelId, refund: req.refundAccount }
  }

  /**
   * Reads an answer; anything that is not the protocol is an unknown outcome. On a money-moving call only a
   * refusal the table knows, answered below 500, is a rejection: a 5xx, an unknown code or a success code with
   * an error status may have come after the PG acted.
   */
  protected read(res: { status: number; text(): string }, moneyMoving = true): Record<string, unknown> {
    let json: Record<string, unknown>
    try {
      json = JSON.parse(res.text()) as Record<string, unknown>
      if (typeof json.code !== 'string') throw new Error('no code')
    } catch {
      throw new PaymentError({
        code: 'invalid_response',
        provider: 'toy',
        message: `unreadable answer (HTTP ${res.status})`,
      })
    }
    const code = json.code as string
    const definite = code !== 'OK' && TOY_CODES[code] !== undefined && res.status < 500
    if (moneyMoving && !definite && (code !== 'OK' || res.status >= 300)) {
      throw new PaymentError({
        code: code === 'OK' ? 'invalid_response' : 'provider_rejected',
        outcome: 'unknown',
        provider: 'toy',
        providerCode: code,
        providerMessage: String(json.message ?? ''),
        message: `toy answered ${code} with HTTP ${res.status}; the outcome is unknown`,
      })
    }
    if (code !== 'OK') throw errorFromTable(TOY_CODES, 'toy', code, String(json.message))
    return json
  }

  /** The PG must have cancelled exactly what was asked (a full cancel: everything, so nothing remains). */
  protected checkMoved(req: CancelRequest, j: Record<string, unknown>): void {
    const exact =
      typeof j.amount === 'number' && (req.amount !== undefined ? j.amount === req.amount : j.remaining === 0)
    if (!exact) {
      throw new PaymentError({
        code: 'invalid_response',
        outcome: 'unknown',
        provider: 'toy',
        message: `toy answered a cancel of ${String(j.amount)} for a request of ${req.amount ?? 'everything'}`,
      })
    }
  }

  override async cancel(req: CancelRequest): Promise<CancelResult> {
    this.validate({ operation: 'cancel', request: req })
    const res = await this.http.request({
      operation: 'cancel',
      method: 'POST',
      path: '/api/cancel',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(this.body(req)),
      moneyMoving: true,
    })
    const j = this.read(res)
    this.checkMoved(req, j)
    return {
      status: 'cancelled',
      cancelledAmount: j.amount as number,
      remainingAmount: j.remaining as number,
      providerCancelId: j.id as string,
      cancelledAt: j.at as string,
      providerCode: 'OK',
      providerMessage: 'ok',
    }
  }

  override async getTransaction(id: string): Promise<TransactionLookup> {
    const j = this.read(
      await this.http.request({
        operation: 'lookup',
        method: 'GET',
        path: `/api/tx/${id}`,
        moneyMoving: false,
      }),
      false,
    )
    const amount = j.amount as number
    const cancelled = j.cancelled as number
    return {
      transactionId: id,
      amount,
      cancelledAmount: cancelled,
      cancellableAmount: amount - cancelled,
      status: cancelled === 0 ? 'paid' : cancelled === amount ? 'cancelled' : 'partial_cancelled',
    }
  }

  // ---- checkout

  override async startCheckout(req: CheckoutRequest): Promise<CheckoutLaunch> {
    this.validate({ operation: 'checkout', request: req })
    return {
      form: {
        name: 'toyPay',
        action: `${this.#baseUrl}/window`,
        acceptCharset: 'utf-8',
        fields: {
          orderId: req.orderId,
          orderName: req.orderName,
          amount: String(req.amount),
          returnUrl: req.returnUrl,
          closeUrl: req.closeUrl,
        },
      },
      scripts: [`${this.#baseUrl}/js/toy.js`],
      start: 'toyPay(document.forms.toyPay)',
      origins: [new URL(this.#baseUrl).origin],
    }
  }

  /** The result as the browser brought it: trusted only through its signature, and only for the stored order. */
  override async readCheckoutReturn(
    input: CheckoutReturn,
    expected: CheckoutExpected,
  ): Promise<CheckoutResult> {
    const f =
      input.method === 'POST'
        ? Object.fromEntries(new URLSearchParams(new TextDecoder().decode(input.rawBody)))
        : { ...input.query }
    if (f.orderId !== expected.orderId)
      return { outcome: 'refused', reason: 'the result is for another order' }
    if (f.result === 'declined') {
      return { outcome: 'declined', code: f.code || 'DECLINED', message: f.message || 'declined' }
    }
    if (f.result !== 'authenticated' || !f.tx || !f.amount || !f.signature)
      return { outcome: 'refused', reason: 'the result is incomplete' }
    const want = Buffer.from(
      toyResultSignature(this.#merchantKey, { tx: f.tx, orderId: f.orderId, amount: f.amount }),
    )
    const got = Buffer.from(f.signature)
    if (want.length !== got.length || !timingSafeEqual(want, got))
      return { outcome: 'refused', reason: 'the signature does not match' }
    if (f.amount !== String(expected.amount))
      return { outcome: 'refused', reason: 'the result is for another amount' }
    return { outcome: 'authenticated', approval: { transactionId: f.tx, amount: expected.amount, data: {} } }
  }

  override async approveCheckout(
    approval: CheckoutApproval,
    expected: CheckoutExpected,
  ): Promise<ApprovedCheckout> {
    const res = await this.http.request({
      operation: 'approve',
      method: 'POST',
      path: '/api/approve',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        tx: approval.transactionId,
        amount: expected.amount,
        orderId: expected.orderId,
      }),
      moneyMoving: true,
    })
    const j = this.read(res)
    if (typeof j.amount !== 'number' || j.tx !== approval.transactionId) {
      throw new PaymentError({
        code: 'invalid_response',
        outcome: 'unknown',
        provider: 'toy',
        message: 'toy answered an approval without its transaction and amount',
      })
    }
    return {
      status: 'paid',
      transactionId: j.tx as string,
      amount: j.amount,
      method: 'card',
      paidAt: String(j.at),
      approvalNumber: String(j.approvalNumber),
      providerCode: 'OK',
      providerMessage: 'approved',
    }
  }

  override async undoCheckout(approval: CheckoutApproval, _reason: string): Promise<UndoneCheckout> {
    const res = await this.http.request({
      operation: 'undo',
      method: 'POST',
      path: '/api/undo',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ tx: approval.transactionId }),
      moneyMoving: true,
    })
    const j = this.read(res)
    const status = j.status === 'net_cancelled' || j.status === 'nothing_to_undo' ? j.status : undefined
    if (!status) {
      throw new PaymentError({
        code: 'invalid_response',
        outcome: 'unknown',
        provider: 'toy',
        message: 'toy answered an undo without its status',
      })
    }
    return { status, providerCode: 'OK', providerMessage: String(status) }
  }
}
