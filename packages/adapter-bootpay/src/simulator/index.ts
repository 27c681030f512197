import type { FetchLike } from '@paymux/core'
import { FaultInjector, faultControlRoutes } from '@paymux/core/simulator'
import type { Hono } from 'hono'
import { type AppDeps, buildApp, type SimCredentials } from './app.js'
import { type BootpaySimulatorSettings, defaultSettings } from './settings.js'
import { type SimReceipt, SimState } from './state.js'
import { deliverWebhook, type WebhookDelivery, type WebhookType } from './webhooks.js'

export type { SimCredentials } from './app.js'
export {
  type BootpaySimulatorSettings,
  DEFAULT_SIM_ERRORS,
  type SimErrorAnswer,
  type SimErrorKind,
} from './settings.js'
export type { WebhookDelivery, WebhookType } from './webhooks.js'
export { decryptSdkPayload } from './sdk-payload.js'
export type { WindowDecline } from './settings.js'

/** Credentials the simulator accepts by default. Not Bootpay keys: they work nowhere else. */
export const BOOTPAY_DEMO_CREDENTIALS: Readonly<SimCredentials> = Object.freeze({
  applicationId: 'paymuxdemo00000000000001',
  webApplicationId: 'paymuxdemoweb00000000002',
  privateKey: 'paymux-demo-private-key-for-the-simulator=',
  clientKey: 'paymux_demo_client_key',
  secretKey: 'paymux_demo_secret_key',
})

/** A card the simulator issues billing keys for (passes the Luhn check, expires in the future). */
export const BOOTPAY_TEST_CARD = Object.freeze({
  number: '5570420456641074',
  expiryYear: '2099',
  expiryMonth: '12',
  ownerId: '901010',
  passwordPrefix: '12',
})

export interface BootpaySimulatorOptions {
  credentials?: Partial<SimCredentials>
  /** Epoch milliseconds: token expiry, timestamps and the partial-cancel guard read it. */
  clock?: () => number
  settings?: Partial<BootpaySimulatorSettings>
  /** How webhooks are sent (default global fetch). */
  fetch?: FetchLike
}

export interface SeedPaymentInput {
  amount: number
  method?: 'card' | 'virtual_account'
  deposited?: boolean
  settled?: boolean
  transactionId?: string
  orderId?: string
  /** The PG behind the payment; default `settings.defaultPg` (nicepay, which allows partial cancels). */
  pg?: string
  taxFree?: number
}

export interface PaymentInspection {
  amount: number
  cancelledAmount: number
  cancelCount: number
  status: string
  bootpayStatus: number
  pg: string
  /** Cancelled at the PG itself: the money went back whatever Bootpay's receipt shows. */
  pgCancelled: boolean
  /** Confirm calls (`/v2/confirm`, v1 `/submit`) this receipt received, and how many took (0 or 1). */
  confirmRequests: number
  confirmsApplied: number
}

export interface BootpaySimulator {
  app: Hono
  faults: FaultInjector
  settings: BootpaySimulatorSettings
  credentials: SimCredentials
  state: SimState
  seedPayment(input: SeedPaymentInput): { transactionId: string }
  inspect(transactionId: string): PaymentInspection | undefined
  /** The PG cancels the payment itself, outside Bootpay (seed 003); see `settings.pgCancelReflected`. */
  cancelAtPg(transactionId: string): void
  /** The customer pays a waiting virtual account. */
  deposit(transactionId: string): void
  /** Forgets every issued token: the next call with an old token gets TOKEN_KEY_INVALID / 401. */
  revokeTokens(): void
  /** Sends the receipt's webhook now (to `settings.webhookUrl` unless `url` is given). */
  sendWebhook(
    transactionId: string,
    opts?: { version?: 'v1' | 'v2'; url?: string; type?: WebhookType },
  ): Promise<WebhookDelivery>
  /** Every webhook delivery, finished ones first come first. */
  webhookLog: WebhookDelivery[]
  /** Resolves once every automatic webhook started so far has finished. */
  webhooksSettled(): Promise<void>
}

const STATUS_NAMES: Record<string, string> = {
  '1': 'paid',
  '2': 'awaiting_confirm',
  '-2': 'failed',
  '5': 'waiting_for_deposit',
  '20': 'cancelled',
  '-3': 'cancelled',
}

