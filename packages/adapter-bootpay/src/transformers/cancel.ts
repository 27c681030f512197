import { createHash } from 'node:crypto'
import {
  type CancelledResult,
  type CancelRequest,
  invalidRequest,
  kstIso,
  PaymentError,
  parseKstCompact,
} from '@paymux/core'
import { KFTC_TO_BOOTPAY_BANK } from '../codes.js'
import { type ApiVersion, type Json, num, PROVIDER, str } from '../wire.js'

/** Bootpay does not publish a limit for `cancel_id`; ids longer than this (or with odd characters) are hashed. */
const CANCEL_ID_MAX = 64
const CANCEL_ID_SAFE = /^[A-Za-z0-9_.:-]+$/

/**
 * Bootpay's duplicate guard, derived from the caller's cancelId: the same cancelId always gives the same
 * cancel_id, so a resent request can never cancel twice.
 */
export function toCancelId(cancelId: string): string {
  if (cancelId.length <= CANCEL_ID_MAX && CANCEL_ID_SAFE.test(cancelId)) return cancelId
  return `pmx_${createHash('sha256').update(cancelId, 'utf8').digest('hex').slice(0, 40)}`
}

/** Seed 003: a partial cancel's `price` "1,000원보다 더 큰 값이어야 함" (must be MORE than 1,000 won). */
export const PARTIAL_CANCEL_MIN_EXCLUSIVE = 1_000

/**
 * A cancel is partial when it names an amount, unless that amount is the whole payment (`paymentAmount`). A
 * payment of 1,000 won or less can never have been partly cancelled before (a partial must exceed 1,000 won), so
 * an amount equal to it is always the whole payment, which the rule does not concern. The amount still goes on
 * the wire as asked: the wire depends on the request alone, never on what the caller claims the payment was.
 */
export function validatePartialPrice(req: CancelRequest): void {
  if (req.amount === undefined || req.amount === req.paymentAmount) return
  if (req.amount <= PARTIAL_CANCEL_MIN_EXCLUSIVE) {
    throw invalidRequest(
      'amount',
      `Bootpay takes a partial cancel of more than ${PARTIAL_CANCEL_MIN_EXCLUSIVE} won only; omit amount to cancel everything that remains`,
    )
  }
}

export function bootpayBankCode(kftc: string): string {
  const code = KFTC_TO_BOOTPAY_BANK[kftc]
  if (!code) {
    throw new PaymentError({
      code: 'invalid_request',
      param: 'refundAccount.bankCode',
      message: `refundAccount.bankCode: Bootpay has no code for bank ${kftc}`,
    })
  }
  return code
}

export function cancelBody(version: ApiVersion, req: CancelRequest, canceller: string): Json {
  const refund = req.refundAccount
  const account = refund?.accountNumber.replace(/-/g, '')
  if (version === 'v1') {
    return {
      receipt_id: req.transactionId,
      ...(req.amount !== undefined ? { price: req.amount } : {}),
      ...(req.taxFreeAmount !== undefined ? { tax_free: req.taxFreeAmount } : {}),
      cancel_id: toCancelId(req.cancelId),
      name: canceller,
      reason: req.reason,
      ...(refund
        ? {
            refund: { account, accountholder: refund.holderName, bankcode: bootpayBankCode(refund.bankCode) },
          }
        : {}),
    }
  }
  return {
    receipt_id: req.transactionId,
    cancel_id: toCancelId(req.cancelId),
    ...(req.amount !== undefined ? { cancel_price: req.amount } : {}),
    ...(req.taxFreeAmount !== undefined ? { cancel_tax_free: req.taxFreeAmount } : {}),
    cancel_username: canceller,
    cancel_message: req.reason,
    ...(refund
      ? {
          refund: {
            bank_account: account,
            bank_username: refund.holderName,
            bank_code: bootpayBankCode(refund.bankCode),
          },
        }
      : {}),
  }
}

