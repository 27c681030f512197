import { type CodeMapping, type CodeTable, errorFromTable, type PaymentError } from '@paymux/core'
import { PROVIDER } from './wire.js'

/**
 * CookiePay result codes as data. CookiePay publishes no code list: only a handful of codes are known
 * (tags as in the protocol research: DOC = CookiePay's manual, VENDOR = CookiePay's own plugins,
 * 3P = third-party integrators, INF = inferred). Everything else is recognised by its message, and what is
 * recognised by neither stays `provider_rejected` carrying the raw code and message.
 */
export const SUCCESS = '0000'

/** [DOC] "결제 취소 API 로 취소요청 > 응답코드 : 9029 발생시 > 입금후 취소 API를 호출". */
export const POST_DEPOSIT_CANCEL = '9029'

/** paysearch found nothing [VENDOR V-wp: "검색 결과가 없습니다"]. */
export const NO_RESULTS = 'E008'

/** `/payAuth/token` RTN_CD. Any other non-0000 token answer is an authentication failure as well. */
export const TOKEN_CODES: CodeTable = {
  E003: { code: 'authentication_failed' }, // [3P] "ID & KEY 불일치": wrong pay2_id / pay2_key pair
}
export const TOKEN_FALLBACK: CodeMapping = { code: 'authentication_failed' }

/** cancel_code / RESULTCODE of the TOKEN-protected endpoints. */
export const API_CODES: CodeTable = {
  E003: { code: 'authentication_failed' }, // [3P] pair mismatch (ApiKey not the token's pair)
  E008: { code: 'transaction_not_found' }, // [VENDOR] paysearch "검색 결과가 없습니다"; [INF] elsewhere
}

export interface MessageRule {
  pattern: RegExp
  mapping: CodeMapping
  /** The PG refused the TOKEN (expired, unknown): drop it and try once more with a fresh one. */
  tokenRejected?: boolean
  source: string
}

/** Applied in order when the code is not in the table; the first match wins. */
export const MESSAGE_RULES: readonly MessageRule[] = [
  // Checked first: a cancel of a cancelled payment must never read as anything else.
  {
    pattern: /이미\s*취소|원거래\s*기취소|기\s*취소/,
    mapping: { code: 'already_cancelled' },
    source: 'VENDOR V-wp',
  },
  { pattern: /토큰|token/i, mapping: { code: 'authentication_failed' }, tokenRejected: true, source: 'INF' },
  {
    pattern: /ID\s*&\s*KEY|연동\s*(키|시크릿)|api\s*key/i,
    mapping: { code: 'authentication_failed' },
    source: '3P',
  },
  {
    pattern: /부분\s*취소.*(불가|지원\s*하지|안\s*됩)/,
    mapping: { code: 'partial_cancel_unsupported' },
    source: 'INF',
  },
  {
    pattern: /취소\s*가능\s*금액|잔액|금액.*초과|초과.*금액/,
    mapping: { code: 'amount_exceeds_cancellable' },
    source: 'INF',
  },
  {
    pattern: /환불\s*계좌|account_no|계좌\s*정보.*(필요|필수|입력)/i,
    mapping: { code: 'refund_account_required' },
    source: 'INF',
  },
  {
    pattern: /(거래|결제)\s*(내역|정보)?\s*(이|가)?\s*(없|존재하지)|검색\s*결과가\s*없|not\s*found/i,
    mapping: { code: 'transaction_not_found' },
    source: 'INF',
  },
]

const ALREADY_CANCELLED = MESSAGE_RULES[0]!.pattern

export function isAlreadyCancelledMessage(message: string): boolean {
  return ALREADY_CANCELLED.test(message)
}

/** True when an answer says the TOKEN was refused (the call may be repeated once with a new token). */
export function isTokenRejection(code: string, message: string): boolean {
  if (code === SUCCESS || API_CODES[code]) return false
  return MESSAGE_RULES.some((r) => r.tokenRejected && r.pattern.test(message))
}

/**
 * The PaymentError for a non-success answer: by code, then by message, else raw `provider_rejected`. On a call
 * that moves money an answer recognised by neither proves nothing was done: its outcome is unknown.
 */
export function errorForAnswer(
  code: string,
  message: string,
  moneyMoving: boolean,
  table: CodeTable = API_CODES,
): PaymentError {
  if (table[code]) return errorFromTable(table, PROVIDER, code, message)
  const rule = MESSAGE_RULES.find((r) => r.pattern.test(message))
  if (rule) return errorFromTable({ [code]: rule.mapping }, PROVIDER, code, message)
  return errorFromTable({}, PROVIDER, code, message, {
    code: 'provider_rejected',
    ...(moneyMoving ? { outcome: 'unknown' as const } : {}),
  })
}
