import type { FetchLike } from '@paymux/core'

export interface SimMerchant {
  mid: string
  merchantKey: string
  /**
   * The MID has NicePay's separate contract for the Moid duplicate guard: a second cancel with a Moid already
   * used on the TID is refused. Unset: `settings.cancelDuplicateGuard`.
   */
  cancelDuplicateGuard?: boolean
}

/**
 * Every fact the research could not settle is a setting here, with the most plausible default (see the
 * package README, "Simulator settings").
 */
export interface NicePaySimulatorSettings {
  /** Which CancelAmt string the cancel Signature hashes: the 12-digit one returned (default) or the plain integer. */
  signatureAmount: 'as-returned' | 'unpadded'
  /** Cancel answers carry a Signature. Seeds 000/001 mark it optional (no 필수): off, it is left out. */
  signCancelAnswers: boolean
  /**
   * The Moid duplicate guard for merchants that do not say (a separate contract, seed 000): off, a second
   * cancel with the same Moid executes again, as for an account without the contract.
   */
  cancelDuplicateGuard: boolean
  /** Code for a second cancel with a Moid already used on the TID, under the guard (undocumented; A127 "주문번호 중복"). */
  duplicateMoidCode: string
  /**
   * Which Moid a cancel answer carries: the cancel's own (the one sent, default) or the payment's order number.
   * Seeds 000/001 name the answer field "가맹점 주문번호" and say no more; both readings are guesses.
   */
  cancelAnswerMoid: 'request' | 'order'
  /** Code for cancelling a fully cancelled transaction (2015, the one tip.php lists; 2013 also exists). */
  alreadyCancelledCode: string
  /** Code of a successful refund of a deposited virtual account: 2211 (환불 성공) or 2225 (환불 접수 성공). */
  vbankRefundCode: '2211' | '2225'
  /** Refuse request values whose bytes are not KS X 1001 (T001). Off: decode them as CP949 (mojibake). */
  strictEucKr: boolean
  /** The merchant has the partial-cancel contract (else 2029). */
  partialCancel: boolean
  /** Partial refunds of deposited virtual accounts allowed (else 2223). */
  partialRefund: boolean
  /** VbankAccountName accepted (else 4145, "예금주명 수정 불가 MID"). */
  vbankAccountName: boolean
  /** IDNo inside EncData required by the MID's contract. */
  requireIdNo: boolean
  /**
   * billkey_remove.jsp insists on `Amt` (A117 when missing, digits only). Seed 002's table marks it 필수, but
   * its samples and SignData leave it out, and the spec's field list follows the samples: default off.
   */
  billkeyRemoveRequiresAmt: boolean
  /**
   * trans_status.jsp also answers `StateCd`, `CancelDate` and `CancelMOID` (the last cancel's date and Moid).
   * The manual's answer table lists only ResultCode, ResultMsg, TID, Status, AuthCode and AuthDate; those three
   * are fields of the deposit notification that a lookup may or may not carry. Default off, as in the table.
   */
  transStatusCancelDetail: boolean
  /**
   * trans_status `Status` of a partially cancelled payment: the manual knows only 0 (승인), 1 (취소) and
   * 9 (승인 거래 없음). Default '0': the payment is still approved for what remains.
   */
  transStatusAfterPartialCancel: '0' | '1'
  /** Where deposit notifications go (NicePay admin's 결제데이터통보 URL). */
  notifyUrl?: string
  /** Attempts per notification until the merchant answers `OK`. */
  notifyAttempts: number
  notifyRetryDelayMs: number

  // The payment window and its approval (checkout.md §1, §5).
  /** How long an authentication stays approvable (A245 after): undocumented (checkout.md §7.2); 10 minutes. */
  authValidityMs: number
  /** Code for a second approval of a TxTid: 1651, A225 and 1682 all exist (checkout.md §7.3); 1651. */
  duplicateApprovalCode: string
  /** AuthResultCode posted when the customer presses Decline (9993 or I002, checkout.md §1.7). */
  declineCode: string
  /** The approval executes and its answer is lost: the connection drops before a byte is answered. */
  approvalAnswerLost: boolean
  /** The approval executes, then its answer waits this long (past the merchant's read timeout, say). */
  approvalDelayMs: number
  /** Every approval is refused with this code (3095 card-company refusal, say) and nothing is charged. */
  approvalRefusalCode?: string
  /** Which Amt string the approval Signature hashes: the 12-digit one answered (default) or the plain integer. */
  approvalSignatureAmount: 'as-returned' | 'unpadded'
  /** Every network cancel is refused with this code (2020 window passed, say) and nothing is undone. */
  netCancelFailureCode?: string
  /**
   * Answer to a network cancel of a TxTid never approved (and to one whose AuthToken is spent). Invented: no
   * source says what NicePay answers there; 2012 취소 해당거래 없음 is checkout.md §5's [inferred] guess, and
   * §7.3 lists it as open. An adapter must not read it as "nothing was charged".
   */
  netCancelNothingCode: string
  /** How long after the approval a network cancel is accepted (2020 after): the REST manual says 1 hour. */
  netCancelWindowMs: number
  /** The window posts its result to ReturnURL twice (a double submit, a refresh). */
  resultPostedTwice: boolean
  /** NicePay bank code of the virtual accounts the window issues (the customer's choice there). */
  windowVbankBankCode: string
}

/** Settings without a default: unset means "off"; `null` in a `/__sim/settings` patch unsets them. */
export const OPTIONAL_SETTINGS: ReadonlySet<string> = new Set([
  'notifyUrl',
  'approvalRefusalCode',
  'netCancelFailureCode',
])

export const DEFAULT_SETTINGS: NicePaySimulatorSettings = {
  signatureAmount: 'as-returned',
  signCancelAnswers: true,
  cancelDuplicateGuard: false,
  duplicateMoidCode: 'A127',
  cancelAnswerMoid: 'request',
  alreadyCancelledCode: '2015',
  vbankRefundCode: '2211',
  strictEucKr: true,
  partialCancel: true,
  partialRefund: true,
  vbankAccountName: true,
  requireIdNo: false,
  billkeyRemoveRequiresAmt: false,
  transStatusCancelDetail: false,
  transStatusAfterPartialCancel: '0',
  notifyAttempts: 3,
  notifyRetryDelayMs: 200,
  authValidityMs: 10 * 60_000,
  duplicateApprovalCode: '1651',
  declineCode: '9993',
  approvalAnswerLost: false,
  approvalDelayMs: 0,
  approvalSignatureAmount: 'as-returned',
  netCancelNothingCode: '2012',
  netCancelWindowMs: 3_600_000,
  resultPostedTwice: false,
  windowVbankBankCode: '004',
}

export interface NicePaySimulatorOptions extends Partial<NicePaySimulatorSettings> {
  /** Merchants the simulator knows. Default: the demo credentials. */
  merchants?: SimMerchant[]
  clock?: () => number
  /** How notifications are sent (tests pass an in-process fetch). Default: global fetch. */
  notifyFetch?: FetchLike
}
