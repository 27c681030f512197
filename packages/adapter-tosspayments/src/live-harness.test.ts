// The harness the real-API run uses (live.test.ts), run here against the simulator over HTTP: key-in seeding,
// Toss's lookup as the truth, and the fault proxy in front of the API are the same code, so they are proven on
// every run and not only where someone has test keys.
import { startServer } from '@paymux/core/simulator'
import { runConformanceSuite } from '@paymux/core/testing'
import { describe, expect, it } from 'vitest'
import { keyInPayment, liveHarness, lookedUp, probeKeyIn } from './__fixtures__/live-harness.js'
import { createTossSimulator, TOSS_DEMO_CREDENTIALS, type TossSimulator } from './simulator/index.js'

async function simulatedApi(sim: TossSimulator = createTossSimulator()) {
  const server = await startServer(sim.app)
  return { ...TOSS_DEMO_CREDENTIALS, baseUrl: server.url, close: () => server.close(), sim }
}

describe('the real-API harness on the simulator', () => {
  it('seeds a paid payment through key-in and reads the truth from the lookup', async () => {
    const api = await simulatedApi()
    try {
      const { transactionId } = await keyInPayment(api, 7_000)
      expect(api.sim.inspect(transactionId)).toMatchObject({ status: 'DONE', amount: 7_000, confirms: 1 })
      expect(await lookedUp(api, transactionId)).toEqual({
        amount: 7_000,
        cancelledAmount: 0,
        cancelCount: 0,
      })
      api.sim.state.cancel(api.sim.payment(transactionId)!, 2_000, 'x', 0)
      expect(await lookedUp(api, transactionId)).toEqual({
        amount: 7_000,
        cancelledAmount: 2_000,
        cancelCount: 1,
      })
      // The probe pays and cancels one payment of its own.
      expect(await probeKeyIn(api)).toBeUndefined()
      const probed = [...api.sim.state.payments.values()].find((p) => p.paymentKey !== transactionId)
      expect(probed).toMatchObject({ status: 'CANCELED', totalAmount: 1_000 })
    } finally {
      await api.close()
    }
  })

  it('a key without the key-in contract: the probe says so with Toss’s code, and seeding throws it', async () => {
    const api = await simulatedApi(createTossSimulator({ settings: { keyInRefusal: 'FORBIDDEN_REQUEST' } }))
    try {
      const why = await probeKeyIn(api)
      expect(why).toContain('FORBIDDEN_REQUEST')
      expect(why).toContain('extra contract')
      await expect(keyInPayment(api, 1_000)).rejects.toThrow(/HTTP 403, FORBIDDEN_REQUEST/)
    } finally {
      await api.close()
    }
  })
})

// The same suite the real test API gets, with the same read timeout.
runConformanceSuite(
  liveHarness('tosspayments (real-API harness on the simulator)', () => simulatedApi(), 3_000),
)
