// Notification URLs are open to the internet: garbage gets the PG's own refusal (never "retry later", which
// would make a PG re-send it forever), and forgeries that cost PG lookups are limited per account.
import { isPaymentError, PaymentError } from '@paymux/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { metricsOf } from '../metrics/registry.js'
import { type FlowGateway, startFlowGateway } from '../test-support/flows.js'
import { DB_TARGETS } from '../test-support/harness.js'
import { findAccount } from './process.js'
import { refusalAfterThrow, unstorableNotification } from './unreadable.js'

const post = (t: FlowGateway, account: string, body: string, type = 'application/x-www-form-urlencoded') =>
  fetch(`${t.url}/v1/notifications/${account}`, { method: 'POST', headers: { 'content-type': type }, body })

const pgCallsOf = (t: FlowGateway, provider: string) =>
  [...metricsOf(t.gateway.runtime).pgCalls.values.entries()]
    .filter(([k]) => k.includes(`provider="${provider}"`))
    .reduce((n, [, v]) => n + v, 0)

describe.each(DB_TARGETS)('notification hardening on %o', (target) => {
  let t: FlowGateway
  beforeAll(async () => {
    t = await startFlowGateway(target, {
      config: { notifications: { lookupRateLimit: { perMinute: 1, burst: 3 } } },
    })
  })
  afterAll(async () => {
    await t?.close()
  })

  it('garbage from an allowed NicePay address (U+0000 in the TID) gets FAIL, not 503, and logs no error', async () => {
    for (const body of [
      'TID=%00abc',
      'TID=%00abc&ResultCode=4110&Amt=1000',
      `TID=${'9'.repeat(5000)}&ResultCode=4110`,
    ]) {
      const res = await post(t, 'a-nice', body)
      expect([res.status, await res.text()], body).toEqual([200, 'FAIL'])
    }
    expect(t.logs.filter((l) => l.includes('could not be verified'))).toEqual([])
  })

  it('a CookiePay failure notice whose result code holds U+0000 gets the empty refusal, not 503', async () => {
    // The adapter once verified it, and its dedup key could not be stored: "retry later" on every re-send.
    const res = await post(t, 'a-cookie', 'TID=%zz&RESULTCODE=%00abc')
    expect([res.status, await res.text()]).toEqual([200, ''])
    expect(t.logs.filter((l) => l.includes('could not be recorded'))).toEqual([])
  })

  it('a verified notification holding text the database cannot store is refused as garbage', () => {
    expect(unstorableNotification({ type: 'payment.failed', reason: '[\u0000abc]' }, 'k')).toBe(true)
    expect(unstorableNotification({ type: 'payment.failed', transactionId: 'T1' }, 'k:\uD800')).toBe(true)
    expect(unstorableNotification({ type: 'payment.failed', reason: '[3011] 한도초과' }, 'k:T1')).toBe(false)
  })

  it("a throw from parseNotification on input it cannot read: the adapter's own refusal; our failures stay 503", async () => {
    const rt = t.gateway.runtime
    const unreadable = new TypeError('cannot read the body')
    const refusal = (id: string, err: unknown) =>
      refusalAfterThrow(rt, findAccount(rt, id)!, { headers: {}, sourceIp: '127.0.0.1' }, err, rt.logger)
    expect(await refusal('a-nice', unreadable)).toMatchObject({ status: 200, body: 'FAIL' })
    expect(await refusal('a-cookie', unreadable)).toMatchObject({ status: 200, body: '' })
    expect(await refusal('a-boot', unreadable)).toMatchObject({ body: '{"success":false}' })
    expect(await refusal('a-boot-v1', unreadable)).toMatchObject({ body: 'FAIL' })
    // The database or the PG down: not the sender's fault, so no refusal (the caller answers 503).
    const down = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })
    expect(await refusal('a-nice', down)).toBeUndefined()
    const pgDown = new PaymentError({ code: 'provider_unavailable', message: 'unreachable' })
    expect(isPaymentError(pgDown)).toBe(true)
    expect(await refusal('a-cookie', pgDown)).toBeUndefined()
    const invalid = new PaymentError({ code: 'invalid_request', message: 'not a TID' })
    expect(await refusal('a-cookie', invalid)).toMatchObject({ status: 200, body: '' })
  })

  it('forged CookiePay notifications: unknown payments cost nothing; ones naming a held payment cost lookups until the per-account limit, then 429 without any', async () => {
    const forged = (tid: string) =>
      post(t, 'a-cookie', JSON.stringify({ tid, AMOUNT: '1000', RESULTCODE: '0000' }), 'application/json')
    const free = pgCallsOf(t, 'cookiepay')
    for (let n = 0; n < 10; n++) expect((await forged(`FORGED${n}`)).status).toBe(200)
    expect(pgCallsOf(t, 'cookiepay')).toBe(free)
    const { transactionId } = t.sims.cookiepay.seedPayment({ amount: 10_000 })
    const c = await t.call('POST', '/v1/cancellations', {
      body: { account: 'a-cookie', transactionId, amount: 1_000, reason: 'r' },
    })
    expect(c.body.status).toBe('succeeded')
    const statuses: number[] = []
    for (let n = 0; n < 3; n++) statuses.push((await forged(transactionId)).status)
    expect(statuses).toEqual([200, 200, 200])
    const callsBefore = pgCallsOf(t, 'cookiepay')
    const limited = await forged(transactionId)
    expect(limited.status).toBe(429)
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
    expect(pgCallsOf(t, 'cookiepay')).toBe(callsBefore)
    // Another account has a budget of its own; notifications verified without a PG call are not counted.
    const other = await post(
      t,
      'b-cookie',
      JSON.stringify({ tid: 'FORGEDB', AMOUNT: '1', RESULTCODE: '0000' }),
      'application/json',
    )
    expect(other.status).toBe(200)
    for (let n = 0; n < 6; n++)
      expect((await post(t, 'a-nice', `TID=x${n}&ResultCode=4110&Amt=1`)).status).toBe(200)
    const metrics = await (await fetch(`${t.url}/metrics`)).text()
    expect(metrics).toMatch(/paymux_notifications_total\{provider="cookiepay",result="rate_limited"\} 1/)
  })
})
