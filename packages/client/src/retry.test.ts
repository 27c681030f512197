import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { createPaymuxClient, PaymuxConnectionError, PaymuxError, retryAfterMs } from './index.js'

// A real HTTP server that answers from a script, to reach the answers the demo gateway gives only under faults.
interface Seen {
  key: string | undefined
  at: number
  body: string
}
let server: Server | undefined
async function scripted(answers: Array<{ status: number; headers?: Record<string, string>; body: unknown }>) {
  const seen: Seen[] = []
  server = createServer(async (req: IncomingMessage, res) => {
    let body = ''
    for await (const chunk of req) body += chunk
    seen.push({ key: req.headers['idempotency-key'] as string | undefined, at: Date.now(), body })
    const a = answers[Math.min(seen.length - 1, answers.length - 1)]!
    res.writeHead(a.status, { 'content-type': 'application/json', 'request-id': 'req_hdr', ...a.headers })
    res.end(JSON.stringify(a.body))
  })
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen }
}
afterEach(async () => {
  await new Promise((r) => (server ? server.close(r) : r(undefined)))
  server = undefined
})

const unavailable = (extra: Record<string, string> = {}) => ({
  status: 503,
  headers: extra,
  body: {
    error: { type: 'provider_error', code: 'provider_unavailable', message: 'PG unreachable' },
    requestId: 'req_503',
  },
})
const cancellation = { status: 200, body: { id: 'can_1', status: 'succeeded', amount: 1000 } }
const body = { paymentId: 'pay_1', amount: 1000, reason: 'r' }

describe('retries', () => {
  it('re-sends a 503 with the same key and body, waiting at least what Retry-After asks', async () => {
    const s = await scripted([unavailable({ 'retry-after': '1' }), unavailable(), cancellation])
    const paymux = createPaymuxClient({ baseUrl: s.url, apiKey: 'k', retry: { baseDelayMs: 10 } })
    const result = await paymux.cancel(body)
    expect(result).toMatchObject({ id: 'can_1' })
    expect(s.seen).toHaveLength(3)
    expect(new Set(s.seen.map((x) => x.key)).size).toBe(1)
    expect(s.seen[0]!.key).toMatch(/^[0-9a-f-]{36}$/)
    expect(s.seen.every((x) => JSON.parse(x.body).paymentId === 'pay_1')).toBe(true)
    expect(s.seen[1]!.at - s.seen[0]!.at).toBeGreaterThanOrEqual(990)
  })

  it('stops after maxRetries and throws the last answer as a PaymuxError with the key to retry with', async () => {
    const s = await scripted([unavailable()])
    const paymux = createPaymuxClient({
      baseUrl: s.url,
      apiKey: 'k',
      retry: { maxRetries: 2, baseDelayMs: 5 },
    })
    const err = await paymux.cancel(body, { idempotencyKey: 'mine-1' }).catch((e: unknown) => e)
    expect(s.seen).toHaveLength(3)
    expect(err).toBeInstanceOf(PaymuxError)
    expect(err).toMatchObject({
      status: 503,
      type: 'provider_error',
      code: 'provider_unavailable',
      requestId: 'req_503',
      idempotencyKey: 'mine-1',
    })
  })

  it('does not re-send a 409 other than idempotency_key_in_use, a 4xx, or when Retry-After is beyond maxDelayMs', async () => {
    const conflict = {
      status: 409,
      body: {
        error: { type: 'conflict_error', code: 'amount_exceeds_cancellable', message: 'm', param: 'amount' },
        requestId: 'req_409',
      },
    }
    let s = await scripted([conflict, cancellation])
    let paymux = createPaymuxClient({ baseUrl: s.url, apiKey: 'k', retry: { baseDelayMs: 5 } })
    const err = await paymux.cancel(body).catch((e: unknown) => e)
    expect(s.seen).toHaveLength(1)
    expect(err).toMatchObject({
      status: 409,
      code: 'amount_exceeds_cancellable',
      param: 'amount',
      requestId: 'req_409',
    })
    await new Promise((r) => server!.close(r))

    s = await scripted([unavailable({ 'retry-after': '3600' }), cancellation])
    paymux = createPaymuxClient({ baseUrl: s.url, apiKey: 'k', retry: { baseDelayMs: 5, maxDelayMs: 1000 } })
    await expect(paymux.cancel(body)).rejects.toMatchObject({ status: 503 })
    expect(s.seen).toHaveLength(1)
    await new Promise((r) => server!.close(r))

    s = await scripted([unavailable(), cancellation])
    paymux = createPaymuxClient({ baseUrl: s.url, apiKey: 'k', retry: false })
    await expect(paymux.cancel(body)).rejects.toMatchObject({ status: 503 })
    expect(s.seen).toHaveLength(1)
  })

  it('a body not in the gateway shape still gives the status and the request-id header; GETs carry no key', async () => {
    const s = await scripted([{ status: 404, body: 'not json at all' }])
    const paymux = createPaymuxClient({ baseUrl: s.url, apiKey: 'k' })
    await expect(paymux.getPayment('pay_x')).rejects.toMatchObject({ status: 404, requestId: 'req_hdr' })
    expect(s.seen[0]!.key).toBeUndefined()
  })

  it('no answer at all is a PaymuxConnectionError carrying the key, never a guess at the outcome', async () => {
    const paymux = createPaymuxClient({ baseUrl: 'http://127.0.0.1:9', apiKey: 'k' })
    const err = await paymux.cancel(body, { idempotencyKey: 'k-unknown' }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(PaymuxConnectionError)
    expect((err as PaymuxConnectionError).idempotencyKey).toBe('k-unknown')
  })

  it('reads Retry-After as seconds or as an HTTP date', () => {
    expect(retryAfterMs('2')).toBe(2000)
    expect(retryAfterMs(new Date(10_000).toUTCString(), 4_000)).toBe(6000)
    expect(retryAfterMs('soon')).toBeUndefined()
    expect(retryAfterMs(null)).toBeUndefined()
  })
})
