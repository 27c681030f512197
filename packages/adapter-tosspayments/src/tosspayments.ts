import {
  type ApprovedCheckout,
  BaseProvider,
  type BillingKeyResult,
  type CallOptions,
  type CancelRequest,
  type CancelResult,
  type ChargeBillingKeyRequest,
  type ChargeResult,
  type CheckoutApproval,
  type CheckoutExpected,
  type CheckoutLaunch,
  type CheckoutRequest,
  type CheckoutResult,
  type CheckoutReturn,
  type DeleteBillingKeyRequest,
  type DeleteBillingKeyResult,
  type FetchLike,
  type HttpCallEvent,
  type IssueBillingKeyRequest,
  type IssueVirtualAccountRequest,
  invalidRequest,
  isPaymentError,
  kstIso,
  type Logger,
  type NotificationInput,
  type NotificationResult,
  type ProviderCapabilities,
  type ProviderOperation,
  requireText,
  type TransactionLookup,
  type UndoneCheckout,
  unsupported,
  type VirtualAccountResult,
} from '@paymux/core'
import { kftcOf, TOSS_BANK_CODES } from './banks.js'
import { TOSS_CAPABILITIES } from './capabilities.js'
import { TossClient } from './client.js'
import {
  billingKeyOf,
  chargedFrom,
  splitBillingKey,
  validateCharge,
  validateIssue,
} from './transformers/billing.js'
import {
  fromCancelAnswer,
  idempotencyKey,
  toCancelBody,
  validateCancelForToss,
} from './transformers/cancel.js'
import { approvedFrom, launchOf, readReturn, validateCheckoutForToss } from './transformers/checkout.js'
import { fromPayment } from './transformers/lookup.js'
import { readWebhook, sameSecret, WEBHOOK_OK, WEBHOOK_REFUSED } from './transformers/notification.js'
import {
  toVirtualAccountBody,
  validateVirtualAccount,
  virtualAccountFrom,
} from './transformers/virtual-account.js'
import { invalidResponse, PROVIDER, TOSS_API_BASE, TOSS_SDK_URL } from './wire.js'

export interface TossPaymentsOptions {
  /** `test_sk_…` / `live_sk_…` (or the widget's `…_gsk_…`): sent as Basic auth on every call. */
  secretKey: string
  /** `test_ck_…` / `live_ck_…`: what the checkout page gives the SDK. Without it the account takes no checkout. */
  clientKey?: string
  /** Default `https://api.tosspayments.com`. */
  baseUrl?: string
  /**
   * The payment SDK the checkout page loads. Default: Toss's own (`https://js.tosspayments.com/v1/payment`)
   * against Toss's API host, and `{baseUrl}/v1/payment` against any other host (a simulator serves both).
   */
  sdkUrl?: string
  timeoutMs?: number
  connectTimeoutMs?: number
  fetch?: FetchLike
  clock?: () => number
  logger?: Logger
  onCall?: (event: HttpCallEvent) => void
  /** KFTC bank code → Toss bank code. Default `TOSS_BANK_CODES`. */
  bankCodes?: Readonly<Record<string, string>>
  /**
   * Waits before sending a cancel again that Toss refused with FORBIDDEN_CONSECUTIVE_REQUEST (two cancels of one
   * payment within 1 s: nothing was done). Same body, same Idempotency-Key. Default `[1100, 2000]`; `[]`: never.
   */
  consecutiveCancelRetryMs?: readonly number[]
  /**
   * The least time between two cancels of one payment sent by this adapter (default 1100 ms; 0: none). Toss
   * refuses the second of two within 1 s, and whether it keeps that refusal under the Idempotency-Key is not
   * known: if it does, the refused cancel could never go through under its key. Spacing avoids the refusal.
   */
  cancelSpacingMs?: number
  /**
   * `DELETE /v1/billing/{billingKey}` is only in third-party notes (spec §1.2). `api` (default) calls it;
   * `unsupported` refuses `deleteBillingKey` without a call.
   */
  billingKeyDelete?: 'api' | 'unsupported'
  /**
   * The `secret` stored when a virtual account was issued (`TossVirtualAccountResult.secret`), for a webhook
   * naming that payment. When it answers one and the webhook's differs, the webhook is refused; otherwise it is
   * a hint the host looks up.
   */
  /**
   * Look the payment up when reading the window's result, to refuse one Toss holds for another order or amount
   * (default true). Off: the browser's `orderId`/`amount` are compared with the stored order, and the confirm's
   * own amount check at Toss is the only other one.
   */
  checkoutReadLookup?: boolean
  virtualAccountSecret?: (ref: { transactionId?: string; orderId?: string }) => Promise<string | undefined>
}

