import type { CheckoutReturn } from '@paymux/core'
import { decodeBody, Fields } from '../wire.js'

/** Decodes one percent-encoded form component: UTF-8 as CookiePay sends [INF], EUC-KR when it is not UTF-8. */
function decodeComponent(bytes: Uint8Array): string {
  const out: number[] = []
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!
    if (b === 0x2b) out.push(0x20)
    else if (b === 0x25 && i + 2 < bytes.length) {
      const hex = String.fromCharCode(bytes[i + 1]!, bytes[i + 2]!)
      if (/^[0-9a-f]{2}$/i.test(hex)) {
        out.push(Number.parseInt(hex, 16))
        i += 2
      } else out.push(b)
    } else out.push(b)
  }
  return decodeBody(new Uint8Array(out))?.text ?? ''
}

/** A form body read byte-wise, so that a charset other than UTF-8 garbles at most a message, never a field. */
export function parseFormBytes(body: Uint8Array): Record<string, string> {
  const out: Record<string, string> = {}
  let start = 0
  for (let i = 0; i <= body.length; i++) {
    if (i < body.length && body[i] !== 0x26) continue
    const part = body.subarray(start, i)
    start = i + 1
    if (part.length === 0) continue
    const eq = part.indexOf(0x3d)
    const key = decodeComponent(eq < 0 ? part : part.subarray(0, eq))
    const value = eq < 0 ? '' : decodeComponent(part.subarray(eq + 1))
    if (key && !(key in out)) out[key] = value
  }
  return out
}

/**
 * The fields of what reached the return URL: the form body of a POST (JSON accepted too), then the query
 * (CookiePay's own plugin reads `$_REQUEST`, so a GET may carry the result as well).
 */
export function returnFields(input: CheckoutReturn): Fields {
  let body: Record<string, unknown> = {}
  if (input.method === 'POST' && input.rawBody.length > 0) {
    const text =
      decodeBody(input.rawBody)
        ?.text.replace(/^\uFEFF/, '')
        .trim() ?? ''
    if (text.startsWith('{')) {
      try {
        const v = JSON.parse(text) as unknown
        if (typeof v === 'object' && v !== null && !Array.isArray(v)) body = v as Record<string, unknown>
      } catch {
        body = {}
      }
    } else body = parseFormBytes(input.rawBody)
  }
  return new Fields({ ...input.query, ...body })
}

/** Fields the adapter keeps from a decrypted result (CookiePay's own words, unlike a plain post's claims). */
export const DECRYPTED_KEPT = ['ACCOUNTNO', 'RECEIVERNAME', 'DEPOSITENDDATE', 'CARDNAME', 'CARDCODE'] as const
