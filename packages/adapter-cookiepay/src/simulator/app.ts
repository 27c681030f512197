import { kstCompact } from '@paymux/core'
import { type FaultInjector, faultControlRoutes, faultMiddleware } from '@paymux/core/simulator'
import { type Context, Hono } from 'hono'
import { type CheckoutStore, registerCheckoutRoutes } from './checkout.js'
import type { ResolvedSettings, SimError } from './settings.js'
import { type SeedPaymentInput, type SimPayment, type SimState, statusOf, visibleCancels } from './state.js'
import type { TokenStore } from './tokens.js'

/** What the routes need from the simulator. */
export interface SimCore {
  settings: ResolvedSettings
  state: SimState
  tokens: TokenStore
  faults: FaultInjector
  seedPayment(input: SeedPaymentInput): { transactionId: string }
  inspect(tid: string): unknown
  deposit(tid: string): Promise<unknown>
  depositVirtualAccount(tid: string): Promise<unknown>
  sendApprovalNotification(tid: string, url?: string): Promise<unknown>
  sendCancelNotification(tid: string, url?: string): Promise<unknown>
  setNotifyUrl(url: string | undefined): void
  checkout: CheckoutStore
  /** Applies window settings changed at runtime (`/__sim/settings/checkout`). */
  updateCheckoutSettings(patch: Record<string, unknown>): void
  payOrderAgain(orderId: string): Promise<{ transactionId: string; notified?: boolean }>
  /** Delivers a window payment's approval Noti if a notify URL is set; whether it was delivered. */
  sendWindowApprovalNoti(p: SimPayment): Promise<boolean | undefined>
}

type Body = Record<string, unknown>

async function jsonBody(c: Context): Promise<Body | undefined> {
  try {
    const v = JSON.parse(await c.req.text()) as unknown
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Body) : undefined
  } catch {
    return undefined
  }
}

const str = (v: unknown): string | undefined =>
  typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined

/** Amounts arrive as strings in every sample; a JSON number is accepted as PHP would. */
function amountOf(v: unknown): number | undefined | 'invalid' {
  if (v === undefined || v === null || v === '') return undefined
  const s = str(v)
  if (!s || !/^\d{1,10}$/.test(s) || Number(s) <= 0) return 'invalid'
  return Number(s)
}

/**
 * CookiePay's wire protocol on its real paths (HTTP 200 for business errors, each endpoint with its own
 * field casing) plus the `/__sim` control routes.
 */
