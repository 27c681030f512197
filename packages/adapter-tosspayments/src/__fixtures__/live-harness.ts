// The conformance suite against a Toss API reached over the network: the real test API when test keys are given,
// or the simulator (so this code is exercised on every run). What the suite needs beyond the adapter, built from
// the API alone:
// - paid payments: seeded with the key-in payment API (`POST /v1/payments/key-in`, card data server to server,
//   spec §1.2). Uncertain at the real API: the spec says key-in "needs extra contract", and it names no test card
//   numbers; a refusal is reported by `probeKeyIn` with Toss's code, never guessed around;
// - the truth about a payment: Toss's own lookup (`balanceAmount`, `cancels[]`), read past the faults;
// - faults: a proxy in front of the API with the simulator kit's fault injector, so a real answer is spoiled
//   after the real API executed (a dropped connection, a timeout, an unmapped code), exactly as the simulator
//   spoils its own.
import {
  consumeFault,
  currentFault,
  FaultInjector,
  faultMiddleware,
  type RunningServer,
  startServer,
  UNMAPPED_CODE,
} from '@paymux/core/simulator'
import type { ConformanceHarness, ConformanceSetup, SimulatorPaymentState } from '@paymux/core/testing'
import { Hono } from 'hono'
import { TossPayments } from '../tosspayments.js'

export interface TossApi {
  /** Where the API answers: `https://api.tosspayments.com`, or a simulator's address. */
  baseUrl: string
  secretKey: string
  clientKey: string
  close?(): Promise<void>
}

/** The card key-in seeds with (override: TOSS_TEST_CARD_NUMBER). Toss publishes no test numbers in the spec. */
export const KEY_IN_CARD = {
  cardNumber: process.env.TOSS_TEST_CARD_NUMBER ?? '4330123412341234',
  cardExpirationYear: '30',
  cardExpirationMonth: '12',
  customerIdentityNumber: '900101',
}

let seq = 0
const orderId = () => `paymux-cf-${Date.now().toString(36)}${(seq++).toString(36)}`

function call(api: TossApi, method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${api.baseUrl}${path}`, {
    method,
    headers: {
      authorization: `Basic ${Buffer.from(`${api.secretKey}:`).toString('base64')}`,
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    ...(body ? { body: JSON.stringify(body) } : {}),
    signal: AbortSignal.timeout(30_000),
  })
}

/** A paid card payment made through key-in; throws with Toss's code and message when it is refused. */
export async function keyInPayment(api: TossApi, amount: number): Promise<{ transactionId: string }> {
  const res = await call(api, 'POST', '/v1/payments/key-in', {
    amount,
    orderId: orderId(),
    orderName: 'paymux conformance',
    ...KEY_IN_CARD,
  })
  const body = (await res.json().catch(() => ({}))) as {
    paymentKey?: string
    status?: string
    code?: string
    message?: string
  }
  if (res.status !== 200 || body.status !== 'DONE' || !body.paymentKey)
    throw new Error(
      `the key-in payment API did not make a paid payment (HTTP ${res.status}, ${body.code ?? body.status ?? '?'}: ${body.message ?? ''}). ` +
        'Toss says key-in needs an extra contract: a test key without it cannot seed the money cases.',
    )
  return { transactionId: body.paymentKey }
}

/** Undefined when key-in makes paid payments with these keys (the probe's payment is cancelled), else why not. */
export async function probeKeyIn(api: TossApi): Promise<string | undefined> {
  try {
    const { transactionId } = await keyInPayment(api, 1_000)
    await call(api, 'POST', `/v1/payments/${transactionId}/cancel`, { cancelReason: 'paymux probe' })
    return undefined
  } catch (err) {
    return (err as Error).message
  }
}

/** What Toss's own lookup says of a payment: the amount, and the cancels it executed. */
export async function lookedUp(api: TossApi, paymentKey: string): Promise<SimulatorPaymentState> {
  const res = await call(api, 'GET', `/v1/payments/${encodeURIComponent(paymentKey)}`)
  if (res.status !== 200) throw new Error(`the lookup of ${paymentKey} answered HTTP ${res.status}`)
  const p = (await res.json()) as { totalAmount: number; cancels: Array<{ cancelAmount: number }> | null }
  const cancels = p.cancels ?? []
  return {
    amount: p.totalAmount,
    cancelledAmount: cancels.reduce((n, c) => n + c.cancelAmount, 0),
    cancelCount: cancels.length,
  }
}

const HOP_HEADERS = new Set(['host', 'connection', 'content-length', 'keep-alive', 'transfer-encoding'])

/**
 * A proxy to `upstream` with the fault injector in front: every call is forwarded as it came, and its answer
 * spoiled as the injected fault says. Toss's error answers carry `code` in a body that replaces the Payment
 * object, so the unmapped-code fault is answered in that shape here, as the simulator does it.
 */
export function faultProxy(upstream: string, faults: FaultInjector): Hono {
  const app = new Hono()
  app.use('*', faultMiddleware(faults))
  app.use('*', async (c, next) => {
    await next()
    const f = currentFault(c)
    if (f?.kind === 'unmapped_code' && consumeFault(c, 'unmapped_code')) {
      c.res = Response.json(
        { code: f.code ?? UNMAPPED_CODE, message: '정의되지 않은 오류입니다.' },
        { status: f.status },
      )
    }
  })
  app.all('*', async (c) => {
    const url = new URL(c.req.url)
    const headers = new Headers()
    c.req.raw.headers.forEach((v, k) => {
      if (!HOP_HEADERS.has(k)) headers.set(k, v)
    })
    const hasBody = c.req.method !== 'GET' && c.req.method !== 'HEAD'
    const res = await fetch(`${upstream}${url.pathname}${url.search}`, {
      method: c.req.method,
      headers,
      ...(hasBody ? { body: await c.req.arrayBuffer() } : {}),
    })
    const type = res.headers.get('content-type')
    return new Response(await res.arrayBuffer(), {
      status: res.status,
      headers: type ? { 'content-type': type } : {},
    })
  })
  return app
}

/**
 * The suite's harness for a Toss API over the network. No virtual-account deposits (Toss's test accounts take no
 * money: a deposit is made by hand in the developer centre), no billing keys (an extra contract), no checkout
 * (a customer at Toss's window): those cases are skipped with the reason; every other one runs.
 */
export function liveHarness(
  name: string,
  open: () => Promise<TossApi>,
  timeoutMs: number,
): ConformanceHarness {
  return {
    name,
    timeoutMs,
    async setup(): Promise<ConformanceSetup> {
      const api = await open()
      const faults = new FaultInjector()
      let proxy: RunningServer | undefined
      try {
        proxy = await startServer(faultProxy(api.baseUrl, faults))
      } catch (err) {
        await api.close?.()
        throw err
      }
      const keys = { secretKey: api.secretKey, clientKey: api.clientKey }
      return {
        provider: new TossPayments({ ...keys, baseUrl: proxy.url, timeoutMs }),
        faults,
        seedCardPayment: ({ amount }) => keyInPayment(api, amount),
        inspect: (id) => lookedUp(api, id),
        cancelPath: '/cancel',
        unreachableProvider: new TossPayments({ ...keys, baseUrl: 'http://127.0.0.1:1', timeoutMs }),
        close: async () => {
          await proxy?.close()
          await api.close?.()
        },
      }
    },
  }
}
