import { kstParts } from '@paymux/core'
import { FaultInjector, faultControlRoutes } from '@paymux/core/simulator'
import { Hono } from 'hono'
import { protocolRoutes, type SimContext } from './app.js'
import type { CheckoutCounts } from './approval.js'
import { SIM_BANKS } from './messages.js'
import { depositNotificationBody, type NotificationDelivery, sendNotification } from './notify.js'
import {
  DEFAULT_SETTINGS,
  OPTIONAL_SETTINGS,
  type NicePaySimulatorOptions,
  type NicePaySimulatorSettings,
  type SimMerchant,
} from './settings.js'
import { type SimAuth, SimState } from './state.js'
import { windowRoutes } from './window.js'

export { SIM_DECLINED_CARDS } from './app.js'
export type { CheckoutCounts } from './approval.js'
export { depositNotificationBody, type NotificationDelivery } from './notify.js'
export type { NicePaySimulatorOptions, NicePaySimulatorSettings, SimMerchant } from './settings.js'

/**
 * NicePay's public test merchant from its official samples (`nicepay00m`); the simulator accepts it by
 * default so demos and tests need no configuration.
 */
export const NICEPAY_DEMO_CREDENTIALS = {
  mid: 'nicepay00m',
  merchantKey: 'EYzu8jGGMfqaDEp76gSckuvnaHHu+bC4opsSN6lHv3b2lurNYkVXrZ7Z1AoqQnXI3eLuaUFyoRNC6FkrzVjceg==',
} as const

export interface SeedPaymentInput {
  amount: number
  method?: 'card' | 'virtual_account'
  deposited?: boolean
  /** NicePay has no settlement-dependent cancel flow; accepted and ignored. */
  settled?: boolean
  transactionId?: string
  orderId?: string
  /** Merchant the payment belongs to. Default: the first merchant. */
  mid?: string
}

export interface PaymentSnapshot {
  amount: number
  cancelledAmount: number
  cancelCount: number
  status: string
  method: 'card' | 'virtual_account'
  accountNumber?: string
  bankCode?: string
  cancels: Array<{ moid: string; amount: number; cancelNum: string; refundBankCode?: string }>
  /** For a TxTid opened in the payment window: its state and how often it was approved and net-cancelled. */
  checkout?: CheckoutSnapshot
}

export interface CheckoutSnapshot {
  state: SimAuth['state']
  payMethod: SimAuth['payMethod']
  orderId: string
  /** Approval calls naming the TxTid, and how many executed (never more than one). */
  approvalCalls: number
  approvals: number
  /** Network-cancel calls naming the TxTid, and how many undid the approval (never more than one). */
  netCancelCalls: number
  netCancels: number
}

export interface DepositResult {
  transactionId: string
  amount: number
  notification?: NotificationDelivery
}

export interface NicePaySimulator {
  app: Hono
  faults: FaultInjector
  settings: NicePaySimulatorSettings
  seedPayment(input: SeedPaymentInput): { transactionId: string }
  /**
   * What NicePay holds for a TID: a payment (with `checkout` counters when it came through the window), or — for
   * a window TxTid never approved or approved and net-cancelled — its state with nothing charged.
   */
  inspect(transactionId: string): PaymentSnapshot | undefined
  /** Approval and network-cancel calls across every TxTid (calls received, and executed). */
  readonly checkoutCounts: Readonly<CheckoutCounts>
  /** The customer pays into an issued virtual account; NicePay then notifies `settings.notifyUrl`, if set. */
  deposit(transactionId: string, input?: { depositorName?: string }): Promise<DepositResult>
  /** Every notification sent, in order. */
  readonly notifications: NotificationDelivery[]
}

function isKrwAmount(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n > 0 && n < 1e12
}

