import { inProcessFetch, startServer } from '@paymux/core/simulator'
import { type ConformanceSetup, runConformanceSuite } from '@paymux/core/testing'
import { throughWindow } from './__fixtures__/window.js'
import { createTossSimulator, TOSS_DEMO_CREDENTIALS, TOSS_TEST_CARD } from './simulator/index.js'
import { TossPayments } from './tosspayments.js'

/**
 * The adapter's read timeout here, and what the suite's timeout case delays past (3x). It is generous on purpose:
 * on two busy cores an ordinary in-process answer has taken over 500 ms, which the adapter rightly reports as a
 * timeout, failing cases that have nothing to do with timeouts. The timeout case still proves a timeout is
 * unknown; it just waits longer (4x this, well inside the suite's 20 s per case).
 */
const TIMEOUT_MS = 3_000

function harness(transport: 'in-process' | 'http') {
  return {
    name: `tosspayments (${transport})`,
    timeoutMs: TIMEOUT_MS,
    async setup(): Promise<ConformanceSetup> {
      const sim = createTossSimulator()
      const server = transport === 'http' ? await startServer(sim.app) : undefined
      const base = server?.url ?? 'http://tosspayments.sim'
      const simFetch = server ? globalThis.fetch : inProcessFetch(sim.app)
      const provider = new TossPayments({
        ...TOSS_DEMO_CREDENTIALS,
        baseUrl: base,
        timeoutMs: TIMEOUT_MS,
        ...(server ? {} : { fetch: simFetch }),
      })
      const unreachableProvider = new TossPayments({
        ...TOSS_DEMO_CREDENTIALS,
        baseUrl: 'http://127.0.0.1:1',
        timeoutMs: TIMEOUT_MS,
      })
      const state = (id: string) => {
        const s = sim.inspect(id)
        if (!s) throw new Error(`the simulator has no payment ${id}`)
        return s
      }
      return {
        provider,
        faults: sim.faults,
        seedCardPayment: async ({ amount }) => sim.seedPayment({ amount }),
        seedVirtualAccountPayment: async ({ amount, deposited }) =>
          sim.seedPayment({ amount, method: 'virtual_account', deposited }),
        depositVirtualAccount: async (id) => sim.deposit(id),
        inspect: async (id) => state(id),
        cancelPath: '/cancel',
        testCard: { ...TOSS_TEST_CARD },
        refundAccount: { bankCode: '004', accountNumber: '12345678901234', holderName: '홍길동' },
        unreachableProvider,
        // The customer at the window the stand-in SDK opens; the approval is the server confirm, and an undo is a
        // full cancel: Toss has no network cancel.
        checkout: {
          press: (launch, request, button) => throughWindow(launch, request.returnUrl, button, simFetch),
          approvePath: '/v1/payments/confirm',
          approvals: async (id) => {
            const s = sim.inspect(id)
            return { approvals: s?.confirms ?? 0, undos: s?.cancelCount ?? 0 }
          },
        },
        close: async () => {
          await server?.close()
        },
      }
    },
  }
}

runConformanceSuite(harness('in-process'))
runConformanceSuite(harness('http'))