export function createBootpaySimulator(options: BootpaySimulatorOptions = {}): BootpaySimulator {
  const settings: BootpaySimulatorSettings = { ...defaultSettings(), ...options.settings }
  const credentials: SimCredentials = { ...BOOTPAY_DEMO_CREDENTIALS, ...options.credentials }
  const clock = options.clock ?? Date.now
  const state = new SimState(settings, clock)
  const faults = new FaultInjector()
  const webhookLog: WebhookDelivery[] = []
  const pending = new Set<Promise<unknown>>()
  const send = (options.fetch ?? ((i, init) => fetch(i, init))) as FetchLike

  const sendWebhook: BootpaySimulator['sendWebhook'] = async (id, opts = {}) => {
    const url = opts.url ?? settings.webhookUrl
    if (!url) throw new Error('no webhook URL: set settings.webhookUrl or pass url')
    const d = await deliverWebhook({
      receipt: state.receipt(id),
      version: opts.version ?? settings.webhookVersion,
      url,
      settings,
      keys: credentials,
      fetch: send,
      ...(opts.type ? { type: opts.type } : {}),
    })
    webhookLog.push(d)
    return d
  }

  const deps: AppDeps = {
    state,
    faults,
    credentials,
    changed(r: SimReceipt) {
      if (!settings.webhookUrl || !settings.autoWebhooks) return
      const p = sendWebhook(r.receiptId).catch(() => undefined)
      pending.add(p)
      void p.finally(() => pending.delete(p))
    },
  }
  const app = buildApp(deps)

  const seedPayment = (input: SeedPaymentInput) => ({ transactionId: state.seed(input).receiptId })
  const inspect = (id: string): PaymentInspection | undefined => {
    const r = state.receipts.get(id)
    if (!r) return undefined
    const partial = r.cancelledPrice > 0 && r.cancelledPrice < r.price
    return {
      amount: r.price,
      cancelledAmount: r.cancelledPrice,
      cancelCount: r.cancels.length,
      status: partial ? 'partial_cancelled' : (STATUS_NAMES[String(r.status)] ?? String(r.status)),
      bootpayStatus: r.status,
      pg: r.pg,
      pgCancelled: r.pgCancelled,
      confirmRequests: r.checkout?.confirmRequests ?? 0,
      confirmsApplied: r.checkout?.confirmsApplied ?? 0,
    }
  }
  const deposit = (id: string) => {
    deps.changed(state.deposit(id))
  }

  app.route('/__sim', faultControlRoutes(faults))
  app.post('/__sim/seed/payment', async (c) => c.json(seedPayment((await c.req.json()) as SeedPaymentInput)))
  app.get('/__sim/payments/:id', (c) => {
    const s = inspect(c.req.param('id'))
    return s ? c.json(s) : c.json({ error: 'not found' }, 404)
  })
  app.post('/__sim/deposit/:id', (c) => {
    deposit(c.req.param('id'))
    return c.json({ ok: true })
  })
  app.post('/__sim/webhooks/:id', async (c) => {
    const text = await c.req.text()
    const opts = text ? (JSON.parse(text) as Parameters<BootpaySimulator['sendWebhook']>[1]) : {}
    return c.json(await sendWebhook(c.req.param('id'), opts))
  })
  app.post('/__sim/pg-cancel/:id', (c) => {
    state.cancelAtPg(c.req.param('id'))
    return c.json({ ok: true })
  })
  app.post('/__sim/tokens/revoke', (c) => {
    state.revokeTokens()
    return c.json({ ok: true })
  })
  app.patch('/__sim/settings', async (c) => {
    Object.assign(settings, (await c.req.json()) as Partial<BootpaySimulatorSettings>)
    return c.json({ ok: true })
  })
  app.get('/__sim/stats', (c) => c.json(state.stats))

  return {
    app,
    faults,
    settings,
    credentials,
    state,
    seedPayment,
    inspect,
    deposit,
    cancelAtPg: (id) => {
      state.cancelAtPg(id)
    },
    revokeTokens: () => state.revokeTokens(),
    sendWebhook,
    webhookLog,
    webhooksSettled: async () => {
      while (pending.size > 0) await Promise.all([...pending])
    },
  }
}