/** An issued virtual account; `secret` is what Toss's webhooks for it carry: store it sealed. */
export interface TossVirtualAccountResult extends VirtualAccountResult {
  secret?: string
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** The Toss Payments adapter for one merchant key pair. */
/** A paymentKey Toss never issues (its keys are generated, never chosen by a merchant). */
const PROBE_PAYMENT_KEY = 'paymux-health-probe'

export class TossPayments extends BaseProvider {
  readonly id = PROVIDER
  readonly capabilities: ProviderCapabilities
  readonly #client: TossClient
  readonly #clientKey: string | undefined
  readonly #sdkUrl: string
  readonly #clock: () => number
  readonly #bankCodes: Readonly<Record<string, string>>
  readonly #retryMs: readonly number[]
  readonly #vaSecret: TossPaymentsOptions['virtualAccountSecret']
  readonly #readLookup: boolean
  readonly #spacingMs: number
  /** Per paymentKey with a recent cancel: when the last one ended, and the last one queued. */
  readonly #cancels = new Map<string, { endedAt: number; tail: Promise<unknown> }>()

  constructor(options: TossPaymentsOptions) {
    super()
    const o = options ?? ({} as TossPaymentsOptions)
    requireText(o.secretKey, 'secretKey', 200)
    if (o.clientKey !== undefined) requireText(o.clientKey, 'clientKey', 200)
    const baseUrl = o.baseUrl ?? TOSS_API_BASE
    if (!URL.canParse(baseUrl)) throw invalidRequest('baseUrl', 'must be an absolute URL')
    const official = new URL(baseUrl).origin === TOSS_API_BASE
    this.#sdkUrl = o.sdkUrl ?? (official ? TOSS_SDK_URL : `${baseUrl.replace(/\/+$/, '')}/v1/payment`)
    if (!URL.canParse(this.#sdkUrl)) throw invalidRequest('sdkUrl', 'must be an absolute URL')
    this.#clientKey = o.clientKey
    this.#clock = o.clock ?? Date.now
    this.#bankCodes = o.bankCodes ?? TOSS_BANK_CODES
    this.#retryMs = o.consecutiveCancelRetryMs ?? [1100, 2000]
    this.#vaSecret = o.virtualAccountSecret
    this.#readLookup = o.checkoutReadLookup ?? true
    this.#spacingMs = o.cancelSpacingMs ?? 1_100
    this.#client = new TossClient({
      secretKey: o.secretKey,
      baseUrl,
      ...(o.fetch ? { fetch: o.fetch } : {}),
      ...(o.timeoutMs !== undefined ? { timeoutMs: o.timeoutMs } : {}),
      ...(o.connectTimeoutMs !== undefined ? { connectTimeoutMs: o.connectTimeoutMs } : {}),
      ...(o.logger ? { logger: o.logger } : {}),
      ...(o.onCall ? { onCall: o.onCall } : {}),
    })
    this.#client.redactor.add(o.clientKey)
    const deletes = (o.billingKeyDelete ?? 'api') === 'api'
    this.capabilities = {
      ...TOSS_CAPABILITIES,
      checkoutMethods: o.clientKey ? TOSS_CAPABILITIES.checkoutMethods : [],
      ...(deletes
        ? {}
        : {
            billingKeys: false,
            notes: {
              ...TOSS_CAPABILITIES.notes,
              billingKeys:
                'issue and charge work, but deletion is off for this account (billingKeyDelete: unsupported), so the ' +
                'whole billing-key lifecycle is not offered',
            },
          }),
    }
  }

