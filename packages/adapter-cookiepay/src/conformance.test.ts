import { inProcessFetch, startServer } from '@paymux/core/simulator'
import { type ConformanceSetup, runConformanceSuite } from '@paymux/core/testing'
import { CookiePay } from './index.js'
import { COOKIEPAY_DEMO_CREDENTIALS, createCookiePaySimulator } from './simulator/index.js'

const TIMEOUT_MS = 300

async function setup(mode: 'in-process' | 'http'): Promise<ConformanceSetup> {
  const sim = createCookiePaySimulator()
  const server = mode === 'http' ? await startServer(sim.app) : undefined
  const base = { ...COOKIEPAY_DEMO_CREDENTIALS, environment: 'sandbox' as const, timeoutMs: TIMEOUT_MS }
  const provider = new CookiePay(
    server
      ? { ...base, baseUrl: server.url }
      : { ...base, baseUrl: 'http://cookiepay.sim', fetch: inProcessFetch(sim.app) },
  )
  // The TOKEN is fetched up front, so a fault the suite injects lands on the call under test, not on the token.
  await provider.warmUp()
  const inspect = async (tid: string) => {
    const st = sim.inspect(tid)
    if (!st) throw new Error(`no payment ${tid}`)
    return st
  }
  return {
    provider,
    faults: sim.faults,
    seedCardPayment: async ({ amount }) => sim.seedPayment({ amount }),
    seedVirtualAccountPayment: async ({ amount, deposited }) =>
      sim.seedPayment({ amount, method: 'virtual_account', deposited }),
    seedSettledPayment: async ({ amount }) => sim.seedPayment({ amount, settled: true }),
    completeDeposit: async (tid) => {
      await sim.deposit(tid)
    },
    depositVirtualAccount: async (tid) => {
      await sim.depositVirtualAccount(tid)
    },
    inspect,
    unreachableProvider: new CookiePay({ ...base, baseUrl: 'http://127.0.0.1:1', connectTimeoutMs: 300 }),
    close: async () => {
      await server?.close()
    },
  }
}

runConformanceSuite({
  name: 'cookiepay (in-process)',
  timeoutMs: TIMEOUT_MS,
  setup: () => setup('in-process'),
})
runConformanceSuite({ name: 'cookiepay (http)', timeoutMs: TIMEOUT_MS, setup: () => setup('http') })
