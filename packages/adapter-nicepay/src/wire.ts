import { type HttpResponse, PaymentError } from '@paymux/core'
import { decodeKoreanText, parseForm } from './encoding.js'

/** A NicePay answer: flat, every value a string (JSON and KV alike). */
export type NicePayAnswer = Record<string, string>

function unreadable(why: string, moneyMoving: boolean, cause?: unknown): PaymentError {
  return new PaymentError({
    code: 'invalid_response',
    outcome: moneyMoving ? 'unknown' : 'rejected',
    provider: 'nicepay',
    message: `nicepay answered ${why}; the outcome is unknown`,
    ...(cause === undefined ? {} : { cause }),
  })
}

/**
 * NicePay sends every business answer, refusals included, as HTTP 200 with a ResultCode; its own samples treat
 * any other status as a communication failure (`if (statusCode != HTTP_OK) throw`). So a non-200 on a call that
 * moves money is unknown whatever its body says: a proxy's 502 after the PG executed looks the same as one
 * before. The body's ResultCode, if any, is kept as evidence only.
 */
function notOk(res: HttpResponse, moneyMoving: boolean): PaymentError {
  const code = /"?ResultCode"?\s*[:=]\s*"?([A-Z0-9]{4})/.exec(decodeKoreanText(res.body))?.[1]
  const seen = code ? ` (its body carries ResultCode ${code})` : ''
  if (!moneyMoving && res.status >= 500) {
    return new PaymentError({
      code: 'provider_unavailable',
      provider: 'nicepay',
      ...(code ? { providerCode: code } : {}),
      message: `nicepay answered HTTP ${res.status}${seen}`,
    })
  }
  return new PaymentError({
    code: 'invalid_response',
    outcome: moneyMoving ? 'unknown' : 'rejected',
    retryable: false,
    provider: 'nicepay',
    ...(code ? { providerCode: code } : {}),
    message: `nicepay answered HTTP ${res.status}${seen}${moneyMoving ? '; the outcome is unknown' : ''}`,
  })
}

function flatten(obj: unknown): NicePayAnswer | undefined {
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) return undefined
  const out: NicePayAnswer = {}
  for (const [k, v] of Object.entries(obj)) {
    if (v === null || v === undefined) continue
    out[k] =
      typeof v === 'string'
        ? v
        : typeof v === 'number' || typeof v === 'boolean'
          ? String(v)
          : JSON.stringify(v)
  }
  return out
}

/**
 * Reads an answer whatever NicePay chose to send: we ask for UTF-8 JSON, but the server may answer EUC-KR
 * (the default CharSet) or KV (`k=v&k=v`, raw or percent-escaped). Bytes that are not UTF-8 are read as
 * CP949. Anything without a ResultCode (an HTML error page, a truncated body) is unreadable.
 */
export function decodeAnswer(res: HttpResponse, moneyMoving: boolean): NicePayAnswer {
  if (res.status !== 200) throw notOk(res, moneyMoving)
  const text = decodeKoreanText(res.body)
  const trimmed = text.replace(/^\uFEFF/, '').trim()
  let answer: NicePayAnswer | undefined
  if (trimmed.startsWith('{')) {
    try {
      answer = flatten(JSON.parse(trimmed))
    } catch (err) {
      throw unreadable(`HTTP ${res.status} with a body that is not JSON`, moneyMoving, err)
    }
  } else if (/^[A-Za-z][A-Za-z0-9_]*=/.test(trimmed)) {
    let start = res.body[0] === 0xef && res.body[1] === 0xbb && res.body[2] === 0xbf ? 3 : 0
    while (start < res.body.length && res.body[start]! <= 0x20) start++
    answer = parseForm(res.body.subarray(start), 'auto')
    for (const k of Object.keys(answer)) answer[k] = answer[k]!.replace(/[\r\n]+$/, '')
  }
  if (!answer) throw unreadable(`HTTP ${res.status} with a body that is neither JSON nor KV`, moneyMoving)
  if (typeof answer.ResultCode !== 'string' || !/^[A-Z0-9]{4}$/.test(answer.ResultCode.trim())) {
    throw unreadable(`HTTP ${res.status} without a ResultCode`, moneyMoving)
  }
  answer.ResultCode = answer.ResultCode.trim()
  return answer
}
