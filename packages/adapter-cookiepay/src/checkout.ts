import {
  type ApprovedCheckout,
  type CallOptions,
  type CancelRequest,
  type CancelResult,
  type CheckoutApproval,
  type CheckoutExpected,
  type CheckoutLaunch,
  type CheckoutRequest,
  type CheckoutResult,
  type CheckoutReturn,
  isPaymentError,
  PaymentError,
  type UndoneCheckout,
} from '@paymux/core'
import { errorForAnswer, SUCCESS } from './codes.js'
import { approvedFromPaycert, refusedApproval, unknownApproval } from './transformers/checkout-approval.js'
import { readReadyAnswer, toReadyFields } from './transformers/checkout-request.js'
import { DECRYPTED_KEPT, returnFields } from './transformers/checkout-return.js'
import type { CookiePayClient } from './transport.js'
import { type Answer, Fields, readAnswer } from './wire.js'

export interface CheckoutDeps {
  client: CookiePayClient
  apiId: string
  apiKey: string
  /** Origins the window may load from: CookiePay's host (or its simulator's) plus configured ones. */
  origins: readonly string[]
  clock: () => number
  verifyDelaysMs: readonly number[]
  graceMs: number
  buyerNameFallback: string
  bankCodes: Readonly<Record<string, string>>
  cancel(req: CancelRequest, options?: CallOptions): Promise<CancelResult>
}

const TID = /^[\x21-\x7e]{1,50}$/
/** The cancel API takes a reason of at most 50 characters. */
const REASON_CHARS = 50

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason)
    const t = setTimeout(resolve, ms)
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(t)
        reject(signal.reason)
      },
      { once: true },
    )
  })
}

/**
 * CookiePay's checkout: the PG approves inside its own window, so the merchant's part is to open the window
 * (server-side pay/ready, the key never in the browser), read the result the browser posts back, and then
 * verify with paycert — the only proof there is — before the payment counts as paid. An approval the host
 * refuses is undone with an ordinary full cancel: CookiePay has no network cancel.
 */
export class CookiePayCheckout {
  readonly #d: CheckoutDeps

  constructor(deps: CheckoutDeps) {
    this.#d = deps
  }

