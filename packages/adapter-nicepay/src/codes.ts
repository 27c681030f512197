import { type CodeMapping, type CodeTable, errorFromTable, type PaymentError } from '@paymux/core'

/**
 * NicePay legacy result codes → neutral codes, as data. Sources: manual-code (legacy table), the billing and
 * virtual-account pages, and the REST table for shared codes. A code not here carries the raw code and message:
 * outcome `unknown` on a money-moving call (see `nicepayError`), `provider_rejected` on a lookup.
 */

/** Success codes per operation. */
export const SUCCESS = {
  /** 2001 취소 성공, 2211 환불 성공: the money has moved. */
  cancel: new Set(['2001', '2211']),
  /** 2225 환불 접수 성공: NicePay took the refund and executes it later (the REST manual: D+1 17:00). */
  cancelAccepted: new Set(['2225']),
  vacount: new Set(['4100']),
  billingRegist: new Set(['F100']),
  billingApprove: new Set(['3001']),
  billkeyRemove: new Set(['F101']),
  notificationDeposit: new Set(['4110']),
  /** AuthResultCode of the payment window's result: the customer authenticated (checkout.md §1.3). */
  windowAuthenticated: new Set(['0000']),
  /** 2001 취소 성공 is a network cancel's only success (checkout.md §1.5). */
  netCancel: new Set(['2001']),
} as const

/**
 * The approval's success code per PayMethod (checkout.md §1.4; the shipped JSP sample's `paySuccess` switch).
 * A success code of another method than the one authenticated proves nothing about this approval.
 */
export const APPROVAL_SUCCESS: Readonly<Record<string, string>> = {
  CARD: '3001',
  BANK: '4000',
  VBANK: '4100',
  CELLPHONE: 'A000',
}

/**
 * Network-cancel answers that might mean NicePay holds no approval to undo: 2012 취소 해당거래 없음, 2013/2015
 * already cancelled. That reading is an inference (checkout.md §5, "[inferred]"); no source says what a network
 * cancel of a never-approved TxTid answers, nor that 2012 proves nothing was approved. So they prove nothing:
 * the outcome is unknown and the host settles it with a lookup (`net-cancel.ts`).
 */
export const NET_CANCEL_UNPROVEN: ReadonlySet<string> = new Set(['2012', '2013', '2015'])

const rejected = (code: CodeMapping['code']): CodeMapping => ({ code })
const many = (codes: string[], m: CodeMapping) => Object.fromEntries(codes.map((c) => [c, m]))

/**
 * A code whose documented meaning is that the PG could not finish the call (a timeout or a broken link behind
 * it): money may have moved, so it is unknown and never re-sent blind; the host settles it from a lookup.
 */
const unfinished = (code: CodeMapping['code']): CodeMapping => ({
  code,
  outcome: 'unknown',
  retryable: false,
})

/**
 * The seeds name only success codes ("4100: 성공 / 그외 실패" and the like). A refusal below is definite — the
 * PG did nothing — only because the spec's code tables (nicepay.md §4, §5, §7–§9 from manual-code; checkout.md
 * §1.7) give it a meaning that says so; the section is named per group. Codes meaning the PG did not finish are
 * `unfinished`; codes in neither document fall through to unknown (`nicepayError`).
 */
