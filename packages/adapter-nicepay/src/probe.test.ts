// The health probe against the simulator over real HTTP: NicePay's "not found" for a TID no transaction has is a
// working account; a SignData refusal (wrong merchant key), a 5xx, an unreadable answer or no PG at all are
// failures.
import { isPaymentError } from '@paymux/core'
import { type RunningServer, startServer } from '@paymux/core/simulator'
import { afterEach, describe, expect, it } from 'vitest'
import { NicePay } from './nicepay.js'
import { createNicePaySimulator, NICEPAY_DEMO_CREDENTIALS } from './simulator/index.js'

let server: RunningServer | undefined
afterEach(async () => {
  await server?.close()
  server = undefined
})

async function setup(merchantKey: string = NICEPAY_DEMO_CREDENTIALS.merchantKey) {
  const sim = createNicePaySimulator()
  server = await startServer(sim.app)
  return { sim, provider: new NicePay({ ...NICEPAY_DEMO_CREDENTIALS, merchantKey, baseUrl: server.url }) }
}

const failure = (p: Promise<void>) =>
  p.then(
    () => undefined,
    (err: unknown) => (isPaymentError(err) ? { code: err.code, providerCode: err.providerCode } : err),
  )

describe('the NicePay probe', () => {
  it("resolves on NicePay's answer for a TID it does not have", async () => {
    const { provider } = await setup()
    await expect(provider.probe()).resolves.toBeUndefined()
  })

  it('fails on a refused signature (a wrong merchant key)', async () => {
    const { provider } = await setup(`${'A'.repeat(86)}==`)
    expect(await failure(provider.probe())).toEqual({ code: 'authentication_failed', providerCode: 'A101' })
  })

  it('fails on a 5xx, on an unreadable answer, and on a transaction found where none can be', async () => {
    const { sim, provider } = await setup()
    sim.faults.inject({ fault: { kind: 'status', status: 503 } })
    expect(await failure(provider.probe())).toMatchObject({
      code: expect.stringMatching(/^(provider_unavailable|invalid_response)$/),
    })
    sim.faults.inject({ fault: { kind: 'html' } })
    expect(await failure(provider.probe())).toMatchObject({ code: 'invalid_response' })
    sim.faults.inject({ fault: { kind: 'malformed', body: 'ResultCode=0000&ResultMsg=OK&Status=0' } })
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
