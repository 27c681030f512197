// A Toss Payments simulator built from the research spec (never from the adapter): the core API v1 on its real
// paths, the payment window, webhooks, and control routes under /__sim for tests and demos.
import { randomUUID } from 'node:crypto'
import { type Context, Hono } from 'hono'
import { CONTROL_PREFIX, FaultInjector, faultControlRoutes } from '@paymux/core/simulator'
import { type AppDeps, notifier, protocolApp, type TossCredentials } from './app.js'
import { IdempotencyStore } from './idempotency.js'
import { DEFAULT_SETTINGS, type TossSimulatorSettings } from './settings.js'
import { type SimPayment, SimState } from './state.js'
import { Webhooks } from './webhooks.js'

export { SIM_ERRORS, type SimError, statusOf } from './errors.js'
export { DEFAULT_SETTINGS, type TossSimulatorSettings, UNCERTAIN_STATUSES } from './settings.js'
export type { SimPayment, SimStatus, SimCancel } from './state.js'
export type { Delivery } from './webhooks.js'
export { WINDOW_PATH } from './window.js'

/** The public doc test secret key (spec §1.1) and a client key in Toss's test form. */
export const TOSS_DEMO_CREDENTIALS: TossCredentials = {
  secretKey: 'test_sk_zXLkKEypNArWmo50nX3lmeaxYG5R',
  clientKey: 'test_ck_D5GePWvyJnrK0W0k6q8gLzN97Eoq',
}

/** A card number the card-data billing issue accepts, and one it refuses. */
export const TOSS_TEST_CARD = {
  number: '4330123412341234',
  expiryYear: '30',
  expiryMonth: '12',
  ownerId: '900101',
} as const
export const TOSS_REJECTED_CARD = '4330000000000000'

export interface TossSimulatorOptions {
  credentials?: TossCredentials
  settings?: Partial<TossSimulatorSettings>
  /** The simulator's clock (tests move it to reach the timeouts and the webhook retries). */
  clock?: () => number
  /** Where webhooks go; none: not sent. Also settable with `setWebhookUrl` and `POST /__sim/webhooks`. */
  webhookUrl?: string
  fetch?: typeof fetch
}

export interface TossSimulatorPaymentState {
  amount: number
  cancelledAmount: number
  cancelCount: number
  status: string
  balanceAmount: number
  confirms: number
}

export interface TossSimulator {
  app: Hono
  faults: FaultInjector
  settings: TossSimulatorSettings
  credentials: TossCredentials
  state: SimState
  webhooks: Webhooks
  idempotency: IdempotencyStore
  /** Seeds a payment: a paid card payment by default, or a virtual account (deposited or waiting). */
  seedPayment(input: {
    amount: number
    method?: 'card' | 'virtual_account'
    deposited?: boolean
    orderId?: string
  }): { transactionId: string; orderId: string }
  /** The customer deposits into an issued virtual account (WAITING_FOR_DEPOSIT → DONE, with webhooks). */
  deposit(paymentKey: string): void
  /** DONE → WAITING_FOR_DEPOSIT, the reversal Toss says happens "in very few cases of network issues". */
  revertDeposit(paymentKey: string): void
  /** An authKey as the billing-auth window's success URL carries it, for `customerKey`. */
  billingAuthKey(customerKey: string): string
  inspect(paymentKey: string): TossSimulatorPaymentState | undefined
  payment(paymentKey: string): SimPayment | undefined
  setWebhookUrl(url: string | undefined): void
  /** Moves the simulator's clock forward (when it runs on its own clock). */
  advance(ms: number): void
}

let seedSeq = 0

