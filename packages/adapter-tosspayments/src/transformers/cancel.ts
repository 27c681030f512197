import { createHash } from 'node:crypto'
import {
  type CancelRequest,
  type CancelResult,
  invalidRequest,
  PaymentError,
  requireText,
} from '@paymux/core'
import { invalidResponse, type Json, krw, PROVIDER, str } from '../wire.js'
import { bookkeeping, cancelsOf } from './lookup.js'

/**
 * The Idempotency-Key of one logical operation, derived from its paymux id so that every re-send carries the
 * same key and two operations never share one. Toss scopes a key by key + API key + URL + method, not the body
 * (spec §1.5): the purpose is part of the key, so a cancel id can never collide with, say, a confirm.
 */
export function idempotencyKey(purpose: 'cancel' | 'confirm' | 'charge' | 'issue', id: string): string {
  return `paymux-${purpose}-${createHash('sha256').update(id).digest('hex')}`
}

/** Toss's limits beyond the shared checks (spec §1.2): cancelReason ≤ 200, holderName ≤ 60, digits ≤ 20. */
export function validateCancelForToss(req: CancelRequest, bankCodes: Readonly<Record<string, string>>): void {
  requireText(req.reason, 'reason', 200)
  requireText(req.transactionId, 'transactionId', 200)
  if (/\s/.test(req.transactionId))
    throw invalidRequest('transactionId', 'must be a Toss paymentKey (no spaces)')
  const ra = req.refundAccount
  if (ra) {
    if (!bankCodes[ra.bankCode])
      throw invalidRequest('refundAccount.bankCode', 'is not a bank Toss refunds to')
    if (ra.accountNumber.replace(/-/g, '').length > 20)
      throw invalidRequest('refundAccount.accountNumber', 'must be at most 20 digits')
    requireText(ra.holderName, 'refundAccount.holderName', 60)
  }
}

export function toCancelBody(req: CancelRequest, bankCodes: Readonly<Record<string, string>>): Json {
  const ra = req.refundAccount
  return {
    cancelReason: req.reason,
    ...(req.amount !== undefined ? { cancelAmount: req.amount } : {}),
    ...(req.taxFreeAmount !== undefined ? { taxFreeAmount: req.taxFreeAmount } : {}),
    ...(ra
      ? {
          refundReceiveAccount: {
            bank: bankCodes[ra.bankCode],
            accountNumber: ra.accountNumber.replace(/-/g, ''),
            holderName: ra.holderName,
          },
        }
      : {}),
  }
}

/**
 * The cancel this answer reports: the cancels[] entry of `lastTransactionKey` (the last approve/cancel
 * transaction, spec §1.3), else the last entry. The amount is booked from it, never from the request; an answer
 * naming another payment, no such entry, or another amount than asked is unknown: something was done, but not
 * provably this.
 */
export function fromCancelAnswer(body: Json, req: CancelRequest): CancelResult {
  const unknown = (why: string) => invalidResponse('cancel', why, true)
  if (str(body.paymentKey) !== req.transactionId) throw unknown('the answer names another payment')
  const cancels = cancelsOf(body)
  if (!cancels || cancels.length === 0) throw unknown('the answer has no readable cancels[]')
  const last = str(body.lastTransactionKey)
  const entry = cancels.find((c) => last !== undefined && str(c.transactionKey) === last) ?? cancels.at(-1)!
  const amount = krw(entry.cancelAmount)!
  if (req.amount !== undefined && amount !== req.amount)
    throw new PaymentError({
      code: 'invalid_response',
      outcome: 'unknown',
      provider: PROVIDER,
      message: `tosspayments cancel: the answer books ${amount} where ${req.amount} was asked; the outcome is unknown`,
    })
  const balance = krw(body.balanceAmount)
  const total = krw(body.totalAmount)
  const booked = cancels.reduce((n, c) => n + (krw(c.cancelAmount) ?? 0), 0)
  // Toss's own bookkeeping must add up (totalAmount - balanceAmount = Σ cancels[]); a full cancel has no asked
  // amount to compare with, so this is what catches an answer that misstates it.
  const books =
    total !== undefined && balance !== undefined
      ? bookkeeping(str(body.status) ?? '', total, balance, booked)
      : undefined
  if (books && !books.consistent)
    throw unknown(
      `the answer's cancels[] (${booked}) do not add up to totalAmount - balanceAmount (${total! - balance!})`,
    )
  const cancelledAt = str(entry.canceledAt)
  if (!cancelledAt || Number.isNaN(Date.parse(cancelledAt))) throw unknown('the cancel has no canceledAt')
  return {
    status: 'cancelled',
    cancelledAmount: amount,
    ...(books
      ? { remainingAmount: books.cancellable }
      : balance !== undefined
        ? { remainingAmount: balance }
        : {}),
    ...(str(entry.transactionKey) ? { providerCancelId: str(entry.transactionKey)! } : {}),
    cancelledAt,
    providerCode: str(body.status) ?? '',
    providerMessage: str(entry.cancelReason) ?? '',
  }
}
