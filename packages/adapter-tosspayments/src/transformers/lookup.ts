import type {
  CheckoutVirtualAccount,
  PaymentMethod,
  TransactionCancel,
  TransactionLookup,
  TransactionStatus,
} from '@paymux/core'
import { bankByCode } from '@paymux/core'
import { kftcOf } from '../banks.js'
import { invalidResponse, type Json, krw, obj, str } from '../wire.js'

/** Payment.status (spec §1.4) → the neutral status. IN_PROGRESS: authenticated, not approved yet. */
export const STATUSES: Readonly<Record<string, TransactionStatus>> = {
  READY: 'ready',
  IN_PROGRESS: 'ready',
  WAITING_FOR_DEPOSIT: 'waiting_for_deposit',
  DONE: 'paid',
  CANCELED: 'cancelled',
  PARTIAL_CANCELED: 'partial_cancelled',
  ABORTED: 'failed',
  EXPIRED: 'expired',
}

/** Payment.method is a Korean string (spec §1.3); the English forms are what other fakes send. */
export const METHODS: Readonly<Record<string, PaymentMethod>> = {
  카드: 'card',
  가상계좌: 'virtual_account',
  간편결제: 'easy_pay',
  휴대폰: 'phone',
  계좌이체: 'bank_transfer',
  문화상품권: 'other',
  도서문화상품권: 'other',
  게임문화상품권: 'other',
  CARD: 'card',
  VIRTUAL_ACCOUNT: 'virtual_account',
}

/** The cancels[] of a Payment; an entry without a readable amount makes the whole list unreadable. */
export function cancelsOf(p: Json): Json[] | undefined {
  if (p.cancels === null || p.cancels === undefined) return []
  if (!Array.isArray(p.cancels)) return undefined
  const list = p.cancels.map(obj)
  return list.every((c): c is Json => c !== undefined && krw(c.cancelAmount) !== undefined) ? list : undefined
}

/**
 * Whether a Payment's amounts agree (totalAmount - balanceAmount = Σ cancels[]), and what is still cancellable.
 * A virtual account closed before any deposit may keep balanceAmount at totalAmount (the spec does not say how
 * Toss books it; simulator setting `waitingAccountClose`): CANCELED with cancels[] of the whole amount is
 * consistent either way, and nothing is left to cancel.
 */
export function bookkeeping(status: string, total: number, balance: number, cancelled: number) {
  if (status === 'CANCELED' && cancelled === total) return { consistent: true, cancellable: 0 }
  return { consistent: total - balance === cancelled, cancellable: balance }
}

/**
 * A Payment's virtualAccount (spec §1.3) as the customer's deposit instructions: the bank as its KFTC code and
 * name where Toss's code is known (`bankCodes`, a setting), else Toss's code as the name.
 */
export function depositAccountOf(
  p: Json,
  bankCodes: Readonly<Record<string, string>>,
): CheckoutVirtualAccount | undefined {
  const va = obj(p.virtualAccount)
  const accountNumber = str(va?.accountNumber)
  if (!va || !accountNumber) return undefined
  const bankCode = str(va.bankCode)
  const kftc = bankCode ? kftcOf(bankCode, bankCodes) : undefined
  return {
    bankName: (kftc ? bankByCode(kftc)?.name : undefined) ?? bankCode ?? '',
    accountNumber,
    ...(kftc ? { bankCode: kftc } : {}),
    ...(str(va.customerName) ? { holderName: str(va.customerName)! } : {}),
    ...(str(va.dueDate) ? { dueDate: str(va.dueDate)! } : {}),
  }
}

/**
 * A Payment object as a lookup. The amounts come from Toss's own bookkeeping: totalAmount (never changes),
 * balanceAmount (what is still cancellable), and the sum of cancels[]; they must agree, or the answer is not
 * one to settle money from.
 */
export function fromPayment(
  p: Json,
  operation: string,
  bankCodes: Readonly<Record<string, string>>,
): TransactionLookup {
  const paymentKey = str(p.paymentKey)
  const status = str(p.status)
  const total = krw(p.totalAmount)
  const balance = krw(p.balanceAmount)
  const cancels = cancelsOf(p)
  if (!paymentKey || !status || total === undefined || balance === undefined || !cancels)
    throw invalidResponse(operation, 'a Payment without paymentKey, status or readable amounts', false)
  const cancelled = cancels.reduce((n, c) => n + (krw(c.cancelAmount) ?? 0), 0)
  const { consistent, cancellable } = bookkeeping(status, total, balance, cancelled)
  const method = METHODS[str(p.method) ?? '']
  const list: TransactionCancel[] = cancels.map((c) => ({
    amount: krw(c.cancelAmount)!,
    ...(str(c.canceledAt) ? { cancelledAt: str(c.canceledAt)! } : {}),
    ...(str(c.transactionKey) ? { providerCancelId: str(c.transactionKey)! } : {}),
  }))
  const evidence: Record<string, string> = {
    status,
    totalAmount: String(total),
    balanceAmount: String(balance),
    cancels: String(cancels.length),
  }
  const virtualAccount = depositAccountOf(p, bankCodes)
  const failure = obj(p.failure)
  if (failure && str(failure.code)) evidence.failure = str(failure.code)!
  return {
    transactionId: paymentKey,
    status: consistent ? (STATUSES[status] ?? 'unknown') : 'unknown',
    ...(consistent ? { amount: total, cancelledAmount: cancelled, cancellableAmount: cancellable } : {}),
    ...(method ? { method } : {}),
    ...(str(p.orderId) ? { orderId: str(p.orderId)! } : {}),
    ...(str(p.approvedAt) ? { approvedAt: str(p.approvedAt)! } : {}),
    cancels: list,
    providerStatus: status,
    evidence,
    // A virtual account's Payment carries its webhook secret (spec §1.3): kept by a host whose issue or confirm
    // answer was lost. Never in the evidence, which a person reads.
    ...(str(p.secret) ? { notificationSecret: str(p.secret)! } : {}),
    ...(virtualAccount ? { virtualAccount } : {}),
  }
}
