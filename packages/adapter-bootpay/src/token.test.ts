import { inProcessFetch } from '@paymux/core/simulator'
import { describe, expect, it } from 'vitest'
import { Bootpay } from './bootpay.js'
import { BOOTPAY_DEMO_CREDENTIALS, createBootpaySimulator } from './simulator/index.js'

const MIN = 60_000

function pair(version: 'v1' | 'v2', start = Date.UTC(2026, 0, 5, 1, 0, 0)) {
  const clock = { now: start }
  const sim = createBootpaySimulator({ clock: () => clock.now })
  const provider = new Bootpay({
    apiVersion: version,
    applicationId: BOOTPAY_DEMO_CREDENTIALS.applicationId,
    privateKey: BOOTPAY_DEMO_CREDENTIALS.privateKey,
    baseUrl: 'http://bootpay.sim',
    fetch: inProcessFetch(sim.app),
    clock: () => clock.now,
  })
  const requests = () => sim.state.stats.tokenRequests[version]
  return { clock, sim, provider, requests }
}

for (const version of ['v1', 'v2'] as const) {
  describe(`token handling (${version})`, () => {
    it('refuses wrong keys as authentication_failed without retrying', async () => {
      const { sim } = pair(version)
      const bad = new Bootpay({
        apiVersion: version,
        applicationId: BOOTPAY_DEMO_CREDENTIALS.applicationId,
        privateKey: 'not-the-private-key',
        baseUrl: 'http://bootpay.sim',
        fetch: inProcessFetch(sim.app),
      })
      const { transactionId } = sim.seedPayment({ amount: 5_000 })
      await expect(bad.cancel({ transactionId, reason: 'x', cancelId: 'bad-keys' })).rejects.toMatchObject({
        code: 'authentication_failed',
        outcome: 'rejected',
      })
      expect(sim.state.stats.tokenRequests[version]).toBe(1)
      expect(sim.inspect(transactionId)?.cancelledAmount).toBe(0)
    })

    it('an unknown application id ("not found") is authentication_failed, not transaction_not_found', async () => {
      const { sim } = pair(version)
      const bad = new Bootpay({
        apiVersion: version,
        applicationId: 'ffffffffffffffffffffffff',
        privateKey: BOOTPAY_DEMO_CREDENTIALS.privateKey,
        baseUrl: 'http://bootpay.sim',
        fetch: inProcessFetch(sim.app),
      })
      await expect(bad.getTransaction('anything')).rejects.toMatchObject({
        code: 'authentication_failed',
        providerCode: version === 'v1' ? '-2410' : 'APP_KEY_NOT_FOUND',
      })
    })

    it('a token refused twice is authentication_failed, after exactly one retry, and nothing moves', async () => {
      const { sim, provider, requests } = pair(version)
      const { transactionId } = sim.seedPayment({ amount: 5_000 })
      await provider.warmUp()
      sim.settings.rejectAllTokens = true
      await expect(provider.cancel({ transactionId, reason: 'x', cancelId: 'rej' })).rejects.toMatchObject({
        code: 'authentication_failed',
        outcome: 'rejected',
      })
      expect(requests()).toBe(2)
      expect(sim.inspect(transactionId)?.cancelledAmount).toBe(0)
    })

    it('one token request for 100 concurrent calls', async () => {
      const { sim, provider, requests } = pair(version)
      const { transactionId } = sim.seedPayment({ amount: 5_000 })
      const results = await Promise.all(
        Array.from({ length: 100 }, () => provider.getTransaction(transactionId)),
      )
      expect(results.every((r) => r.amount === 5_000)).toBe(true)
      expect(requests()).toBe(1)
      expect(provider.client.tokens?.issued).toBe(1)
    })

    it('refreshes ahead of the 30-minute expiry and keeps working across it', async () => {
      const { clock, sim, provider, requests } = pair(version)
      const { transactionId } = sim.seedPayment({ amount: 5_000 })
      await provider.getTransaction(transactionId)
      expect(requests()).toBe(1)
      clock.now += 20 * MIN
      await provider.getTransaction(transactionId)
      expect(requests()).toBe(1)
      // Inside the refresh-ahead window (5 min before expiry): a new token, and Bootpay (past 25 min) issues one.
      clock.now += 6 * MIN
      await provider.getTransaction(transactionId)
      expect(requests()).toBe(2)
      expect(sim.state.stats.tokensIssued).toBe(2)
      // Far past every expiry: the cache notices and asks again; the call still succeeds.
      clock.now += 3 * 60 * MIN
      await expect(provider.getTransaction(transactionId)).resolves.toMatchObject({ amount: 5_000 })
      expect(requests()).toBe(3)
    })

    it('a token Bootpay no longer accepts is replaced and the call sent once more', async () => {
      const { sim, provider, requests } = pair(version)
      const { transactionId } = sim.seedPayment({ amount: 5_000 })
      await provider.warmUp()
      sim.revokeTokens()
      const r = await provider.cancel({
        transactionId,
        amount: 2_000,
        reason: '재시도',
        cancelId: 'revoked-1',
      })
      expect(r).toMatchObject({ status: 'cancelled', cancelledAmount: 2_000 })
      expect(requests()).toBe(2)
      expect(sim.inspect(transactionId)).toMatchObject({ cancelledAmount: 2_000, cancelCount: 1 })
    })
  })
}

