import { randomBytes, randomInt } from 'node:crypto'
import { kstCompact } from '@paymux/core'
import type { ResolvedSettings, SimError } from './settings.js'

export interface SimCancel {
  cancelTid: string
  amount: number
  /** yyyyMMddHHmmss KST. */
  date: string
  reason: string
  viaDeposit: boolean
  /** Epoch ms the cancel executed (lookups show it `cancelLookupLagMs` later). */
  at: number
}

export interface PendingDepositCancel {
  amount: number
  reason: string
  bankName: string
  accountNo: string
  depositAmount: number
  depositEndDate: string
}

export interface SimPayment {
  tid: string
  orderNo: string
  apiId: string
  amount: number
  method: 'card' | 'virtual_account'
  /** PAYMETHOD as paycert shows it. */
  payMethod: string
  deposited: boolean
  /** Paid out / settlement fixed: a cancel answers 9029 (Kiwoom only, per the manual). */
  settled: boolean
  createdAt: number
  acceptDate: string
  acceptNo: string
  buyerName: string
  productName: string
  cancels: SimCancel[]
  pending?: PendingDepositCancel
  /** paycert lookups of this payment so far (`paycertLagCalls`). */
  paycertCalls: number
  /** Set for payments made in the simulator's window. */
  checkout?: CheckoutCounters
  va?: { accountNo: string; bankCode: string; bankName: string; receiver: string; depositEndDate: string }
}

/** What happened around a payment made in the window, for tests to assert "exactly one". */
export interface CheckoutCounters {
  /** Times the window posted (or re-posted) this payment's result to RETURNURL. */
  returnPosts: number
  approvalNotisSent: number
  approvalNotisLost: number
  decrypts: number
}

export interface SeedPaymentInput {
  amount: number
  method?: 'card' | 'virtual_account'
  deposited?: boolean
  settled?: boolean
  transactionId?: string
  orderId?: string
  /** The 연동 ID the payment belongs to (a cancel must use the same pair). Default: the first account. */
  apiId?: string
  /** PAYMETHOD override for cards (KAKAOPAY, NAVERPAY, CARD_SUGI, …). */
  payMethod?: string
  buyerName?: string
  productName?: string
}

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: SimError }

