import { randomBytes } from 'node:crypto'
import type { Context, Hono } from 'hono'
import type { ResolvedSettings, SimError } from './settings.js'
import type { SimPayment, SimState } from './state.js'
import { resultPage, windowFragment } from './window.js'

/** One pay/ready: the window it opened and what became of it. */
export interface SimReady {
  id: string
  apiId: string
  orderNo: string
  amount: number
  productName: string
  buyerName: string
  buyerEmail: string
  buyerPhone: string
  payMethod: 'CARD' | 'VACCT'
  returnUrl: string
  closeUrl: string | undefined
  status: 'open' | 'approved' | 'declined'
  tid?: string
  /** The result as posted, kept so a second click re-posts it instead of paying twice. */
  result?: Record<string, string>
}

/** Counts across the window, for tests and `/__sim/stats`. */
export interface CheckoutStats {
  readyCalls: number
  windowsOpened: number
  approvals: number
  declines: number
  refusals: number
  returnPosts: number
  decrypts: number
  approvalNotisSent: number
  approvalNotisLost: number
}

export class CheckoutStore {
  readonly readies = new Map<string, SimReady>()
  /** ENC_DATA → what it decrypts to, for the 연동 ID it was issued to: opaque to everyone but the simulator. */
  readonly encrypted = new Map<string, { apiId: string; data: Record<string, string> }>()
  readonly stats: CheckoutStats = {
    readyCalls: 0,
    windowsOpened: 0,
    approvals: 0,
    declines: 0,
    refusals: 0,
    returnPosts: 0,
    decrypts: 0,
    approvalNotisSent: 0,
    approvalNotisLost: 0,
  }
}

export interface CheckoutDeps {
  settings: ResolvedSettings
  state: SimState
  store: CheckoutStore
  /** Sends the approval Noti of a window payment when a notify URL is set; whether it was delivered. */
  sendApprovalNoti(p: SimPayment): Promise<boolean | undefined>
}

/** pay/ready errors [INF except E004, which integrators saw for a missing HOMEURL]. */
const REQUIRED: ReadonlyArray<readonly [string, string]> = [
  ['API_ID', 'E001'],
  ['ORDERNO', 'E005'],
  ['PRODUCTNAME', 'E006'],
  ['AMOUNT', 'E007'],
  ['BUYERNAME', 'E009'],
  ['RETURNURL', 'E010'],
  ['HOMEURL', 'E004'],
]
const MAX_CHARS: Readonly<Record<string, number>> = {
  ORDERNO: 50,
  PRODUCTNAME: 40,
  BUYERNAME: 20,
  BUYEREMAIL: 50,
  BUYERPHONE: 20,
}
const PAY_METHODS = new Set(['CARD', 'VACCT', 'BANK', 'MOBILE', 'KAKAOPAY', 'NAVERPAY'])

/** A pay/ready body: form-urlencoded (CookiePay's plugin) or JSON (its C# sample). */
async function readyBody(c: Context): Promise<Record<string, string>> {
  const text = await c.req.text()
  if (text.trim().startsWith('{')) {
    try {
      const v = JSON.parse(text) as unknown
      if (typeof v !== 'object' || v === null || Array.isArray(v)) return {}
      return Object.fromEntries(
        Object.entries(v as Record<string, unknown>).map(([k, x]) => [
          k,
          typeof x === 'string' ? x : typeof x === 'number' ? String(x) : '',
        ]),
      )
    } catch {
      return {}
    }
  }
  return Object.fromEntries(new URLSearchParams(text))
}

const isHttpUrl = (u: string) => URL.canParse(u) && /^https?:$/.test(new URL(u).protocol)

