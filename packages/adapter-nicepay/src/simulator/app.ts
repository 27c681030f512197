import { createDecipheriv } from 'node:crypto'
import { kstParts } from '@paymux/core'
import { brokenConnection, consumeFault, type FaultInjector, faultMiddleware } from '@paymux/core/simulator'
import type { Context } from 'hono'
import { Hono } from 'hono'
import { SIM_BANKS } from './messages.js'
import { afterAnswer, approval, type CheckoutCounts, netCancel } from './approval.js'
import {
  amount,
  eucKrLen,
  type Fields,
  failure,
  kst,
  message,
  type ParsedRequest,
  pad12,
  parseRequest,
  Refusal,
  refuse,
  render,
  requireFields,
  sign,
} from './protocol.js'
import type { NicePaySimulatorSettings, SimMerchant } from './settings.js'
import type { SimPayment, SimState } from './state.js'

export interface SimContext {
  state: SimState
  faults: FaultInjector
  settings: NicePaySimulatorSettings
  merchants: Map<string, SimMerchant>
  clock: () => number
  /** Approval and network-cancel calls across every TxTid. */
  checkout: CheckoutCounts
}

export type Handler = (req: ParsedRequest, key: string, c: Context) => Fields

/** Byte limits NicePay applies (EUC-KR bytes for Korean fields), per the manual's parameter tables. */
const LIMITS: Readonly<Record<string, number>> = {
  TID: 30,
  MID: 10,
  Moid: 64,
  CancelAmt: 12,
  Amt: 12,
  CancelMsg: 100,
  GoodsName: 40,
  RefundAcctNo: 16,
  RefundBankCd: 3,
  RefundAcctNm: 10,
  BuyerName: 30,
  BuyerEmail: 60,
  BuyerTel: 20,
  VbankAccountName: 30,
  ReceiptTypeNo: 11,
  MallReserved: 500,
  BID: 30,
  EncData: 512,
}

/** TID rule checks NicePay applies to merchant-made TIDs (1651–1656). */
function checkTid(ctx: SimContext, tid: string, mid: string, svcCd: string, prdtCd: string): void {
  if (tid.length !== 30) refuse('1652')
  if (!tid.startsWith(mid)) refuse('1654')
  if (tid.slice(10, 12) !== svcCd) refuse('1655')
  if (tid.slice(12, 14) !== prdtCd) refuse('1656')
  const d = tid.slice(14, 26)
  const [MM, dd, HH, mi, ss] = [
    d.slice(2, 4),
    d.slice(4, 6),
    d.slice(6, 8),
    d.slice(8, 10),
    d.slice(10, 12),
  ].map(Number)
  if (!/^\d{12}$/.test(d) || MM! < 1 || MM! > 12 || dd! < 1 || dd! > 31 || HH! > 23 || mi! > 59 || ss! > 59)
    refuse('1653')
  if (!/^\d{4}$/.test(tid.slice(26))) refuse('1652')
  if (ctx.state.usedTids.has(tid)) refuse('1651')
}

/** A Moid the MID already used on this endpoint: refused only as far as the (invented) setting says. */
function refuseReusedOrderId(ctx: SimContext): void {
  if (ctx.settings.reusedOrderIdCode) refuse(ctx.settings.reusedOrderIdCode)
}

/**
 * cancel_process.jsp. Codes for a case the spec's failure table names (nicepay.md §4): 2012 no such TID, 2010
 * ≤ 0, 2011 amount mismatch, 2032 over the cancellable, 2045 partial issue-cancel, 2221 no refund account,
 * 2223 partial refund; the rest are settings. A122 (MID 불일치) for another merchant's TID, 2222 (성명조회 실패)
 * for an unusable refund account and 2029 for a partial cancel without the contract are picks among the
 * documented codes §4 lists for those cases.
 */
