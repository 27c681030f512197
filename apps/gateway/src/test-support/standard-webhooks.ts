// Test support: Standard Webhooks verification written again from the specification
// (https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md), sharing no code
// with src/webhooks, so the tests check the gateway's signatures against the spec and not against itself.
import { createHmac, timingSafeEqual } from 'node:crypto'
import type { Received } from './flows.js'

/** Standard Webhooks v1, written again from the spec: HMAC-SHA256(base64-decoded secret, `id.ts.body`). */
export function independentVerify(secret: string, r: Received): boolean {
  const id = String(r.headers['webhook-id'])
  const ts = String(r.headers['webhook-timestamp'])
  if (Math.abs(Date.now() / 1000 - Number(ts)) > 300) return false
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64')
  const mac = createHmac('sha256', key)
    .update(Buffer.concat([Buffer.from(`${id}.${ts}.`), r.raw]))
    .digest()
  return String(r.headers['webhook-signature'])
    .split(' ')
    .some((s) => {
      const given = Buffer.from(s.slice(3), 'base64')
      return s.startsWith('v1,') && given.length === mac.length && timingSafeEqual(given, mac)
    })
}
