// What the simulated Toss holds: Payment objects as spec §1.3 describes them, with balanceAmount and cancels[]
// kept the way Toss keeps them, the state machine of §1.4 and its two timeouts, and billing keys.
import { randomBytes, randomUUID } from 'node:crypto'
import { kstIso } from '@paymux/core'
import type { TossSimulatorSettings } from './settings.js'

export type SimStatus =
  | 'READY'
  | 'IN_PROGRESS'
  | 'WAITING_FOR_DEPOSIT'
  | 'DONE'
  | 'CANCELED'
  | 'PARTIAL_CANCELED'
  | 'ABORTED'
  | 'EXPIRED'

export interface SimCancel {
  cancelAmount: number
  cancelReason: string
  taxFreeAmount: number
  taxExemptionAmount: number
  refundableAmount: number
  easyPayDiscountAmount: number
  canceledAt: string
  transactionKey: string
  receiptKey: string | null
  cancelStatus: 'DONE'
  cancelRequestId: string | null
}

/** The wire Payment object (spec §1.3), the fields this simulator fills; the rest are null as Toss sends them. */
export interface SimPayment {
  version: '2022-11-16'
  paymentKey: string
  type: 'NORMAL' | 'BILLING'
  orderId: string
  orderName: string
  mId: string
  currency: 'KRW'
  method: '카드' | '가상계좌' | null
  totalAmount: number
  balanceAmount: number
  status: SimStatus
  requestedAt: string
  approvedAt: string | null
  useEscrow: boolean
  lastTransactionKey: string | null
  suppliedAmount: number
  vat: number
  cultureExpense: boolean
  taxFreeAmount: number
  taxExemptionAmount: number
  cancels: SimCancel[] | null
  isPartialCancelable: boolean
  card: Record<string, unknown> | null
  virtualAccount: Record<string, unknown> | null
  secret: string | null
  mobilePhone: null
  giftCertificate: null
  transfer: null
  receipt: { url: string } | null
  checkout: { url: string } | null
  easyPay: null
  country: 'KR'
  failure: { code: string; message: string } | null
  cashReceipt: null
  cashReceipts: null
  discount: null
  metadata: null
}

/** What Toss knows about a payment that is not on the wire. */
export interface SimMeta {
  /** Confirms executed (two would be a double charge). */
  confirms: number
  /** When the current status began: the 30/10-minute timeouts run from it. */
  statusSince: number
  /** When the last cancel was processed: the 1-second rule runs from it. */
  lastCancelAt?: number
  customerName?: string
  /** The window's success/fail URLs (for the window only). */
  successUrl?: string
  failUrl?: string
}

export interface SimBillingKey {
  billingKey: string
  customerKey: string
  cardNumberMasked: string
  issuedAt: string
  deleted: boolean
}

export const MID = 'tvivarepublica'

const alnum = (n: number) => randomBytes(n).toString('base64url').replace(/[-_]/g, 'x').slice(0, n)

/** paymentKey as Toss makes them: a prefix and random text (≤ 200 chars). */
export const newPaymentKey = () => `tgen_${kstIso(Date.now()).slice(0, 10).replace(/-/g, '')}${alnum(24)}`
export const newTransactionKey = () => randomUUID().replace(/-/g, '').toUpperCase()

/** vat and suppliedAmount of an amount, as Toss derives them (tax-free part carries no vat). */
export function taxSplit(amount: number, taxFree: number) {
  const vat = Math.round((amount - taxFree) / 11)
  return { vat, suppliedAmount: amount - taxFree - vat }
}

export class SimState {
  readonly payments = new Map<string, SimPayment>()
  readonly meta = new Map<string, SimMeta>()
  readonly billingKeys = new Map<string, SimBillingKey>()
  /** Every cancel the simulator executed, with the Idempotency-Key it came with. */
  readonly cancelLog: Array<{ paymentKey: string; amount: number; idempotencyKey?: string }> = []
  /**
   * Every cancel request that reached the API (replays included), with its Idempotency-Key: what a test reads to
   * prove that every re-send of a logical cancel carried its original key.
   */
  readonly cancelRequests: Array<{ paymentKey: string; idempotencyKey?: string; at: number }> = []