export function createNicePaySimulator(options: NicePaySimulatorOptions = {}): NicePaySimulator {
  const { merchants: merchantList, clock, notifyFetch, ...rest } = options
  const settings: NicePaySimulatorSettings = { ...DEFAULT_SETTINGS }
  for (const [k, v] of Object.entries(rest))
    if (v !== undefined) (settings as unknown as Record<string, unknown>)[k] = v
  const list: SimMerchant[] = merchantList?.length ? merchantList : [{ ...NICEPAY_DEMO_CREDENTIALS }]
  const merchants = new Map(list.map((m) => [m.mid, m]))
  const state = new SimState()
  const faults = new FaultInjector()
  const checkout: CheckoutCounts = { approvalCalls: 0, approvals: 0, netCancelCalls: 0, netCancels: 0 }
  const ctx: SimContext = { state, faults, settings, merchants, clock: clock ?? Date.now, checkout }
  const notifications: NotificationDelivery[] = []
  let seedSeq = 0

  function seedPayment(input: SeedPaymentInput): { transactionId: string } {
    if (!isKrwAmount(input?.amount))
      throw new TypeError('seedPayment: amount must be a positive whole number of won')
    const mid = input.mid ?? list[0]!.mid
    if (!merchants.has(mid)) throw new TypeError(`seedPayment: unknown MID ${mid}`)
    const method = input.method ?? 'card'
    const now = ctx.clock()
    const t = kstParts(now)
    seedSeq = (seedSeq + 1) % 10_000
    const svc = method === 'card' ? '01' : '03'
    let tid = input.transactionId
    if (!tid) {
      do {
        tid = `${mid}${svc}01${t.yy}${t.MM}${t.dd}${t.HH}${t.mm}${t.ss}${String(seedSeq).padStart(4, '0')}`
        seedSeq = (seedSeq + 1) % 10_000
      } while (state.payments.has(tid) || state.usedTids.has(tid) || state.auths.has(tid))
    }
    if (state.payments.has(tid)) throw new TypeError(`seedPayment: ${tid} exists`)
    state.usedTids.add(tid)
    const bankCode = '004'
    state.payments.set(tid, {
      tid,
      mid,
      method,
      amount: input.amount,
      cancelledAmount: 0,
      orderId: input.orderId ?? `seed-${tid.slice(-8)}`,
      goodsName: '테스트상품',
      approvedAt: now,
      cancels: [],
      ...(method === 'virtual_account'
        ? {
            vbank: {
              bankCode,
              bankName: SIM_BANKS[bankCode]!.name,
              accountNumber: state.nextAccountNumber(bankCode),
              expDate: `${kstParts(now + 7 * 86400_000).yyyy}${kstParts(now + 7 * 86400_000).MM}${kstParts(now + 7 * 86400_000).dd}`,
              expTime: '235959',
              deposited: input.deposited ?? false,
              ...(input.deposited ? { depositedAt: now } : {}),
            },
          }
        : {}),
    })
    return { transactionId: tid }
  }

  function checkoutSnapshot(a: SimAuth | undefined): { checkout?: CheckoutSnapshot } {
    if (!a) return {}
    const { state: st, payMethod, moid, approvalCalls, approvals, netCancelCalls, netCancels } = a
    return {
      checkout: { state: st, payMethod, orderId: moid, approvalCalls, approvals, netCancelCalls, netCancels },
    }
  }

  function inspect(transactionId: string): PaymentSnapshot | undefined {
    const p = state.payments.get(transactionId)
    const auth = state.auths.get(transactionId)
    if (!p) {
      if (!auth) return undefined
      return {
        amount: auth.amount,
        cancelledAmount: 0,
        cancelCount: 0,
        status: auth.state,
        method: auth.payMethod === 'VBANK' ? 'virtual_account' : 'card',
        cancels: [],
        ...checkoutSnapshot(auth),
      }
    }
    return {
      ...checkoutSnapshot(auth),
      amount: p.amount,
      cancelledAmount: p.cancelledAmount,
      cancelCount: p.cancels.length,
      status: state.status(p),
      method: p.method,
      ...(p.vbank ? { accountNumber: p.vbank.accountNumber, bankCode: p.vbank.bankCode } : {}),
      cancels: p.cancels.map((c) => ({
        moid: c.moid,
        amount: c.amount,
        cancelNum: c.cancelNum,
        ...(c.refundAccount ? { refundBankCode: c.refundAccount.bankCode } : {}),
      })),
    }
  }

  async function deposit(
    transactionId: string,
    input: { depositorName?: string } = {},
  ): Promise<DepositResult> {
    const p = state.payments.get(transactionId)
    if (!p?.vbank) throw new TypeError(`deposit: ${transactionId} is not a virtual account`)
    if (p.issueCancelled) throw new TypeError(`deposit: ${transactionId} was cancelled`)
    if (p.vbank.deposited) throw new TypeError(`deposit: ${transactionId} is already deposited`)
    const now = ctx.clock()
    p.vbank.deposited = true
    p.vbank.depositedAt = now
    p.vbank.depositorName = input.depositorName ?? p.buyerName ?? '홍길동'
    const result: DepositResult = { transactionId, amount: p.amount }
    if (settings.notifyUrl) {
      const body = depositNotificationBody(p, now)
      const delivery = await sendNotification(settings.notifyUrl, body, settings, notifyFetch ?? fetch)
      notifications.push(delivery)
      result.notification = delivery
    }
    return result
  }

  const app = new Hono()
  app.route('/__sim', faultControlRoutes(faults))
  app.post('/__sim/seed/payment', async (c) => {
    try {
      return c.json(seedPayment((await c.req.json()) as SeedPaymentInput))
    } catch (err) {
      return c.json({ error: err instanceof Error ? err.message : String(err) }, 400)
    }
  })
  app.get('/__sim/payments/:id', (c) => {
    const snap = inspect(c.req.param('id'))
    return snap ? c.json(snap) : c.json({ error: 'not found' }, 404)
  })
  app.post('/__sim/deposit/:id', async (c) => {
    const body = (await c.req.json().catch(() => ({}))) as { depositorName?: string }
    try {
      return c.json(await deposit(c.req.param('id'), body))
    } catch (err) {
      return c.json({ error: err instanceof Error ? err.message : String(err) }, 400)
    }
  })
  app.get('/__sim/notifications', (c) => c.json(notifications))
  app.get('/__sim/checkout', (c) => c.json(checkout))
  app.get('/__sim/settings', (c) => c.json(settings))
  app.post('/__sim/settings', async (c) => {
    const patch = (await c.req.json().catch(() => ({}))) as Partial<NicePaySimulatorSettings>
    for (const [k, v] of Object.entries(patch)) {
      const live = settings as unknown as Record<string, unknown>
      if (OPTIONAL_SETTINGS.has(k) && v === null) delete live[k]
      else if (k in DEFAULT_SETTINGS || OPTIONAL_SETTINGS.has(k)) live[k] = v
    }
    return c.json(settings)
  })
  app.route('/', windowRoutes(ctx))
  app.route('/', protocolRoutes(ctx))

  return {
    app,
    faults,
    settings,
    seedPayment,
    inspect,
    deposit,
    notifications,
    checkoutCounts: checkout,
  }
}
