import { randomBytes } from 'node:crypto'
import { secretKey, sign } from './verify.js'

/** Headers of one delivery attempt: the id stays across retries, the timestamp is the attempt's. */
export function webhookHeaders(
  secrets: readonly string[],
  id: string,
  timestampSeconds: number,
  body: string,
): Record<string, string> {
  const ts = String(timestampSeconds)
  const bytes = Buffer.from(body, 'utf8')
  // One signature per live secret: during a rotation the merchant verifies with either.
  const signature = secrets.map((s) => `v1,${sign(secretKey(s), id, ts, bytes).toString('base64')}`).join(' ')
  return { 'webhook-id': id, 'webhook-timestamp': ts, 'webhook-signature': signature }
}

/** A fresh Standard Webhooks secret (32 random bytes). */
export function generateWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`
}