  constructor(
    readonly settings: TossSimulatorSettings,
    readonly clock: () => number,
  ) {}

  now(): string {
    return kstIso(this.clock())
  }

  create(input: {
    orderId: string
    orderName: string
    amount: number
    taxFreeAmount?: number
    method: SimPayment['method']
    type?: SimPayment['type']
    status: SimStatus
    customerName?: string
  }): SimPayment {
    const paymentKey = newPaymentKey()
    const taxFree = input.taxFreeAmount ?? 0
    const p: SimPayment = {
      version: '2022-11-16',
      paymentKey,
      type: input.type ?? 'NORMAL',
      orderId: input.orderId,
      orderName: input.orderName,
      mId: MID,
      currency: 'KRW',
      method: input.method,
      totalAmount: input.amount,
      balanceAmount: input.amount,
      status: input.status,
      requestedAt: this.now(),
      approvedAt: null,
      useEscrow: false,
      lastTransactionKey: null,
      ...taxSplit(input.amount, taxFree),
      cultureExpense: false,
      taxFreeAmount: taxFree,
      taxExemptionAmount: 0,
      cancels: null,
      isPartialCancelable: true,
      card: null,
      virtualAccount: null,
      secret: null,
      mobilePhone: null,
      giftCertificate: null,
      transfer: null,
      receipt: null,
      checkout: { url: `https://api.tosspayments.com/v1/payments/${paymentKey}/checkout` },
      easyPay: null,
      country: 'KR',
      failure: null,
      cashReceipt: null,
      cashReceipts: null,
      discount: null,
      metadata: null,
    }
    this.payments.set(paymentKey, p)
    this.meta.set(paymentKey, {
      confirms: 0,
      statusSince: this.clock(),
      ...(input.customerName ? { customerName: input.customerName } : {}),
    })
    return p
  }

  metaOf(paymentKey: string): SimMeta {
    const m = this.meta.get(paymentKey)
    if (!m) throw new Error(`no payment ${paymentKey}`)
    return m
  }

  setStatus(p: SimPayment, status: SimStatus): void {
    p.status = status
    this.metaOf(p.paymentKey).statusSince = this.clock()
  }

  /** Applies the timeouts of spec §1.4 lazily: READY 30 min, IN_PROGRESS 10 min, then EXPIRED. */
  expireIfDue(p: SimPayment): boolean {
    const since = this.metaOf(p.paymentKey).statusSince
    const limit =
      p.status === 'READY'
        ? this.settings.readyTimeoutMs
        : p.status === 'IN_PROGRESS'
          ? this.settings.inProgressTimeoutMs
          : undefined
    if (limit === undefined || this.clock() - since < limit) return false
    this.setStatus(p, 'EXPIRED')
    p.failure = { code: 'EXPIRED_PAYMENT', message: '결제 유효 시간이 만료되었습니다.' }
    return true
  }

  find(paymentKey: string): SimPayment | undefined {
    const p = this.payments.get(paymentKey)
    if (p) this.expireIfDue(p)
    return p
  }

  findByOrder(orderId: string): SimPayment | undefined {
    for (const p of this.payments.values()) if (p.orderId === orderId) return this.find(p.paymentKey)
    return undefined
  }

  /** The card approval of a confirm or billing charge: DONE with a card object. */
  approveCard(p: SimPayment, cardNumberMasked = '43301234****123*'): void {
    const tk = newTransactionKey()
    p.approvedAt = this.now()
    p.lastTransactionKey = tk
    p.card = {
      amount: p.totalAmount,
      issuerCode: '71',
      acquirerCode: '71',
      number: cardNumberMasked,
      installmentPlanMonths: 0,
      approveNo: String(10_000_000 + Math.floor(Math.random() * 89_999_999)),
      useCardPoint: false,
      cardType: '신용',
      ownerType: '개인',
      acquireStatus: 'READY',
      isInterestFree: false,
      interestPayer: null,
    }
    p.receipt = { url: `https://dashboard.tosspayments.com/receipt/redirection?transactionId=${tk}` }
    this.setStatus(p, 'DONE')
  }