  override validate(op: ProviderOperation): void {
    super.validate(op)
    switch (op.operation) {
      case 'cancel':
        validateCancelForToss(op.request, this.#bankCodes)
        return
      case 'checkout':
        validateCheckoutForToss(op.request, this.#clientKey)
        return
      case 'issueVirtualAccount':
        validateVirtualAccount(op.request, this.#bankCodes, this.#clock())
        return
      case 'issueBillingKey':
        validateIssue(op.request)
        return
      case 'chargeBillingKey':
        validateCharge(op.request)
        return
      case 'deleteBillingKey':
        if (!this.capabilities.billingKeys)
          throw unsupported(PROVIDER, 'deleteBillingKey', this.capabilities.notes?.billingKeys)
        splitBillingKey(op.request.billingKey)
        return
    }
  }

  /**
   * `POST /v1/payments/{paymentKey}/cancel` with an Idempotency-Key derived from `cancelId`: a re-send of the same
   * cancel replays Toss's first answer instead of cancelling twice. The 1-second refusal is waited out and the
   * same request sent again (nothing was done). The amount is booked from the answer's cancels[].
   */
  override async cancel(req: CancelRequest, options?: CallOptions): Promise<CancelResult> {
    this.validate({ operation: 'cancel', request: req })
    const call = {
      operation: 'cancel',
      method: 'POST' as const,
      path: `/v1/payments/${encodeURIComponent(req.transactionId)}/cancel`,
      body: toCancelBody(req, this.#bankCodes),
      idempotencyKey: idempotencyKey('cancel', req.cancelId),
      moneyMoving: true,
    }
    return this.#spaced(req.transactionId, async () => {
      for (let attempt = 0; ; attempt++) {
        try {
          const answer = await this.#client.call(call, options)
          return fromCancelAnswer(answer.body, req)
        } catch (err) {
          const wait = this.#retryMs[attempt]
          const consecutive = isPaymentError(err) && err.providerCode === 'FORBIDDEN_CONSECUTIVE_REQUEST'
          if (!consecutive || wait === undefined || options?.signal?.aborted) throw err
          await sleep(wait)
        }
      }
    })
  }

  /**
   * Runs the cancels of one payment one after another, each starting `cancelSpacingMs` after the previous one
   * ended (Toss's 1-second rule, spec §1.2). Other processes' cancels are not seen: their refusals are waited out.
   */
  #spaced<T>(paymentKey: string, send: () => Promise<T>): Promise<T> {
    if (this.#spacingMs <= 0) return send()
    const slot = this.#cancels.get(paymentKey) ?? {
      endedAt: Number.NEGATIVE_INFINITY,
      tail: Promise.resolve(),
    }
    const run = slot.tail.then(async () => {
      const wait = slot.endedAt + this.#spacingMs - Date.now()
      if (wait > 0) await sleep(wait)
      try {
        return await send()
      } finally {
        slot.endedAt = Date.now()
        // Forget the payment once nothing is queued behind this cancel and its spacing has passed.
        setTimeout(() => {
          if (slot.tail === tail) this.#cancels.delete(paymentKey)
        }, this.#spacingMs).unref?.()
      }
    })
    const tail: Promise<unknown> = run.catch(() => undefined)
    slot.tail = tail
    this.#cancels.set(paymentKey, slot)
    return run
  }

  override async getTransaction(transactionId: string, options?: CallOptions): Promise<TransactionLookup> {
    requireText(transactionId, 'transactionId', 200)
    const answer = await this.#client.call(
      {
        operation: 'lookup',
        method: 'GET',
        path: `/v1/payments/${encodeURIComponent(transactionId)}`,
        moneyMoving: false,
      },
      options,
    )
    const t = fromPayment(answer.body, 'lookup', this.#bankCodes)
    if (t.transactionId !== transactionId)
      throw invalidResponse('lookup', 'the answer names another payment', false)
    return t
  }

  /**
   * The health probe: `GET /v1/payments/{paymentKey}` of a key no payment has, authenticated like every call.
   * Toss's 404 NOT_FOUND_PAYMENT is a working account; UNAUTHORIZED_KEY (refused credentials), a 5xx or no
   * answer throws. Finding a payment under that key cannot happen and is reported as unreadable.
   */
  async probe(options?: CallOptions): Promise<void> {
    try {
      await this.#client.call(
        { operation: 'probe', method: 'GET', path: `/v1/payments/${PROBE_PAYMENT_KEY}`, moneyMoving: false },
        options,
      )
    } catch (err) {
      if (
        isPaymentError(err) &&
        err.code === 'transaction_not_found' &&
        err.providerCode === 'NOT_FOUND_PAYMENT'
      )
        return
      throw err
    }
    throw invalidResponse('probe', 'a payment was found under a key no payment has', false)
  }

  /** `GET /v1/payments/orders/{orderId}`: Toss holds at most one payment per order id. */
  override async lookupOrder(orderId: string, options?: CallOptions): Promise<TransactionLookup[]> {
    requireText(orderId, 'orderId', 64)
    try {
      const answer = await this.#client.call(
        {
          operation: 'lookup_order',
          method: 'GET',
          path: `/v1/payments/orders/${encodeURIComponent(orderId)}`,
          moneyMoving: false,
        },
        options,
      )
      const t = fromPayment(answer.body, 'lookup_order', this.#bankCodes)
      if (t.orderId !== orderId)
        throw invalidResponse('lookup_order', 'the answer names another order', false)
      return [t]
    } catch (err) {
      // Only a not-found Toss answers with its listed status (400/404): one inside a 5xx proves nothing.
      if (isPaymentError(err) && err.code === 'transaction_not_found') return []
      throw err
    }
  }

  override async startCheckout(req: CheckoutRequest): Promise<CheckoutLaunch> {
    this.validate({ operation: 'checkout', request: req })
    return launchOf(req, this.#clientKey!, this.#sdkUrl)
  }

  /**
   * Reads the success / fail redirect against the stored order, then asks Toss what it holds for that
   * paymentKey: the browser's `amount` is the browser's, so a result whose Toss payment is for another order or
   * amount is refused before any confirm. Where Toss does not show an unconfirmed payment (not found), the
   * browser's claims stand: the confirm sends the stored amount and Toss compares it itself.
   */
  override async readCheckoutReturn(
    input: CheckoutReturn,
    expected: CheckoutExpected,
    options?: CallOptions,
  ): Promise<CheckoutResult> {
    const result = readReturn(input, expected)
    if (result.outcome !== 'authenticated' || !this.#readLookup) return result
    let held: TransactionLookup
    try {
      held = await this.getTransaction(result.approval.transactionId, options)
    } catch (err) {
      if (isPaymentError(err) && err.code === 'transaction_not_found') return result
      throw err
    }
    if (held.orderId !== expected.orderId)
      return { outcome: 'refused', reason: 'Toss holds this payment for another order' }
    if (held.amount !== undefined && held.amount !== expected.amount)
      return {
        outcome: 'refused',
        reason: `Toss holds this payment for ${held.amount}, not the order's amount`,
      }
    return result
  }

  /**
   * `POST /v1/payments/confirm` with the stored amount, and an Idempotency-Key derived from the paymentKey (never
   * a fixed one: Toss would replay another payment's answer, spec §1.5). ALREADY_PROCESSED_PAYMENT is settled by
   * a lookup; a lost answer stays unknown for the host to look up: it is never confirmed a second time.
   */
  override async approveCheckout(
    approval: CheckoutApproval,
    expected: CheckoutExpected,
    options?: CallOptions,
  ): Promise<ApprovedCheckout> {
    const paymentKey = approval.data.paymentKey ?? approval.transactionId
    requireText(paymentKey, 'approval.transactionId', 200)
    if (approval.amount !== expected.amount)
      throw invalidRequest('approval.amount', 'the approval is not for the stored amount')
    try {
      const answer = await this.#client.call(
        {
          operation: 'confirm',
          method: 'POST',
          path: '/v1/payments/confirm',
          body: { paymentKey, orderId: expected.orderId, amount: expected.amount },
          idempotencyKey: idempotencyKey('confirm', `${paymentKey}:${expected.orderId}`),
          moneyMoving: true,
          // Spec §1.6: rejected elsewhere, but after a confirm "unknown ⇒ look up" (a lookup of an expired
          // session reads EXPIRED and settles it; a payment Toss did confirm is found).
          codeOverrides: {
            NOT_FOUND_PAYMENT: { code: 'transaction_not_found', outcome: 'unknown' },
            NOT_FOUND_PAYMENT_SESSION: { code: 'transaction_not_found', outcome: 'unknown' },
          },
        },
        options,
      )
      return approvedFrom(answer.body, paymentKey, expected, this.#bankCodes, 'confirm')
    } catch (err) {
      if (!isPaymentError(err) || err.providerCode !== 'ALREADY_PROCESSED_PAYMENT') throw err
      // Confirmed before (a re-sent confirm): what Toss holds decides, read without confirming again.
      const answer = await this.#client.call(
        {
          operation: 'lookup',
          method: 'GET',
          path: `/v1/payments/${encodeURIComponent(paymentKey)}`,
          moneyMoving: true,
        },
        options,
      )
      return approvedFrom(answer.body, paymentKey, expected, this.#bankCodes, 'confirm')
    }
  }

  /** A full cancel of an approval the host refuses (Toss has no network cancel). */
  override async undoCheckout(
    approval: CheckoutApproval,
    reason: string,
    options?: CallOptions,
  ): Promise<UndoneCheckout> {
    try {
      const r = await this.cancel(
        {
          transactionId: approval.data.paymentKey ?? approval.transactionId,
          reason,
          cancelId: `undo:${approval.transactionId}`,
        },
        options,
      )
      return { status: 'cancelled', providerCode: r.providerCode, providerMessage: r.providerMessage }
    } catch (err) {
      if (isPaymentError(err) && err.outcome === 'rejected' && err.code === 'transaction_not_found')
        return {
          status: 'nothing_to_undo',
          providerCode: err.providerCode ?? '',
          providerMessage: err.providerMessage ?? '',
        }
      throw err
    }
  }

  override async issueVirtualAccount(
    req: IssueVirtualAccountRequest,
    options?: CallOptions,
  ): Promise<TossVirtualAccountResult> {
    this.validate({ operation: 'issueVirtualAccount', request: req })
    const answer = await this.#client.call(
      {
        operation: 'virtual_account',
        method: 'POST',
        path: '/v1/virtual-accounts',
        body: toVirtualAccountBody(req, this.#bankCodes, this.#clock()),
        // One issue per order: a re-send replays the account instead of failing on the order id.
        idempotencyKey: idempotencyKey('issue', `va:${req.orderId}`),
        moneyMoving: true,
      },
      options,
    )
    return virtualAccountFrom(answer.body, req, (code) => kftcOf(code, this.#bankCodes))
  }

  /**
   * Card-data billing key (`POST /v1/billing/authorizations/card`). Toss takes no new contracts for it (spec
   * §1.2); the auth-window route is `issueBillingKeyFromAuth`. The returned key carries the customerKey
   * (`{customerKey}:{billingKey}`), because every charge must repeat it.
   */
  override async issueBillingKey(
    req: IssueBillingKeyRequest,
    options?: CallOptions,
  ): Promise<BillingKeyResult> {
    this.validate({ operation: 'issueBillingKey', request: req })
    const customerKey = req.customerId ?? `paymux-${req.requestId}`
    const answer = await this.#client.call(
      {
        operation: 'billing_issue',
        method: 'POST',
        path: '/v1/billing/authorizations/card',
        body: {
          customerKey,
          cardNumber: req.card.number.replace(/[\s-]/g, ''),
          cardExpirationYear: req.card.expiryYear.slice(-2),
          cardExpirationMonth: req.card.expiryMonth.padStart(2, '0'),
          ...(req.card.ownerId ? { customerIdentityNumber: req.card.ownerId } : {}),
          ...(req.card.passwordPrefix ? { cardPassword: req.card.passwordPrefix } : {}),
          ...(req.buyer?.name ? { customerName: req.buyer.name } : {}),
          ...(req.buyer?.email ? { customerEmail: req.buyer.email } : {}),
        },
        moneyMoving: false,
      },
      options,
    )
    return billingKeyOf(answer.body, customerKey, this.#clock())
  }

  /** The auth-window route (`requestBillingAuth` → success URL with `authKey` and `customerKey`). */
  async issueBillingKeyFromAuth(
    input: { authKey: string; customerKey: string },
    options?: CallOptions,
  ): Promise<BillingKeyResult> {
    requireText(input.authKey, 'authKey', 300)
    requireText(input.customerKey, 'customerKey', 300)
    if (input.customerKey.includes(':')) throw invalidRequest('customerKey', 'must not contain ":"')
    const answer = await this.#client.call(
      {
        operation: 'billing_issue',
        method: 'POST',
        path: '/v1/billing/authorizations/issue',
        body: { authKey: input.authKey, customerKey: input.customerKey },
        moneyMoving: false,
      },
      options,
    )
    return billingKeyOf(answer.body, input.customerKey, this.#clock())
  }

  override async chargeBillingKey(
    req: ChargeBillingKeyRequest,
    options?: CallOptions,
  ): Promise<ChargeResult> {
    this.validate({ operation: 'chargeBillingKey', request: req })
    const { customerKey, billingKey } = splitBillingKey(req.billingKey)
    const answer = await this.#client.call(
      {
        operation: 'billing_charge',
        method: 'POST',
        path: `/v1/billing/${encodeURIComponent(billingKey)}`,
        logPath: '/v1/billing/[billingKey]',
        body: {
          customerKey,
          amount: req.amount,
          orderId: req.orderId,
          orderName: req.goodsName,
          ...(req.taxFreeAmount !== undefined ? { taxFreeAmount: req.taxFreeAmount } : {}),
          ...(req.installmentMonths !== undefined ? { cardInstallmentPlan: req.installmentMonths } : {}),
          ...(req.buyer?.name ? { customerName: req.buyer.name } : {}),
          ...(req.buyer?.email ? { customerEmail: req.buyer.email } : {}),
        },
        idempotencyKey: idempotencyKey('charge', req.orderId),
        moneyMoving: true,
        // A key Toss no longer knows (deleted) is answered as a missing payment. (An override applies only to a
        // code of the table with a listed status: any other answer stays unknown.)
        codeOverrides: { NOT_FOUND_PAYMENT: { code: 'billing_key_invalid' } },
      },
      options,
    )
    return chargedFrom(answer.body, req)
  }

  override async deleteBillingKey(
    req: DeleteBillingKeyRequest,
    options?: CallOptions,
  ): Promise<DeleteBillingKeyResult> {
    this.validate({ operation: 'deleteBillingKey', request: req })
    const { billingKey } = splitBillingKey(req.billingKey)
    const answer = await this.#client.call(
      {
        operation: 'billing_delete',
        method: 'DELETE',
        path: `/v1/billing/${encodeURIComponent(billingKey)}`,
        logPath: '/v1/billing/[billingKey]',
        moneyMoving: false,
      },
      options,
    )
    const at = typeof answer.body.deletedAt === 'string' ? answer.body.deletedAt : kstIso(this.#clock())
    return { deletedAt: at, providerCode: String(answer.status), providerMessage: '' }
  }

  /**
   * Toss signs no payment webhook (spec §1.7): every well-formed one is a hint the host looks up, read without
   * calling Toss. A virtual-account event's `secret` is compared with the stored one when the host gives it:
   * a mismatch is refused (a forgery), a match is still only a hint.
   */
  /**
   * The secret stored when the payment's virtual account was issued: from the `virtualAccountSecret` option, or
   * the host's `expected` record (its `notificationSecret`). Undefined: none known, nothing to compare.
   */
  async #storedSecret(
    input: NotificationInput,
    hint: { transactionId?: string; orderId?: string },
  ): Promise<string | undefined> {
    const ref = {
      ...(hint.transactionId ? { transactionId: hint.transactionId } : {}),
      ...(hint.orderId ? { orderId: hint.orderId } : {}),
    }
    if (this.#vaSecret) {
      const own = await this.#vaSecret(ref)
      if (own !== undefined) return own
    }
    return (await input.expected?.(ref))?.notificationSecret
  }

  override async parseNotification(input: NotificationInput): Promise<NotificationResult> {
    const read = readWebhook(input.rawBody, input.headers)
    if ('error' in read) return { verified: false, reason: read.error, reply: WEBHOOK_REFUSED }
    const { hint } = read
    let checked = ''
    const stored = await this.#storedSecret(input, hint)
    if (stored !== undefined) {
      // Toss sends the account's secret with every DEPOSIT_CALLBACK (and in the Payment of a status change): one
      // without it, or with another, did not come from Toss, and is refused before anything is looked up.
      if (
        read.secret === undefined ? read.eventType === 'DEPOSIT_CALLBACK' : !sameSecret(stored, read.secret)
      )
        return {
          verified: false,
          reason: `the virtual-account secret ${read.secret === undefined ? 'is missing' : 'does not match'}`,
          reply: WEBHOOK_REFUSED,
        }
      if (read.secret !== undefined) checked = ' (its virtual-account secret matched)'
    }
    return {
      verified: false,
      reason: `unsigned: Toss signs no ${read.eventType}${checked}; look the payment up (it claims ${hint.claimed})`,
      hint,
      reply: WEBHOOK_OK,
    }
  }
}
