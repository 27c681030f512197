import { isPaymentError, jwtExpiry, type PaymentError } from '@paymux/core'
import { describe, expect, it } from 'vitest'
import { fakeClock, pair } from './__fixtures__/harness.js'
import { COOKIEPAY_DEMO_CREDENTIALS } from './simulator/index.js'

async function failure(p: Promise<unknown>): Promise<PaymentError> {
  try {
    await p
  } catch (err) {
    if (isPaymentError(err)) return err
    throw err
  }
  throw new Error('expected a PaymentError')
}

const TOKEN_REFUSED = JSON.stringify({ cancel_code: 'E002', cancel_msg: 'TOKEN 정보가 유효하지 않습니다' })

describe('token: failures first', () => {
  it('a wrong key pair is authentication_failed with the raw code, and the key never shows', async () => {
    const { sim, provider } = pair({ adapter: { apiKey: 'definitely-not-the-right-key' } })
    const { transactionId } = sim.seedPayment({ amount: 1000 })
    const err = await failure(provider.cancel({ transactionId, reason: 'x', cancelId: 'c1' }))
    expect(err.code).toBe('authentication_failed')
    expect(err.providerCode).toBe('E003')
    expect(err.outcome).toBe('rejected')
    expect(JSON.stringify(err)).not.toContain('definitely-not-the-right-key')
    expect(sim.inspect(transactionId)?.cancelledAmount).toBe(0)
  })

  it('an unknown non-0000 token code is still an authentication failure, raw values kept', async () => {
    const { sim, provider } = pair({
      sim: { codes: { badPair: { code: 'E777', message: '연동 정보 오류' } } },
      adapter: { apiKey: 'wrong-wrong-wrong' },
    })
    const err = await failure(provider.getTransaction(sim.seedPayment({ amount: 100 }).transactionId))
    expect([err.code, err.providerCode, err.providerMessage]).toEqual([
      'authentication_failed',
      'E777',
      '연동 정보 오류',
    ])
  })

  it('RTN_CD 0000 without a TOKEN is asked once more; twice is invalid_response, rejected, nothing cached', async () => {
    const { sim, provider, count } = pair()
    const { transactionId } = sim.seedPayment({ amount: 1000 })
    const noToken = { kind: 'malformed' as const, body: '{"RTN_CD":"0000","RTN_MSG":"성공"}' }
    sim.faults.inject({ path: '/payAuth/token', fault: noToken, times: 2 })
    const err = await failure(provider.cancel({ transactionId, reason: 'x', cancelId: 'c1' }))
    expect(err.code).toBe('invalid_response')
    expect(err.outcome).toBe('rejected')
    expect(count('token')).toBe(2)
    expect(count('cancel')).toBe(0)
    expect(sim.inspect(transactionId)?.cancelledAmount).toBe(0)
    // One bad answer is absorbed by the retry.
    sim.faults.inject({ path: '/payAuth/token', fault: noToken, times: 1 })
    const r = await provider.cancel({ transactionId, reason: 'x', cancelId: 'c1' })
    expect(r.status).toBe('cancelled')
    expect(count('token')).toBe(4)
  })

  it('an HTML page from the token endpoint twice is invalid_response and no cancel is sent', async () => {
    const { sim, provider, count } = pair()
    const { transactionId } = sim.seedPayment({ amount: 1000 })
    sim.faults.inject({ path: '/payAuth/token', fault: { kind: 'html', status: 502 }, times: 2 })
    const err = await failure(provider.cancel({ transactionId, reason: 'x', cancelId: 'c1' }))
    expect(err.code).toBe('invalid_response')
    expect(count('cancel')).toBe(0)
  })

  it('a wrong pair is not asked twice', async () => {
    const { sim, provider, count } = pair({ adapter: { apiKey: 'wrong-wrong-wrong' } })
    await failure(provider.getTransaction(sim.seedPayment({ amount: 100 }).transactionId))
    expect(count('token')).toBe(1)
  })

  it('concurrent callers share one failing token request', async () => {
    const { sim, provider, count } = pair({ adapter: { apiKey: 'wrong-wrong-wrong' } })
    const { transactionId } = sim.seedPayment({ amount: 1000 })
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, () => provider.getTransaction(transactionId)),
    )
    expect(results.every((r) => r.status === 'rejected')).toBe(true)
    expect(count('token')).toBe(1)
  })

  it('a refused TOKEN is replaced once; a second refusal is authentication_failed and the cancel never ran', async () => {
    const { sim, provider, count } = pair()
    const { transactionId } = sim.seedPayment({ amount: 1000 })
    await provider.warmUp()
    sim.faults.inject({
      path: '/api/cancel',
      times: 2,
      fault: { kind: 'status', status: 200, body: TOKEN_REFUSED, contentType: 'application/json' },
    })
    const err = await failure(provider.cancel({ transactionId, reason: 'x', cancelId: 'c1' }))
    expect(err.code).toBe('authentication_failed')
    expect(err.providerCode).toBe('E002')
    expect(count('cancel')).toBe(2)
    expect(count('token')).toBe(2)
    expect(sim.inspect(transactionId)?.cancelCount).toBe(0)
  })

  it('a timeout is never mistaken for a token refusal: the cancel is not sent twice', async () => {
    const { sim, provider, count } = pair({ adapter: { timeoutMs: 100 } })
    const { transactionId } = sim.seedPayment({ amount: 1000 })
    await provider.warmUp()
    sim.faults.inject({ path: '/api/cancel', fault: { kind: 'delay', ms: 400 } })
    const err = await failure(provider.cancel({ transactionId, reason: 'TOKEN 토큰', cancelId: 'c1' }))
    expect(err.code).toBe('timeout')
    expect(count('cancel')).toBe(1)
  })
})

