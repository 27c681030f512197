import { inProcessFetch, startServer } from '@paymux/core/simulator'
import { type ConformanceSetup, conformanceCases } from '@paymux/core/testing'
import { afterEach, beforeEach, describe, it } from 'vitest'
import { throughWindow } from './__fixtures__/window.js'
import { NicePay } from './nicepay.js'
import { createNicePaySimulator, NICEPAY_DEMO_CREDENTIALS } from './simulator/index.js'

// Crossed only by the cases that delay the PG on purpose (3 × the bound): on two busy cores a normal answer
// over a real socket took over 300 ms (a token issue timed out in CI).
const TIMEOUT_MS = 750

/** `guard`: the account has NicePay's Moid duplicate-guard contract, on both sides. */
async function setup(overHttp: boolean, guard: boolean): Promise<ConformanceSetup> {
  const sim = createNicePaySimulator({ cancelDuplicateGuard: guard })
  const server = overHttp ? await startServer(sim.app) : undefined
  const simFetch = server ? globalThis.fetch : inProcessFetch(sim.app)
  const simUrl = server?.url ?? 'http://nicepay.sim'
  // The merchant's own order records: NicePay needs the amount even for a full cancel, and a merchant
  // always knows what it charged. Filled when a payment is seeded, never read from the simulator.
  const orders = new Map<string, number>()
  const provider = new NicePay({
    ...NICEPAY_DEMO_CREDENTIALS,
    baseUrl: simUrl,
    timeoutMs: TIMEOUT_MS,
    ...(server ? {} : { fetch: simFetch }),
    paymentAmountOf: (tid) => orders.get(tid),
    cancelDuplicateGuard: guard,
  })
  // The process's first call over a socket pays for loading the HTTP stack: a lookup of a TID nobody issued
  // takes that cost, so the cases' short read timeout measures the simulator, not the warm-up.
  if (server)
    await provider.getTransaction(`${NICEPAY_DEMO_CREDENTIALS.mid}0101250101000000000`).catch(() => {})
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
    // The customer at the window, as goPay takes them there; what it posts to ReturnURL comes back in CharSet.
    checkout: {
      press: async (launch, request, button) => {
        const posted = await throughWindow(launch, button, simUrl, simFetch)
        if (posted.action !== request.returnUrl)
          throw new Error(`the window posted to ${posted.action}, not the return URL`)
        return posted.received()
      },
      approvePath: 'pay_process',
      approvals: async (tid) => {
        const c = sim.inspect(tid)?.checkout
        return { approvals: c?.approvals ?? 0, undos: c?.netCancels ?? 0 }
      },
    },
    close: async () => {
      await server?.close()
    },
  }
}

/**
 * Cases whose premise NicePay cannot meet, by exact name: a reworked or renamed case runs again. The shared
 * lookup case asserts amounts, which the contract lets a lookup omit and trans_status never reports; the
 * NicePay lookup has its own tests (lookup.test.ts).
 */
const NOT_FOR_NICEPAY: Readonly<Record<string, string>> = {
  'lookup reports amounts after a cancel': 'trans_status reports no amounts; see lookup.test.ts',
}

/** The shared suite, as `runConformanceSuite` registers it, minus the cases above. */
function conformance(name: string, make: () => Promise<ConformanceSetup>): void {
  describe(`conformance: ${name}`, () => {
    let s: ConformanceSetup | undefined
    beforeEach(async () => {
      s = await make()
    })
    afterEach(async () => {
      await s?.close?.()
      s = undefined
    })
    for (const c of conformanceCases) {
      it(c.name, async (ctx) => {
        const why = NOT_FOR_NICEPAY[c.name] ?? c.skip?.(s!.provider.capabilities, s!)
        if (why) return ctx.skip(`skipped: ${why}`)
        await c.run(s!, { name, timeoutMs: TIMEOUT_MS, setup: make })
      }, 20_000)
    }
  })
}

conformance('nicepay (in-process)', () => setup(false, false))
conformance('nicepay (http)', () => setup(true, false))
conformance('nicepay with the Moid guard contract (in-process)', () => setup(false, true))
