import { FaultInjector } from '@paymux/core/simulator'
import type { Hono } from 'hono'
import { buildApp, type SimCore } from './app.js'
import { type CheckoutStats, CheckoutStore, chargeOrderAgain } from './checkout.js'
import { approvalNoti, cancelNoti, cancelResponseNoti, type Delivery, deliver } from './notify.js'
import { type CookiePaySimulatorOptions, type ResolvedSettings, resolveSettings } from './settings.js'
import { cancelledAmount, type SeedPaymentInput, SimState, statusOf } from './state.js'
import { TokenStore } from './tokens.js'

export type { SimCodes, SimError } from './settings.js'
export { COOKIEPAY_DEMO_CREDENTIALS, type CookiePaySimulatorOptions, DEFAULT_CODES } from './settings.js'
export type { SeedPaymentInput } from './state.js'
export type { Delivery } from './notify.js'
export type { CheckoutStats } from './checkout.js'

export interface CookiePayPaymentState {
  amount: number
  cancelledAmount: number
  cancelCount: number
  status: string
  /** The deposit a post-deposit cancel waits for, if any. */
  pendingDeposit?: {
    amount: number
    depositAmount: number
    accountNo: string
    bankName: string
    deadline: string
  }
  /** For payments made in the simulator's window: what the window and paycert did around it. */
  checkout?: {
    orderId: string
    returnPosts: number
    approvalNotisSent: number
    approvalNotisLost: number
    decrypts: number
    paycertCalls: number
  }
}

export interface DepositResult {
  transactionId: string
  cancelledAmount: number
  /** The one cancel Noti CookiePay sends after the deposit; absent when no notify URL is set. */
  notification?: Delivery
}

export interface CookiePaySimulator {
  app: Hono
  faults: FaultInjector
  /** The simulator's settings, live: a test may change one (e.g. `cancelLookupLagMs`) between calls. */
  settings: ResolvedSettings
  seedPayment(input: SeedPaymentInput): { transactionId: string }
  inspect(transactionId: string): CookiePayPaymentState | undefined
  /** The merchant deposits what `get_cancel_bank_account` asked for: the cancel executes, then one Noti is sent. */
  deposit(transactionId: string): Promise<DepositResult>
  /** The customer pays a waiting virtual account: it becomes paid and its deposit Noti is sent (if a URL is set). */
  depositVirtualAccount(transactionId: string): Promise<{ transactionId: string; notification?: Delivery }>
  /** Sends the approval Noti of a payment (a card approval, or a virtual account's deposit). */
  sendApprovalNotification(transactionId: string, url?: string): Promise<Delivery>
  /** Sends a `noti_type: cancel` Noti for the payment's last cancel (a console or in-app cancel). */
  sendCancelNotification(transactionId: string, url?: string): Promise<Delivery>
  setNotifyUrl(url: string | undefined): void
  /** Invalidates every issued TOKEN. */
  revokeTokens(): void
  /** How many TOKENs were issued. */
  readonly tokensIssued: number
  /** The window's counters (pay/ready calls, approvals, declines, result posts, decrypts, Notis). */
  readonly checkoutStats: Readonly<CheckoutStats>
  /** TIDs of the payments made for an order number (a double post must leave one). */
  paymentsForOrder(orderId: string): string[]
  /** Changes window settings (returnMode, returnPostedTwice, …) like `/__sim/settings/checkout` does. */
  updateCheckoutSettings(patch: CheckoutSettingsPatch): void
  /**
   * The order is paid once more (a new TID, the same ORDERNO and amount) and that payment's approval Noti sent,
   * like `POST /__sim/orders/:orderNo/pay-again`: a double payment within CookiePay's window.
   */
  payOrderAgain(orderId: string): Promise<{ transactionId: string; notified?: boolean }>
}

/** The window settings that may change at runtime. */
export type CheckoutSettingsPatch = Partial<
  Pick<
    ResolvedSettings,
    | 'returnMode'
    | 'returnPostedTwice'
    | 'returnLost'
    | 'approvalNotiLost'
    | 'doublePayment'
    | 'paycertLagCalls'
    | 'forgedReturnAmount'
    | 'tamperedWindowAmount'
    | 'approvalRefusal'
    | 'declineResult'
    | 'requireHomeUrl'
  >
>

const isSimError = (v: unknown) =>
  typeof v === 'object' &&
  v !== null &&
  typeof (v as { code?: unknown }).code === 'string' &&
  typeof (v as { message?: unknown }).message === 'string'
const isAmount = (v: unknown) => typeof v === 'number' && Number.isSafeInteger(v) && v > 0

/** Checks of each runtime-changeable setting; `null` clears an optional one. */
const CHECKOUT_SETTING_CHECKS: Readonly<Record<keyof CheckoutSettingsPatch, (v: unknown) => boolean>> = {
  returnMode: (v) => v === 'plain' || v === 'enc',
  returnPostedTwice: (v) => typeof v === 'boolean',
  returnLost: (v) => typeof v === 'boolean',
  approvalNotiLost: (v) => typeof v === 'boolean',
  doublePayment: (v) => typeof v === 'boolean',
  requireHomeUrl: (v) => typeof v === 'boolean',
  paycertLagCalls: (v) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0,
  forgedReturnAmount: (v) => v === undefined || v === null || isAmount(v),
  tamperedWindowAmount: (v) => v === undefined || v === null || isAmount(v),
  approvalRefusal: (v) => v === undefined || v === null || isSimError(v),
  declineResult: isSimError,
}