describe('token: caching', () => {
  it('100 concurrent calls obtain exactly one TOKEN', async () => {
    const { sim, provider, count } = pair()
    const tids = Array.from({ length: 100 }, () => sim.seedPayment({ amount: 5000 }).transactionId)
    const results = await Promise.all(tids.map((t) => provider.getTransaction(t)))
    expect(results.map((r) => r.amount)).toEqual(tids.map(() => 5000))
    expect(sim.tokensIssued).toBe(1)
    expect(count('token')).toBe(1)
    expect(provider.tokensIssued).toBe(1)
  })

  it("the simulator's TOKEN is a JWT living one hour, and the adapter reads its exp", async () => {
    const c = fakeClock()
    const { sim, provider } = pair({ sim: { clock: c.clock }, adapter: { clock: c.clock } })
    const res = await sim.app.request('/payAuth/token', {
      method: 'POST',
      body: JSON.stringify({
        pay2_id: COOKIEPAY_DEMO_CREDENTIALS.apiId,
        pay2_key: COOKIEPAY_DEMO_CREDENTIALS.apiKey,
      }),
    })
    const body = (await res.json()) as { RTN_CD: string; TOKEN: string }
    expect(body.RTN_CD).toBe('0000')
    expect(jwtExpiry(body.TOKEN)).toBe(Math.floor(c.clock() / 1000) * 1000 + 3600_000)
    await provider.warmUp()
    expect(provider.tokensIssued).toBe(1)
  })

  it('refreshes ahead of expiry, and again across each expiry', async () => {
    const c = fakeClock()
    const { sim, provider } = pair({ sim: { clock: c.clock }, adapter: { clock: c.clock } })
    const { transactionId } = sim.seedPayment({ amount: 1000 })
    await provider.getTransaction(transactionId)
    c.advance(54 * 60_000) // 6 minutes before exp: still fresh (refresh-ahead is 5 minutes)
    await provider.getTransaction(transactionId)
    expect(sim.tokensIssued).toBe(1)
    c.advance(2 * 60_000) // 4 minutes before exp: refreshed ahead
    await provider.getTransaction(transactionId)
    expect(sim.tokensIssued).toBe(2)
    c.advance(3 * 3600_000) // long past every expiry
    const r = await provider.cancel({ transactionId, reason: 'x', cancelId: 'c' })
    expect(r.status).toBe('cancelled')
    expect(sim.tokensIssued).toBe(3)
  })

  it('a token without a readable exp is assumed to live one hour', async () => {
    const c = fakeClock()
    const { sim, provider } = pair({
      sim: { clock: c.clock, tokenFormat: 'opaque' },
      adapter: { clock: c.clock },
    })
    const { transactionId } = sim.seedPayment({ amount: 1000 })
    await provider.getTransaction(transactionId)
    c.advance(54 * 60_000)
    await provider.getTransaction(transactionId)
    expect(sim.tokensIssued).toBe(1)
    c.advance(2 * 60_000)
    await provider.getTransaction(transactionId)
    expect(sim.tokensIssued).toBe(2)
  })

  it('a token CookiePay dropped early (revoked, clock skew) is replaced and the cancel runs once', async () => {
    const { sim, provider, count } = pair()
    const { transactionId } = sim.seedPayment({ amount: 9000 })
    await provider.warmUp()
    sim.revokeTokens()
    const r = await provider.cancel({ transactionId, amount: 4000, reason: 'x', cancelId: 'c' })
    expect(r.status === 'cancelled' && r.cancelledAmount).toBe(4000)
    expect(count('cancel')).toBe(2)
    expect(sim.tokensIssued).toBe(2)
    expect(sim.inspect(transactionId)).toMatchObject({ cancelledAmount: 4000, cancelCount: 1 })
  })

  it('an expired TOKEN is refused by the simulator', async () => {
    const c = fakeClock()
    const { sim } = pair({ sim: { clock: c.clock } })
    const { transactionId } = sim.seedPayment({ amount: 1000 })
    const tok = (await (
      await sim.app.request('/payAuth/token', {
        method: 'POST',
        body: JSON.stringify({
          pay2_id: COOKIEPAY_DEMO_CREDENTIALS.apiId,
          pay2_key: COOKIEPAY_DEMO_CREDENTIALS.apiKey,
        }),
      })
    ).json()) as { TOKEN: string }
    c.advance(3600_000)
    const res = await sim.app.request('/api/cancel', {
      method: 'POST',
      headers: { TOKEN: tok.TOKEN, ApiKey: COOKIEPAY_DEMO_CREDENTIALS.apiKey },
      body: JSON.stringify({ tid: transactionId, reason: 'x' }),
    })
    expect(((await res.json()) as { cancel_code: string }).cancel_code).toBe('E002')
    expect(sim.inspect(transactionId)?.cancelledAmount).toBe(0)
  })
})