  async start(req: CheckoutRequest, options?: CallOptions): Promise<CheckoutLaunch> {
    const fields = toReadyFields(req, this.#d.apiId, this.#d.buyerNameFallback)
    const res = await this.#d.client.postWithApiKey(
      {
        operation: 'pay/ready',
        path: '/pay/ready',
        body: new URLSearchParams(fields).toString(),
        contentType: 'application/x-www-form-urlencoded; charset=utf-8',
        accept: 'text/html, application/json',
      },
      options,
    )
    const html = readReadyAnswer(res, [this.#d.apiKey])
    return { html, scripts: [], origins: this.#d.origins }
  }

  /**
   * The browser's post is a claim: whatever it says (amount, order, even the result code) is kept only as
   * a claim, and only paycert decides. A success result is therefore `authenticated` whatever AMOUNT it
   * shows — CookiePay has already charged, and only `approveCheckout` can tell the host what to undo. What is
   * not a CookiePay result for this order is `refused` and ends nothing: no result fields (a stray navigation to
   * the return URL), a result code without the message every result carries, or another order's ORDERNO.
   */
  async readReturn(
    input: CheckoutReturn,
    expected: CheckoutExpected,
    options?: CallOptions,
  ): Promise<CheckoutResult> {
    const outer = returnFields(input)
    const code = outer.get('RESULTCODE')
    if (!code) return { outcome: 'refused', reason: 'the request carries no CookiePay result (RESULTCODE)' }
    // Both of CookiePay's result shapes (plain and ENC_DATA) carry RESULTMSG next to RESULTCODE [VENDOR, 3P].
    if (!outer.has('RESULTMSG')) return { outcome: 'refused', reason: 'RESULTCODE without RESULTMSG' }
    const otherOrder = (f: Fields) => {
      const orderNo = f.get('ORDERNO')
      return orderNo !== undefined && orderNo !== expected.orderId
    }
    const message = outer.get('RESULTMSG') ?? ''
    if (code !== SUCCESS) {
      if (otherOrder(outer)) return { outcome: 'refused', reason: 'a result for another order (ORDERNO)' }
      const tid = outer.get('TID')
      return {
        outcome: 'declined',
        code,
        message: message || 'CookiePay did not complete the payment',
        ...(tid && TID.test(tid) ? { transactionId: tid } : {}),
      }
    }
    const enc = outer.get('ENC_DATA')
    const fields = enc ? await this.#decrypt(enc, options) : outer
    // Another order's payment is that order's to settle (its return, its Noti); this checkout ends on nothing.
    if (otherOrder(fields)) return { outcome: 'refused', reason: 'a result for another order (ORDERNO)' }
    const tid = fields.get('TID')
    if (!tid) return { outcome: 'refused', reason: 'RESULTCODE 0000 without a TID' }
    if (!TID.test(tid)) return { outcome: 'refused', reason: 'the TID is not a CookiePay TID' }
    const data: Record<string, string> = {
      source: enc ? 'decrypted' : 'plain',
      readAt: String(this.#d.clock()),
    }
    const claimedAmount = fields.get('AMOUNT')
    const claimedOrder = fields.get('ORDERNO')
    const claimedMethod = fields.get('PAY_METHOD', 'PAYMETHOD')
    if (claimedAmount) data.claimedAmount = claimedAmount
    if (claimedOrder) data.claimedOrderNo = claimedOrder
    if (claimedMethod) data.claimedPayMethod = claimedMethod
    if (enc) {
      for (const k of DECRYPTED_KEPT) {
        const v = fields.get(k)
        if (v) data[`decrypted.${k}`] = v
      }
    }
    return { outcome: 'authenticated', approval: { transactionId: tid, amount: expected.amount, data } }
  }

  /** `/EdiAuth/cookiepay_edi_decrypt`: ApiKey only, `{API_ID, ENC_DATA}` → `decryptData` (research §7.7). */
  async #decrypt(encData: string, options?: CallOptions): Promise<Fields> {
    let a: Answer
    try {
      const res = await this.#d.client.postWithApiKey(
        {
          operation: 'decrypt',
          path: '/EdiAuth/cookiepay_edi_decrypt',
          body: JSON.stringify({ API_ID: this.#d.apiId, ENC_DATA: encData }),
          contentType: 'application/json; charset=utf-8',
          accept: 'application/json',
        },
        options,
      )
      a = readAnswer(res, 'decrypt', true)
    } catch (err) {
      // CookiePay has charged when it posts 0000: a result that cannot be read now stays open for the Noti.
      throw unknownApproval('the ENC_DATA result could not be decrypted', err)
    }
    if (a.code !== SUCCESS) {
      throw unknownApproval(`CookiePay did not decrypt the result`, errorForAnswer(a.code, a.message, true))
    }
    const raw = a.fields.raw.decryptData ?? a.fields.raw.decryptdata
    let data: unknown = raw
    if (typeof raw === 'string') {
      try {
        data = JSON.parse(raw)
      } catch {
        data = undefined
      }
    }
    if (typeof data !== 'object' || data === null || Array.isArray(data)) {
      throw unknownApproval('the decrypt answer has no decryptData object')
    }
    return new Fields(data as Record<string, unknown>)
  }

  async approve(
    approval: CheckoutApproval,
    expected: CheckoutExpected,
    options?: CallOptions,
  ): Promise<ApprovedCheckout> {
    const tid = approval.transactionId
    if (typeof tid !== 'string' || !TID.test(tid)) {
      throw refusedApproval('transaction_not_found', 'the TID is not a CookiePay TID')
    }
    const delays = this.#d.verifyDelaysMs
    for (let attempt = 0; ; attempt++) {
      const a = await this.#paycert(tid, options)
      if (a.code === SUCCESS) {
        return approvedFromPaycert(a, approval, expected, this.#d.bankCodes, this.#d.clock())
      }
      const err = errorForAnswer(a.code, a.message, true)
      // Only "no such payment" is worth asking again: paycert may lag the window (research §3.3, §6).
      if (err.code !== 'transaction_not_found') {
        throw unknownApproval(`paycert answered ${a.code} ${a.message}`.trim(), err)
      }
      if (attempt >= delays.length) break
      await sleep(delays[attempt]!, options?.signal)
    }
    // Still unknown to CookiePay. Soon after the window that is lag; long after it, a TID CookiePay never had.
    const readAt = Number(approval.data.readAt)
    if (Number.isFinite(readAt) && this.#d.clock() - readAt >= this.#d.graceMs) {
      throw refusedApproval(
        'transaction_not_found',
        `CookiePay has no payment ${tid}, ${Math.round((this.#d.clock() - readAt) / 1000)} s after the window's result`,
      )
    }
    throw new PaymentError({
      code: 'transaction_not_found',
      outcome: 'unknown',
      provider: 'cookiepay',
      message: `cookiepay checkout: paycert does not show payment ${tid} yet; verify it again later`,
    })
  }

  async #paycert(tid: string, options?: CallOptions): Promise<Answer> {
    try {
      // Marked money-moving so that any answer not read as CookiePay's decision stays unknown.
      return await this.#d.client.call(
        { operation: 'paycert', path: '/api/paycert', body: { tid }, moneyMoving: true, apiKeyHeader: true },
        options,
      )
    } catch (err) {
      throw unknownApproval('paycert could not be read', err)
    }
  }

  async undo(approval: CheckoutApproval, reason: string, options?: CallOptions): Promise<UndoneCheckout> {
    const tid = approval.transactionId
    try {
      const r = await this.#d.cancel(
        {
          transactionId: tid,
          reason: [...(reason.trim() || 'checkout refused')].slice(0, REASON_CHARS).join(''),
          cancelId: `checkout-undo:${tid}`,
        },
        options,
      )
      if (r.status !== 'cancelled') {
        // A payment paid out already (9029) is past what an undo of a fresh approval can do.
        throw new PaymentError({
          code: 'provider_rejected',
          provider: 'cookiepay',
          providerCode: r.providerCode,
          message:
            'cookiepay checkout: CookiePay cancels this payment only after a deposit; it was not undone',
        })
      }
      return { status: 'cancelled', providerCode: r.providerCode, providerMessage: r.providerMessage }
    } catch (err) {
      if (isPaymentError(err) && err.outcome === 'rejected') {
        if (err.code === 'already_cancelled' || err.code === 'transaction_not_found') {
          return {
            status: 'nothing_to_undo',
            providerCode: err.providerCode ?? err.code,
            providerMessage: err.providerMessage ?? err.message,
          }
        }
      }
      throw err
    }
  }
}
