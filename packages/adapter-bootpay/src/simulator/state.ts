import { randomBytes } from 'node:crypto'
import type { BootpaySimulatorSettings, SimErrorKind } from './settings.js'

export type Version = 'v1' | 'v2'

export class SimError extends Error {
  constructor(
    readonly kind: SimErrorKind,
    detail?: string,
  ) {
    super(detail ?? kind)
  }
}

export interface SimCancel {
  cancelId: string | undefined
  price: number
  taxFree: number
  at: number
}

export interface SimReceipt {
  receiptId: string
  orderId: string
  orderName: string
  price: number
  taxFree: number
  cancelledPrice: number
  cancelledTaxFree: number
  /** Bootpay receipt status: 1 paid, 5 waiting for deposit, 20 cancelled, -3 virtual account withdrawn. */
  status: number
  pg: string
  method: 'card' | 'vbank' | 'card_rebill_rest'
  requestedAt: number
  purchasedAt: number | undefined
  cancelledAt: number | undefined
  tid: string
  cancels: SimCancel[]
  lastPartialAt: number | undefined
  settled: boolean
  /** Cancelled at the PG itself, outside Bootpay (seed 003). */
  pgCancelled: boolean
  vbank?: { bankCode: string; account: string; expiresAt?: string }
  card?: { masked: string; companyCode: string; company: string; approveNo: string }
  /** Made by the checkout window: how its server confirms went. */
  checkout?: { separatelyConfirmed: boolean; confirmRequests: number; confirmsApplied: number }
}

/** An opened checkout window: the order the page sent, and the receipt once the customer approved. */
export interface SimWindow {
  id: string
  payload: Record<string, unknown>
  redirectUrl: string
  openedAt: number
  receiptId?: string
}

export interface SimBillingKey {
  billingKey: string
  receiptId: string
  subscriptionId: string
  pg: string
  masked: string
  companyCode: string
  company: string
  publishedAt: number
  expireAt: number
  deleted: boolean
}

export interface RefundInput {
  account: string | undefined
  holder: string | undefined
  bankCode: string | undefined
}

export interface CancelInput {
  version: Version
  receiptId: string
  price: number | undefined
  taxFree: number | undefined
  cancelId: string | undefined
  refund: RefundInput | undefined
}

/** Bank codes Bootpay accepts for refunds (KFTC numbering). */
const REFUND_BANKS = new Set([
  '002',
  '003',
  '004',
  '007',
  '011',
  '012',
  '020',
  '023',
  '027',
  '031',
  '032',
  '034',
  '035',
  '037',
  '039',
  '045',
  '048',
  '050',
  '064',
  '071',
  '081',
  '088',
  '089',
  '090',
  '092',
])

let counter = 0
/** 24 hex characters, like Bootpay's (MongoDB ObjectId) receipt ids. */
export function objectId(now: number): string {
  const t = Math.floor(now / 1000)
    .toString(16)
    .padStart(8, '0')
    .slice(-8)
  const c = (counter++ & 0xffffff).toString(16).padStart(6, '0')
  return `${t}${randomBytes(5).toString('hex')}${c}`
}

function luhn(number: string): boolean {
  let sum = 0
  for (let i = 0; i < number.length; i++) {
    let d = Number(number[number.length - 1 - i])
    if (i % 2 === 1) {
      d *= 2
      if (d > 9) d -= 9
    }
    sum += d
  }
  return sum % 10 === 0
}

/** Masks like Bootpay: first 8 digits, 4 stars, last 4. */
export const maskCard = (n: string) => `${n.slice(0, 8)}****${n.slice(-4)}`

export interface TokenRecord {
  version: Version
  credential: string
  issuedAt: number
  expiresAt: number
}

/** The simulator's memory: receipts, billing keys and tokens. Card numbers are never kept. */
export class SimState {
  readonly receipts = new Map<string, SimReceipt>()
  readonly billingKeys = new Map<string, SimBillingKey>()
  readonly tokens = new Map<string, TokenRecord>()
  readonly windows = new Map<string, SimWindow>()
  readonly stats = {
    tokenRequests: { v1: 0, v2: 0 },
    tokensIssued: 0,
    confirms: { requests: 0, applied: 0, refused: 0 },
  }
  #current = new Map<string, string>()

  constructor(
    readonly settings: BootpaySimulatorSettings,
    readonly clock: () => number,
  ) {}

