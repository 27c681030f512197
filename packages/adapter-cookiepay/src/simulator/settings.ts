import type { FetchLike } from '@paymux/core'

/** A CookiePay error the simulator answers: code and message. */
export interface SimError {
  code: string
  message: string
}

/**
 * Codes and messages for cases CookiePay documents no code for. Every one is an inference [INF] except
 * E003 (token pair mismatch, 3P) and 9029 (DOC); tests change them to prove the adapter does not depend on them.
 */
export interface SimCodes {
  missingField: SimError
  badPair: SimError
  invalidToken: SimError
  apiKeyMismatch: SimError
  notFound: SimError
  alreadyCancelled: SimError
  overCancel: SimError
  refundAccountRequired: SimError
  invalidBank: SimError
  partialNotAllowed: SimError
  settled: SimError
  notSettled: SimError
}

export const DEFAULT_CODES: SimCodes = {
  missingField: { code: 'E001', message: '필수 파라미터가 누락되었습니다' },
  badPair: { code: 'E003', message: 'ID & KEY 불일치' },
  invalidToken: { code: 'E002', message: 'TOKEN 정보가 유효하지 않습니다' },
  apiKeyMismatch: { code: 'E003', message: 'ID & KEY 불일치' },
  notFound: { code: 'E008', message: '거래 내역이 존재하지 않습니다' },
  alreadyCancelled: { code: '9013', message: '이미 취소된 거래입니다' },
  overCancel: { code: '9014', message: '취소 가능 금액을 초과하였습니다' },
  refundAccountRequired: {
    code: '9015',
    message: '가상계좌 환불계좌 정보(bank, account_no, account_name)가 필요합니다',
  },
  invalidBank: { code: '9016', message: '은행코드가 올바르지 않습니다' },
  partialNotAllowed: { code: '9017', message: '부분취소가 불가한 거래입니다' },
  settled: { code: '9029', message: '입금후 취소 대상 거래입니다' },
  notSettled: { code: '9030', message: '입금후 취소 대상 거래가 아닙니다' },
}

export interface CookiePaySimulatorOptions {
  /** Credential pairs (연동 ID + 시크릿키) the simulator accepts. Default: the demo pair. */
  accounts?: Array<{ apiId: string; apiKey: string }>
  /** Injected clock (epoch ms) for token expiry, dates and deadlines. */
  clock?: () => number
  /** TOKEN lifetime. Default 3600 s (what captured tokens carry). */
  tokenTtlSeconds?: number
  /** 'jwt' (default) like CookiePay; 'opaque' issues tokens without a readable `exp`. */
  tokenFormat?: 'jwt' | 'opaque'
  /** Where Notis go (cancel after deposit, approvals). Changeable at runtime with `setNotifyUrl`. */
  notifyUrl?: string
  /** Extra delivery attempts after a failed Noti. Default 0: the manual says the post-deposit Noti is sent once. */
  notifyRetries?: number
  /** Used to POST Notis (tests deliver in process). Default: global fetch. */
  notifyFetch?: FetchLike
  /** Cancel Noti keys: 'lower' (noti_type, tid, cancel_amount… as integrators report) or 'upper'. */
  cancelNotiSpelling?: 'lower' | 'upper'
  /**
   * The one Noti after a post-deposit cancel: 'cancel_response' (default; seed 004: "통지전문(Noti)으로 결제취소
   * 응답전문이 자동 전송됩니다" — the cancel response `cancel_code, cancel_msg, cancel_tid, cancel_date, cancel_amt`,
   * plus the payment's `tid`/`orderno` [INF]) or 'noti_type' (`noti_type: deposit_cancel, cancel_amount…`, as two
   * integrators report citing the manual).
   */
  depositCancelNotiShape?: 'cancel_response' | 'noti_type'
  /**
   * Invented [INF]: whether the cancel-response Noti also carries the payment's `tid`/`orderno`. Seed 004 lists
   * the cancel response only, which names the cancel (`cancel_tid`) and not the payment. Default false.
   */
  depositCancelNotiNamesPayment?: boolean
  /**
   * Invented [INF]: `cancel_msg` of a successful cancel. The research's example "정상취소" is illustrative (no
   * captured body exists); the adapter must not read it.
   */
  cancelSuccessMessage?: string
  /** paycert/paysearch show a cancel only this many ms after it executed (lookups lagging the Noti). Default 0. */
  cancelLookupLagMs?: number
  /** PAY_METHOD of a virtual account in approval Notis: 'VACCOUNT' (seen in practice) or 'VACCT' (manual). */
  vaPayMethod?: 'VACCOUNT' | 'VACCT'
  /** Digits of DEPOSITENDDATE: 14 (default, like other CookiePay deadlines) or the manual's length 10, or 8/12. */
  depositEndDateDigits?: 8 | 10 | 12 | 14
  /** Days the merchant has to deposit. Default 7. */
  depositDays?: number
  /** DEPOSITAMT − CANCELAMT (fees?). Default 0. */
  depositFee?: number
  depositBankName?: string
  /** `bank` code length of refund accounts: 2 (default, "03") or 3 (KFTC "003"). */
  refundBankCodeDigits?: 2 | 3
  /** Where cancel errors carry their code: 'lower' `cancel_code` (default) or 'upper' `RESULTCODE`. */
  cancelErrorShape?: 'lower' | 'upper'
  /** Partial cancels allowed. Default true. */
  partialCancel?: boolean
  /** Before this many ms after a payment exists paycert says "not found" (paycert lag). Default 0. */
  paycertLagMs?: number
  /** Whether paysearch is available (default true); without it lookups have no cancelled amount. */
  paysearch?: boolean
  /** Override codes/messages of undocumented cases. */
  codes?: Partial<SimCodes>
  /** paycert answers "not found" for the first N lookups of each payment (paycert lagging the window). Default 0. */
  paycertLagCalls?: number
  /**
   * How the window posts its result to RETURNURL: 'plain' fields (default: what CookiePay's own sample reads and
   * what a live merchant got, research §7.1) or 'enc' (`RESULTCODE`, `RESULTMSG`, `ENC_DATA`, decrypted by
   * `/EdiAuth/cookiepay_edi_decrypt`), a per-merchant setting at CookiePay.
   */
  returnMode?: 'plain' | 'enc'
  /** The window posts its result twice (a double submit, a refresh). Default false. */
  returnPostedTwice?: boolean
  /** The window shows its result but never posts it (closed tab, in-app browser). Default false. */
  returnLost?: boolean
  /** The approval Noti of a window payment is never delivered. Default false. */
  approvalNotiLost?: boolean
  /**
   * Approve charges the order twice: two TIDs, one ORDERNO, each with its approval Noti; the browser's result
   * shows the first only. CookiePay's ORDER_NO_CHECK is documented for pay/ready only [VENDOR field, behaviour
   * INF], so a second charge within the window is possible; how the real one happens (two tabs, a double submit)
   * is not known. Default false.
   */
  doublePayment?: boolean
  /** A browser rewriting the plain post: its AMOUNT is this, while the payment is for the order's amount. */
  forgedReturnAmount?: number
  /**
   * A customer editing the window: CookiePay charges this amount instead of the order's, and the plain post
   * shows the order's amount to hide it. Only paycert tells.
   */
  tamperedWindowAmount?: number
  /** Approve makes CookiePay refuse (a card company's refusal): no payment, a failure post with this code. */
  approvalRefusal?: SimError
  /** The failure the Decline button posts. */
  declineResult?: SimError
  /** pay/ready refuses a request without HOMEURL with E004 (as integrators saw). Default true. */
  requireHomeUrl?: boolean
}

