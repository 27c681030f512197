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
 * package README, "Simulator settings"). The seeds name success codes only; a refusal code the simulator
 * answers is either the spec's code for that very case (nicepay.md §4 table, checkout.md §1.7) or a setting
 * whose comment says "Invented" and where the guess came from.
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
  /**
   * Code for a second cancel with a Moid already used on the TID, under the guard. Invented: no source states
   * it (nicepay.md §4 "Duplicate-Moid partial cancel"); A127 "주문번호 중복" is the spec's suggestion, 2060 and
   * 2015 (the REST table's "기 취소 요청") its other candidates — set one of those to have the replay refused
   * with an ordinary refusal code.
   */
  duplicateMoidCode: string
  /**
   * Where the guard sits among the cancel's checks. Invented: the seeds say only that the Moid guards against
   * duplicate partial cancels (별도 계약), not that it is checked first. `'before-balance'` (default): after the
   * already-cancelled check, before the amount checks, so a replay answers `duplicateMoidCode`.
   * `'after-balance'`: every ordinary check first, so a replay that no longer fits the balance is refused as an
   * ordinary refusal (2032 취소금액 초과, 2015 기취소, 2011) — nothing says the first cancel executed.
   */
  duplicateGuardOrder: 'before-balance' | 'after-balance'
  /**
   * Code for a get_vacount / billing_regist / billing_approve whose Moid the MID already used there. Invented:
   * seeds 001/002 say "Unique하게 구성" (an instruction to the merchant), not that NicePay refuses a repeat;
   * A127 "주문번호 중복" is the spec's code for a duplicate order number. Unset: a repeated Moid is accepted.
   */
  reusedOrderIdCode?: string
  /**
   * Which Moid a cancel answer carries: the cancel's own (the one sent, default) or the payment's order number.
   * Seeds 000/001 name the answer field "가맹점 주문번호" and say no more; both readings are guesses.
   */
  cancelAnswerMoid: 'request' | 'order'
  /**
   * Code for cancelling a fully cancelled transaction. Both candidates are documented (2013 취소 완료 거래, 2015
   * 기취소성공); which one NicePay answers is not: 2015, the one tip.php lists as common, is the guess.
   */
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
  /**
   * What trans_status answers for an issued virtual account whose deposit has not come. Invented: the manual's
   * answer table (0 승인 / 1 취소 / 9 승인 거래 없음) has no deposit state, and no source shows the answer. The
   * reasoning: a VBANK transaction is approved (Status 0) at its deposit, so before it there is no approval
   * yet; the spec's virtual-account code table has 4109 입금대기상태 for exactly that state. `'4109'`
   * (default): ResultCode 4109 입금대기상태, no Status. `'status9'`: ResultCode 0000 with Status 9 (승인 거래
   * 없음 — nothing approved yet). A deposited account answers Status 0 either way.
   */
  transStatusUnpaidVbank: '4109' | 'status9'
  /** Where deposit notifications go (NicePay admin's 결제데이터통보 URL). */
  notifyUrl?: string
  /** Attempts per notification until the merchant answers `OK`. */
  notifyAttempts: number
  notifyRetryDelayMs: number

  // The payment window and its approval (checkout.md §1, §5).
  /** How long an authentication stays approvable (A245 after): undocumented (checkout.md §7.2); 10 minutes. */
  authValidityMs: number
  /**
   * Code for a second approval of a TxTid. Invented: 1651, A225 and 1682 all exist and which one is returned is
   * open (checkout.md §1.7, §7.3); 1651 "승인 TID 중복" (seed 002's wording for a reused TID) is the guess.
   */
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
  /**
   * Code for a network cancel of an approval already partly cancelled. Invented: no source covers the case;
   * 2014 취소 불가능 거래 is the guess.
   */
  netCancelAfterPartialCode: string
  /**
   * Code for a network cancel whose Amt is not the approval's. Invented: no source covers the case; 2011 취소
   * 금액 불일치 (the cancel's amount-mismatch code) is the guess.
   */
  netCancelAmountCode: string
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
  'reusedOrderIdCode',
])

export const DEFAULT_SETTINGS: NicePaySimulatorSettings = {
  signatureAmount: 'as-returned',
  signCancelAnswers: true,
  cancelDuplicateGuard: false,
  duplicateMoidCode: 'A127',
  cancelAnswerMoid: 'request',
  duplicateGuardOrder: 'before-balance',
  reusedOrderIdCode: 'A127',
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
  transStatusUnpaidVbank: '4109',
  notifyAttempts: 3,
  notifyRetryDelayMs: 200,
  authValidityMs: 10 * 60_000,
  duplicateApprovalCode: '1651',
  declineCode: '9993',
  approvalAnswerLost: false,
  approvalDelayMs: 0,
  approvalSignatureAmount: 'as-returned',
  netCancelNothingCode: '2012',
  netCancelAfterPartialCode: '2014',
  netCancelAmountCode: '2011',
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
