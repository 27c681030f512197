import { describe, expect, it } from 'vitest'
import { generateWebhookSecret, verifyWebhook, WebhookVerificationError, webhookHeaders } from './index.js'

const reason = (f: () => unknown) => {
  try {
    f()
  } catch (err) {
    return err instanceof WebhookVerificationError ? err.reason : `other: ${(err as Error).message}`
  }
  return 'verified'
}

describe('@paymux/webhooks', () => {
  const secret = generateWebhookSecret()
  const body = JSON.stringify({
    type: 'cancellation.succeeded',
    timestamp: '2026-01-01T00:00:00.000Z',
    data: {},
  })
  const now = Math.floor(Date.now() / 1000)

  it('refuses a changed body, another secret, a stale timestamp and an unusable secret', () => {
    const headers = webhookHeaders([secret], 'evt_1', now, body)
    expect(reason(() => verifyWebhook(secret, headers, body.replace('{}', '{"x":1}')))).toBe(
      'no_matching_signature',
    )
    expect(reason(() => verifyWebhook(generateWebhookSecret(), headers, body))).toBe('no_matching_signature')
    const old = webhookHeaders([secret], 'evt_1', now - 301, body)
    expect(reason(() => verifyWebhook(secret, old, body))).toBe('timestamp_too_old')
    expect(reason(() => verifyWebhook([], headers, body))).toBe('no_secret')
    expect(reason(() => verifyWebhook('whsec_short', headers, body))).toBe('invalid_secret')
  })

  it('verifies what it signed, from Node headers or Fetch Headers, and returns the payload', () => {
    const headers = webhookHeaders([secret], 'evt_2', now, body)
    expect(verifyWebhook(secret, headers, body)).toEqual(JSON.parse(body))
    expect(verifyWebhook(secret, new Headers(headers), new TextEncoder().encode(body)).type).toBe(
      'cancellation.succeeded',
    )
  })

  it('signs as the Standard Webhooks reference vector says', () => {
    // The spec repository's shared test vector: secret, id, timestamp, payload → signature.
    const h = webhookHeaders(
      ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'],
      'msg_p5jXN8AQM9LWM0D4loKWxJek',
      1614265330,
      '{"test": 2432232314}',
    )
    expect(h['webhook-signature']).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=')
  })
})