function cancel(ctx: SimContext): Handler {
  return (req, key, c) => {
    const f = req.fields
    requireFields(f, ['TID', 'Moid', 'CancelAmt', 'CancelMsg', 'PartialCancelCode'])
    const mid = f.MID!
    const p = ctx.state.payments.get(f.TID!)
    if (!p) return failure('2012', { TID: f.TID!, MID: mid })
    if (p.mid !== mid) return failure('A122', { TID: f.TID!, MID: mid })
    const amt = amount(f.CancelAmt, '2010')
    if (amt <= 0) refuse('2010')
    const partial = f.PartialCancelCode === '1'
    if (!partial && f.PartialCancelCode !== '0') refuse('A117', 'PartialCancelCode')
    const s = ctx.settings
    const remaining = p.amount - p.cancelledAmount
    const guarded = ctx.merchants.get(mid)?.cancelDuplicateGuard ?? s.cancelDuplicateGuard
    const replay = guarded && p.cancels.some((x) => x.moid === f.Moid)
    if (p.issueCancelled || remaining <= 0) refuse(s.alreadyCancelledCode)
    if (replay && s.duplicateGuardOrder === 'before-balance') refuse(s.duplicateMoidCode)
    let code = '2001'
    let refund: SimPayment['cancels'][number]['refundAccount']
    if (p.method === 'virtual_account' && !p.vbank?.deposited) {
      if (partial) refuse('2045')
      if (amt !== p.amount) refuse('2011')
      p.issueCancelled = true
    } else {
      if (p.method === 'virtual_account') {
        if (!f.RefundAcctNo?.trim() || !f.RefundBankCd?.trim() || !f.RefundAcctNm?.trim()) refuse('2221')
        if (!/^\d{1,16}$/.test(f.RefundAcctNo!) || !SIM_BANKS[f.RefundBankCd!]) refuse('2222')
        if (partial && !s.partialRefund) refuse('2223')
        refund = { bankCode: f.RefundBankCd!, accountNumber: f.RefundAcctNo!, holderName: f.RefundAcctNm! }
        code = s.vbankRefundCode
      } else if (partial && !s.partialCancel) refuse('2029')
      if (amt > remaining) refuse('2032')
      if (!partial && amt !== remaining) refuse('2011')
    }
    if (replay) refuse(s.duplicateMoidCode)
    const now = ctx.clock()
    const cancelNum = ctx.state.nextCancelNum()
    p.cancelledAmount += amt
    p.cancels.push({
      moid: f.Moid!,
      amount: amt,
      cancelNum,
      at: now,
      ...(refund ? { refundAccount: refund } : {}),
    })
    const cancelAmt = pad12(amt)
    const signedAmt = s.signatureAmount === 'unpadded' ? String(amt) : cancelAmt
    const signKey = consumeFault(c, 'bad_signature') ? `${key}x` : key
    const t = kst(now)
    return {
      ResultCode: code,
      ResultMsg: message(code),
      CancelAmt: cancelAmt,
      MID: mid,
      Moid: s.cancelAnswerMoid === 'order' ? p.orderId : f.Moid!,
      ...(s.signCancelAnswers ? { Signature: sign(p.tid, mid, signedAmt, signKey) } : {}),
      PayMethod: p.method === 'card' ? 'CARD' : 'VBANK',
      TID: p.tid,
      CancelDate: t.yyyyMMdd,
      CancelTime: t.HHmmss,
      CancelNum: cancelNum,
      RemainAmt: pad12(p.amount - p.cancelledAmount),
      MallReserved: f.MallReserved ?? '',
    }
  }
}

