import {
  type PaymentMethod,
  PaymentError,
  parseKstCompact,
  type TransactionCancel,
  type TransactionLookup,
  type TransactionStatus,
} from '@paymux/core'
import { signData } from '../crypto.js'
import type { NicePayAnswer } from '../wire.js'
import { cancelMoid } from './cancel.js'
import { ANSWER_PREFS, type FormPairs, kstTime, optional } from './common.js'

export function transStatusForm(ctx: {
  tid: string
  mid: string
  ediDate: string
  merchantKey: string
}): FormPairs {
  return [
    ['TID', ctx.tid],
    ['MID', ctx.mid],
    ['EdiDate', ctx.ediDate],
    ['SignData', signData.transStatus(ctx.tid, ctx.mid, ctx.ediDate, ctx.merchantKey)],
    ...ANSWER_PREFS,
  ]
}

/**
 * manual-status: 0 승인 상태, 1 취소 상태 (9, 승인 거래 없음, is not a transaction at all). Only 1 has a neutral
 * name. For a card (and anything but a virtual account) 0 is reported as `unknown`, not `paid`: no source says
 * whether a partial cancel moves a payment out of 승인 상태, so 0 proves only that no full cancel executed
 * (`lookupExcludesFullCancel`) — `paid` would tell a reconciler that nothing was ever cancelled. A virtual
 * account is read apart (`vbankStatus`).
 */
const STATUS: Readonly<Record<string, TransactionStatus>> = { '1': 'cancelled' }

/** The TID rule's svcCd (FAQ "TID 생성 규칙"). */
const METHOD_BY_SVC: Readonly<Record<string, PaymentMethod>> = {
  '01': 'card',
  '02': 'bank_transfer',
  '03': 'virtual_account',
  '05': 'phone',
}

/**
 * Whether the answer is about a virtual account: NicePay names the method (`PayMethod` VBANK, where the answer
 * carries it) or the TID's svcCd is 03 (the TID rule). Neither: not known to be one.
 */
export function isVbankAnswer(answer: NicePayAnswer, tid: string): boolean {
  const payMethod = optional(answer, 'PayMethod')?.toUpperCase()
  if (payMethod) return payMethod === 'VBANK' || payMethod === 'VBANK_BULK'
  return METHOD_BY_SVC[(optional(answer, 'TID') ?? tid).slice(10, 12)] === 'virtual_account'
}

/**
 * A virtual account's state from trans_status. No source shows what trans_status answers before the deposit;
 * a VBANK transaction is approved (Status 0) at its deposit, so:
 * - Status 0 → `paid` (deposited) — unless the answer names a cancel (a `StateCd` other than 0, or a
 *   `CancelMOID`): after a partial refund the state may stay 0, and then it is `unknown`;
 * - ResultCode 4109 (입금대기상태, the VA code table's name for that very state) or Status 9 (승인 거래 없음:
 *   nothing approved yet) → `waiting_for_deposit`. Status 9 is also NicePay's answer for a TID it does not have;
 *   both readings mean "not paid", which is what a deposit check needs;
 * - Status 1 → `cancelled` (채번취소 before the deposit, or a full refund after it);
 * - anything else → `unknown`.
 */
function vbankStatus(answer: NicePayAnswer): TransactionStatus {
  if (answer.ResultCode === '4109') return 'waiting_for_deposit'
  const status = optional(answer, 'Status')
  if (status === '9') return 'waiting_for_deposit'
  if (status === '1') return 'cancelled'
  if (status !== '0') return 'unknown'
  const stateCd = optional(answer, 'StateCd')
  if ((stateCd && stateCd !== '0') || optional(answer, 'CancelMOID')) return 'unknown'
  return 'paid'
}

/** The Moid the adapter sent as this id itself (not a hash of a longer one), so the id can be read back. */
function verbatimCancelId(moid: string): string | undefined {
  return cancelMoid(moid) === moid && !/^cx-[0-9a-f]{48}$/.test(moid) ? moid : undefined
}

/**
 * A trans_status answer as a lookup without amounts. `cancels` lists only what NicePay names: the last
 * cancel, when the answer carries `CancelMOID` (the manual's table does not promise it). Everything the
 * answer said is kept in `evidence` for a person to review.
 */
export function transactionLookup(
  answer: NicePayAnswer,
  tid: string,
  evidence: Record<string, string>,
  now: number,
): TransactionLookup {
  const status = optional(answer, 'Status')
  const vbank = isVbankAnswer(answer, tid)
  if (status === '9' && !vbank) {
    throw new PaymentError({
      code: 'transaction_not_found',
      provider: 'nicepay',
      providerCode: answer.ResultCode,
      providerMessage: answer.ResultMsg ?? '',
      message: `nicepay has no approved transaction ${tid} for this merchant (trans_status Status 9)`,
    })
  }
  const stateCd = optional(answer, 'StateCd')
  const method = vbank ? 'virtual_account' : METHOD_BY_SVC[tid.slice(10, 12)]
  const lookup: TransactionLookup = {
    transactionId: optional(answer, 'TID') ?? tid,
    status: vbank ? vbankStatus(answer) : (status && STATUS[status]) || 'unknown',
    providerStatus: [
      ...(answer.ResultCode !== '0000' ? [`ResultCode=${answer.ResultCode ?? ''}`] : []),
      ...(status !== undefined || answer.ResultCode === '0000' ? [`Status=${status ?? ''}`] : []),
      ...(stateCd ? [`StateCd=${stateCd}`] : []),
    ].join('/'),
    evidence,
  }
  if (method) lookup.method = method
  const authDate = optional(answer, 'AuthDate')
  if (authDate) lookup.approvedAt = kstTime(authDate, now)
  const moid = optional(answer, 'CancelMOID')
  if (moid) {
    const cancel: TransactionCancel = {}
    const cancelId = verbatimCancelId(moid)
    if (cancelId) cancel.cancelId = cancelId
    const at = parseKstCompact(optional(answer, 'CancelDate'))
    if (at) cancel.cancelledAt = at
    lookup.cancels = [cancel]
  }
  return lookup
}

/**
 * Whether a trans_status lookup names the cancel sent with `cancelId` as the last cancel of the payment:
 * its `CancelMOID` equals the Moid the adapter derives from that id (`cancelMoid`). Works for hashed ids too,
 * where `cancels[].cancelId` cannot be read back. False when the answer names no cancel or another one —
 * which proves nothing about an earlier cancel, since NicePay names only the last.
 */
export function lookupNamesCancel(lookup: TransactionLookup, cancelId: string): boolean {
  const moid = lookup.evidence?.CancelMOID?.trim()
  return moid !== undefined && moid !== '' && moid === cancelMoid(cancelId)
}

/**
 * Whether the lookup proves that no full cancel of the payment has executed: NicePay still shows it in
 * 승인 상태 (Status 0). It proves nothing about partial cancels.
 */
export function lookupExcludesFullCancel(lookup: TransactionLookup): boolean {
  return lookup.evidence?.ResultCode === '0000' && lookup.evidence.Status?.trim() === '0'
}