  /** Bootpay: a request within 25 minutes returns the same token; later, a new one while the old one lives on. */
  issueToken(version: Version, credential: string): TokenRecord & { token: string } {
    const now = this.clock()
    this.stats.tokenRequests[version]++
    const key = `${version}:${credential}`
    const cur = this.#current.get(key)
    const rec = cur ? this.tokens.get(cur) : undefined
    if (cur && rec && now - rec.issuedAt < this.settings.tokenReuseMs && now < rec.expiresAt)
      return { ...rec, token: cur }
    const token = randomBytes(32).toString('hex')
    const fresh: TokenRecord = {
      version,
      credential,
      issuedAt: now,
      expiresAt: now + this.settings.tokenTtlMs,
    }
    this.tokens.set(token, fresh)
    this.#current.set(key, token)
    this.stats.tokensIssued++
    return { ...fresh, token }
  }

  tokenValid(token: string, version: Version): boolean {
    if (this.settings.rejectAllTokens) return false
    const rec = this.tokens.get(token)
    return !!rec && rec.version === version && this.clock() < rec.expiresAt
  }

  /** Forgets every token, as when Bootpay's keys are rotated. */
  revokeTokens(): void {
    this.tokens.clear()
    this.#current.clear()
  }

  seed(input: {
    amount: number
    method?: 'card' | 'virtual_account'
    deposited?: boolean
    settled?: boolean
    transactionId?: string
    orderId?: string
    pg?: string
    taxFree?: number
  }): SimReceipt {
    const now = this.clock()
    if (!Number.isSafeInteger(input.amount) || input.amount <= 0)
      throw new Error('amount must be a positive integer')
    const id = input.transactionId ?? objectId(now)
    const vbank = input.method === 'virtual_account'
    const paid = !vbank || input.deposited === true
    const r: SimReceipt = {
      receiptId: id,
      orderId: input.orderId ?? `order_${id}`,
      orderName: '테스트 상품',
      price: input.amount,
      taxFree: input.taxFree ?? 0,
      cancelledPrice: 0,
      cancelledTaxFree: 0,
      status: paid ? 1 : 5,
      pg: input.pg ?? this.settings.defaultPg,
      method: vbank ? 'vbank' : 'card',
      requestedAt: now,
      purchasedAt: paid ? now : undefined,
      cancelledAt: undefined,
      tid: `T${id.slice(-12)}`,
      cancels: [],
      lastPartialAt: undefined,
      settled: input.settled === true,
      pgCancelled: false,
      ...(vbank
        ? { vbank: { bankCode: '004', account: `9${String(now).slice(-11)}` } }
        : {
            card: {
              masked: '55704204****1074',
              companyCode: '02',
              company: 'KB국민',
              approveNo: String(now).slice(-8),
            },
          }),
    }
    this.receipts.set(id, r)
    return r
  }

  receipt(id: string): SimReceipt {
    const r = this.receipts.get(id)
    if (!r) throw new SimError('not_found')
    return r
  }