function vacount(ctx: SimContext): Handler {
  return (req) => {
    const f = req.fields
    requireFields(f, ['TID', 'Moid', 'Amt', 'GoodsName', 'CashReceiptType', 'BankCode', 'VbankExpDate'])
    const mid = f.MID!
    checkTid(ctx, f.TID!, mid, '03', '01')
    const amt = amount(f.Amt, 'A116')
    if (amt < 1) refuse('4141')
    const bank = SIM_BANKS[f.BankCode!]
    if (!bank?.vbank) refuse('4104', 'BankCode')
    if (!['0', '1', '2'].includes(f.CashReceiptType!)) refuse('A117', 'CashReceiptType')
    if (f.CashReceiptType !== '0') requireFields(f, ['ReceiptTypeNo'])
    if (f.VbankAccountName && !ctx.settings.vbankAccountName) refuse('4145')
    const exp = f.VbankExpDate!
    if (!/^(\d{8}|\d{12})$/.test(exp)) refuse('A106', 'VbankExpDate')
    const now = ctx.clock()
    const t = kst(now)
    if (exp.slice(0, 8) < t.yyyyMMdd) refuse('A108')
    const expTime = exp.length === 12 ? `${exp.slice(8)}00` : '235959'
    if (exp.slice(0, 8) === t.yyyyMMdd && expTime <= t.HHmmss) refuse('A107')
    const moidKey = `vacount:${mid}:${f.Moid}`
    if (ctx.state.usedMoids.has(moidKey)) refuseReusedOrderId(ctx)
    const accountNumber = ctx.state.nextAccountNumber(f.BankCode!)
    ctx.state.usedTids.add(f.TID!)
    ctx.state.usedMoids.add(moidKey)
    ctx.state.payments.set(f.TID!, {
      tid: f.TID!,
      mid,
      method: 'virtual_account',
      amount: amt,
      cancelledAmount: 0,
      orderId: f.Moid!,
      goodsName: f.GoodsName!,
      ...(f.BuyerName ? { buyerName: f.BuyerName } : {}),
      ...(f.BuyerEmail ? { buyerEmail: f.BuyerEmail } : {}),
      approvedAt: now,
      cancels: [],
      vbank: {
        bankCode: f.BankCode!,
        bankName: bank!.name,
        accountNumber,
        expDate: exp.slice(0, 8),
        expTime,
        ...(f.VbankAccountName ? { accountName: f.VbankAccountName } : {}),
        deposited: false,
      },
    })
    return {
      ResultCode: '4100',
      ResultMsg: message('4100'),
      TID: f.TID!,
      Moid: f.Moid!,
      Amt: pad12(amt),
      AuthDate: t.yyMMddHHmmss,
      VbankBankCode: f.BankCode!,
      VbankBankName: bank!.name,
      VbankNum: accountNumber,
      VbankExpDate: exp.slice(0, 8),
      VbankExpTime: expTime,
    }
  }
}

function luhn(digits: string): boolean {
  let sum = 0
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i])
    if (i % 2 === 1) {
      d *= 2
      if (d > 9) d -= 9
    }
    sum += d
  }
  return sum % 10 === 0
}

/** Cards the simulator declines at registration ("사용할 수 없는 카드"), for unhappy-path tests. */
export const SIM_DECLINED_CARDS = new Set(['4000000000000002'])