export type ResolvedSettings = Required<
  Omit<
    CookiePaySimulatorOptions,
    | 'notifyUrl'
    | 'notifyFetch'
    | 'codes'
    | 'accounts'
    | 'forgedReturnAmount'
    | 'tamperedWindowAmount'
    | 'approvalRefusal'
  >
> & {
  forgedReturnAmount: number | undefined
  tamperedWindowAmount: number | undefined
  approvalRefusal: SimError | undefined
  notifyUrl: string | undefined
  notifyFetch: FetchLike | undefined
  codes: SimCodes
  accounts: Array<{ apiId: string; apiKey: string }>
}

/** Credentials the simulator accepts by default (demo mode and tests). Not CookiePay's. */
export const COOKIEPAY_DEMO_CREDENTIALS = {
  apiId: 'sandbox_paymuxdemo',
  apiKey: 'paymux-demo-cookiepay-secret-key',
} as const

export function resolveSettings(o: CookiePaySimulatorOptions = {}): ResolvedSettings {
  return {
    accounts: o.accounts ?? [{ ...COOKIEPAY_DEMO_CREDENTIALS }],
    clock: o.clock ?? Date.now,
    tokenTtlSeconds: o.tokenTtlSeconds ?? 3600,
    tokenFormat: o.tokenFormat ?? 'jwt',
    notifyUrl: o.notifyUrl,
    notifyRetries: o.notifyRetries ?? 0,
    notifyFetch: o.notifyFetch,
    cancelNotiSpelling: o.cancelNotiSpelling ?? 'lower',
    depositCancelNotiShape: o.depositCancelNotiShape ?? 'cancel_response',
    depositCancelNotiNamesPayment: o.depositCancelNotiNamesPayment ?? false,
    cancelSuccessMessage: o.cancelSuccessMessage ?? '정상취소',
    cancelLookupLagMs: o.cancelLookupLagMs ?? 0,
    vaPayMethod: o.vaPayMethod ?? 'VACCOUNT',
    depositEndDateDigits: o.depositEndDateDigits ?? 14,
    depositDays: o.depositDays ?? 7,
    depositFee: o.depositFee ?? 0,
    depositBankName: o.depositBankName ?? '기업은행',
    refundBankCodeDigits: o.refundBankCodeDigits ?? 2,
    cancelErrorShape: o.cancelErrorShape ?? 'lower',
    partialCancel: o.partialCancel ?? true,
    paycertLagMs: o.paycertLagMs ?? 0,
    paysearch: o.paysearch ?? true,
    codes: { ...DEFAULT_CODES, ...o.codes },
    paycertLagCalls: o.paycertLagCalls ?? 0,
    returnMode: o.returnMode ?? 'plain',
    returnPostedTwice: o.returnPostedTwice ?? false,
    returnLost: o.returnLost ?? false,
    approvalNotiLost: o.approvalNotiLost ?? false,
    doublePayment: o.doublePayment ?? false,
    forgedReturnAmount: o.forgedReturnAmount,
    tamperedWindowAmount: o.tamperedWindowAmount,
    approvalRefusal: o.approvalRefusal,
    // [INF] CookiePay publishes no failure codes for the window (research §3.6).
    declineResult: o.declineResult ?? { code: 'C999', message: '사용자가 결제를 취소하였습니다' },
    requireHomeUrl: o.requireHomeUrl ?? true,
  }
}
