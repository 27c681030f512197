import { PaymentError, type UndoneCheckout } from '@paymux/core'
import { NET_CANCEL_UNPROVEN, nicepayError, SUCCESS } from '../codes.js'
import { signData } from '../crypto.js'
import type { NicePayAnswer } from '../wire.js'
import { amountSignatureMatches, badSignature } from './cancel.js'
import { approvalForm } from './checkout-approval.js'
import type { NicePayApprovalData } from './checkout-return.js'
import { amountOf, type FormPairs, optional, requireEcho } from './common.js'

/**
 * The network cancel (망취소, checkout.md §1.5): the approval's body unchanged plus NetCancel=1, posted to
 * NetCancelURL — what NicePay's JSP, Node and PHP samples send. It is safe whether or not the approval executed.
 */
export function netCancelForm(
  tid: string,
  amt: number,
  d: NicePayApprovalData,
  merchantKey: string,
): FormPairs {
  return [...approvalForm(tid, amt, d, merchantKey), ['NetCancel', '1']]
}

/**
 * The answer is a cancel answer (nicepay.md §4): 2001 with CancelAmt and a Signature over TID+MID+CancelAmt.
 * Seed 000 marks CancelAmt and MID 필수: both must be there and be the approval's whole amount and our MID —
 * a network cancel undoes the approval whole, so less is not "undone". Its Moid (also 필수) is not compared:
 * the network cancel sends none, so there is nothing it must echo.
 * 2012/2013/2015 are unknown, not "nothing to undo": reading them so is an inference no source backs
 * (`NET_CANCEL_UNPROVEN`), and a wrong guess leaves a charge nobody undoes. Any other code is a refusal by the
 * table (2020: the net-cancel window has passed — the host must cancel instead).
 */
export function undoneCheckout(
  answer: NicePayAnswer,
  ctx: { tid: string; amount: number; mid: string; merchantKey: string; requireSignature: boolean },
): UndoneCheckout {
  const code = answer.ResultCode!
  const said = { providerCode: code, providerMessage: answer.ResultMsg ?? '' }
  if (NET_CANCEL_UNPROVEN.has(code)) throw unproven(code, answer.ResultMsg ?? '')
  if (!SUCCESS.netCancel.has(code)) throw nicepayError(code, answer.ResultMsg ?? '')
  requireEcho(answer, 'MID', [ctx.mid], 'network cancel')
  const answeredTid = optional(answer, 'TID')
  if (answeredTid !== undefined && answeredTid !== ctx.tid)
    throw unmatched(`names another TID (${answeredTid})`)
  if (answer.Signature?.trim()) {
    const ok = amountSignatureMatches(
      answer,
      'CancelAmt',
      signData.cancelResponse,
      ctx.tid,
      ctx.mid,
      ctx.merchantKey,
    )
    if (!ok) throw badSignature('network cancel answer')
  } else if (ctx.requireSignature || answeredTid === undefined) {
    // Unsigned, it must at least name this TID, as for an ordinary cancel (cancel.ts, checkCancelAnswer).
    throw badSignature('network cancel answer')
  }
  if (amountOf(answer, 'CancelAmt', true) !== ctx.amount) {
    throw unmatched(`reports cancelling another amount than ${ctx.amount} won`)
  }
  return { status: 'net_cancelled', ...said }
}

function unmatched(why: string): PaymentError {
  return new PaymentError({
    code: 'invalid_response',
    outcome: 'unknown',
    provider: 'nicepay',
    message: `nicepay's network cancel answer ${why}; the outcome is unknown`,
  })
}

function unproven(code: string, msg: string): PaymentError {
  const refusal = nicepayError(code, msg)
  return new PaymentError({
    code: refusal.code,
    outcome: 'unknown',
    retryable: false,
    provider: 'nicepay',
    providerCode: code,
    providerMessage: msg,
    message: `nicepay answered the network cancel with ${code} (${msg}); that does not prove whether the approval executed, so the outcome is unknown: settle it with a lookup`,
  })
}