export const NICEPAY_CODES: CodeTable = {
  // cancel_process.jsp: refusals of the request as asked (nicepay.md §4, failure-code table)
  '2010': rejected('invalid_request'), // 취소 요청금액 0원 이하
  '2011': rejected('invalid_request'), // 취소 금액 불일치 (full cancel with a wrong amount)
  '2012': rejected('transaction_not_found'), // 취소 해당거래 없음
  '2013': rejected('already_cancelled'), // 취소 완료 거래
  '2015': rejected('already_cancelled'), // 기취소 / 기 취소 요청
  '2014': rejected('provider_rejected'), // 취소 불가능 거래
  '2016': rejected('provider_rejected'), // 취소 기한 초과
  '2019': rejected('provider_rejected'), // 타 회원사 거래
  '2035': rejected('provider_rejected'), // 타 상점 거래
  '2020': rejected('provider_rejected'), // 망취소 허용시간 초과
  '2026': rejected('amount_exceeds_cancellable'), // 미정산 금액보다 큼
  '2032': rejected('amount_exceeds_cancellable'), // 취소가능금액보다 큼
  // §4 "partial cancel not allowed": 2028–2031, 2033, 2038, 2039, 2051, 2052, 1533–1535
  ...many(['2028', '2029', '2030', '2031', '2033', '2038', '2039', '2051', '2052', '1533', '1534', '1535'], {
    code: 'partial_cancel_unsupported',
  }),
  '2045': rejected('partial_cancel_unsupported'), // 채번취소 시 부분취소 불가
  '2223': rejected('partial_cancel_unsupported'), // 부분환불 불가
  '2036': rejected('provider_rejected'), // 입금완료 상태 아님
  '2037': rejected('provider_rejected'), // 환불 불가 결제수단
  '2047': rejected('refund_account_required'), // 이미 입금처리 완료: refund with Refund* fields
  '2221': rejected('refund_account_required'), // 환불 계좌정보 미입력
  '2222': rejected('provider_rejected'), // 계좌주 성명조회 실패
  '2212': rejected('duplicate_request'), // 환불 진행중
  '2226': rejected('provider_rejected'), // 환불 접수 실패
  '2046': rejected('provider_rejected'), // 당일 거래만 취소 가능
  // §4 "tax split": requested supply/VAT/service/tax-free exceed the cancellable
  ...many(['2048', '2049', '2050', '2054', '1615'], { code: 'amount_exceeds_cancellable' }),
  '2059': rejected('provider_rejected'), // 부분취소 잔액 불일치
  '2060': rejected('duplicate_request'), // 부분취소 잔액 중복
  // §4: "취소처리시 카드사 타임아웃 발생. 잠시후 반드시 재취소처리 요망". The issuer timed out: whether it
  // cancelled is what nobody knows, and a re-cancel with a new Moid could cancel twice.
  '2056': unfinished('provider_unavailable'),
  // Authentication / signature / merchant (§9: A101, A211, A109, A114, A224; 1641/1642 위변조)
  ...many(['A101', 'A211', 'A109', 'A114', 'A224', '1641', '1642'], { code: 'authentication_failed' }),
  A122: rejected('provider_rejected'), // MID 불일치 (another merchant's TID; §4, §9)
  ...many(['A115', 'A118', 'A251'], { code: 'transaction_not_found' }), // §4, §9: TID / 조회 결과 / 거래내역 없음
  // Request format (§9, §5 date errors): the request was refused as written
  ...many(
    [
      'A102',
      'A106',
      'A107',
      'A108',
      'A116',
      'A117',
      'A147',
      'A212',
      'A227',
      '9000',
      '9001',
      'V801',
      'V802',
      'T001',
    ],
    { code: 'invalid_request' },
  ),
  ...many(['T002', 'T003', 'A204', 'A205'], { code: 'invalid_request' }), // §9: 전문 오류, 전문 암·복호화 오류
  ...many(['1650', '1652', '1653', '1654', '1655', '1656'], { code: 'invalid_request' }), // §8 TID errors
  // Duplicates (order number, TID; §4, §8, checkout.md §1.7): NicePay refused the second request.
  ...many(['A127', '1681', '1722', 'A225', '1651'], { code: 'duplicate_request' }),
  // §9 "API 지연처리": accepted but not finished.
  A299: unfinished('provider_unavailable'),
  // §9 system codes: 1101 통신 연결 실패 and 1102 통신 지연 say a link failed, not where — the request may
  // have executed before it did. X001–X004 socket errors likewise.
  '1101': unfinished('provider_unavailable'),
  '1102': unfinished('timeout'),
  ...many(['X001', 'X002', 'X003', 'X004'], unfinished('provider_unavailable')),
  // get_vacount.jsp (nicepay.md §5): refusals of the issue as asked
  ...many(['4101', '4102', '4103', '4104', '4107', '4141', '4144'], { code: 'invalid_request' }),
  ...many(['4108', '4115', '4116', '4117', '4118', '4119', '4125', '4126', '4127', '4145'], {
    code: 'provider_rejected',
  }),
  '4109': rejected('provider_rejected'), // 입금대기상태
  '4123': rejected('already_cancelled'), // 채번취소 상태
  '4124': rejected('duplicate_request'), // 입금내역 기처리
  // Billing (nicepay.md §7)
  ...many(['F112', 'F113', 'F118'], { code: 'card_declined' }),
  ...many(['F115', 'F116', 'F117'], { code: 'provider_rejected' }),
  F201: rejected('duplicate_request'), // 이미 등록된 카드
  ...many(['A124', 'A125', 'A126', 'A223', 'A255'], { code: 'billing_key_invalid' }),
  ...many(['3011', '3021', '3022', '3023', '3095'], { code: 'card_declined' }), // §7 card approval 30xx
  '3041': rejected('invalid_request'), // 금액 오류
  // Payment-window approval (checkout.md §1.7)
  A123: rejected('provider_rejected'), // 인증된 금액과 승인요청 금액 불일치
  ...many(['A245', 'W111'], { code: 'provider_rejected' }), // 인증 시간 초과
  ...many(['W112', 'A210'], { code: 'transaction_not_found' }), // 인증 내역 없음
  '1682': rejected('duplicate_request'), // 동일한 승인 거래 존재
}

/**
 * A code the table does not know may be a refusal, a delayed execution or a success code we have not met: on a
 * call that moves money (or creates something) it proves nothing, so its outcome is unknown. Only on a read-only
 * call (the status lookup) is it a plain refusal.
 */
const UNMAPPED_ON_MONEY_MOVING: CodeMapping = {
  code: 'invalid_response',
  outcome: 'unknown',
  retryable: false,
}

/** On a read, a call the PG did not finish changed nothing and may simply be asked again. */
const READ_NOT_FINISHED: CodeMapping = { code: 'provider_unavailable', retryable: true }

export function nicepayError(resultCode: string, resultMsg: string, moneyMoving = true): PaymentError {
  if (!moneyMoving && NICEPAY_CODES[resultCode]?.outcome === 'unknown') {
    return errorFromTable({}, 'nicepay', resultCode, resultMsg, READ_NOT_FINISHED)
  }
  const fallback = moneyMoving ? UNMAPPED_ON_MONEY_MOVING : { code: 'provider_rejected' as const }
  return errorFromTable(NICEPAY_CODES, 'nicepay', resultCode, resultMsg, fallback)
}
