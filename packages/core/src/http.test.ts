import { createServer } from 'node:net'
import { Hono } from 'hono'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isPaymentError, type PaymentError } from './errors.js'
import { HttpTransport } from './http.js'
import { Redactor } from './redact.js'
import { FaultInjector, faultMiddleware } from './simulator/faults.js'
import { type RunningServer, startServer } from './simulator/serve.js'

const faults = new FaultInjector()
let hits = 0
const app = new Hono()
app.use('*', faultMiddleware(faults))
app.post('/echo', async (c) => {
  hits++
  return c.json({ got: await c.req.text() })
})
let server: RunningServer

beforeAll(async () => {
  server = await startServer(app)
})
afterAll(() => server.close())

async function fail(p: Promise<unknown>): Promise<PaymentError> {
  try {
    await p
  } catch (e) {
    if (isPaymentError(e)) return e
    throw e
  }
  throw new Error('expected a failure')
}

/** A port on loopback where nothing listens. */
async function closedPort(): Promise<number> {
  const s = createServer()
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r))
  const port = (s.address() as { port: number }).port
  await new Promise((r) => s.close(r))
  return port
}

describe('HttpTransport', () => {
  it('returns status, headers and raw bytes', async () => {
    const t = new HttpTransport({ provider: 't', baseUrl: server.url })
    const res = await t.request({
      operation: 'x',
      method: 'POST',
      path: '/echo',
      body: '한글',
      moneyMoving: true,
    })
    expect(res.status).toBe(200)
    expect(JSON.parse(res.text())).toEqual({ got: '한글' })
  })

  it('connection refused: provider_unavailable, rejected, retried because nothing was sent', async () => {
    const events: string[] = []
    const t = new HttpTransport({
      provider: 't',
      baseUrl: `http://127.0.0.1:${await closedPort()}`,
      onCall: (e) => events.push(e.outcome),
    })
    const err = await fail(t.request({ operation: 'x', method: 'POST', path: '/echo', moneyMoving: true }))
    expect([err.code, err.outcome, err.retryable]).toEqual(['provider_unavailable', 'rejected', true])
    expect(events).toEqual(['never_sent', 'never_sent', 'never_sent'])
  })

  it('a timeout after sending is unknown and a money-moving call is not re-sent', async () => {
    const t = new HttpTransport({ provider: 't', baseUrl: server.url, timeoutMs: 100 })
    faults.inject({ kind: 'delay', ms: 400 })
    const before = hits
    const err = await fail(t.request({ operation: 'x', method: 'POST', path: '/echo', moneyMoving: true }))
    expect([err.code, err.outcome]).toEqual(['timeout', 'unknown'])
    await new Promise((r) => setTimeout(r, 400))
    expect(hits - before).toBe(1)
  })

  it('a connection dropped after the server executed is unknown', async () => {
    const t = new HttpTransport({ provider: 't', baseUrl: server.url })
    faults.inject({ kind: 'drop' })
    const before = hits
    const err = await fail(t.request({ operation: 'x', method: 'POST', path: '/echo', moneyMoving: true }))
    expect([err.code, err.outcome]).toEqual(['invalid_response', 'unknown'])
    expect(hits - before).toBe(1)
  })

  it('keeps secrets out of error messages', async () => {
    const secret = 'sk_live_0123456789abcdef'
    const t = new HttpTransport({
      provider: 't',
      baseUrl: `http://127.0.0.1:${await closedPort()}`,
      redactor: new Redactor([secret]),
      retriesWhenNeverSent: 0,
    })
    const err = await fail(
      t.request({ operation: 'x', method: 'GET', path: `/x?key=${secret}`, moneyMoving: false }),
    )
    expect(`${err.message} ${JSON.stringify(err)}`).not.toContain(secret)
  })
})

describe('HttpTransport log paths', () => {
  it('shows logPath instead of a path that carries a secret', async () => {
    const lines: string[] = []
    const logger = { debug: (f: object) => lines.push(JSON.stringify(f)), info() {}, warn() {}, error() {} }
    const t = new HttpTransport({
      provider: 't',
      baseUrl: `http://127.0.0.1:${await closedPort()}`,
      logger,
      retriesWhenNeverSent: 0,
    })
    const err = await fail(
      t.request({
        operation: 'x',
        method: 'DELETE',
        path: '/billing_key/bk_SECRET_123456',
        logPath: '/billing_key/:key',
        moneyMoving: true,
      }),
    )
    expect(err.message).toContain('/billing_key/:key')
    expect(`${err.message} ${lines.join(' ')}`).not.toContain('bk_SECRET_123456')
  })
})