const digits = (n: number) => Array.from({ length: n }, () => randomInt(10)).join('')
const alnum = (n: number) =>
  Array.from(randomBytes(n), (b) => 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'[b % 36]).join('')

export function cancelledAmount(p: SimPayment): number {
  return p.cancels.reduce((n, c) => n + c.amount, 0)
}

/** The cancels paycert and paysearch already show (`cancelLookupLagMs` after each executed). */
export function visibleCancels(p: SimPayment, s: ResolvedSettings): SimCancel[] {
  const now = s.clock()
  return p.cancels.filter((c) => now >= c.at + s.cancelLookupLagMs)
}

export function statusOf(p: SimPayment): string {
  const done = cancelledAmount(p)
  if (done >= p.amount) return 'cancelled'
  if (p.pending) return 'deposit_cancel_pending'
  if (done > 0) return 'partial_cancelled'
  if (p.method === 'virtual_account' && !p.deposited) return 'waiting_for_deposit'
  return 'paid'
}

/** The simulator's memory. One store per simulator instance. */
export class SimState {
  readonly payments = new Map<string, SimPayment>()
  readonly #s: ResolvedSettings

  constructor(settings: ResolvedSettings) {
    this.#s = settings
  }

  readonly #used = new Set<string>()
  readonly #orderNos = new Set<string>()

  /** The first of `make(attempt)` not in `given` (then recorded there). */
  static #fresh(given: Set<string>, make: (attempt: number) => string): string {
    for (let attempt = 0; ; attempt++) {
      const value = make(attempt)
      if (!given.has(value)) {
        given.add(value)
        return value
      }
    }
  }

  /** TIDs shaped like the captured ones (20 characters); unique within this simulator. */
  newTid(kind: 'toss' | 'va' | 'kiwoom'): string {
    const t = kstCompact(this.#s.clock())
    for (;;) {
      const tid = SimState.#fresh(this.#used, () =>
        kind === 'kiwoom'
          ? `${t.slice(2)}GU${alnum(6)}`
          : `${kind === 'va' ? 'XEH' : 'cTS'}${t.slice(2)}${digits(5)}`,
      )
      // A TID a caller seeded by name is taken too.
      if (!this.payments.has(tid)) return tid
    }
  }

  /**
   * A seeded payment's order number when the caller names none: the time and four digits, unique within this
   * simulator. A merchant's order numbers are unique per payment, and the gateway refuses a second payment
   * under one (duplicate_order_id): random digits alone collided in fast test runs (~2% for 20 seeds a second).
   */
  newOrderNo(now: number): string {
    const t = kstCompact(now)
    // Longer once a tick's four digits are crowded (a fixed test clock seeding thousands).
    return SimState.#fresh(this.#orderNos, (attempt) => `${t}${digits(4 + Math.floor(attempt / 20))}`)
  }

  seed(input: SeedPaymentInput): SimPayment {
    if (!Number.isSafeInteger(input.amount) || input.amount <= 0)
      throw new TypeError('amount must be a positive integer')
    const method = input.method ?? 'card'
    const settled = input.settled ?? false
    const tid =
      input.transactionId ?? this.newTid(settled ? 'kiwoom' : method === 'virtual_account' ? 'va' : 'toss')
    if (this.payments.has(tid)) throw new TypeError(`payment ${tid} exists`)
    const now = this.#s.clock()
    const deposited = method === 'card' ? true : (input.deposited ?? false)
    const p: SimPayment = {
      tid,
      orderNo: input.orderId ?? this.newOrderNo(now),
      apiId: input.apiId ?? this.#s.accounts[0]!.apiId,
      amount: input.amount,
      method,
      payMethod: method === 'virtual_account' ? 'VACCT' : (input.payMethod ?? 'CARD'),
      deposited,
      settled,
      createdAt: now,
      acceptDate: deposited ? kstCompact(now) : '',
      acceptNo: method === 'card' ? digits(8) : deposited ? '00000000' : '',
      buyerName: input.buyerName ?? '홍길동',
      productName: input.productName ?? 'paymux 시뮬레이터 상품',
      cancels: [],
      paycertCalls: 0,
    }
    if (method === 'virtual_account') {
      p.va = {
        accountNo: `5${digits(13)}`,
        bankCode: '03',
        bankName: '중소기업은행',
        receiver: '(주)페이먹스',
        depositEndDate: kstCompact(now + 3 * 86400_000).slice(0, 8) + '235959',
      }
    }
    this.payments.set(tid, p)
    return p
  }

  /** A customer pays a waiting virtual account. False when there is none to pay. */
  markDeposited(p: SimPayment): boolean {
    if (p.method !== 'virtual_account' || p.deposited || cancelledAmount(p) > 0) return false
    p.deposited = true
    p.acceptDate = kstCompact(this.#s.clock())
    p.acceptNo = '00000000'
    return true
  }

  /** `/api/cancel` semantics once the caller is authenticated and the body is well-formed. */
  cancel(
    p: SimPayment,
    req: { reason: string; amount?: number; bank?: string; accountNo?: string; accountName?: string },
  ): Outcome<SimCancel> {
    const c = this.#s.codes
    const remaining = p.amount - cancelledAmount(p)
    if (remaining <= 0) return { ok: false, error: c.alreadyCancelled }
    if (p.settled) return { ok: false, error: c.settled }
    const amount = req.amount ?? remaining
    if (p.method === 'virtual_account') {
      if (!p.deposited && amount !== remaining) return { ok: false, error: c.partialNotAllowed }
      if (p.deposited) {
        if (!req.bank || !req.accountNo || !req.accountName)
          return { ok: false, error: c.refundAccountRequired }
        const shape = this.#s.refundBankCodeDigits === 2 ? /^\d{2}$/ : /^\d{3}$/
        if (!shape.test(req.bank) || !/^\d{6,20}$/.test(req.accountNo))
          return { ok: false, error: c.invalidBank }
      }
    }
    if (amount > remaining) return { ok: false, error: c.overCancel }
    if (!this.#s.partialCancel && amount !== remaining) return { ok: false, error: c.partialNotAllowed }
    return { ok: true, value: this.#apply(p, amount, req.reason, false) }
  }

  /** `/api/get_cancel_bank_account`: names the account the merchant must deposit into. */
  depositAccount(p: SimPayment, req: { reason: string; amount: number }): Outcome<PendingDepositCancel> {
    const c = this.#s.codes
    const remaining = p.amount - cancelledAmount(p)
    if (remaining <= 0) return { ok: false, error: c.alreadyCancelled }
    if (!p.settled) return { ok: false, error: c.notSettled }
    if (req.amount > remaining) return { ok: false, error: c.overCancel }
    const now = this.#s.clock()
    const end = kstCompact(now + this.#s.depositDays * 86400_000).slice(0, 8)
    const full = `${end}235959`
    p.pending = {
      amount: req.amount,
      reason: req.reason,
      bankName: this.#s.depositBankName,
      accountNo: `0${digits(13)}`,
      depositAmount: req.amount + this.#s.depositFee,
      depositEndDate: full.slice(0, this.#s.depositEndDateDigits),
    }
    return { ok: true, value: p.pending }
  }

  /** The merchant deposited: CookiePay executes the pending cancel. */
  completeDeposit(p: SimPayment): SimCancel | undefined {
    const pending = p.pending
    if (!pending) return undefined
    p.pending = undefined
    return this.#apply(p, pending.amount, pending.reason, true)
  }

  #apply(p: SimPayment, amount: number, reason: string, viaDeposit: boolean): SimCancel {
    const cancel: SimCancel = {
      cancelTid: this.newTid(p.settled ? 'kiwoom' : 'toss'),
      amount,
      date: kstCompact(this.#s.clock()),
      reason,
      viaDeposit,
      at: this.#s.clock(),
    }
    p.cancels.push(cancel)
    return cancel
  }
}