describe('simulator tokens', () => {
  it('returns the same token within 25 minutes and a new one after; the old one lives until its expiry', async () => {
    const clock = { now: Date.UTC(2026, 0, 5) }
    const sim = createBootpaySimulator({ clock: () => clock.now })
    const issue = async () => {
      const res = await sim.app.request('/v2/request/token', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          application_id: sim.credentials.applicationId,
          private_key: sim.credentials.privateKey,
        }),
      })
      return (await res.json()) as { access_token: string; expire_in: number }
    }
    const receipt = async (token: string) => {
      const r = await sim.app.request('/v2/receipt/nothing', {
        headers: { authorization: `Bearer ${token}` },
      })
      return ((await r.json()) as { error_code?: string }).error_code
    }
    const a = await issue()
    expect(a.expire_in).toBe(1800)
    clock.now += 10 * MIN
    expect((await issue()).access_token).toBe(a.access_token)
    clock.now += 16 * MIN
    const b = await issue()
    expect(b.access_token).not.toBe(a.access_token)
    expect(await receipt(a.access_token)).toBe('RC_NOT_FOUND')
    clock.now += 5 * MIN
    expect(await receipt(a.access_token)).toBe('TOKEN_KEY_INVALID')
    expect(await receipt(b.access_token)).toBe('RC_NOT_FOUND')
  })

  it('v1 wants the raw token: a Bearer-prefixed one is refused', async () => {
    const sim = createBootpaySimulator()
    const res = await sim.app.request('/request/token.json', {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8"' },
      body: JSON.stringify({
        application_id: sim.credentials.applicationId,
        private_key: sim.credentials.privateKey,
      }),
    })
    const env = (await res.json()) as {
      code: number
      data: { token: string; expired_at: number; server_time: number }
    }
    expect(env.code).toBe(0)
    expect(env.data.expired_at - env.data.server_time).toBe(1800)
    const raw = await sim.app.request('/receipt/nothing.json', { headers: { authorization: env.data.token } })
    expect(await raw.json()).toMatchObject({ status: 404, code: -2410 })
    const bearer = await sim.app.request('/receipt/nothing', {
      headers: { authorization: `Bearer ${env.data.token}` },
    })
    expect(bearer.status).toBe(401)
    expect(await bearer.json()).toMatchObject({ status: 401, code: -200 })
  })
})

describe('v2 Basic keys', () => {
  it('wrong client or secret key is authentication_failed, with no token call and no retry', async () => {
    const sim = createBootpaySimulator()
    const { transactionId } = sim.seedPayment({ amount: 5_000 })
    for (const [clientKey, secretKey, raw] of [
      ['nobody', BOOTPAY_DEMO_CREDENTIALS.secretKey, 'APP_CLIENT_KEY_NOT_FOUND'],
      [BOOTPAY_DEMO_CREDENTIALS.clientKey, 'wrong-secret', 'APP_SK_NOT_MATCHED'],
    ] as const) {
      const p = new Bootpay({
        clientKey,
        secretKey,
        baseUrl: 'http://bootpay.sim',
        fetch: inProcessFetch(sim.app),
      })
      await expect(p.cancel({ transactionId, reason: 'x', cancelId: `b-${raw}` })).rejects.toMatchObject({
        code: 'authentication_failed',
        providerCode: raw,
      })
    }
    expect(sim.state.stats.tokenRequests.v2).toBe(0)
    expect(sim.faults.calls).toBe(2)
    expect(sim.inspect(transactionId)?.cancelledAmount).toBe(0)
  })
})