  /** Bootpay's cancel rules. Returns the receipt and what this call moved (0 for a replayed cancel_id). */
  cancel(input: CancelInput): { receipt: SimReceipt; moved: number; movedTaxFree: number } {
    const s = this.settings
    const r = this.receipt(input.receiptId)
    const now = this.clock()
    const repeated = input.cancelId !== undefined && r.cancels.some((c) => c.cancelId === input.cancelId)
    const guard = () => {
      if (s.duplicateCancelId === 'error') throw new SimError('cancel_id_duplicated')
      return { receipt: r, moved: 0, movedTaxFree: 0 }
    }
    if (repeated && s.duplicateCancelIdOrder === 'before_rules') return guard()
    if (r.pgCancelled && r.cancelledPrice < r.price) throw new SimError('pg_already_cancelled')
    if (r.status === 20 || r.status === -3 || r.cancelledPrice >= r.price)
      throw new SimError('already_cancelled')
    if (r.status !== 1 && r.status !== 5) throw new SimError('not_cancellable')
    const remaining = r.price - r.cancelledPrice
    if (input.price !== undefined) {
      if (!Number.isSafeInteger(input.price) || input.price <= 0) throw new SimError('invalid_param', 'price')
      if (input.price > remaining) throw new SimError('price_over')
    }
    const partial = input.price !== undefined && (input.price < r.price || s.wholePriceCancel === 'partial')
    if (partial) {
      if (r.method === 'vbank' || !s.partialCancelPgs.includes(r.pg))
        throw new SimError('partial_unsupported')
      const min = s.partialCancelMinExclusive[input.version]
      if (min !== null && input.price! <= min) throw new SimError('price_too_small')
      if (
        s.partialCancelGuardMs !== null &&
        r.lastPartialAt !== undefined &&
        now - r.lastPartialAt < s.partialCancelGuardMs
      ) {
        throw new SimError('partial_guard')
      }
    }
    const moved = input.price ?? remaining
    const taxRemaining = r.taxFree - r.cancelledTaxFree
    const movedTaxFree = input.taxFree ?? (partial ? 0 : taxRemaining)
    if (
      !Number.isSafeInteger(movedTaxFree) ||
      movedTaxFree < 0 ||
      movedTaxFree > taxRemaining ||
      movedTaxFree > moved
    ) {
      throw new SimError('invalid_param', 'tax_free')
    }
    if (r.method === 'vbank' && r.status === 1) this.#checkRefund(input.refund)
    if (repeated) return guard()
    r.cancelledPrice += moved
    r.cancelledTaxFree += movedTaxFree
    r.cancelledAt = now
    if (r.status === 5) r.status = -3
    else if (r.cancelledPrice >= r.price) r.status = 20
    else if (input.version === 'v2') r.status = s.v2PartialCancelStatus
    if (partial) r.lastPartialAt = now
    r.cancels.push({ cancelId: input.cancelId, price: moved, taxFree: movedTaxFree, at: now })
    return { receipt: r, moved, movedTaxFree }
  }

  /**
   * The PG cancels the whole payment itself (its test-mode scheduler, its console). Bootpay's receipt shows it
   * only with `pgCancelReflected`; the PG refuses any later cancel either way.
   */
  cancelAtPg(id: string): SimReceipt {
    const r = this.receipt(id)
    r.pgCancelled = true
    if (this.settings.pgCancelReflected && r.cancelledPrice < r.price) {
      const now = this.clock()
      r.cancels.push({ cancelId: undefined, price: r.price - r.cancelledPrice, taxFree: 0, at: now })
      r.cancelledPrice = r.price
      r.cancelledAt = now
      r.status = 20
    }
    return r
  }

