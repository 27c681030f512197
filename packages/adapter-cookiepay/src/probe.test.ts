// The health probe against the simulator over real HTTP: a token issued afresh is a working account; a refused
// pair (E003), a 5xx, an unreadable answer or no PG at all are failures.
import { isPaymentError } from '@paymux/core'
import { type RunningServer, startServer } from '@paymux/core/simulator'
import { afterEach, describe, expect, it } from 'vitest'
import { CookiePay } from './index.js'
import { COOKIEPAY_DEMO_CREDENTIALS, createCookiePaySimulator } from './simulator/index.js'

let server: RunningServer | undefined
afterEach(async () => {
  await server?.close()
  server = undefined
})

async function setup(apiKey: string = COOKIEPAY_DEMO_CREDENTIALS.apiKey) {
  const sim = createCookiePaySimulator()
  server = await startServer(sim.app)
  const provider = new CookiePay({
    ...COOKIEPAY_DEMO_CREDENTIALS,
    apiKey,
    environment: 'sandbox',
    baseUrl: server.url,
  })
  return { sim, provider }
}

const failure = (p: Promise<void>) =>
  p.then(
    () => undefined,
    (err: unknown) => (isPaymentError(err) ? { code: err.code, providerCode: err.providerCode } : err),
  )

describe('the CookiePay probe', () => {
  it('resolves on a token issued, and asks CookiePay every time (never the cached token)', async () => {
    const { sim, provider } = await setup()
    await expect(provider.probe()).resolves.toBeUndefined()
    await expect(provider.probe()).resolves.toBeUndefined()
    expect(sim.tokensIssued).toBe(2)
  })

  it('fails on a refused pair (E003)', async () => {
    const { provider } = await setup('not-the-key-of-this-id')
    expect(await failure(provider.probe())).toEqual({ code: 'authentication_failed', providerCode: 'E003' })
  })

  it('fails on a 5xx and on an answer it cannot read', async () => {
    const { sim, provider } = await setup()
    sim.faults.inject({ fault: { kind: 'status', status: 503 } })
    expect(await failure(provider.probe())).toMatchObject({
      code: expect.stringMatching(/^(provider_unavailable|invalid_response)$/),
    })
    sim.faults.inject({ fault: { kind: 'html' } })
    expect(await failure(provider.probe())).toMatchObject({ code: 'invalid_response' })
    await expect(provider.probe()).resolves.toBeUndefined()
  })

  it('fails when the PG cannot be reached', async () => {
    const { provider } = await setup()
    await server!.close()
    server = undefined
    expect(await failure(provider.probe())).toMatchObject({ code: 'provider_unavailable' })
  })
})
