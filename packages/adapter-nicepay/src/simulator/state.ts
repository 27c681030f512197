/** The simulator's memory: what NicePay knows about a merchant's transactions and billing keys. */

export type SimMethod = 'card' | 'virtual_account'

export type SimStatus =
  | 'paid'
  | 'partial_cancelled'
  | 'cancelled'
  | 'waiting_for_deposit'
  | 'deposited'
  | 'partial_refunded'
  | 'refunded'
  /** Undone by a network cancel right after its approval: nothing was charged. */
  | 'net_cancelled'

export interface SimCancel {
  moid: string
  amount: number
  cancelNum: string
  at: number
  refundAccount?: { bankCode: string; accountNumber: string; holderName: string }
}

export interface SimVbank {
  bankCode: string
  bankName: string
  accountNumber: string
  /** yyyyMMdd + HHmmss, KST. */
  expDate: string
  expTime: string
  accountName?: string
  deposited: boolean
  depositedAt?: number
  depositorName?: string
}

export interface SimPayment {
  tid: string
  mid: string
  method: SimMethod
  amount: number
  cancelledAmount: number
  orderId: string
  goodsName: string
  buyerName?: string
  buyerEmail?: string
  approvedAt: number
  cancels: SimCancel[]
  vbank?: SimVbank
  /** Issued-but-unpaid virtual account that was cancelled ("채번취소"). */
  issueCancelled?: boolean
  billingKey?: string
  /** Undone by a network cancel (망취소). */
  netCancelled?: boolean
}

/** One opening of the payment window, keyed by its TxTid (checkout.md §5). */
export type SimAuthState = 'opened' | 'authenticated' | 'declined' | 'approved' | 'failed' | 'net_cancelled'

export interface SimAuth {
  txTid: string
  mid: string
  moid: string
  amount: number
  goodsName: string
  payMethod: 'CARD' | 'VBANK'
  buyerName?: string
  buyerEmail?: string
  buyerTel?: string
  /** yyyyMMdd or yyyyMMddHHmm, as the window got it. */
  vbankExpDate?: string
  returnUrl: string
  charset: 'utf-8' | 'euc-kr'
  reqReserved: string
  state: SimAuthState
  openedAt: number
  authToken?: string
  authenticatedAt?: number
  approvedAt?: number
  /** Approval calls naming this TxTid, and how many of them executed (at most one). */
  approvalCalls: number
  approvals: number
  /** Network-cancel calls naming this TxTid, and how many of them undid an approval (at most one). */
  netCancelCalls: number
  netCancels: number
}

export interface SimBillingKey {
  bid: string
  mid: string
  cardMasked: string
  cardCode: string
  cardName: string
  active: boolean
  issuedAt: number
}

export class SimState {
  readonly payments = new Map<string, SimPayment>()
  readonly billingKeys = new Map<string, SimBillingKey>()
  /** Every TID ever used (payments, registrations): NicePay answers 1651 to a second use. */
  readonly usedTids = new Set<string>()
  /** Order numbers per MID and endpoint ("Moid 중복"). */
  readonly usedMoids = new Set<string>()
  /** Payment-window openings by TxTid. */
  readonly auths = new Map<string, SimAuth>()
  #cancelSeq = 0
  #accountSeq = 0
  #authSeq = 0

  nextCancelNum(): string {
    this.#cancelSeq = (this.#cancelSeq + 1) % 100_000_000
    return String(this.#cancelSeq).padStart(8, '0')
  }

  nextAccountNumber(bankCode: string): string {
    this.#accountSeq++
    return `${bankCode.slice(1)}${String(90_000_000_000 + this.#accountSeq)}`
  }

  nextAuthCode(): string {
    this.#authSeq = (this.#authSeq + 1) % 100_000_000
    return String(this.#authSeq).padStart(8, '0')
  }

  status(p: SimPayment): SimStatus {
    if (p.netCancelled) return 'net_cancelled'
    if (p.method === 'virtual_account') {
      if (p.issueCancelled) return 'cancelled'
      if (!p.vbank?.deposited) return 'waiting_for_deposit'
      if (p.cancelledAmount === 0) return 'deposited'
      return p.cancelledAmount >= p.amount ? 'refunded' : 'partial_refunded'
    }
    if (p.cancelledAmount === 0) return 'paid'
    return p.cancelledAmount >= p.amount ? 'cancelled' : 'partial_cancelled'
  }
}
