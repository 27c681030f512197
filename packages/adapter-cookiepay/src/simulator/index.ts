import { FaultInjector } from '@paymux/core/simulator'
import type { Hono } from 'hono'
import { buildApp, type SimCore } from './app.js'
import { approvalNoti, cancelNoti, cancelResponseNoti, type Delivery, deliver } from './notify.js'
import { type CookiePaySimulatorOptions, type ResolvedSettings, resolveSettings } from './settings.js'
import { cancelledAmount, type SeedPaymentInput, SimState, statusOf } from './state.js'
import { TokenStore } from './tokens.js'

export type { SimCodes, SimError } from './settings.js'
export { COOKIEPAY_DEMO_CREDENTIALS, type CookiePaySimulatorOptions, DEFAULT_CODES } from './settings.js'
export type { SeedPaymentInput } from './state.js'
export type { Delivery } from './notify.js'

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

  const core: SimCore = {
    settings,
    state,
    tokens,
    faults,
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
  }
}
