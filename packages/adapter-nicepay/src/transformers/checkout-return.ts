import { type CheckoutExpected, type CheckoutResult, type CheckoutReturn, kstCompact } from '@paymux/core'
import { APPROVAL_PATH, approvalUrlProblem, NET_CANCEL_PATH } from '../checkout-hosts.js'
import { SUCCESS } from '../codes.js'
import { sameHex, signData } from '../crypto.js'
import { parseForm } from '../encoding.js'
import { PAY_METHOD } from './checkout-window.js'

/** What `approveCheckout` and `undoCheckout` need, kept by the host between the result and the approval. */
export interface NicePayApprovalData {
  authToken: string
  mid: string
  payMethod: string
  nextAppUrl: string
  netCancelUrl: string
  /**
   * EdiDate of the approval, fixed when the result is read: the network cancel resends the approval's body
   * unchanged plus NetCancel=1, as NicePay's JSP, Node and PHP samples do (checkout.md §1.5).
   */
  ediDate: string
}

const TID = /^[A-Za-z0-9]{30}$/
const AUTH_TOKEN = /^[\x21-\x7e]{1,40}$/

/**
 * The auth result's fields. NicePay posts a form in the CharSet it was asked for (EUC-KR by default), and a PC
 * browser re-encodes it by the merchant form's charset: every field checked here is ASCII, so the body is read
 * as UTF-8 or CP949, whichever it is, and only AuthResultMsg could suffer from a wrong guess.
 */
function resultFields(input: CheckoutReturn): Record<string, string> {
  const fromBody = input.method === 'POST' && input.rawBody.length > 0 ? parseForm(input.rawBody, 'auto') : {}
  return { ...input.query, ...fromBody }
}

const refused = (reason: string): CheckoutResult => ({ outcome: 'refused', reason })

/**
 * The checks of checkout.md §1.3, in its order. Everything arrived through the browser; only the Signature
 * (which binds AuthToken, MID and Amt) and the stored order are trusted, and the approval hosts are checked
 * because the AuthToken will be sent to whatever NextAppURL says.
 */
export function readAuthResult(
  input: CheckoutReturn,
  expected: CheckoutExpected,
  ctx: { mid: string; merchantKey: string; approvalOrigins: readonly string[]; now: number },
): CheckoutResult {
  const f = resultFields(input)
  const code = f.AuthResultCode?.trim()
  if (!code) return refused('the request carries no NicePay auth result (AuthResultCode)')
  if (!SUCCESS.windowAuthenticated.has(code)) {
    const tid = f.TxTid?.trim()
    return {
      outcome: 'declined',
      code,
      message: f.AuthResultMsg?.trim() || 'NicePay did not authenticate the payment',
      ...(tid && TID.test(tid) ? { transactionId: tid } : {}),
    }
  }
  if (f.MID !== ctx.mid) return refused("the result names another merchant's MID")
  if (f.Moid !== expected.orderId) return refused('the result names another order (Moid)')
  if (!/^\d{1,12}$/.test(f.Amt ?? '') || Number(f.Amt) !== expected.amount) {
    return refused('the result names another amount than the order (Amt)')
  }
  if (f.PayMethod !== undefined && f.PayMethod !== PAY_METHOD[expected.method]) {
    return refused('the result names another payment method than the order (PayMethod)')
  }
  const authToken = f.AuthToken ?? ''
  const tid = f.TxTid ?? ''
  if (!AUTH_TOKEN.test(authToken)) return refused('the result carries no usable AuthToken')
  if (!TID.test(tid)) return refused('the result carries no usable TxTid')
  const signature = f.Signature?.trim()
  if (!signature) return refused('the result carries no Signature')
  // Over the STORED amount: a result for another amount can never verify.
  const wanted = signData.authResult(authToken, ctx.mid, String(expected.amount), ctx.merchantKey)
  if (!sameHex(signature, wanted)) return refused('the Signature does not verify')
  const nextProblem = approvalUrlProblem(f.NextAppURL, APPROVAL_PATH, ctx.approvalOrigins)
  if (nextProblem) return refused(`NextAppURL ${nextProblem}`)
  const cancelProblem = approvalUrlProblem(f.NetCancelURL, NET_CANCEL_PATH, ctx.approvalOrigins)
  if (cancelProblem) return refused(`NetCancelURL ${cancelProblem}`)
  const data: NicePayApprovalData = {
    authToken,
    mid: ctx.mid,
    payMethod: PAY_METHOD[expected.method],
    nextAppUrl: f.NextAppURL!,
    netCancelUrl: f.NetCancelURL!,
    ediDate: kstCompact(ctx.now),
  }
  return {
    outcome: 'authenticated',
    approval: { transactionId: tid, amount: expected.amount, data: { ...data } },
  }
}

/** The approval data back from the host's store, checked again: it is the host's, but it once was the browser's. */
export function approvalData(
  data: Readonly<Record<string, string>>,
  approvalOrigins: readonly string[],
): NicePayApprovalData | string {
  const { authToken, mid, payMethod, nextAppUrl, netCancelUrl, ediDate } = data
  if (!authToken || !AUTH_TOKEN.test(authToken)) return 'authToken'
  if (!mid || !payMethod || !ediDate || !/^\d{14}$/.test(ediDate)) return 'mid, payMethod or ediDate'
  if (approvalUrlProblem(nextAppUrl, APPROVAL_PATH, approvalOrigins)) return 'nextAppUrl'
  if (approvalUrlProblem(netCancelUrl, NET_CANCEL_PATH, approvalOrigins)) return 'netCancelUrl'
  return { authToken, mid, payMethod, nextAppUrl: nextAppUrl!, netCancelUrl: netCancelUrl!, ediDate }
}

export function isTxTid(value: string): boolean {
  return TID.test(value)
}
