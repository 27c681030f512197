import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Demo, startDemo } from '@paymux/gateway'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createPaymuxClient, isPaymuxError, PaymuxError } from './index.js'

// The client hands fetch a Request (not always this realm's class: @hono/node-server installs its own).
const sent = (input: string | URL | Request) =>
  typeof input === 'object' && 'method' in input ? input : undefined

// The client against the real demo gateway: PG simulators on loopback, embedded database.
describe('@paymux/client against the demo gateway', () => {
  let demo: Demo
  let dir: string
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'paymux-client-'))
    demo = await startDemo({ port: 0, dataDir: dir, logLevel: 'silent' })
  })
  afterAll(async () => {
    await demo?.close()
    rmSync(dir, { recursive: true, force: true })
  })
  const nicepay = (i: number) => demo.seeded.filter((p) => p.provider === 'nicepay')[i]!

  it('a client mistake is a PaymuxError naming the field, with the request id; nothing is cancelled', async () => {
    const paymux = createPaymuxClient({ baseUrl: demo.url, apiKey: demo.apiKey })
    const p = nicepay(0)
    const err = await paymux
      .cancel({
        account: p.account,
        transactionId: p.transactionId,
        amount: p.amount + 1,
        reason: 'too much',
      })
      .catch((e: unknown) => e)
    expect(isPaymuxError(err), String(err)).toBe(true)
    const e = err as PaymuxError
    expect(e.status).toBeGreaterThanOrEqual(400)
    expect(e.status).toBeLessThan(500)
    expect(e.type).toMatch(/_error$/)
    expect(e.code).not.toBe(`http_${e.status}`)
    expect(e.requestId).toMatch(/^req_/)
    expect(e.idempotencyKey).toMatch(/^[0-9a-f-]{36}$/)
    expect(demo.simulators.nicepay.inspect(p.transactionId)).toMatchObject({ cancelledAmount: 0 })

    const unauthorised = createPaymuxClient({ baseUrl: demo.url, apiKey: 'pmx_wrong' })
    const denied = await unauthorised.getPayment('pay_missing').catch((x: unknown) => x)
    expect(denied).toBeInstanceOf(PaymuxError)
    expect((denied as PaymuxError).status).toBe(401)
  })

  it('cancels a payment; the same idempotency key replays the cancellation instead of cancelling again', async () => {
    const paymux = createPaymuxClient({ baseUrl: demo.url, apiKey: demo.apiKey })
    const p = nicepay(1)
    const body = { account: p.account, transactionId: p.transactionId, amount: 1_000, reason: 'client test' }
    const first = await paymux.cancel(body, { idempotencyKey: `client-${p.transactionId}` })
    expect(first).toMatchObject({ status: 'succeeded', amount: 1_000 })
    const again = await paymux.cancel(body, { idempotencyKey: `client-${p.transactionId}` })
    expect(again.id).toBe(first.id)
    expect(demo.simulators.nicepay.inspect(p.transactionId)).toMatchObject({ cancelledAmount: 1_000 })
    const read = await paymux.getCancellation(first.id)
    expect(read).toMatchObject({ id: first.id, amount: 1_000 })
  })

  it('a second send while the first still runs (409 idempotency_key_in_use) is retried with the same key and gets the first answer', async () => {
    const statuses: number[] = []
    const keys: Array<string | null> = []
    const paymux = createPaymuxClient({
      baseUrl: demo.url,
      apiKey: demo.apiKey,
      retry: { maxRetries: 8, baseDelayMs: 100 },
      // The real fetch, watched: which answers came back, under which key.
      fetch: async (input, init) => {
        const res = await fetch(input, init)
        const req = sent(input)
        if (req?.method === 'POST') {
          statuses.push(res.status)
          keys.push(req.headers.get('idempotency-key'))
        }
        return res
      },
    })
    const p = nicepay(2)
    // NicePay takes its time: the first request holds the key while the second arrives.
    demo.simulators.nicepay.faults.inject({
      fault: { kind: 'delay', ms: 1_000, phase: 'before' },
      path: 'cancel_process',
    })
    const body = { account: p.account, transactionId: p.transactionId, amount: 2_000, reason: 'retry test' }
    const key = `retry-${p.transactionId}`
    const first = paymux.cancel(body, { idempotencyKey: key })
    await new Promise((r) => setTimeout(r, 200))
    const second = await paymux.cancel(body, { idempotencyKey: key })
    const done = await first
    expect(statuses).toContain(409)
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(2)
    expect(new Set(keys)).toEqual(new Set([key]))
    expect(second.id).toBe(done.id)
    expect(demo.simulators.nicepay.inspect(p.transactionId)).toMatchObject({ cancelledAmount: 2_000 })
  })

  it('gives every POST an Idempotency-Key of its own when the caller gives none', async () => {
    const keys: Array<string | null> = []
    const paymux = createPaymuxClient({
      baseUrl: demo.url,
      apiKey: demo.apiKey,
      fetch: async (input, init) => {
        const req = sent(input)
        if (req) keys.push(req.headers.get('idempotency-key'))
        return fetch(input, init)
      },
    })
    const p = demo.seeded.find((s) => s.provider === 'cookiepay')!
    await paymux.cancel({ account: p.account, transactionId: p.transactionId, amount: 500, reason: 'a' })
    await paymux.cancel({ account: p.account, transactionId: p.transactionId, amount: 500, reason: 'b' })
    await paymux.getPayment('pay_missing').catch(() => undefined)
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/)
    expect(keys[1]).toMatch(/^[0-9a-f-]{36}$/)
    expect(keys[0]).not.toBe(keys[1])
    expect(keys[2]).toBeNull()
    expect(demo.simulators.cookiepay.inspect(p.transactionId)).toMatchObject({ cancelledAmount: 1_000 })
  })
})