  #checkRefund(refund: RefundInput | undefined): void {
    if (!refund || (!refund.account && !refund.holder && !refund.bankCode))
      throw new SimError('refund_required')
    const ok =
      typeof refund.account === 'string' &&
      /^\d{6,20}$/.test(refund.account) &&
      typeof refund.holder === 'string' &&
      refund.holder.trim() !== '' &&
      typeof refund.bankCode === 'string' &&
      REFUND_BANKS.has(refund.bankCode)
    if (!ok) throw new SimError('refund_invalid')
  }

  /** The customer approved in the window: a receipt awaiting the merchant's confirm (status 2), or paid in auto mode. */
  authenticate(w: SimWindow): SimReceipt {
    if (w.receiptId) return this.receipt(w.receiptId)
    const p = w.payload
    const extra = (p.extra && typeof p.extra === 'object' ? p.extra : {}) as Record<string, unknown>
    const vbank = p.method === 'vbank' || p.method === '가상계좌'
    const r = this.seed({
      amount: Number(p.price),
      method: vbank ? 'virtual_account' : 'card',
      orderId: String(p.order_id),
      ...(typeof p.pg === 'string' && p.pg !== '' ? { pg: p.pg } : {}),
      taxFree: typeof p.tax_free === 'number' ? p.tax_free : 0,
    })
    const separately = extra.separately_confirmed === true
    r.orderName = String(p.order_name)
    r.status = separately ? 2 : vbank ? 5 : 1
    r.purchasedAt = r.status === 1 ? r.requestedAt : undefined
    if (r.vbank && typeof extra.deposit_expiration === 'string') r.vbank.expiresAt = extra.deposit_expiration
    r.checkout = { separatelyConfirmed: separately, confirmRequests: 0, confirmsApplied: 0 }
    w.receiptId = r.receiptId
    return r
  }

  /** `/v2/confirm` (v1 `/submit`): status 2 → 1 (5 for a virtual account) once; anything else is refused. */
  confirm(id: string): SimReceipt {
    const r = this.receipt(id)
    this.stats.confirms.requests++
    if (r.checkout) r.checkout.confirmRequests++
    if (r.status !== 2) throw new SimError('not_confirm_ready')
    if (this.settings.confirmRefusal) {
      r.status = -2
      this.stats.confirms.refused++
      throw new SimError('confirm_failed')
    }
    r.status = r.method === 'vbank' ? 5 : 1
    r.purchasedAt = r.status === 1 ? this.clock() : undefined
    if (r.checkout) r.checkout.confirmsApplied++
    this.stats.confirms.applied++
    return r
  }

  deposit(id: string): SimReceipt {
    const r = this.receipt(id)
    if (r.method !== 'vbank' || r.status !== 5)
      throw new SimError('not_cancellable', 'not a waiting virtual account')
    r.status = 1
    r.purchasedAt = this.clock()
    return r
  }

  issueBillingKey(input: {
    pg: string
    subscriptionId: string
    cardNo: unknown
    cardPw: unknown
    identity: unknown
    expireYear: unknown
    expireMonth: unknown
  }): SimBillingKey {
    const now = this.clock()
    if (!this.settings.restBillingPgs.includes(input.pg)) throw new SimError('invalid_param', 'pg')
    if (input.subscriptionId === '') throw new SimError('invalid_param', 'subscription_id / order_id')
    const n = typeof input.cardNo === 'string' ? input.cardNo : ''
    const yy = typeof input.expireYear === 'string' ? input.expireYear : ''
    const mm = typeof input.expireMonth === 'string' ? input.expireMonth : ''
    if (!/^\d{13,19}$/.test(n) || !luhn(n)) throw new SimError('card_declined')
    if (!/^\d{2}$/.test(yy) || !/^(0[1-9]|1[0-2])$/.test(mm)) throw new SimError('invalid_param', 'expire')
    if (input.cardPw !== undefined && !(typeof input.cardPw === 'string' && /^\d{2}$/.test(input.cardPw))) {
      throw new SimError('invalid_param', 'card_pw')
    }
    if (
      input.identity !== undefined &&
      !(typeof input.identity === 'string' && /^(\d{6}|\d{10})$/.test(input.identity))
    ) {
      throw new SimError('invalid_param', 'identity')
    }
    const expireAt = Date.UTC(2000 + Number(yy), Number(mm), 1) - 1
    if (expireAt < now) throw new SimError('card_declined', 'expired card')
    if (this.settings.declinedCards.includes(n)) throw new SimError('card_declined')
    const bk: SimBillingKey = {
      billingKey: objectId(now),
      receiptId: objectId(now),
      subscriptionId: input.subscriptionId,
      pg: input.pg,
      masked: maskCard(n),
      companyCode: '02',
      company: 'KB국민',
      publishedAt: now,
      expireAt,
      deleted: false,
    }
    this.billingKeys.set(bk.billingKey, bk)
    return bk
  }

  billingKey(key: string): SimBillingKey {
    const bk = this.billingKeys.get(key)
    if (!bk || bk.deleted || bk.expireAt < this.clock()) throw new SimError('bk_expired')
    return bk
  }

  charge(input: {
    billingKey: string
    price: unknown
    taxFree: unknown
    orderId: unknown
    orderName: unknown
  }): SimReceipt {
    const bk = this.billingKey(input.billingKey)
    const price = input.price
    if (typeof price !== 'number' || !Number.isSafeInteger(price) || price <= 0)
      throw new SimError('invalid_param', 'price')
    if (typeof input.orderId !== 'string' || input.orderId === '')
      throw new SimError('invalid_param', 'order_id')
    if (typeof input.orderName !== 'string' || input.orderName === '')
      throw new SimError('invalid_param', 'order_name')
    const taxFree = input.taxFree === undefined ? 0 : input.taxFree
    if (typeof taxFree !== 'number' || taxFree < 0 || taxFree > price)
      throw new SimError('invalid_param', 'tax_free')
    const r = this.seed({ amount: price, orderId: input.orderId, pg: 'nicepay', taxFree })
    r.method = 'card_rebill_rest'
    r.orderName = input.orderName
    r.card = {
      masked: bk.masked,
      companyCode: bk.companyCode,
      company: bk.company,
      approveNo: r.card!.approveNo,
    }
    return r
  }

  deleteBillingKey(key: string): SimBillingKey {
    const bk = this.billingKey(key)
    bk.deleted = true
    return bk
  }
}
