/**
 * The checkout part of the provider contract: the front half of a payment. A host (the gateway) stores the
 * order first, then asks the adapter what its checkout page must hold to open the PG's window; the PG's result
 * comes back through the customer's browser to the host's return URL; the adapter reads and verifies it
 * against the STORED order (never the browser's amount), and the host approves server-side. Every PG quirk
 * (signatures, hosts, encodings, the approval call, NicePay's network cancel) stays in the adapter.
 */
import type { Buyer, CallOptions } from './contract.js'

/** What a checkout can take. */
export type CheckoutMethod = 'card' | 'virtual_account'

export interface CheckoutRequest {
  /** The merchant's order id: unique per merchant, sent to the PG as its order number. */
  orderId: string
  amount: number
  taxFreeAmount?: number
  /** Shown in the PG's window (NicePay GoodsName, Bootpay order_name, CookiePay PRODUCTNAME). */
  orderName: string
  method: CheckoutMethod
  customer?: Buyer
  /**
   * The host's URL the PG's result is sent to, through the browser (a form POST or a redirect): absolute,
   * per checkout, unguessable. Whatever arrives there is read with `readCheckoutReturn`.
   */
  returnUrl: string
  /** Where the host's page goes when the customer closes the PG's window without a result. */
  closeUrl: string
  /** When the checkout stops being payable; a virtual account's deposit deadline is derived from it. */
  expiresAt: string
}

/** A form the checkout page holds: NicePay's script reads its fields and writes its result into it. */
export interface CheckoutForm {
  name: string
  action: string
  acceptCharset?: 'euc-kr' | 'utf-8'
  fields: Readonly<Record<string, string>>
}

/**
 * What the host's checkout page must hold to open the PG's window, in this order: the form (if any), the HTML
 * (if any, e.g. a window the PG rendered), the scripts, then `start`. Nothing here is a secret: it all reaches
 * the browser.
 */
export interface CheckoutLaunch {
  form?: CheckoutForm
  /** Markup the PG rendered for this checkout (CookiePay's pay/ready), placed in the page as it is. */
  html?: string
  /** Script URLs the page loads before `start`: the PG's own, or its simulator's stand-in. */
  scripts: readonly string[]
  /**
   * JavaScript run once the scripts are loaded: opens the window, and defines the globals the PG's script
   * calls back (NicePay's nicepaySubmit/nicepayClose). It navigates to `closeUrl` when the customer gives up.
   */
  start?: string
  /** Origins the page must be allowed to load scripts and frames from, post forms and connect to. */
  origins: readonly string[]
}

/** The PG's result as it reached the host's return URL. */
export interface CheckoutReturn {
  method: 'GET' | 'POST'
  /** The request body as received (a form post may be EUC-KR). */
  rawBody: Uint8Array
  query: Readonly<Record<string, string>>
  headers: Readonly<Record<string, string>>
}

/** The stored order the result must match: from the host's record, never from the browser. */
export interface CheckoutExpected {
  orderId: string
  amount: number
  method: CheckoutMethod
}

/**
 * What the adapter needs later to approve (or undo) this authentication: JSON-serialisable, stored by the host
 * (sealed: it may hold a one-time token). `transactionId` is the PG's id of the payment being approved.
 */
export interface CheckoutApproval {
  transactionId: string
  amount: number
  data: Readonly<Record<string, string>>
}

export type CheckoutResult =
  /** The customer authenticated for the stored order: approve it. */
  | { outcome: 'authenticated'; approval: CheckoutApproval }
  /** The customer declined or closed the window, or the PG refused the authentication: nothing was charged. */
  | { outcome: 'declined'; code: string; message: string; transactionId?: string }
  /**
   * Not a genuine result for this order (a bad signature, another amount or order, an approval host that is
   * not the PG's): no approval call may be made. `reason` names what did not match, never a secret.
   */
  | { outcome: 'refused'; reason: string }

/** A virtual account issued by a checkout, waiting for the customer's deposit. */
export interface CheckoutVirtualAccount {
  bankCode?: string
  bankName: string
  accountNumber: string
  holderName?: string
  dueDate?: string
}

/** The PG's answer to an approval, read and verified. */
export interface ApprovedCheckout {
  /** `waiting_for_deposit`: a virtual account was issued; the deposit arrives later (a notification). */
  status: 'paid' | 'waiting_for_deposit'
  transactionId: string
  /** What the PG says it approved: the host compares it with the stored order and undoes a mismatch. */
  amount: number
  method: CheckoutMethod
  paidAt?: string
  approvalNumber?: string
  cardName?: string
  virtualAccount?: CheckoutVirtualAccount
  /**
   * What the PG's notifications about the issued account will carry, where it signs nothing else (see
   * `VirtualAccountResult.notificationSecret`): the host keeps it sealed, never shows it.
   */
  notificationSecret?: string
  providerCode: string
  providerMessage: string
}

/** What undoing an approval did. */
export interface UndoneCheckout {
  /** `net_cancelled`: NicePay's network cancel; `cancelled`: an ordinary full cancel; `nothing_to_undo`: the PG has no approval. */
  status: 'net_cancelled' | 'cancelled' | 'nothing_to_undo'
  providerCode: string
  providerMessage: string
}

/** The checkout operations an adapter implements; `capabilities.checkoutMethods` says which methods. */
export interface CheckoutProvider {
  /**
   * What the checkout page must hold for this order. May call the PG (a non-money-moving call such as
   * CookiePay's pay/ready); throws `invalid_request` naming the field for what the PG cannot take.
   */
  startCheckout(request: CheckoutRequest, options?: CallOptions): Promise<CheckoutLaunch>
  /** Reads and verifies the PG's result against the stored order. May call the PG (CookiePay's ENC_DATA decrypt). */
  readCheckoutReturn(
    input: CheckoutReturn,
    expected: CheckoutExpected,
    options?: CallOptions,
  ): Promise<CheckoutResult>
  /**
   * Approves server-side (NicePay NextAppURL, Bootpay confirm) or, where the PG approved inside its window,
   * verifies with the PG's lookup (CookiePay paycert, Bootpay receipt). Money-moving: an answer that cannot be
   * read throws with outcome `unknown`; a definite refusal throws with outcome `rejected`.
   */
  approveCheckout(
    approval: CheckoutApproval,
    expected: CheckoutExpected,
    options?: CallOptions,
  ): Promise<ApprovedCheckout>
  /**
   * Undoes an approval: the network cancel where the PG has one (safe even when the approval's outcome is
   * unknown: `capabilities.checkoutNetCancel`), else a full cancel of an approval known to have happened (an
   * amount the host refuses). Throws like any money-moving call.
   */
  undoCheckout(approval: CheckoutApproval, reason: string, options?: CallOptions): Promise<UndoneCheckout>
}