/** The window's result fields: plain (research §7.1, CookiePay's C# `ResponseVo`) and the decrypted shape (§7.7). */
function plainResult(p: SimPayment, postedAmount: number): Record<string, string> {
  const va = p.va
  return {
    RESULTCODE: '0000',
    RESULTMSG: '성공',
    ORDERNO: p.orderNo,
    AMOUNT: String(postedAmount),
    TID: p.tid,
    ACCEPTDATE: p.acceptDate,
    ACCEPTNO: p.acceptNo,
    CASH_BILL_NO: '',
    CARDNAME: va ? va.bankName : '신한',
    ACCOUNTNO: va?.accountNo ?? '',
    RECEIVERNAME: va?.receiver ?? '',
    DEPOSITENDDATE: va?.depositEndDate ?? '',
    CARDCODE: va ? va.bankCode : '',
    QUOTA: va ? '' : '00',
    ETC1: '',
    ETC2: '',
    ETC3: '',
    ETC4: '',
    ETC5: '',
  }
}

function decryptedResult(p: SimPayment, buyerPhone: string): Record<string, string> {
  const va = p.va
  return {
    RESULTCODE: '0000',
    RESULTMSG: '성공',
    PAY_METHOD: p.payMethod,
    ORDERNO: p.orderNo,
    AMOUNT: String(p.amount),
    TID: p.tid,
    ACCEPT_NO: p.acceptNo,
    ACCEPT_DATE: p.acceptDate,
    BUYERNAME: p.buyerName,
    BUYERPHONE: buyerPhone,
    CARDCODE: va ? va.bankCode : '',
    CARDNAME: va ? va.bankName : '신한',
    CARDNO: va ? '' : '**000111',
    QUOTA: va ? '' : '00',
    ACCOUNTNO: va?.accountNo ?? '',
    RECEIVERNAME: va?.receiver ?? '',
    DEPOSITENDDATE: va?.depositEndDate ?? '',
    ETC1: '',
    ETC2: '',
    ETC3: '',
    ETC4: '',
    ETC5: '',
  }
}

/** The approval Noti of a window card payment (a virtual account's comes with the deposit), counted. */
async function sendWindowNoti(d: CheckoutDeps, p: SimPayment): Promise<boolean | undefined> {
  if (p.method !== 'card' || !p.checkout) return undefined
  if (d.settings.approvalNotiLost) {
    p.checkout.approvalNotisLost++
    d.store.stats.approvalNotisLost++
    return false
  }
  const delivered = await d.sendApprovalNoti(p)
  if (delivered !== undefined) {
    p.checkout.approvalNotisSent++
    d.store.stats.approvalNotisSent++
  }
  return delivered
}

/**
 * One more payment of an order already paid in the window: a new TID, the same ORDERNO, amount and 연동 ID, and
 * its own approval Noti — the same order paid twice within CookiePay's window (two tabs, a double submit).
 */
export async function chargeOrderAgain(
  d: CheckoutDeps,
  first: SimPayment,
): Promise<{ payment: SimPayment; notified: boolean | undefined }> {
  const p = d.state.seed({
    amount: first.amount,
    method: first.method,
    deposited: false,
    orderId: first.orderNo,
    apiId: first.apiId,
    buyerName: first.buyerName,
    productName: first.productName,
    ...(first.method === 'card' ? { payMethod: first.payMethod } : {}),
  })
  p.checkout = { returnPosts: 0, approvalNotisSent: 0, approvalNotisLost: 0, decrypts: 0 }
  d.store.stats.approvals++
  return { payment: p, notified: await sendWindowNoti(d, p) }
}