export function applyCheckoutSettings(settings: ResolvedSettings, patch: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(patch)) {
    const check = CHECKOUT_SETTING_CHECKS[k as keyof CheckoutSettingsPatch]
    if (!check) throw new Error(`${k} is not a window setting`)
    if (!check(v)) throw new Error(`${k}: invalid value`)
  }
  for (const [k, v] of Object.entries(patch)) {
    ;(settings as unknown as Record<string, unknown>)[k] = v === null ? undefined : v
  }
}

/**
 * A CookiePay simulator built from the protocol research: TOKEN issue with expiring JWTs, cancel and partial
 * cancel with balances, 9029 and the deposit account, paycert/paysearch, Notis, fault injection. State is in
 * memory; usable at runtime (the gateway's demo mode) as well as in tests.
 */
export function createCookiePaySimulator(options: CookiePaySimulatorOptions = {}): CookiePaySimulator {
  const settings = resolveSettings(options)
  const state = new SimState(settings)
  const tokens = new TokenStore(settings)
  const faults = new FaultInjector()

  const need = (tid: string) => {
    const p = state.payments.get(tid)
    if (!p) throw new Error(`no payment ${tid}`)
    return p
  }
  const target = (url?: string) => {
    const u = url ?? settings.notifyUrl
    if (!u) throw new Error('no notify URL configured')
    return u
  }

  const checkout = new CheckoutStore()
  const core: SimCore = {
    settings,
    state,
    tokens,
    faults,
    checkout,
    updateCheckoutSettings: (patch) => applyCheckoutSettings(settings, patch),
    async payOrderAgain(orderId) {
      const first = [...state.payments.values()].filter((p) => p.orderNo === orderId).at(0)
      if (!first) throw new Error(`no payment for order ${orderId}`)
      const { payment, notified } = await chargeOrderAgain(
        { settings, state, store: checkout, sendApprovalNoti: (p) => core.sendWindowApprovalNoti(p) },
        first,
      )
      return { transactionId: payment.tid, ...(notified !== undefined ? { notified } : {}) }
    },
    async sendWindowApprovalNoti(p) {
      if (!settings.notifyUrl) return undefined
      return (await deliver(settings.notifyUrl, approvalNoti(p, settings), settings)).delivered
    },
    seedPayment(input) {
      return { transactionId: state.seed(input).tid }
    },
    inspect(tid) {
      const p = state.payments.get(tid)
      if (!p) return undefined
      const out: CookiePayPaymentState = {
        amount: p.amount,
        cancelledAmount: cancelledAmount(p),
        cancelCount: p.cancels.length,
        status: statusOf(p),
      }
      if (p.checkout) out.checkout = { orderId: p.orderNo, ...p.checkout, paycertCalls: p.paycertCalls }
      if (p.pending) {
        out.pendingDeposit = {
          amount: p.pending.amount,
          depositAmount: p.pending.depositAmount,
          accountNo: p.pending.accountNo,
          bankName: p.pending.bankName,
          deadline: p.pending.depositEndDate,
        }
      }
      return out
    },
    async deposit(tid) {
      const p = need(tid)
      const cancel = state.completeDeposit(p)
      if (!cancel) throw new Error(`payment ${tid} waits for no deposit`)
      const result: DepositResult = { transactionId: tid, cancelledAmount: cancel.amount }
      if (settings.notifyUrl) {
        const body =
          settings.depositCancelNotiShape === 'cancel_response'
            ? cancelResponseNoti(p, cancel, settings)
            : cancelNoti(p, cancel, 'deposit_cancel', settings)
        result.notification = await deliver(settings.notifyUrl, body, settings)
      }
      return result
    },
    async depositVirtualAccount(tid) {
      const p = need(tid)
      if (!state.markDeposited(p)) throw new Error(`payment ${tid} is no waiting virtual account`)
      const result: { transactionId: string; notification?: Delivery } = { transactionId: tid }
      if (settings.notifyUrl)
        result.notification = await deliver(settings.notifyUrl, approvalNoti(p, settings), settings)
      return result
    },
    async sendApprovalNotification(tid, url) {
      const p = need(tid)
      return deliver(target(url), approvalNoti(p, settings), settings)
    },
    async sendCancelNotification(tid, url) {
      const p = need(tid)
      const last = p.cancels.at(-1)
      if (!last) throw new Error(`payment ${tid} has no cancel`)
      return deliver(
        target(url),
        cancelNoti(p, last, last.viaDeposit ? 'deposit_cancel' : 'cancel', settings),
        settings,
      )
    },
    setNotifyUrl(url) {
      settings.notifyUrl = url
    },
  }
  const app = buildApp(core)
  return {
    app,
    faults,
    settings,
    seedPayment: core.seedPayment,
    inspect: core.inspect as CookiePaySimulator['inspect'],
    deposit: core.deposit as CookiePaySimulator['deposit'],
    depositVirtualAccount: core.depositVirtualAccount as CookiePaySimulator['depositVirtualAccount'],
    sendApprovalNotification: core.sendApprovalNotification as CookiePaySimulator['sendApprovalNotification'],
    sendCancelNotification: core.sendCancelNotification as CookiePaySimulator['sendCancelNotification'],
    setNotifyUrl: core.setNotifyUrl,
    revokeTokens: () => tokens.revokeAll(),
    get tokensIssued() {
      return tokens.issued
    },
    checkoutStats: checkout.stats,
    paymentsForOrder: (orderId) =>
      [...state.payments.values()].filter((p) => p.orderNo === orderId).map((p) => p.tid),
    updateCheckoutSettings: (patch) => applyCheckoutSettings(settings, patch),
    payOrderAgain: core.payOrderAgain,
  }
}