function billingRegist(ctx: SimContext): Handler {
  return (req, key) => {
    const f = req.fields
    requireFields(f, ['Moid', 'EncData'])
    const mid = f.MID!
    let plain: string
    try {
      if (!/^(?:[0-9a-fA-F]{32})+$/.test(f.EncData!)) throw new Error('hex')
      const d = createDecipheriv('aes-128-ecb', Buffer.from(key.slice(0, 16), 'latin1'), null)
      plain = Buffer.concat([d.update(Buffer.from(f.EncData!, 'hex')), d.final()]).toString('utf8')
    } catch {
      return refuse('A205', 'EncData')
    }
    const card = Object.fromEntries(new URLSearchParams(plain))
    const no = card.CardNo ?? ''
    if (!/^\d{14,16}$/.test(no) || !luhn(no)) refuse('F112')
    const yy = Number(card.ExpYear)
    const mm = Number(card.ExpMonth)
    const t = kstParts(ctx.clock())
    const nowYm = Number(t.yy) * 100 + Number(t.MM)
    if (!/^\d{2}$/.test(card.ExpYear ?? '') || !/^\d{2}$/.test(card.ExpMonth ?? '') || mm < 1 || mm > 12)
      refuse('F113')
    if (yy * 100 + mm < nowYm) refuse('F113')
    if (ctx.settings.requireIdNo && !/^(\d{6}|\d{10})$/.test(card.IDNo ?? '')) refuse('F113')
    if (SIM_DECLINED_CARDS.has(no)) refuse('F118')
    const moidKey = `regist:${mid}:${f.Moid}`
    if (ctx.state.usedMoids.has(moidKey)) refuseReusedOrderId(ctx)
    ctx.state.usedMoids.add(moidKey)
    const now = ctx.clock()
    const k = kst(now)
    let bid: string
    do bid = `BIKY${mid}${k.yyMMddHHmmss}${String(Math.floor(Math.random() * 10_000)).padStart(4, '0')}`
    while (ctx.state.billingKeys.has(bid))
    const tid = `${mid}0116${k.yyMMddHHmmss}${String(Math.floor(Math.random() * 10_000)).padStart(4, '0')}`
    ctx.state.usedTids.add(tid)
    ctx.state.billingKeys.set(bid, {
      bid,
      mid,
      cardMasked: `${no.slice(0, 8)}****${no.slice(-4)}`,
      cardCode: '02',
      cardName: 'KB국민',
      active: true,
      issuedAt: now,
    })
    return {
      ResultCode: 'F100',
      ResultMsg: message('F100'),
      TID: tid,
      BID: bid,
      AuthDate: k.yyyyMMdd,
      CardCode: '02',
      CardName: 'KB국민',
      CardCl: '0',
      AcquCardCode: '02',
      AcquCardName: 'KB국민',
    }
  }
}

function billingApprove(ctx: SimContext): Handler {
  return (req) => {
    const f = req.fields
    requireFields(f, ['BID', 'TID', 'Moid', 'Amt', 'GoodsName', 'CardInterest', 'CardQuota'])
    const mid = f.MID!
    checkTid(ctx, f.TID!, mid, '01', '16')
    const bk = ctx.state.billingKeys.get(f.BID!)
    if (!bk || bk.mid !== mid) refuse('A124')
    if (!bk!.active) refuse('A125')
    const amt = amount(f.Amt, '3041')
    if (amt < 1) refuse('3041')
    if (!/^[01]$/.test(f.CardInterest!)) refuse('A117', 'CardInterest')
    if (!/^\d{2}$/.test(f.CardQuota!)) refuse('A117', 'CardQuota')
    const moidKey = `approve:${mid}:${f.Moid}`
    if (ctx.state.usedMoids.has(moidKey)) refuseReusedOrderId(ctx)
    const now = ctx.clock()
    ctx.state.usedTids.add(f.TID!)
    ctx.state.usedMoids.add(moidKey)
    ctx.state.payments.set(f.TID!, {
      tid: f.TID!,
      mid,
      method: 'card',
      amount: amt,
      cancelledAmount: 0,
      orderId: f.Moid!,
      goodsName: f.GoodsName!,
      approvedAt: now,
      cancels: [],
      billingKey: bk!.bid,
    })
    return {
      ResultCode: '3001',
      ResultMsg: message('3001'),
      TID: f.TID!,
      Moid: f.Moid!,
      Amt: pad12(amt),
      AuthCode: ctx.state.nextAuthCode(),
      AuthDate: kst(now).yyMMddHHmmss,
      AcquCardCode: bk!.cardCode,
      AcquCardName: bk!.cardName,
      CardNo: bk!.cardMasked,
      CardCode: bk!.cardCode,
      CardName: bk!.cardName,
      CardQuota: f.CardQuota!,
      CardCl: '0',
      CcPartCl: '1',
      CardInterest: f.CardInterest!,
      MallReserved: f.MallReserved ?? '',
    }
  }
}

