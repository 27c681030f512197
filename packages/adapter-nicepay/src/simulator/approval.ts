/**
 * The server side of the payment window (checkout.md §1.4, §1.5, §5): the approval at NextAppURL and the network
 * cancel at NetCancelURL, checking what NicePay checks, with settings for what the research could not settle
 * and for the failures a merchant must survive (the answer lost, slow, a refusal, a failing network cancel).
 */
import { consumeFault } from '@paymux/core/simulator'
import type { Context } from 'hono'
import type { Handler, SimContext } from './app.js'
import { SIM_BANKS } from './messages.js'
import { amount, type Fields, kst, message, pad12, refuse, requireFields, sign } from './protocol.js'
import type { SimAuth, SimPayment } from './state.js'

/** What happens to an approval's answer once it executed: the settings, per call. */
export type AfterAnswer = { kind: 'drop' } | { kind: 'delay'; ms: number }

const after = new WeakMap<Context, AfterAnswer>()

/** The approval's handler leaves this for the route, which spoils the answer after rendering it. */
export function afterAnswer(c: Context): AfterAnswer | undefined {
  return after.get(c)
}

/**
 * Counters across every TxTid, for tests asserting "exactly one": calls that reached the endpoint (any body),
 * and the ones that executed.
 */
export interface CheckoutCounts {
  approvalCalls: number
  approvals: number
  netCancelCalls: number
  netCancels: number
}

function issued(ctx: SimContext, auth: SimAuth, now: number): SimPayment['vbank'] {
  const bankCode = ctx.settings.windowVbankBankCode
  const exp = auth.vbankExpDate ?? kst(now + 7 * 86400_000).yyyyMMdd
  return {
    bankCode,
    bankName: SIM_BANKS[bankCode]?.name ?? bankCode,
    accountNumber: ctx.state.nextAccountNumber(bankCode),
    expDate: exp.slice(0, 8),
    expTime: exp.length === 12 ? `${exp.slice(8)}00` : '235959',
    deposited: false,
  }
}

/** pay_process.jsp: approves an authentication once, with the authenticated amount only. */
export function approval(ctx: SimContext): Handler {
  return (req, key, c) => {
    const f = req.fields
    requireFields(f, ['TID', 'AuthToken', 'Amt'])
    const auth = ctx.state.auths.get(f.TID!)
    if (!auth) return refuse('A210')
    auth.approvalCalls++
    if (auth.mid !== f.MID) refuse('A122')
    if (auth.authToken === undefined || auth.authToken !== f.AuthToken) refuse('A210')
    if (auth.approvals > 0) refuse(ctx.settings.duplicateApprovalCode)
    // The AuthToken is single-use: a refused or net-cancelled authentication cannot be approved later.
    if (auth.state !== 'authenticated') refuse('A210')
    const now = ctx.clock()
    if (now - auth.authenticatedAt! > ctx.settings.authValidityMs) {
      auth.state = 'failed'
      refuse('A245')
    }
    if (amount(f.Amt, 'A123') !== auth.amount) refuse('A123')
    const refusal = ctx.settings.approvalRefusalCode
    if (refusal) {
      auth.state = 'failed'
      refuse(refusal)
    }
    auth.state = 'approved'
    auth.approvals++
    auth.approvedAt = now
    ctx.checkout.approvals++
    const vbank = auth.payMethod === 'VBANK' ? issued(ctx, auth, now) : undefined
    ctx.state.usedTids.add(auth.txTid)
    ctx.state.payments.set(auth.txTid, {
      tid: auth.txTid,
      mid: auth.mid,
      method: vbank ? 'virtual_account' : 'card',
      amount: auth.amount,
      cancelledAmount: 0,
      orderId: auth.moid,
      goodsName: auth.goodsName,
      ...(auth.buyerName ? { buyerName: auth.buyerName } : {}),
      ...(auth.buyerEmail ? { buyerEmail: auth.buyerEmail } : {}),
      approvedAt: now,
      cancels: [],
      ...(vbank ? { vbank } : {}),
    })
    if (ctx.settings.approvalAnswerLost) after.set(c, { kind: 'drop' })
    else if (ctx.settings.approvalDelayMs > 0)
      after.set(c, { kind: 'delay', ms: ctx.settings.approvalDelayMs })
    const amt = pad12(auth.amount)
    const signedAmt = ctx.settings.approvalSignatureAmount === 'unpadded' ? String(auth.amount) : amt
    const signKey = consumeFault(c, 'bad_signature') ? `${key}x` : key
    const code = vbank ? '4100' : '3001'
    const answer: Fields = {
      ResultCode: code,
      ResultMsg: message(code),
      Amt: amt,
      MID: auth.mid,
      Moid: auth.moid,
      Signature: sign(auth.txTid, auth.mid, signedAmt, signKey),
      BuyerEmail: auth.buyerEmail ?? '',
      BuyerTel: auth.buyerTel ?? '',
      BuyerName: auth.buyerName ?? '',
      GoodsName: auth.goodsName,
      TID: auth.txTid,
      AuthCode: ctx.state.nextAuthCode(),
      AuthDate: kst(now).yyMMddHHmmss,
      PayMethod: auth.payMethod,
      MallReserved: f.MallReserved ?? '',
    }
    if (vbank) {
      return {
        ...answer,
        VbankBankCode: vbank.bankCode,
        VbankBankName: vbank.bankName,
        VbankNum: vbank.accountNumber,
        VbankExpDate: vbank.expDate,
        VbankExpTime: vbank.expTime,
      }
    }
    return {
      ...answer,
      CardCode: '06',
      CardName: '신한',
      CardNo: '53611234****1234',
      CardQuota: '00',
      CardInterest: '0',
      AcquCardCode: '06',
      AcquCardName: '신한',
      CardCl: '0',
      CcPartCl: '1',
      CardType: '01',
    }
  }
}

