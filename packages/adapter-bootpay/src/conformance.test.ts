import { inProcessFetch, startServer } from '@paymux/core/simulator'
import { type ConformanceSetup, runConformanceSuite } from '@paymux/core/testing'
import { throughWindow } from './__fixtures__/window.js'
import { Bootpay, type BootpayOptions } from './bootpay.js'
import { BOOTPAY_DEMO_CREDENTIALS, BOOTPAY_TEST_CARD, createBootpaySimulator } from './simulator/index.js'

// Crossed only by the cases that delay the PG on purpose (3 × the bound): on two busy cores a normal answer
// over a real socket took over 300 ms (a token issue timed out in CI).
const TIMEOUT_MS = 750
type Mode = 'v1' | 'v1-json' | 'v2' | 'v2-basic'

function credentialsFor(mode: Mode): BootpayOptions {
  const c = BOOTPAY_DEMO_CREDENTIALS
  // The web application's id is what lets the account take checkouts.
  const web = { webApplicationId: c.webApplicationId, checkoutPg: 'nicepay' }
  if (mode === 'v2-basic') return { apiVersion: 'v2', clientKey: c.clientKey, secretKey: c.secretKey, ...web }
  if (mode === 'v1-json')
    return {
      apiVersion: 'v1',
      v1JsonSuffix: true,
      applicationId: c.applicationId,
      privateKey: c.privateKey,
      ...web,
    }
  return { apiVersion: mode, applicationId: c.applicationId, privateKey: c.privateKey, ...web }
}

function harness(mode: Mode, transport: 'in-process' | 'http') {
  return {
    name: `bootpay ${mode} (${transport})`,
    timeoutMs: TIMEOUT_MS,
    async setup(): Promise<ConformanceSetup> {
      const sim = createBootpaySimulator()
      const server = transport === 'http' ? await startServer(sim.app) : undefined
      const base = server?.url ?? 'http://bootpay.sim'
      const simFetch = server ? globalThis.fetch : inProcessFetch(sim.app)
      const provider = new Bootpay({
        ...credentialsFor(mode),
        baseUrl: base,
        timeoutMs: TIMEOUT_MS,
        notificationIpAllowList: [],
        ...(server ? {} : { fetch: simFetch }),
      })
      // The token is fetched before the suite injects faults, so each fault lands on the call under test.
      await provider.warmUp()
      const unreachableProvider = new Bootpay({
        ...credentialsFor(mode),
        baseUrl: 'http://127.0.0.1:1',
        timeoutMs: TIMEOUT_MS,
        connectTimeoutMs: 200,
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
        inspect: async (id) => state(id),
        // A v2 full cancel looks the receipt up first: faults meant for the cancel go to the cancel.
        cancelPath: '/cancel',
        testCard: { ...BOOTPAY_TEST_CARD },
        refundAccount: { bankCode: '004', accountNumber: '12345678901234', holderName: '홍길동' },
        unreachableProvider,
        // The customer at the window the stand-in SDK opens; the approval is the server confirm (v2 /v2/confirm,
        // v1 /submit), and an undo is a full cancel: Bootpay has no network cancel.
        checkout: {
          press: (launch, request, button) => throughWindow(launch, request.returnUrl, button, simFetch),
          approvePath: mode.startsWith('v2') ? '/v2/confirm' : '/submit',
          approvals: async (id) => {
            const s = sim.inspect(id)
            return { approvals: s?.confirmsApplied ?? 0, undos: s?.cancelCount ?? 0 }
          },
        },
        close: async () => {
          await server?.close()
        },
      }
    },
  }
}

for (const mode of ['v2', 'v2-basic', 'v1'] as const) {
  runConformanceSuite(harness(mode, 'in-process'))
  runConformanceSuite(harness(mode, 'http'))
}
// The older v1 client's `.json` routes, against the same simulator.
runConformanceSuite(harness('v1-json', 'in-process'))