function billkeyRemove(ctx: SimContext): Handler {
  return (req) => {
    const f = req.fields
    requireFields(f, ['BID', 'Moid'])
    if (ctx.settings.billkeyRemoveRequiresAmt) {
      requireFields(f, ['Amt'])
      amount(f.Amt, 'A116')
    }
    const mid = f.MID!
    const bk = ctx.state.billingKeys.get(f.BID!)
    if (!bk) refuse('A124')
    if (bk!.mid !== mid) refuse('A255')
    if (!bk!.active) refuse('A126')
    bk!.active = false
    const k = kst(ctx.clock())
    return {
      ResultCode: 'F101',
      ResultMsg: message('F101'),
      TID: `${mid}0116${k.yyMMddHHmmss}${String(Math.floor(Math.random() * 10_000)).padStart(4, '0')}`,
      BID: bk!.bid,
      AuthDate: k.yyyyMMdd,
    }
  }
}

/**
 * inquery/trans_status.jsp (manual-status): a state, never amounts. Status 0 승인 / 1 취소 / 9 승인 거래 없음
 * (also for another merchant's TID: it has no approval for this MID). A virtual account is approved at its
 * deposit: before it, the answer is `transStatusUnpaidVbank`'s (invented, see the setting).
 */
function transStatus(ctx: SimContext): Handler {
  return (req) => {
    const f = req.fields
    requireFields(f, ['TID'])
    const p = ctx.state.payments.get(f.TID!)
    if (!p || p.mid !== f.MID)
      return { ResultCode: '0000', ResultMsg: message('0000'), TID: f.TID!, Status: '9' }
    const s = ctx.settings
    // An issued virtual account before its deposit: not approved yet (the answer is the invented setting's).
    if (p.method === 'virtual_account' && !p.issueCancelled && !p.vbank?.deposited) {
      return s.transStatusUnpaidVbank === 'status9'
        ? { ResultCode: '0000', ResultMsg: message('0000'), TID: p.tid, Status: '9' }
        : { ResultCode: '4109', ResultMsg: message('4109'), TID: p.tid }
    }
    const whole = p.issueCancelled || p.cancelledAmount >= p.amount
    const status = whole ? '1' : p.cancelledAmount > 0 ? s.transStatusAfterPartialCancel : '0'
    const answer: Fields = {
      ResultCode: '0000',
      ResultMsg: message('0000'),
      TID: p.tid,
      Status: status,
      AuthDate: kst(p.approvedAt).yyMMddHHmmss,
    }
    const last = p.cancels.at(-1)
    if (s.transStatusCancelDetail) {
      answer.StateCd = last ? '1' : '0'
      if (last) {
        answer.CancelDate = kst(last.at).yyyyMMdd
        answer.CancelMOID = last.moid
      }
    }
    return answer
  }
}

/** The SignData formula of each endpoint, straight from the manual's parameter tables. */
const SIGNED: Record<string, (f: Fields, key: string) => string> = {
  cancel: (f, k) => sign(f.MID!, f.CancelAmt!, f.EdiDate!, k),
  vacount: (f, k) => sign(f.MID!, f.Amt!, f.EdiDate!, f.Moid!, k),
  billingRegist: (f, k) => sign(f.MID!, f.EdiDate!, f.Moid!, k),
  billingApprove: (f, k) => sign(f.MID!, f.EdiDate!, f.Moid!, f.Amt!, f.BID!, k),
  billkeyRemove: (f, k) => sign(f.MID!, f.EdiDate!, f.Moid!, f.BID!, k),
  transStatus: (f, k) => sign(f.TID ?? '', f.MID!, f.EdiDate!, k),
  // The window's approval, and the network cancel that resends it (checkout.md §1.4, §1.5).
  approval: (f, k) => sign(f.AuthToken ?? '', f.MID!, f.Amt ?? '', f.EdiDate!, k),
  netCancel: (f, k) => sign(f.AuthToken ?? '', f.MID!, f.Amt ?? '', f.EdiDate!, k),
}