/**
 * cancel_process.jsp with NetCancel=1: undoes the approval of a TxTid whole, within the window, and answers like
 * a cancel (2001, CancelAmt, Signature over TID+MID+CancelAmt). A TxTid never approved has nothing to undo, and
 * its AuthToken is spent, so a late approval cannot follow.
 */
export function netCancel(ctx: SimContext): Handler {
  return (req, key, c) => {
    const f = req.fields
    requireFields(f, ['TID', 'AuthToken', 'Amt'])
    const auth = ctx.state.auths.get(f.TID!)
    if (auth) auth.netCancelCalls++
    const s = ctx.settings
    if (s.netCancelFailureCode) refuse(s.netCancelFailureCode)
    if (!auth || auth.authToken === undefined || auth.authToken !== f.AuthToken)
      refuse(s.netCancelNothingCode)
    if (auth!.mid !== f.MID) refuse('A122')
    if (amount(f.Amt, s.netCancelAmountCode) !== auth!.amount) refuse(s.netCancelAmountCode)
    if (auth!.state === 'authenticated') {
      auth!.state = 'net_cancelled'
      refuse(s.netCancelNothingCode)
    }
    if (auth!.state === 'net_cancelled' && auth!.netCancels > 0) refuse(s.alreadyCancelledCode)
    if (auth!.state !== 'approved') refuse(s.netCancelNothingCode)
    const p = ctx.state.payments.get(auth!.txTid)!
    const now = ctx.clock()
    if (p.cancelledAmount > 0) refuse(s.netCancelAfterPartialCode)
    if (now - auth!.approvedAt! > s.netCancelWindowMs) refuse('2020')
    p.netCancelled = true
    p.cancelledAmount = p.amount
    auth!.state = 'net_cancelled'
    auth!.netCancels++
    ctx.checkout.netCancels++
    const cancelAmt = pad12(p.amount)
    const signedAmt = s.signatureAmount === 'unpadded' ? String(p.amount) : cancelAmt
    const signKey = consumeFault(c, 'bad_signature') ? `${key}x` : key
    const t = kst(now)
    return {
      ResultCode: '2001',
      ResultMsg: message('2001'),
      CancelAmt: cancelAmt,
      MID: p.mid,
      Moid: p.orderId,
      ...(s.signCancelAnswers ? { Signature: sign(p.tid, p.mid, signedAmt, signKey) } : {}),
      PayMethod: p.method === 'card' ? 'CARD' : 'VBANK',
      TID: p.tid,
      CancelDate: t.yyyyMMdd,
      CancelTime: t.HHmmss,
      CancelNum: ctx.state.nextCancelNum(),
      RemainAmt: pad12(0),
    }
  }
}
