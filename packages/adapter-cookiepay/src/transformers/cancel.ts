import {
  type CancelledResult,
  type CancelRequest,
  type DepositRequiredResult,
  errorFromTable,
  invalidRequest,
  kstIso,
  listBanks,
  PaymentError,
  parseKrw,
  parseKstCompact,
} from '@paymux/core'
import { errorForAnswer, isAlreadyCancelledMessage, SUCCESS } from '../codes.js'
import { type Answer, invalidResponse, PROVIDER } from '../wire.js'

/** [DOC] request column lengths: tid 50, reason 50, amount 10 (digits). */
export const LIMITS = { tid: 50, reason: 50, amountDigits: 10 } as const

/** CookiePay-specific checks on top of `validateCancelRequest`: nothing invalid ever reaches CookiePay. */
export function validateForCookiePay(req: CancelRequest, bankCodes: Readonly<Record<string, string>>): void {
  if (!/^[\x21-\x7e]+$/.test(req.transactionId) || req.transactionId.length > LIMITS.tid) {
    throw invalidRequest(
      'transactionId',
      `must be a CookiePay TID: printable ASCII, at most ${LIMITS.tid} characters`,
    )
  }
  // The manual gives lengths without saying chars or bytes; characters is how its PHP samples count.
  if ([...req.reason].length > LIMITS.reason)
    throw invalidRequest('reason', `must be at most ${LIMITS.reason} characters`)
  if (req.amount !== undefined && String(req.amount).length > LIMITS.amountDigits) {
    throw invalidRequest('amount', `must have at most ${LIMITS.amountDigits} digits`)
  }
  if (req.amount !== undefined && req.paymentAmount !== undefined && req.amount > req.paymentAmount) {
    throw new PaymentError({
      code: 'amount_exceeds_cancellable',
      provider: PROVIDER,
      param: 'amount',
      message: `amount ${req.amount} exceeds the payment's ${req.paymentAmount}`,
    })
  }
  if (req.refundAccount && !bankCodes[req.refundAccount.bankCode]) {
    throw invalidRequest('refundAccount.bankCode', 'has no CookiePay bank code')
  }
}

/** `POST /api/cancel` body: documented `{tid, reason}`, `amount` for partial cancels, refund account for VA. */
export function toCancelBody(
  req: CancelRequest,
  bankCodes: Readonly<Record<string, string>>,
): Record<string, string> {
  const body: Record<string, string> = { tid: req.transactionId, reason: req.reason }
  // [VENDOR] omitted amount = cancel everything that remains.
  if (req.amount !== undefined) body.amount = String(req.amount)
  if (req.refundAccount) {
    body.bank = bankCodes[req.refundAccount.bankCode]!
    body.account_no = req.refundAccount.accountNumber.replace(/-/g, '')
    body.account_name = req.refundAccount.holderName
  }
  return body
}

/** A `/api/cancel` answer other than 9029: cancelled, or the error it means. */
export function fromCancelAnswer(a: Answer, req: CancelRequest, now: number): CancelledResult {
  const moved = parseKrw(a.fields.get('cancel_amt'))
  if (a.code !== SUCCESS) {
    // A garbled message cannot be matched against the message rules: do not guess a rejection.
    if (a.misEncoded)
      throw invalidResponse('cancel', `code ${a.code} with an unreadable (mis-encoded) message`, true)
    throw errorForAnswer(a.code, a.message, true)
  }
  // V-wp treats these messages as "already done" whatever the code; with nothing moved it is not a new cancel.
  if (!a.misEncoded && isAlreadyCancelledMessage(a.message) && !moved) {
    throw errorFromTable({ [a.code]: { code: 'already_cancelled' } }, PROVIDER, a.code, a.message)
  }
  // cancel_amt is this cancel's amount [VENDOR]: another amount than asked is not the cancel that was asked for.
  if (moved !== undefined && req.amount !== undefined && moved !== req.amount) {
    throw invalidResponse('cancel', `cancel_amt ${moved} for a request of ${req.amount}`, true)
  }
  if (moved !== undefined && req.paymentAmount !== undefined && moved > req.paymentAmount) {
    throw invalidResponse('cancel', `cancel_amt ${moved} exceeds the payment's ${req.paymentAmount}`, true)
  }
  // When cancel_amt is missing the request's own amount is what moved.
  const cancelledAmount = moved ?? req.amount
  if (cancelledAmount === undefined || cancelledAmount <= 0) {
    throw invalidResponse('cancel', 'cancel_code 0000 without a readable cancel_amt for a full cancel', true)
  }
  const cancelTid = a.fields.get('cancel_tid')
  return {
    status: 'cancelled',
    cancelledAmount,
    ...(cancelTid ? { providerCancelId: cancelTid } : {}),
    cancelledAt: parseKstCompact(a.fields.get('cancel_date')) ?? kstIso(now),
    providerCode: a.code,
    providerMessage: a.message,
  }
}

/** `get_cancel_bank_account` answer → what the merchant must deposit before CookiePay finishes the cancel. */
export function fromDepositAccountAnswer(
  a: Answer,
  requested: number,
  cancelMessage: string,
): DepositRequiredResult {
  if (a.code !== SUCCESS) throw errorForAnswer(a.code, a.message, true)
  const accountNumber = a.fields.get('ACCOUNTNO')
  const bankName = a.fields.get('BANKNAME')
  const depositAmount = parseKrw(a.fields.get('DEPOSITAMT'))
  // An account may have been reserved: the caller must reconcile, so this is unknown, not rejected.
  if (!accountNumber || !bankName || depositAmount === undefined) {
    throw invalidResponse(
      'get_cancel_bank_account',
      'RESULTCODE 0000 without BANKNAME/ACCOUNTNO/DEPOSITAMT',
      true,
    )
  }
  const cancelAmount = parseKrw(a.fields.get('CANCELAMT')) ?? requested
  if (cancelAmount !== requested) {
    throw invalidResponse(
      'get_cancel_bank_account',
      `CANCELAMT ${cancelAmount} for a request of ${requested}`,
      true,
    )
  }
  const deadline = parseKstCompact(a.fields.get('DEPOSITENDDATE'))
  const bankCode = bankCodeByName(bankName)
  return {
    status: 'deposit_required',
    deposit: {
      bankName,
      ...(bankCode ? { bankCode } : {}),
      accountNumber,
      depositAmount,
      cancelAmount,
      ...(deadline ? { deadline } : {}),
    },
    providerCode: '9029',
    providerMessage: cancelMessage || a.message,
  }
}

/** CookiePay gives a bank *name* ("기업은행"): a KFTC code only when exactly one bank matches it. */
function bankCodeByName(name: string): string | undefined {
  const key = name.replace(/\s|은행$/g, '')
  if (key.length < 2) return undefined
  const hits = listBanks().filter((b) => b.name.replace(/은행$/, '').includes(key))
  return hits.length === 1 ? hits[0]!.code : undefined
}
