import { inProcessFetch, startServer } from '@paymux/core/simulator'
import { type ConformanceSetup, runConformanceSuite } from '@paymux/core/testing'
import { NicePay } from './nicepay.js'
import { createNicePaySimulator, NICEPAY_DEMO_CREDENTIALS } from './simulator/index.js'

const TIMEOUT_MS = 300

/** `guard`: the account has NicePay's Moid duplicate-guard contract, on both sides. */
async function setup(overHttp: boolean, guard: boolean): Promise<ConformanceSetup> {
  const sim = createNicePaySimulator({ cancelDuplicateGuard: guard })
  const server = overHttp ? await startServer(sim.app) : undefined
  // The merchant's own order records: NicePay needs the amount even for a full cancel, and a merchant
  // always knows what it charged. Filled when a payment is seeded, never read from the simulator.
  const orders = new Map<string, number>()
  const provider = new NicePay({
    ...NICEPAY_DEMO_CREDENTIALS,
    baseUrl: server?.url ?? 'http://nicepay.sim',
    timeoutMs: TIMEOUT_MS,
    ...(server ? {} : { fetch: inProcessFetch(sim.app) }),
    paymentAmountOf: (tid) => orders.get(tid),
    cancelDuplicateGuard: guard,
  })
  const seed = (input: Parameters<typeof sim.seedPayment>[0]) => {
    const r = sim.seedPayment(input)
    orders.set(r.transactionId, input.amount)
    return r
  }
  return {
    provider,
    faults: sim.faults,
    seedCardPayment: async ({ amount }) => seed({ amount }),
    seedVirtualAccountPayment: async ({ amount, deposited }) =>
      seed({ amount, method: 'virtual_account', deposited }),
    depositVirtualAccount: async (tid) => {
      await sim.deposit(tid)
    },
    inspect: async (tid) => {
      const s = sim.inspect(tid)
      if (!s) throw new Error(`no payment ${tid}`)
      return s
    },
    testCard: {
      number: '4111111111111111',
      expiryYear: '2030',
      expiryMonth: '12',
      ownerId: '800101',
      passwordPrefix: '12',
    },
    refundAccount: { bankCode: '004', accountNumber: '12345678901234', holderName: '홍길동' },
    // The suite cancels a made-up TID there without an amount; NicePay cannot cancel without one, so this
    // merchant's records know an amount for anything — the call must then fail only because nothing listens.
    unreachableProvider: new NicePay({
      ...NICEPAY_DEMO_CREDENTIALS,
      baseUrl: 'http://127.0.0.1:1',
      timeoutMs: TIMEOUT_MS,
      paymentAmountOf: () => 10_000,
    }),
    close: async () => {
      await server?.close()
    },
  }
}

runConformanceSuite({ name: 'nicepay (in-process)', timeoutMs: TIMEOUT_MS, setup: () => setup(false, false) })
runConformanceSuite({ name: 'nicepay (http)', timeoutMs: TIMEOUT_MS, setup: () => setup(true, false) })
runConformanceSuite({
  name: 'nicepay with the Moid guard contract (in-process)',
  timeoutMs: TIMEOUT_MS,
  setup: () => setup(false, true),
})
