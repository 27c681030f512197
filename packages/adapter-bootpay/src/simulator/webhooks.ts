import type { FetchLike } from '@paymux/core'
import { v1Receipt, v2Receipt } from './render.js'
import type { BootpaySimulatorSettings } from './settings.js'
import type { SimReceipt } from './state.js'

export type WebhookType =
  | 'PAYMENT_COMPLETED'
  | 'PAYMENT_VIRTUAL_ACCOUNT_ISSUED'
  | 'PAYMENT_CANCELLED'
  | 'PAYMENT_PARTIAL_CANCELLED'

export interface WebhookAttempt {
  attempt: number
  status?: number
  body?: string
  error?: string
  accepted: boolean
}

export interface WebhookDelivery {
  receiptId: string
  version: 'v1' | 'v2'
  url: string
  delivered: boolean
  attempts: WebhookAttempt[]
}

/** The webhook type Bootpay would attach to the receipt as it is now. */
export function webhookTypeOf(r: SimReceipt): WebhookType {
  if (r.status === 5) return 'PAYMENT_VIRTUAL_ACCOUNT_ISSUED'
  if (r.cancelledPrice > 0)
    return r.cancelledPrice < r.price ? 'PAYMENT_PARTIAL_CANCELLED' : 'PAYMENT_CANCELLED'
  return 'PAYMENT_COMPLETED'
}

function v1Body(
  r: SimReceipt,
  s: BootpaySimulatorSettings,
  keys: { applicationId: string; privateKey: string },
  retry: number,
) {
  const { payment_data: _pd, ...flat } = v1Receipt(r)
  const fields: Record<string, unknown> = {
    ...flat,
    ...(s.v1WebhookIncludesKeys ? { application_id: keys.applicationId, private_key: keys.privateKey } : {}),
    retry_count: retry,
  }
  if (s.v1WebhookContentType === 'json') {
    return { contentType: 'application/json', body: JSON.stringify(fields) }
  }
  const form = new URLSearchParams()
  for (const [k, v] of Object.entries(fields)) if (v !== null && v !== undefined) form.set(k, String(v))
  return { contentType: 'application/x-www-form-urlencoded', body: form.toString() }
}

function v2Body(r: SimReceipt, type: WebhookType) {
  // A partial cancel's webhook says 20 even when the receipt stays at 1 (Bootpay's verify example).
  const status = type === 'PAYMENT_PARTIAL_CANCELLED' ? 20 : r.status
  return {
    contentType: 'application/json',
    body: JSON.stringify({ ...v2Receipt(r), status, webhook_type: type }),
  }
}

/** v1 expects the literal `OK`; v2 expects 200 and `{"success": true}`. */
function accepted(version: 'v1' | 'v2', status: number, text: string): boolean {
  if (version === 'v1') return text.trim() === 'OK'
  if (status !== 200) return false
  try {
    return (JSON.parse(text) as { success?: unknown }).success === true
  } catch {
    return false
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Posts one webhook, resending (with `retry_count` on v1) until it is accepted or the attempts run out. */
export async function deliverWebhook(input: {
  receipt: SimReceipt
  version: 'v1' | 'v2'
  url: string
  settings: BootpaySimulatorSettings
  keys: { applicationId: string; privateKey: string }
  fetch: FetchLike
  type?: WebhookType
}): Promise<WebhookDelivery> {
  const { receipt, version, url, settings } = input
  const type = input.type ?? webhookTypeOf(receipt)
  const out: WebhookDelivery = { receiptId: receipt.receiptId, version, url, delivered: false, attempts: [] }
  const attempts = Math.max(1, settings.webhookAttempts)
  for (let i = 0; i < attempts; i++) {
    if (i > 0) await sleep(settings.webhookRetryDelayMs)
    const { contentType, body } =
      version === 'v1' ? v1Body(receipt, settings, input.keys, i) : v2Body(receipt, type)
    try {
      const res = await input.fetch(url, {
        method: 'POST',
        headers: { 'content-type': contentType },
        body,
        redirect: 'manual',
      })
      const text = await res.text()
      const ok = accepted(version, res.status, text)
      out.attempts.push({ attempt: i + 1, status: res.status, body: text.slice(0, 200), accepted: ok })
      if (ok) {
        out.delivered = true
        break
      }
    } catch (err) {
      out.attempts.push({
        attempt: i + 1,
        error: err instanceof Error ? err.message : String(err),
        accepted: false,
      })
    }
  }
  return out
}