/** pay/ready, the window's buttons, and the ENC_DATA decrypt. */
export function registerCheckoutRoutes(app: Hono, d: CheckoutDeps): void {
  const { settings: s, state, store } = d
  const readyError = (c: Context, code: string, message: string) => c.json({ RTN_CD: code, RTN_MSG: message })

  app.post('/pay/ready', async (c) => {
    store.stats.readyCalls++
    const key = c.req.header('ApiKey')
    const b = await readyBody(c)
    const account = s.accounts.find((a) => a.apiId === b.API_ID)
    // [VENDOR] the key goes in the ApiKey header; a wrong or missing one is the pair mismatch.
    if (b.API_ID && (!key || account?.apiKey !== key)) {
      return readyError(c, s.codes.apiKeyMismatch.code, s.codes.apiKeyMismatch.message)
    }
    for (const [field, code] of REQUIRED) {
      if (field === 'HOMEURL' && !s.requireHomeUrl) continue
      if (!b[field]?.trim()) return readyError(c, code, `${field}을 입력하시오`)
    }
    for (const [field, max] of Object.entries(MAX_CHARS)) {
      if (b[field] !== undefined && [...b[field]].length > max) {
        return readyError(c, 'E011', `${field} 길이가 ${max}자를 초과하였습니다`)
      }
    }
    const amount = b.AMOUNT!
    if (!/^\d{1,10}$/.test(amount) || Number(amount) <= 0) {
      return readyError(c, 'E012', 'AMOUNT 형식이 올바르지 않습니다')
    }
    const payMethod = (b.PAYMETHOD || 'CARD').toUpperCase()
    if (!PAY_METHODS.has(payMethod)) return readyError(c, 'E013', 'PAYMETHOD 값이 올바르지 않습니다')
    for (const field of ['RETURNURL', 'HOMEURL', 'CANCELURL', 'CLOSEURL']) {
      if (b[field] && !isHttpUrl(b[field])) return readyError(c, 'E014', `${field} 형식이 올바르지 않습니다`)
    }
    const orderNo = b.ORDERNO!
    if (
      b.ORDER_NO_CHECK === 'Y' &&
      [...state.payments.values()].some((p) => p.apiId === account!.apiId && p.orderNo === orderNo)
    ) {
      return readyError(c, 'E015', '중복된 주문번호(ORDERNO)입니다')
    }
    const ready: SimReady = {
      id: randomBytes(16).toString('hex'),
      apiId: account!.apiId,
      orderNo,
      amount: Number(amount),
      productName: b.PRODUCTNAME!,
      buyerName: b.BUYERNAME!,
      buyerEmail: b.BUYEREMAIL ?? '',
      buyerPhone: b.BUYERPHONE ?? '',
      payMethod: payMethod === 'VACCT' ? 'VACCT' : 'CARD',
      returnUrl: b.RETURNURL!,
      closeUrl: b.CLOSEURL || b.CANCELURL || undefined,
      status: 'open',
    }
    store.readies.set(ready.id, ready)
    store.stats.windowsOpened++
    const origin = new URL(c.req.url).origin
    return c.html(windowFragment({ ...ready, origin, readyId: ready.id }))
  })

  const notFound = (c: Context) =>
    c.html('<!doctype html><meta charset="utf-8"><title>CookiePay</title><p>결제 정보가 없습니다.</p>', 404)

  /** The result as the window posts it, in the merchant's mode; encrypted ones become one opaque ENC_DATA. */
  const post = (r: SimReady, plain: Record<string, string>, decrypted: Record<string, string>) => {
    if (s.returnMode === 'plain') return plain
    const enc = randomBytes(24).toString('base64url')
    store.encrypted.set(enc, { apiId: r.apiId, data: decrypted })
    return { RESULTCODE: plain.RESULTCODE!, RESULTMSG: plain.RESULTMSG!, ENC_DATA: enc }
  }

  const render = (c: Context, r: SimReady, title: string) => {
    const posts = s.returnLost ? 0 : s.returnPostedTwice ? 2 : 1
    store.stats.returnPosts += posts
    const p = r.tid ? state.payments.get(r.tid) : undefined
    if (p?.checkout) p.checkout.returnPosts += posts
    return c.html(resultPage({ title, returnUrl: r.returnUrl, fields: r.result!, posts }))
  }

  const fail = (r: SimReady, e: SimError) => {
    r.status = 'declined'
    const plain = {
      RESULTCODE: e.code,
      RESULTMSG: e.message,
      ORDERNO: r.orderNo,
      AMOUNT: String(r.amount),
      TID: '',
    }
    r.result = post(r, plain, { ...plain })
  }

  app.post('/pay/window/:id/approve', async (c) => {
    const r = store.readies.get(c.req.param('id'))
    if (!r) return notFound(c)
    // A second click or a refresh shows the same result again: one window, one payment.
    if (r.status !== 'open') return render(c, r, r.status === 'approved' ? '결제 완료' : '결제 실패')
    if (s.approvalRefusal) {
      store.stats.refusals++
      fail(r, s.approvalRefusal)
      return render(c, r, '결제 실패')
    }
    const charged = s.tamperedWindowAmount ?? r.amount
    const p = state.seed({
      amount: charged,
      method: r.payMethod === 'VACCT' ? 'virtual_account' : 'card',
      deposited: false,
      orderId: r.orderNo,
      apiId: r.apiId,
      buyerName: r.buyerName,
      productName: r.productName,
    })
    p.checkout = { returnPosts: 0, approvalNotisSent: 0, approvalNotisLost: 0, decrypts: 0 }
    r.status = 'approved'
    r.tid = p.tid
    store.stats.approvals++
    // A tampered window shows the order's amount in the post to hide the change; a forged post shows its own.
    const posted = s.forgedReturnAmount ?? (s.tamperedWindowAmount !== undefined ? r.amount : p.amount)
    r.result = post(r, plainResult(p, posted), decryptedResult(p, r.buyerPhone))
    await sendWindowNoti(d, p)
    // The customer paid the order twice: a second charge the browser's result does not show, only its Noti.
    if (s.doublePayment) await chargeOrderAgain(d, p)
    return render(c, r, p.method === 'card' ? '결제 완료' : '가상계좌 발급 완료')
  })

  app.post('/pay/window/:id/decline', (c) => {
    const r = store.readies.get(c.req.param('id'))
    if (!r) return notFound(c)
    if (r.status === 'open') {
      store.stats.declines++
      fail(r, s.declineResult)
    }
    return render(c, r, r.status === 'approved' ? '결제 완료' : '결제 실패')
  })

  // ── decrypt (research §7.7): ApiKey only, {API_ID, ENC_DATA} → decryptData ───────────────────────────
  app.post('/EdiAuth/cookiepay_edi_decrypt', async (c) => {
    const key = c.req.header('ApiKey')
    let b: Record<string, unknown> | undefined
    try {
      const v = JSON.parse(await c.req.text()) as unknown
      b =
        typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined
    } catch {
      b = undefined
    }
    const apiId = typeof b?.API_ID === 'string' ? b.API_ID : undefined
    const enc = typeof b?.ENC_DATA === 'string' ? b.ENC_DATA : undefined
    if (!apiId || !enc)
      return c.json({ RESULTCODE: s.codes.missingField.code, RESULTMSG: s.codes.missingField.message })
    const account = s.accounts.find((a) => a.apiId === apiId)
    if (!key || account?.apiKey !== key) {
      return c.json({ RESULTCODE: s.codes.apiKeyMismatch.code, RESULTMSG: s.codes.apiKeyMismatch.message })
    }
    const hit = store.encrypted.get(enc)
    // [INF] code and message: CookiePay publishes none for a bad ENC_DATA.
    if (!hit || hit.apiId !== apiId)
      return c.json({ RESULTCODE: 'E101', RESULTMSG: '복호화에 실패하였습니다' })
    store.stats.decrypts++
    const p = hit.data.TID ? state.payments.get(hit.data.TID) : undefined
    if (p?.checkout) p.checkout.decrypts++
    return c.json({ RESULTCODE: '0000', RESULTMSG: '성공', decryptData: hit.data })
  })
}
