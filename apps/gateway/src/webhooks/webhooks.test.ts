import { connect } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DB_TARGETS } from '../test-support/harness.js'
import { eventually, type FlowGateway, type Received, startFlowGateway } from '../test-support/flows.js'
import { independentVerify } from '../test-support/standard-webhooks.js'
import { claimEvents, deliverDueEvents } from './outbox.js'
// The package's `@paymux/gateway/webhooks` entry, as merchants import it.
import { generateWebhookSecret, verifyWebhook, WebhookVerificationError, webhookHeaders } from './index.js'

const reason = (f: () => unknown) => {
  try {
    f()
  } catch (err) {
    return err instanceof WebhookVerificationError ? err.reason : `other: ${(err as Error).message}`
  }
  return 'verified'
}

describe('verifyWebhook (the exported verifier)', () => {
  const secret = generateWebhookSecret()
  const body = JSON.stringify({
    type: 'payment.paid',
    timestamp: '2026-01-01T00:00:00.000Z',
    data: { paymentId: 'pay_1' },
  })
  it('rejects tampering, other secrets, stale or future timestamps, missing and duplicated headers', () => {
    // The clock is pinned: the tolerance checks must not depend on how long the suite took to get here.
    const now = Math.floor(Date.now() / 1000)
    const clock = { now: () => now * 1000 }
    const headers = webhookHeaders([secret], 'evt_1', now, body)
    expect(reason(() => verifyWebhook(secret, headers, body.replace('pay_1', 'pay_2')))).toBe(
      'no_matching_signature',
    )
    expect(reason(() => verifyWebhook(generateWebhookSecret(), headers, body))).toBe('no_matching_signature')
    expect(reason(() => verifyWebhook(secret, { ...headers, 'webhook-id': 'evt_2' }, body))).toBe(
      'no_matching_signature',
    )
    const old = webhookHeaders([secret], 'evt_1', now - 301, body)
    expect(reason(() => verifyWebhook(secret, old, body, clock))).toBe('timestamp_too_old')
    const future = webhookHeaders([secret], 'evt_1', now + 301, body)
    expect(reason(() => verifyWebhook(secret, future, body, clock))).toBe('timestamp_too_new')
    expect(reason(() => verifyWebhook(secret, old, body, { ...clock, toleranceSeconds: 600 }))).toBe(
      'verified',
    )
    expect(reason(() => verifyWebhook(secret, { 'webhook-id': 'evt_1' }, body))).toBe('missing_headers')
    expect(reason(() => verifyWebhook(secret, { ...headers, 'Webhook-Id': 'evt_9' }, body))).toBe(
      'duplicate_header',
    )
    expect(
      reason(() =>
        verifyWebhook(
          secret,
          { ...headers, 'webhook-signature': `v1a,${headers['webhook-signature']!.slice(3)}` },
          body,
        ),
      ),
    ).toBe('no_matching_signature')
    expect(reason(() => verifyWebhook('whsec_!!', headers, body))).toBe('invalid_secret')
  })

  it('accepts Fetch Headers, upper-case names and bytes; returns the payload', () => {
    const headers = webhookHeaders([secret], 'evt_1', Math.floor(Date.now() / 1000), body)
    const h = new Headers(Object.entries(headers).map(([k, v]) => [k.toUpperCase(), v]))
    expect(verifyWebhook(secret, h, new TextEncoder().encode(body))).toEqual(JSON.parse(body))
  })

  it('rotation: signed with two secrets, either verifies; the spec implementation agrees', () => {
    const now = Math.floor(Date.now() / 1000)
    const next = generateWebhookSecret()
    const both = webhookHeaders([secret, next], 'evt_3', now, body)
    expect(both['webhook-signature']!.split(' ')).toHaveLength(2)
    expect(reason(() => verifyWebhook(secret, both, body))).toBe('verified')
    expect(reason(() => verifyWebhook(next, both, body))).toBe('verified')
    expect(reason(() => verifyWebhook([generateWebhookSecret(), next], both, body))).toBe('verified')
    const r: Received = { headers: both, raw: Buffer.from(body), status: 200 }
    expect(independentVerify(secret, r)).toBe(true)
    expect(independentVerify(next, r)).toBe(true)
    expect(independentVerify(generateWebhookSecret(), r)).toBe(false)
  })

  it('matches the Standard Webhooks reference vector', () => {
    // From the spec repository's test suite (libraries share it): secret, id, timestamp, payload → signature.
    const s = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'
    const payload = '{"test": 2432232314}'
    const h = webhookHeaders([s], 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, payload)
    expect(h['webhook-signature']).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=')
  })
})

