import { kstIso, PaymentError, parseKrw, parseKstCompact } from '@paymux/core'
import type { NicePayAnswer } from '../wire.js'

export type FormPairs = Array<readonly [string, string]>

/** Response preferences sent with every request: we read anything, but ask for UTF-8 JSON. */
export const ANSWER_PREFS: FormPairs = [
  ['CharSet', 'utf-8'],
  ['EdiType', 'JSON'],
]

/** NicePay's 12-digit amounts ("000000001000") or plain ones. */
export function amountOf(answer: NicePayAnswer, field: string, moneyMoving: boolean): number {
  const n = parseKrw(answer[field])
  if (n === undefined) {
    throw new PaymentError({
      code: 'invalid_response',
      outcome: moneyMoving ? 'unknown' : 'rejected',
      provider: 'nicepay',
      ...(answer.ResultCode ? { providerCode: answer.ResultCode } : {}),
      message: `nicepay answered success without a readable ${field}; the outcome is unknown`,
    })
  }
  return n
}

/** `yyMMddHHmmss` (AuthDate of approvals and notifications) or the longer forms; falls back to `now`. */
export function kstTime(value: string | undefined, now: number): string {
  const v = value?.trim() ?? ''
  if (/^\d{12}$/.test(v)) return parseKstCompact(`20${v}`) ?? kstIso(now)
  return parseKstCompact(v) ?? kstIso(now)
}

export function optional(answer: NicePayAnswer, field: string): string | undefined {
  const v = answer[field]?.trim()
  return v ? v : undefined
}

/**
 * A field the manual marks 필수 in this answer must be what was asked: absent or different, the answer is not
 * provably this call's, so a success proves nothing (unknown). `asked` lists every value a genuine answer may
 * carry where the sources leave it open.
 */
export function requireEcho(
  answer: NicePayAnswer,
  field: string,
  asked: readonly string[],
  call: string,
): void {
  const v = optional(answer, field)
  if (v !== undefined && asked.includes(v)) return
  throw new PaymentError({
    code: 'invalid_response',
    outcome: 'unknown',
    provider: 'nicepay',
    providerCode: answer.ResultCode,
    message: `nicepay's ${call} answer ${v === undefined ? `omits ${field}, which the manual marks required` : `names another ${field} (${v})`}; the outcome is unknown`,
  })
}
