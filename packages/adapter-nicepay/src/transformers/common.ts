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