describe.each(DB_TARGETS)('webhook delivery on %o', (target) => {
  let t: FlowGateway
  beforeAll(async () => {
    // Two live secrets (a rotation in progress).
    t = await startFlowGateway(target, { secrets: [generateWebhookSecret(), generateWebhookSecret()] })
  })
  afterAll(async () => {
    await t?.close()
  })

  const cancelOne = async () => {
    const { transactionId } = t.sims.cookiepay.seedPayment({ amount: 5_000 })
    const c = await t.call('POST', '/v1/cancellations', {
      body: { account: 'a-cookie', transactionId, reason: 'r' },
    })
    expect(c.body.status).toBe('succeeded')
    return c.body.id as string
  }
  const forObject = (id: string) =>
    t.hooks.received.filter((r) => JSON.parse(r.raw.toString()).data.cancellationId === id)

  it('retries a failing endpoint (500, timeout-free 503 with Retry-After, a redirect not followed) until it answers 2xx; logs every attempt', async () => {
    const id = await cancelOne()
    let n = 0
    t.hooks.respond = (): { status: number; headers?: Record<string, string> } => {
      n++
      if (n === 1) return { status: 500 }
      if (n === 2) return { status: 503, headers: { 'retry-after': '0' } }
      if (n === 3) return { status: 302, headers: { location: 'http://127.0.0.1:1/elsewhere' } }
      return { status: 204 }
    }
    const workers = t.gateway.startWorkers({ reconcile: false })
    try {
      await eventually(
        async () =>
          (await t.call('GET', `/v1/events?objectId=${id}`)).body.data[0]?.delivery.status === 'delivered',
      )
    } finally {
      await workers.stop()
      t.hooks.respond = () => ({ status: 200 })
    }
    const got = forObject(id)
    expect(got.map((r) => r.status)).toEqual([500, 503, 302, 204])
    // One event, one id and one payload timestamp across retries; each attempt signed afresh with both secrets.
    expect(new Set(got.map((r) => r.headers['webhook-id'])).size).toBe(1)
    expect(new Set(got.map((r) => JSON.parse(r.raw.toString()).timestamp)).size).toBe(1)
    for (const r of got) {
      for (const s of t.secrets) {
        expect(verifyWebhook(s, r.headers, r.raw).type).toBe('cancellation.succeeded')
        expect(independentVerify(s, r)).toBe(true)
      }
    }
    const list = await t.call('GET', `/v1/events?objectId=${id}`)
    const ev = await t.call('GET', `/v1/events/${list.body.data[0].id}`)
    expect(ev.status).toBe(200)
    expect(ev.body.delivery).toMatchObject({ status: 'delivered', attempts: 4, lastError: null })
    expect(
      ev.body.deliveries.map((d: { statusCode: number; outcome: string }) => [d.statusCode, d.outcome]),
    ).toEqual([
      [500, 'retry'],
      [503, 'retry'],
      [302, 'retry'],
      [204, 'delivered'],
    ])
    expect(ev.body.deliveries[2].error).toMatch(/redirect/)
  })

  it('gives up after the schedule (and at once on 410); a manual resend delivers again with the same webhook-id', async () => {
    const id = await cancelOne()
    t.hooks.respond = () => ({ status: 500 })
    const workers = t.gateway.startWorkers({ reconcile: false })
    try {
      await eventually(
        async () =>
          (await t.call('GET', `/v1/events?objectId=${id}`)).body.data[0]?.delivery.status === 'failed',
      )
    } finally {
      await workers.stop()
    }
    const list = await t.call('GET', `/v1/events?objectId=${id}`)
    const evId = list.body.data[0].id as string
    // 1 + the five retries of the test schedule.
    expect(list.body.data[0].delivery).toMatchObject({ status: 'failed', attempts: 6, lastError: 'HTTP 500' })
    expect(forObject(id)).toHaveLength(6)

    // 410: the merchant removed the endpoint; no more retries.
    const gone = await cancelOne()
    t.hooks.respond = () => ({ status: 410 })
    const w2 = t.gateway.startWorkers({ reconcile: false })
    try {
      await eventually(
        async () =>
          (await t.call('GET', `/v1/events?objectId=${gone}`)).body.data[0]?.delivery.status === 'failed',
      )
    } finally {
      await w2.stop()
    }
    expect(forObject(gone)).toHaveLength(1)

    t.hooks.respond = () => ({ status: 200 })
    const other = await t.call('POST', `/v1/events/${evId}/resend`, { key: t.keyB })
    expect(other.status).toBe(404)
    const resend = await t.call('POST', `/v1/events/${evId}/resend`)
    expect(resend.status).toBe(202)
    expect(resend.body.delivery.status).toBe('pending')
    const w3 = t.gateway.startWorkers({ reconcile: false })
    try {
      await eventually(
        async () => (await t.call('GET', `/v1/events/${evId}`)).body.delivery.status === 'delivered',
      )
    } finally {
      await w3.stop()
    }
    const all = forObject(id)
    expect(all).toHaveLength(7)
    expect(all.at(-1)!.headers['webhook-id']).toBe(evId)
    expect(all.at(-1)!.status).toBe(200)
    const ev = await t.call('GET', `/v1/events/${evId}`)
    expect(ev.body.delivery).toMatchObject({ status: 'delivered', resends: 1, attempts: 7 })
  })

  it('a resend takes no body: sent bare (no Content-Type, no Content-Length), with Content-Length: 0 or an empty chunked body, it is queued, never a 400', async () => {
    const id = await cancelOne()
    const evId = (await t.call('GET', `/v1/events?objectId=${id}`)).body.data[0].id as string
    const rt = t.gateway.runtime
    await deliverDueEvents(rt, rt.config.workers.outbox)
    expect((await t.call('GET', `/v1/events/${evId}`)).body.delivery.status).toBe('delivered')
    const { hostname: host, port } = new URL(t.url)
    for (const framing of ['', 'Content-Length: 0\r\n', 'Transfer-Encoding: chunked\r\n']) {
      // Bytes on a socket, as curl -X POST sends them: no client library adds a header of its own.
      const answer = await new Promise<string>((resolve, reject) => {
        // Written, not ended: a half-closed socket may be dropped before the answer; Connection: close ends it.
        const socket = connect(Number(port), host, () =>
          socket.write(
            `POST /v1/events/${evId}/resend HTTP/1.1\r\nHost: ${host}\r\nAuthorization: Bearer ${t.keyA}\r\n` +
              `${framing}Connection: close\r\n\r\n${framing.startsWith('Transfer') ? '0\r\n\r\n' : ''}`,
          ),
        )
        let raw = ''
        socket.on('data', (d) => {
          raw += d
        })
        socket.on('end', () => resolve(raw))
        socket.on('error', reject)
      })
      expect(answer.split('\r\n')[0], `${framing || 'bare'}: ${answer.slice(-300)}`).toBe(
        'HTTP/1.1 202 Accepted',
      )
    }
    const ev = await t.call('GET', `/v1/events/${evId}`)
    expect(ev.body.delivery).toMatchObject({ status: 'pending', resends: 1 })
  })

  it('a process that dies after claiming loses nothing: once its lease has run out the next pass delivers', async () => {
    const id = await cancelOne()
    const rt = t.gateway.runtime
    const cfg = rt.config.workers.outbox
    // The "crashed" process: claims (attempt 1, leased) and never reports back.
    const claimed = await claimEvents(rt, cfg)
    expect(claimed.map((e) => e.object_id)).toContain(id)
    // While the lease runs, nobody else takes it.
    expect((await deliverDueEvents(rt, cfg)).attempted).toBe(0)
    // Later (the clock past the lease): another process delivers it as attempt 2.
    const later = { ...rt, now: () => new Date(Date.now() + cfg.timeoutMs + 31_000) }
    expect((await deliverDueEvents(later, cfg)).delivered).toBeGreaterThanOrEqual(1)
    const ev = (await t.call('GET', `/v1/events?objectId=${id}`)).body.data[0]
    expect(ev.delivery).toMatchObject({ status: 'delivered', attempts: 2 })
    expect(forObject(id)).toHaveLength(1)
  })

  it('lists only the merchant’s own events, newest first, with a cursor', async () => {
    const page1 = await t.call('GET', '/v1/events?limit=2')
    expect(page1.status).toBe(200)
    expect(page1.body.data).toHaveLength(2)
    expect(page1.body.hasMore).toBe(true)
    const page2 = await t.call('GET', `/v1/events?limit=2&startingAfter=${page1.body.data[1].id}`)
    expect(page2.body.data[0].id).not.toBe(page1.body.data[1].id)
    expect(new Date(page2.body.data[0].createdAt).getTime()).toBeLessThanOrEqual(
      new Date(page1.body.data[1].createdAt).getTime(),
    )
    const b = await t.call('GET', '/v1/events', { key: t.keyB })
    expect(b.body.data).toEqual([])
    expect((await t.call('GET', '/v1/events', { key: null })).status).toBe(401)
    expect((await t.call('GET', `/v1/events/${page1.body.data[0].id}`, { key: t.keyB })).status).toBe(404)
  })

  it('GET /metrics: requests by route, PG calls with latency, outbox and open-work gauges', async () => {
    const res = await fetch(`${t.url}/metrics`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/)
    const text = await res.text()
    expect(text).toMatch(
      /paymux_http_requests_total\{method="POST",route="\/v1\/cancellations",status="200"\} \d+/,
    )
    expect(text).toMatch(
      /paymux_http_requests_total\{method="GET",route="\/v1\/events\/\{id\}",status="200"\} \d+/,
    )
    expect(text).toMatch(/paymux_pg_calls_total\{operation="cancel",outcome="2xx",provider="cookiepay"\} \d+/)
    expect(text).toMatch(
      /paymux_pg_call_duration_seconds_bucket\{operation="cancel",provider="cookiepay",le="\+Inf"\} \d+/,
    )
    expect(text).toMatch(/paymux_webhook_deliveries_total\{outcome="retry"\} \d+/)
    expect(text).toMatch(/paymux_webhook_delivery_failures_total\{reason="http_500"\} \d+/)
    expect(text).toMatch(/paymux_outbox_events\{status="failed"\} [1-9]/)
    expect(text).toMatch(/paymux_cancellations_open\{status="needs_review"\} 0/)
    expect(text).not.toContain(t.keyA)
  })
})
