import { createHmac, timingSafeEqual } from 'node:crypto'

/**
 * Verifies a paymux webhook (Standard Webhooks, v1 = HMAC-SHA256) for merchants:
 *
 * ```ts
 * import { verifyWebhook } from '@paymux/webhooks' // or '@paymux/client', '@paymux/gateway/webhooks'
 * const event = verifyWebhook(process.env.PAYMUX_WEBHOOK_SECRET, req.headers, rawBody) // throws if not genuine
 * ```
 *
 * `secret` is the `whsec_…` secret (or a list during a rotation); `headers` a Fetch `Headers` or Node's
 * `req.headers`; `rawBody` the bytes as received (never a re-serialised object). Checks the timestamp is within
 * `toleranceSeconds` (default 300) of now, then each `v1,` signature in constant time. Returns the parsed
 * payload `{type, timestamp, data}`; dedupe on the `webhook-id` header (a retry carries the same id).
 */
export function verifyWebhook(
  secret: string | readonly string[],
  headers: WebhookHeaders,
  rawBody: string | Uint8Array,
  options: { toleranceSeconds?: number; now?: () => number } = {},
): WebhookPayload {
  const id = header(headers, 'webhook-id')
  const timestamp = header(headers, 'webhook-timestamp')
  const signatures = header(headers, 'webhook-signature')
  if (!id || !timestamp || !signatures) throw new WebhookVerificationError('missing_headers')
  if (!/^\d{1,15}$/.test(timestamp)) throw new WebhookVerificationError('invalid_timestamp')
  const tolerance = options.toleranceSeconds ?? 300
  const nowSeconds = Math.floor((options.now?.() ?? Date.now()) / 1000)
  const ts = Number(timestamp)
  if (ts < nowSeconds - tolerance) throw new WebhookVerificationError('timestamp_too_old')
  if (ts > nowSeconds + tolerance) throw new WebhookVerificationError('timestamp_too_new')
  const body = typeof rawBody === 'string' ? Buffer.from(rawBody, 'utf8') : Buffer.from(rawBody)
  const secrets = typeof secret === 'string' ? [secret] : [...secret]
  if (secrets.length === 0) throw new WebhookVerificationError('no_secret')
  const expected = secrets.map((s) => sign(secretKey(s), id, timestamp, body))
  for (const part of signatures.split(' ')) {
    const comma = part.indexOf(',')
    if (comma < 0 || part.slice(0, comma) !== 'v1') continue
    const given = Buffer.from(part.slice(comma + 1), 'base64')
    for (const e of expected) if (given.length === e.length && timingSafeEqual(given, e)) return parse(body)
  }
  throw new WebhookVerificationError('no_matching_signature')
}

export interface WebhookPayload {
  type: string
  timestamp: string
  data: Record<string, unknown>
}

export type WebhookHeaders =
  | { get(name: string): string | null }
  | Record<string, string | string[] | undefined>

export type WebhookVerificationReason =
  | 'missing_headers'
  | 'duplicate_header'
  | 'invalid_timestamp'
  | 'timestamp_too_old'
  | 'timestamp_too_new'
  | 'no_secret'
  | 'invalid_secret'
  | 'no_matching_signature'
  | 'invalid_payload'

export class WebhookVerificationError extends Error {
  override readonly name = 'WebhookVerificationError'
  constructor(readonly reason: WebhookVerificationReason) {
    super(`webhook verification failed: ${reason}`)
  }
}

/** `whsec_<base64>` (or the bare base64) → the HMAC key bytes. */
export function secretKey(secret: string): Buffer {
  const b64 = secret.startsWith('whsec_') ? secret.slice(6) : secret
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) throw new WebhookVerificationError('invalid_secret')
  const key = Buffer.from(b64, 'base64')
  if (key.length < 16) throw new WebhookVerificationError('invalid_secret')
  return key
}

/** The raw v1 signature: HMAC-SHA256 over `${id}.${timestamp}.${body}`. */
export function sign(key: Buffer, id: string, timestamp: string, body: Buffer): Buffer {
  return createHmac('sha256', key).update(`${id}.${timestamp}.`).update(body).digest()
}

function header(headers: WebhookHeaders, name: string): string | undefined {
  if (typeof (headers as { get?: unknown }).get === 'function') {
    return (headers as { get(n: string): string | null }).get(name) ?? undefined
  }
  let found: string | undefined
  for (const [k, v] of Object.entries(headers as Record<string, string | string[] | undefined>)) {
    if (k.toLowerCase() !== name || v === undefined) continue
    // A header sent twice is ambiguous: refuse rather than pick one.
    if (found !== undefined || Array.isArray(v)) throw new WebhookVerificationError('duplicate_header')
    found = v
  }
  return found
}

function parse(body: Buffer): WebhookPayload {
  try {
    const v = JSON.parse(body.toString('utf8')) as WebhookPayload
    if (typeof v?.type !== 'string' || typeof v.data !== 'object' || v.data === null) throw new Error('shape')
    return v
  } catch {
    throw new WebhookVerificationError('invalid_payload')
  }
}