function endpoint(ctx: SimContext, name: keyof typeof SIGNED, handler: Handler) {
  return async (c: Context) => {
    const body = new Uint8Array(await c.req.arrayBuffer())
    const parsed = parseRequest(body, ctx.settings.strictEucKr)
    const fallback = { charset: 'euc-kr', ediType: 'JSON' } as const
    if (!parsed.ok) return render(c, fallback, failure(parsed.code, {}, parsed.why))
    const req = parsed.req
    const misEncode = consumeFault(c, 'mis_encoded')
    const f = req.fields
    const echo: Fields = {}
    for (const k of ['TID', 'MID', 'Moid', 'BID'] as const) if (f[k]) echo[k] = f[k]!
    try {
      requireFields(f, ['MID', 'EdiDate', 'SignData'])
      const merchant = ctx.merchants.get(f.MID!)
      if (!merchant) refuse('A114')
      if (!/^\d{14}$/.test(f.EdiDate!)) refuse('A106', 'EdiDate')
      if (SIGNED[name]!(f, merchant!.merchantKey) !== f.SignData!.toLowerCase()) refuse('A101')
      for (const [field, max] of Object.entries(LIMITS)) {
        if (f[field] !== undefined && eucKrLen(f[field]!) > max) refuse('A147', field)
      }
      return render(c, req, handler(req, merchant!.merchantKey, c), { misEncode })
    } catch (err) {
      if (!(err instanceof Refusal)) throw err
      return render(c, req, failure(err.code, echo, err.detail), { misEncode })
    }
  }
}

/** NicePay's server-to-server endpoints on their real paths. */
export function protocolRoutes(ctx: SimContext): Hono {
  const app = new Hono()
  app.use('/webapi/*', faultMiddleware(ctx.faults))
  const cancelEndpoint = endpoint(ctx, 'cancel', cancel(ctx))
  const netCancelEndpoint = endpoint(ctx, 'netCancel', netCancel(ctx))
  // One URL for both, as at NicePay: NetCancel=1 makes a cancel_process call the window's network cancel.
  app.post('/webapi/cancel_process.jsp', async (c) => {
    const body = new Uint8Array(await c.req.arrayBuffer())
    if (!/(?:^|&)NetCancel=1(?:&|$)/.test(new TextDecoder('latin1').decode(body))) return cancelEndpoint(c)
    ctx.checkout.netCancelCalls++
    return netCancelEndpoint(c)
  })
  const approvalEndpoint = endpoint(ctx, 'approval', approval(ctx))
  app.post('/webapi/pay_process.jsp', async (c) => {
    ctx.checkout.approvalCalls++
    const res = await approvalEndpoint(c)
    const spoil = afterAnswer(c)
    // The approval executed and its answer never comes.
    if (spoil?.kind === 'drop') return brokenConnection(c)
    if (spoil?.kind === 'delay') await new Promise((r) => setTimeout(r, spoil.ms))
    return res
  })
  app.post('/webapi/get_vacount.jsp', endpoint(ctx, 'vacount', vacount(ctx)))
  app.post('/webapi/billing/billing_regist.jsp', endpoint(ctx, 'billingRegist', billingRegist(ctx)))
  app.post('/webapi/billing/billing_approve.jsp', endpoint(ctx, 'billingApprove', billingApprove(ctx)))
  app.post('/webapi/billing/billkey_remove.jsp', endpoint(ctx, 'billkeyRemove', billkeyRemove(ctx)))
  app.post('/webapi/inquery/trans_status.jsp', endpoint(ctx, 'transStatus', transStatus(ctx)))
  return app
}