export function createTossSimulator(options: TossSimulatorOptions = {}): TossSimulator {
  const settings: TossSimulatorSettings = { ...DEFAULT_SETTINGS, ...options.settings }
  const credentials = options.credentials ?? TOSS_DEMO_CREDENTIALS
  let offset = 0
  const base = options.clock ?? Date.now
  const clock = () => base() + offset
  const state = new SimState(settings, clock)
  const faults = new FaultInjector()
  const idempotency = new IdempotencyStore(
    () => settings.idempotencyTtlMs,
    () => settings.idempotencyStoresErrors,
    clock,
  )
  const webhooks = new Webhooks(clock, () => settings.webhookRetryMinutes, options.fetch)
  webhooks.url = options.webhookUrl
  const deps: AppDeps = {
    state,
    settings,
    credentials,
    faults,
    idempotency,
    webhooks,
    authKeys: new Map(),
    rejectedCards: new Set([TOSS_REJECTED_CARD]),
  }

  const { changed } = notifier(deps)

  const seedPayment: TossSimulator['seedPayment'] = (input) => {
    const orderId = input.orderId ?? `seed-${Date.now().toString(36)}-${(seedSeq++).toString(36)}`
    const va = input.method === 'virtual_account'
    const p = state.create({
      orderId,
      orderName: va ? '가상계좌 상품' : '테스트 상품',
      amount: input.amount,
      method: va ? '가상계좌' : '카드',
      status: 'IN_PROGRESS',
    })
    if (va) {
      state.issueAccount(p, '20', new Date(clock() + 7 * 86_400_000).toISOString(), '홍길동')
      if (input.deposited) state.deposit(p)
    } else state.approveCard(p)
    return { transactionId: p.paymentKey, orderId }
  }

  const deposit = (paymentKey: string) => {
    const p = state.find(paymentKey)
    if (!p || p.status !== 'WAITING_FOR_DEPOSIT') throw new Error(`${paymentKey} waits for no deposit`)
    state.deposit(p)
    changed(p)
  }

  const revertDeposit = (paymentKey: string) => {
    const p = state.find(paymentKey)
    if (!p || p.method !== '가상계좌' || p.status !== 'DONE')
      throw new Error(`${paymentKey} has no deposit to revert`)
    state.revertDeposit(p)
    changed(p)
  }

  const inspect = (paymentKey: string): TossSimulatorPaymentState | undefined => {
    const p = state.find(paymentKey)
    if (!p) return undefined
    const cancels = p.cancels ?? []
    return {
      amount: p.totalAmount,
      cancelledAmount: cancels.reduce((n, c) => n + c.cancelAmount, 0),
      cancelCount: cancels.length,
      status: p.status,
      balanceAmount: p.balanceAmount,
      confirms: state.metaOf(paymentKey).confirms,
    }
  }

  const billingAuthKey = (customerKey: string) => {
    const authKey = `bln_${randomUUID().replace(/-/g, '')}`
    deps.authKeys.set(authKey, { customerKey })
    return authKey
  }

  const app = new Hono()
  const control = new Hono()
  control.route('/', faultControlRoutes(faults))
  const seedRoute = async (c: Context) => {
    const b = (await c.req.json()) as Parameters<typeof seedPayment>[0]
    return c.json(seedPayment(b))
  }
  control.post('/payments', seedRoute)
  // The path every paymux simulator seeds on, so a person (or a host's test) seeds any of them alike.
  control.post('/seed/payment', seedRoute)
  control.get('/payments/:paymentKey', (c) => {
    const s = inspect(c.req.param('paymentKey'))
    return s ? c.json(s) : c.json({ error: 'no such payment' }, 404)
  })
  control.post('/deposit/:paymentKey', (c) => {
    try {
      deposit(c.req.param('paymentKey'))
      return c.json({ ok: true })
    } catch (err) {
      return c.json({ error: (err as Error).message }, 409)
    }
  })
  control.post('/revert-deposit/:paymentKey', (c) => {
    try {
      revertDeposit(c.req.param('paymentKey'))
      return c.json({ ok: true })
    } catch (err) {
      return c.json({ error: (err as Error).message }, 409)
    }
  })
  control.get('/cancels', (c) => c.json({ requests: state.cancelRequests, executed: state.cancelLog }))
  control.post('/billing/auth', async (c) => {
    const b = (await c.req.json()) as { customerKey?: string }
    if (!b.customerKey) return c.json({ error: 'customerKey is required' }, 400)
    return c.json({ authKey: billingAuthKey(b.customerKey), customerKey: b.customerKey })
  })
  control.post('/webhooks', async (c) => {
    const b = (await c.req.json()) as { url?: string }
    webhooks.url = b.url
    return c.json({ ok: true })
  })
  control.post('/webhooks/run', async (c) => {
    await webhooks.deliverDue()
    return c.json({ deliveries: webhooks.deliveries })
  })
  control.post('/clock', async (c) => {
    const b = (await c.req.json()) as { advanceMs?: number }
    offset += Math.max(0, Number(b.advanceMs) || 0)
    return c.json({ now: clock() })
  })
  app.route(CONTROL_PREFIX, control)
  app.route('/', protocolApp(deps))

  return {
    app,
    faults,
    settings,
    credentials,
    state,
    webhooks,
    idempotency,
    seedPayment,
    deposit,
    revertDeposit,
    billingAuthKey,
    inspect,
    payment: (k) => state.find(k),
    setWebhookUrl: (url) => {
      webhooks.url = url
    },
    advance: (ms) => {
      offset += ms
    },
  }
}
