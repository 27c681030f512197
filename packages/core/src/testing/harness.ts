import type { CheckoutLaunch, CheckoutRequest, CheckoutReturn } from '../checkout.js'
import type { CardData, PaymentProvider, ProviderCapabilities, RefundAccount } from '../contract.js'
import type { FaultInjector } from '../simulator/faults.js'

/** What the simulator knows about a payment: the truth the suite checks the adapter against. */
export interface SimulatorPaymentState {
  amount: number
  cancelledAmount: number
  /** Cancel transactions the PG executed for this payment (a duplicate that was refused does not count). */
  cancelCount: number
}

/** One fresh adapter + simulator pair, built by the adapter's own test for each case. */
export interface ConformanceSetup {
  provider: PaymentProvider
  /** The simulator's fault injector (in process, also when the adapter talks to it over HTTP). */
  faults: FaultInjector
  /** A paid card payment. */
  seedCardPayment(input: { amount: number }): Promise<{ transactionId: string }>
  /** A virtual-account payment, deposited or still waiting. Needed when virtual accounts or refunds are capable. */
  seedVirtualAccountPayment?(input: {
    amount: number
    deposited: boolean
  }): Promise<{ transactionId: string }>
  /** A payment whose cancel needs a deposit first (post-deposit cancel). */
  seedSettledPayment?(input: { amount: number }): Promise<{ transactionId: string }>
  /** Makes the deposit a `deposit_required` cancel asked for, as the merchant would. */
  completeDeposit?(transactionId: string): Promise<void>
  /** Marks an issued virtual account as paid by the customer. */
  depositVirtualAccount?(transactionId: string): Promise<void>
  inspect(transactionId: string): Promise<SimulatorPaymentState>
  /** A card the simulator accepts for billing keys. */
  testCard?: CardData
  /** A refund account the simulator accepts. */
  refundAccount?: RefundAccount
  /**
   * A substring of the cancel call's path. Cases that spoil a cancel's answer aim their fault at it, so an adapter
   * that looks a payment up before cancelling (to know what a full cancel moves) gets the fault on the cancel.
   * Omitted: the fault lands on the next call, whatever it is.
   */
  cancelPath?: string
  /** The same adapter configured against an address where nothing listens. */
  unreachableProvider?: PaymentProvider
  /** The simulator's payment window, for the checkout cases (skipped without it). */
  checkout?: CheckoutConformance
  close?(): Promise<void>
}

/**
 * The one hook the checkout cases need beyond the adapter: a way to be the customer at the simulator's window,
 * and its count of approvals. Nothing else is PG-specific; the cases build their own CheckoutRequest (with a
 * `returnUrl` on an address nothing serves: the result is captured, never followed).
 */
export interface CheckoutConformance {
  /**
   * Opens the window `launch` leads to, over plain HTTP, presses the button with that accessible name, and
   * returns what the window then sent to `request.returnUrl`, as the host's return route would receive it
   * (method, raw body, query, headers). A form-post window: `pressWindowButton` from this package does it.
   */
  press(
    launch: CheckoutLaunch,
    request: CheckoutRequest,
    button: 'Approve' | 'Decline',
  ): Promise<CheckoutReturn>
  /** A substring of the approval call's path: the cases aim their faults at it. */
  approvePath: string
  /** Approvals the simulator executed for this PG transaction (two would be a double charge), and undos seen. */
  approvals(transactionId: string): Promise<{ approvals: number; undos: number }>
}

export interface ConformanceHarness {
  /** Shown in test names: 'nicepay (in-process)', 'bootpay v1 (http)', … */
  name: string
  setup(): Promise<ConformanceSetup>
  /** The read timeout the adapter was given: fault delays are made longer than it. Keep it short (≤ 500 ms). */
  timeoutMs: number
}

export interface ConformanceCase {
  name: string
  /** Returns why the case does not apply, or undefined when it does. */
  skip?(caps: ProviderCapabilities, setup: ConformanceSetup): string | undefined
  run(setup: ConformanceSetup, harness: ConformanceHarness): Promise<void>
}