export function buildApp(sim: SimCore): Hono {
  const { settings: s, state, tokens } = sim
  const app = new Hono()
  const codes = s.codes

  // Control routes first: never faulted, never counted.
  app.route('/__sim', faultControlRoutes(sim.faults))
  app.post('/__sim/seed/payment', async (c) => {
    const b = (await jsonBody(c)) as SeedPaymentInput | undefined
    if (!b) return c.json({ error: 'JSON body required' }, 400)
    try {
      return c.json(sim.seedPayment(b))
    } catch (err) {
      return c.json({ error: (err as Error).message }, 400)
    }
  })
  app.get('/__sim/payments/:tid', (c) => {
    const st = sim.inspect(c.req.param('tid'))
    return st ? c.json(st) : c.json({ error: 'no such payment' }, 404)
  })
  // The merchant's deposit for a post-deposit cancel when one is pending; otherwise a customer paying a VA.
  app.post('/__sim/deposit/:tid', async (c) => {
    const tid = c.req.param('tid')
    try {
      const p = state.payments.get(tid)
      if (p && !p.pending && p.method === 'virtual_account' && !p.deposited) {
        return c.json((await sim.depositVirtualAccount(tid)) as object)
      }
      return c.json((await sim.deposit(tid)) as object)
    } catch (err) {
      return c.json({ error: (err as Error).message }, 409)
    }
  })
  app.post('/__sim/notify/approval/:tid', async (c) => {
    const url = str((await jsonBody(c))?.url)
    try {
      return c.json((await sim.sendApprovalNotification(c.req.param('tid'), url)) as object)
    } catch (err) {
      return c.json({ error: (err as Error).message }, 409)
    }
  })
  app.post('/__sim/notify/cancel/:tid', async (c) => {
    const url = str((await jsonBody(c))?.url)
    try {
      return c.json((await sim.sendCancelNotification(c.req.param('tid'), url)) as object)
    } catch (err) {
      return c.json({ error: (err as Error).message }, 409)
    }
  })
  app.post('/__sim/settings/notify-url', async (c) => {
    sim.setNotifyUrl(str((await jsonBody(c))?.url))
    return c.json({ ok: true })
  })
  app.post('/__sim/tokens/revoke', (c) => {
    tokens.revokeAll()
    return c.json({ ok: true })
  })
  app.post('/__sim/settings/checkout', async (c) => {
    try {
      sim.updateCheckoutSettings((await jsonBody(c)) ?? {})
      return c.json({ ok: true })
    } catch (err) {
      return c.json({ error: (err as Error).message }, 400)
    }
  })
  app.get('/__sim/orders/:orderNo', (c) => {
    const orderNo = c.req.param('orderNo')
    const tids = [...state.payments.values()].filter((p) => p.orderNo === orderNo).map((p) => p.tid)
    return c.json({ orderNo, transactionIds: tids })
  })
  app.post('/__sim/orders/:orderNo/pay-again', async (c) => {
    try {
      return c.json(await sim.payOrderAgain(c.req.param('orderNo')))
    } catch (err) {
      return c.json({ error: (err as Error).message }, 404)
    }
  })
  app.get('/__sim/stats', (c) =>
    c.json({ tokensIssued: tokens.issued, calls: sim.faults.calls, checkout: sim.checkout.stats }),
  )

  app.use('*', faultMiddleware(sim.faults))

  registerCheckoutRoutes(app, {
    settings: s,
    state,
    store: sim.checkout,
    sendApprovalNoti: (p) => sim.sendWindowApprovalNoti(p),
  })

  const account = (apiId: string) => s.accounts.find((a) => a.apiId === apiId)

  /** TOKEN (+ ApiKey) check: the 연동 ID the call acts for, or the error to answer. */
  function authenticate(c: Context, apiKey: 'required' | 'optional' | 'none'): { apiId: string } | SimError {
    const apiId = tokens.check(c.req.header('TOKEN'))
    if (!apiId) return codes.invalidToken
    const key = c.req.header('ApiKey')
    const want = account(apiId)?.apiKey
    if (apiKey === 'required' && key !== want) return codes.apiKeyMismatch
    if (apiKey === 'optional' && key !== undefined && key !== want) return codes.apiKeyMismatch
    return { apiId }
  }

  const find = (apiId: string, tid: string | undefined): SimPayment | undefined => {
    const p = tid ? state.payments.get(tid) : undefined
    return p && p.apiId === apiId ? p : undefined
  }

  // ── token ────────────────────────────────────────────────────────────────────────────────────────────
  app.post('/payAuth/token', async (c) => {
    const b = await jsonBody(c)
    const id = str(b?.pay2_id)
    const key = str(b?.pay2_key)
    if (!id || !key) return c.json({ RTN_CD: codes.missingField.code, RTN_MSG: codes.missingField.message })
    if (account(id)?.apiKey !== key)
      return c.json({ RTN_CD: codes.badPair.code, RTN_MSG: codes.badPair.message })
    return c.json({ RTN_CD: '0000', RTN_MSG: '성공', TOKEN: tokens.issue(id) })
  })

  // ── cancel ───────────────────────────────────────────────────────────────────────────────────────────
  const cancelError = (c: Context, e: SimError) =>
    s.cancelErrorShape === 'upper'
      ? c.json({ RESULTCODE: e.code, RESULTMSG: e.message })
      : c.json({
          cancel_code: e.code,
          cancel_msg: e.message,
          cancel_tid: '',
          cancel_date: '',
          cancel_amt: '0',
        })

  app.post('/api/cancel', async (c) => {
    const who = authenticate(c, 'required')
    if ('code' in who) return cancelError(c, who)
    const b = await jsonBody(c)
    const tid = str(b?.tid)
    const reason = str(b?.reason)
    const amount = amountOf(b?.amount)
    if (!b || !tid || !reason || tid.length > 50 || [...reason].length > 50 || amount === 'invalid') {
      return cancelError(c, codes.missingField)
    }
    const p = find(who.apiId, tid)
    if (!p) return cancelError(c, codes.notFound)
    const r = state.cancel(p, {
      reason,
      ...(amount !== undefined ? { amount } : {}),
      ...(str(b.bank) ? { bank: str(b.bank)! } : {}),
      ...(str(b.account_no) ? { accountNo: str(b.account_no)! } : {}),
      ...(str(b.account_name) ? { accountName: str(b.account_name)! } : {}),
    })
    if (!r.ok) return cancelError(c, r.error)
    return c.json({
      cancel_code: '0000',
      cancel_msg: s.cancelSuccessMessage,
      cancel_tid: r.value.cancelTid,
      cancel_date: r.value.date,
      cancel_amt: String(r.value.amount),
    })
  })

  // ── cancel after deposit ─────────────────────────────────────────────────────────────────────────────
  const resultError = (c: Context, e: SimError) => c.json({ RESULTCODE: e.code, RESULTMSG: e.message })

  app.post('/api/get_cancel_bank_account', async (c) => {
    const who = authenticate(c, 'required')
    if ('code' in who) return resultError(c, who)
    const b = await jsonBody(c)
    const tid = str(b?.tid)
    const reason = str(b?.reason)
    const amount = amountOf(b?.amount)
    // [DOC] all three are required here, amount included.
    if (
      !b ||
      !tid ||
      !reason ||
      tid.length > 50 ||
      [...reason].length > 50 ||
      amount === undefined ||
      amount === 'invalid'
    ) {
      return resultError(c, codes.missingField)
    }
    const p = find(who.apiId, tid)
    if (!p) return resultError(c, codes.notFound)
    const r = state.depositAccount(p, { reason, amount })
    if (!r.ok) return resultError(c, r.error)
    return c.json({
      RESULTCODE: '0000',
      RESULTMSG: '성공',
      TID: p.tid,
      BANKNAME: r.value.bankName,
      ACCOUNTNO: r.value.accountNo,
      CANCELAMT: String(r.value.amount),
      DEPOSITAMT: String(r.value.depositAmount),
      DEPOSITENDDATE: r.value.depositEndDate,
    })
  })

  // ── paycert ──────────────────────────────────────────────────────────────────────────────────────────
  app.post('/api/paycert', async (c) => {
    const who = authenticate(c, 'optional')
    if ('code' in who) return resultError(c, who)
    const b = await jsonBody(c)
    const tid = str(b?.tid) ?? str(b?.TID)
    if (!tid) return resultError(c, codes.missingField)
    const p = find(who.apiId, tid)
    if (p) p.paycertCalls++
    if (!p || s.clock() < p.createdAt + s.paycertLagMs || p.paycertCalls <= s.paycertLagCalls) {
      return resultError(c, codes.notFound)
    }
    const last = visibleCancels(p, s).at(-1)
    return c.json({
      RESULTCODE: '0000',
      RESULTMSG: '성공',
      ...record(p),
      CANCELDATE: last?.date ?? '',
      CANCELMSG: last?.reason ?? '',
    })
  })

  // ── paysearch ────────────────────────────────────────────────────────────────────────────────────────
  app.post('/api/paysearch', async (c) => {
    const who = authenticate(c, 'none')
    if ('code' in who) return resultError(c, who)
    if (!s.paysearch) return c.text('Not Found', 404)
    const b = await jsonBody(c)
    const apiId = str(b?.API_ID)
    if (!b || !apiId) return resultError(c, codes.missingField)
    if (apiId !== who.apiId) return resultError(c, codes.apiKeyMismatch)
    const tid = str(b.TID)
    const from = (str(b.STD_DT) ?? '').replace(/-/g, '')
    const to = (str(b.END_DT) ?? '').replace(/-/g, '')
    const rows = [...state.payments.values()].filter((p) => {
      if (p.apiId !== who.apiId) return false
      if (tid) return p.tid === tid // [DOC] with a TID the date range is ignored
      const day = (p.acceptDate || kstCompact(p.createdAt)).slice(0, 8)
      return (!from || day >= from) && (!to || day <= to)
    })
    if (rows.length === 0) return c.json({ RESULTCODE: 'E008', RESULTMSG: '검색 결과가 없습니다' })
    return c.json(
      rows.map((p) => {
        const shown = visibleCancels(p, s)
        return {
          RESULTCODE: '0000',
          ...record(p),
          CANCELDATE: shown.at(-1)?.date ?? '',
          CANCELMSG: shown.at(-1)?.reason ?? '',
          CANCLE_SUM_AMOUNT: String(shown.reduce((n, c) => n + c.amount, 0)),
        }
      }),
    )
  })

  return app
}

/** The fields paycert and paysearch share [VENDOR field list]. */
function record(p: SimPayment): Record<string, string> {
  const va = p.va
  return {
    ORDERNO: p.orderNo,
    AMOUNT: String(p.amount),
    BUYERNAME: p.buyerName,
    BUYEREMAIL: '',
    PRODUCTNAME: p.productName,
    PRODUCTCODE: '',
    PAYMETHOD: p.method === 'virtual_account' ? 'VACCOUNT' : p.payMethod,
    BUYERID: '',
    TID: p.tid,
    ACCEPTNO: p.acceptNo,
    ACCEPTDATE: p.acceptDate,
    ACCOUNTNO: va?.accountNo ?? '',
    RECEIVERNAME: va?.receiver ?? '',
    DEPOSITENDDATE: va?.depositEndDate ?? '',
    CARDNAME: va ? va.bankName : '신한',
    CARDCODE: va ? va.bankCode : '',
  }
}

export { statusOf }