function badAnswer(why: string): PaymentError {
  return new PaymentError({
    code: 'invalid_response',
    outcome: 'unknown',
    provider: PROVIDER,
    message: `bootpay cancel: ${why}; the cancel may have been executed`,
  })
}

/**
 * What a cancel moved, checked against what was asked. `cumulative` is the running total after the cancel,
 * `before` the total looked up (or last seen) before it: a stale `before` can only be lower than the truth,
 * so `cumulative - before` never understates. An answer that shows less than asked moved, or a full cancel that
 * leaves something uncancelled, is not what was asked: the outcome is unknown, never a guess.
 */
function checkedMove(
  req: CancelRequest,
  said: { moved?: number; cumulative?: number; remaining?: number },
  before: number | undefined,
): number {
  const { moved, cumulative, remaining } = said
  const byTotals = cumulative !== undefined ? cumulative - (before ?? 0) : undefined
  if (req.amount !== undefined) {
    if (moved !== undefined && moved !== req.amount)
      throw badAnswer(`the answer says ${moved} was cancelled, ${req.amount} was asked`)
    if (byTotals !== undefined && byTotals < req.amount)
      throw badAnswer(`the running total grew by ${byTotals}, ${req.amount} was asked`)
    return req.amount
  }
  if (remaining !== undefined && remaining !== 0)
    throw badAnswer(`a full cancel left ${remaining} uncancelled`)
  const amount = moved ?? byTotals
  if (amount === undefined)
    throw badAnswer('the answer says neither what was cancelled nor the running total')
  if (amount <= 0) throw badAnswer('the answer shows nothing cancelled')
  return amount
}

/**
 * v1 answers what this cancel moved (`request_cancel_price`) and what remains (`remain_price`); `cancelled_price`
 * is the running total. `tid` is left out: the manual calls it "the PG's transaction id" without saying whether
 * it names the cancel or the payment.
 */
export function readV1Cancel(
  data: Json,
  req: CancelRequest,
  cancelledBefore: number | undefined,
  now: number,
): CancelledResult {
  const remaining = num(data.remain_price)
  const moved = checkedMove(
    req,
    {
      ...(num(data.request_cancel_price) !== undefined ? { moved: num(data.request_cancel_price)! } : {}),
      ...(num(data.cancelled_price) !== undefined ? { cumulative: num(data.cancelled_price)! } : {}),
      ...(remaining !== undefined ? { remaining } : {}),
    },
    cancelledBefore,
  )
  return {
    status: 'cancelled',
    cancelledAmount: moved,
    ...(remaining !== undefined ? { remainingAmount: remaining } : {}),
    cancelledAt: parseKstCompact(str(data.revoked_at)) ?? kstIso(now),
    providerCode: '0',
    providerMessage: 'cancelled',
  }
}

/**
 * v2 answers the receipt after the cancel: `cancelled_price` is the running total, so what this cancel moved is
 * the requested amount, or for a full cancel the total minus what was cancelled before (looked up first).
 */
export function readV2Cancel(
  receipt: Json,
  req: CancelRequest,
  cancelledBefore: number | undefined,
  now: number,
): CancelledResult {
  const price = num(receipt.price)
  const cumulative = num(receipt.cancelled_price)
  if (price === undefined || cumulative === undefined)
    throw badAnswer('the receipt has no price or cancelled_price')
  const remaining = Math.max(0, price - cumulative)
  const moved = checkedMove(req, { cumulative, remaining }, cancelledBefore)
  const at = str(receipt.cancelled_at)
  return {
    status: 'cancelled',
    cancelledAmount: moved,
    remainingAmount: remaining,
    cancelledAt: at && !Number.isNaN(Date.parse(at)) ? at : kstIso(now),
    providerCode: str(receipt.status) ?? '',
    providerMessage: str(receipt.status_locale) ?? '',
  }
}
