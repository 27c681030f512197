import { inProcessFetch, startServer } from '@paymux/core/simulator'
import type { CheckoutLaunch, CheckoutRequest, CheckoutReturn, FetchLike } from '@paymux/core'
import { type ConformanceSetup, formsOf, runConformanceSuite } from '@paymux/core/testing'
import { CookiePay } from './index.js'
import { COOKIEPAY_DEMO_CREDENTIALS, createCookiePaySimulator } from './simulator/index.js'

// Crossed only by the cases that delay the PG on purpose (3 × the bound): on two busy cores a normal answer
// over a real socket took over 300 ms (a token issue timed out in CI).
const TIMEOUT_MS = 750

/**
 * The customer at the window pay/ready rendered (the launch's `html`): the button's form posts to the simulator,
 * which approves or declines inside the window and answers the page that posts the result to RETURNURL.
 */
async function press(
  fetch: FetchLike,
  launch: CheckoutLaunch,
  request: CheckoutRequest,
  button: 'Approve' | 'Decline',
): Promise<CheckoutReturn> {
  const form = formsOf(launch.html ?? '').find((f) => f.buttons.some((b) => b.label === button))
  if (!form) throw new Error(`the window has no ${button} button`)
  const res = await fetch(form.action, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form.fields).toString(),
  })
  const page = await res.text()
  if (res.status !== 200) throw new Error(`${button}: HTTP ${res.status}: ${page.slice(0, 200)}`)
  const posted = formsOf(page)
    .filter((f) => f.action === request.returnUrl)
    .at(-1)
  if (!posted) throw new Error(`after ${button} the window posted nothing to the return URL`)
  return {
    method: 'POST',
    rawBody: new TextEncoder().encode(new URLSearchParams(posted.fields).toString()),
    query: {},
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  }
}

async function setup(mode: 'in-process' | 'http'): Promise<ConformanceSetup> {
  const sim = createCookiePaySimulator()
  const server = mode === 'http' ? await startServer(sim.app) : undefined
  const base = { ...COOKIEPAY_DEMO_CREDENTIALS, environment: 'sandbox' as const, timeoutMs: TIMEOUT_MS }
  const simFetch = server ? globalThis.fetch : inProcessFetch(sim.app)
  const provider = new CookiePay(
    server ? { ...base, baseUrl: server.url } : { ...base, baseUrl: 'http://cookiepay.sim', fetch: simFetch },
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
    // CookiePay approves inside its window; the adapter's approval is the paycert verification. Approvals are the
    // payments the window made for the order, undos the cancels made since.
    checkout: {
      press: (launch, request, button) => press(simFetch, launch, request, button),
      approvePath: '/api/paycert',
      approvals: async (tid) => {
        const st = sim.inspect(tid)
        const orderId = st?.checkout?.orderId
        return {
          approvals: orderId ? sim.paymentsForOrder(orderId).length : 0,
          undos: st?.cancelCount ?? 0,
        }
      },
    },
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
