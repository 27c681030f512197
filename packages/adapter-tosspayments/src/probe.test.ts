// The health probe against the simulator over real HTTP: Toss's "not found" for a key no payment has is a working
// account; refused credentials, a 5xx, an unreadable answer or no PG at all are failures.
import { isPaymentError } from '@paymux/core'
import { type RunningServer, startServer } from '@paymux/core/simulator'
import { afterEach, describe, expect, it } from 'vitest'
import { createTossSimulator, TOSS_DEMO_CREDENTIALS } from './simulator/index.js'
import { TossPayments } from './tosspayments.js'

let server: RunningServer | undefined
afterEach(async () => {
  await server?.close()
  server = undefined
})

async function setup(secretKey = TOSS_DEMO_CREDENTIALS.secretKey) {
  const sim = createTossSimulator()
  server = await startServer(sim.app)
  return { sim, toss: new TossPayments({ ...TOSS_DEMO_CREDENTIALS, secretKey, baseUrl: server.url }) }
}

const failure = (p: Promise<void>) =>
  p.then(
    () => undefined,
    (err: unknown) => (isPaymentError(err) ? { code: err.code, providerCode: err.providerCode } : err),
  )

describe('the Toss Payments probe', () => {
  it("resolves on Toss's 404 NOT_FOUND_PAYMENT for a key no payment has", async () => {
    const { toss } = await setup()
    await expect(toss.probe()).resolves.toBeUndefined()
  })

  it('fails on refused credentials (UNAUTHORIZED_KEY)', async () => {
    const { toss } = await setup('test_sk_wrongwrongwrongwrong')
    expect(await failure(toss.probe())).toEqual({
      code: 'authentication_failed',
      providerCode: 'UNAUTHORIZED_KEY',
    })
  })

  it('fails on a 5xx and on an answer it cannot read', async () => {
    const { sim, toss } = await setup()
    sim.faults.inject({ fault: { kind: 'status', status: 503 } })
    expect(await failure(toss.probe())).toMatchObject({ code: 'provider_unavailable' })
    sim.faults.inject({ fault: { kind: 'html' } })
    expect(await failure(toss.probe())).toMatchObject({ code: 'invalid_response' })
    await expect(toss.probe()).resolves.toBeUndefined()
  })

  it('fails when the PG cannot be reached', async () => {
    const { toss } = await setup()
    await server!.close()
    server = undefined
    expect(await failure(toss.probe())).toMatchObject({ code: 'provider_unavailable' })
  })
})