  /** A virtual account on a payment: WAITING_FOR_DEPOSIT with a `secret` for its webhooks (spec §1.2). */
  issueAccount(p: SimPayment, bank: string, dueDate: string, customerName: string): void {
    p.virtualAccount = {
      accountType: '일반',
      // Test accounts start with X and take no money (spec §1.2).
      accountNumber: `X${String(Math.floor(Math.random() * 1e13)).padStart(13, '0')}`,
      bankCode: bank,
      customerName,
      dueDate,
      refundStatus: 'NONE',
      expired: false,
      settlementStatus: 'INCOMPLETED',
      refundReceiveAccount: null,
    }
    p.secret = `ps_${alnum(20)}`
    p.lastTransactionKey = newTransactionKey()
    this.setStatus(p, 'WAITING_FOR_DEPOSIT')
  }

  /** The customer's deposit: WAITING_FOR_DEPOSIT → DONE. */
  deposit(p: SimPayment): void {
    p.approvedAt = this.now()
    p.lastTransactionKey = newTransactionKey()
    this.setStatus(p, 'DONE')
  }

  /**
   * The rare reversal the English webhook page mentions: "the payment status can change from DONE back to
   * WAITING_FOR_DEPOSIT" after network issues.
   */
  revertDeposit(p: SimPayment): void {
    p.approvedAt = null
    p.lastTransactionKey = newTransactionKey()
    this.setStatus(p, 'WAITING_FOR_DEPOSIT')
  }

  /**
   * A waiting virtual account closed with balanceAmount left at totalAmount (setting `waitingAccountClose:
   * 'balanceKept'`, invented: the spec does not say how Toss books a close before any deposit).
   */
  keepBalance(p: SimPayment): void {
    p.balanceAmount = p.totalAmount
    Object.assign(p, taxSplit(p.totalAmount, p.taxFreeAmount))
  }

  /** Books a cancel: cancels[] grows, balanceAmount and the tax split shrink, status follows the balance. */
  cancel(
    p: SimPayment,
    amount: number,
    reason: string,
    taxFree: number,
    refundAccount?: Record<string, unknown>,
    idempotencyKey?: string,
  ): SimCancel {
    const tk = newTransactionKey()
    p.balanceAmount -= amount
    const remainingTaxFree = Math.max(0, p.taxFreeAmount - taxFree)
    Object.assign(p, taxSplit(p.balanceAmount, remainingTaxFree), { taxFreeAmount: remainingTaxFree })
    const c: SimCancel = {
      cancelAmount: amount,
      cancelReason: reason,
      taxFreeAmount: taxFree,
      taxExemptionAmount: 0,
      refundableAmount: p.balanceAmount,
      easyPayDiscountAmount: 0,
      canceledAt: this.now(),
      transactionKey: tk,
      receiptKey: null,
      cancelStatus: 'DONE',
      cancelRequestId: null,
    }
    p.cancels = [...(p.cancels ?? []), c]
    p.lastTransactionKey = tk
    if (p.virtualAccount && refundAccount) {
      p.virtualAccount.refundReceiveAccount = refundAccount
      p.virtualAccount.refundStatus = 'COMPLETED'
    }
    if (p.card) p.card.acquireStatus = p.balanceAmount === 0 ? 'CANCELED' : p.card.acquireStatus
    this.setStatus(p, p.balanceAmount === 0 ? 'CANCELED' : 'PARTIAL_CANCELED')
    this.metaOf(p.paymentKey).lastCancelAt = this.clock()
    this.cancelLog.push({ paymentKey: p.paymentKey, amount, ...(idempotencyKey ? { idempotencyKey } : {}) })
    return c
  }
}
