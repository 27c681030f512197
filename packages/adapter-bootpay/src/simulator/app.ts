import {
  consumeFault,
  currentFault,
  type FaultInjector,
  faultMiddleware,
  UNMAPPED_CODE,
} from '@paymux/core/simulator'
import { type Context, Hono } from 'hono'
import { checkoutRoutes, dropConnection } from './checkout.js'
import { v1BillingKey, v1CancelData, v1Charge, v1Receipt, v2BillingKey, v2Receipt } from './render.js'
import type { SimErrorKind } from './settings.js'
import { type RefundInput, type SimReceipt, SimError, type SimState, type Version } from './state.js'

export interface SimCredentials {
  applicationId: string
  /** The web (JavaScript) application's id the checkout window accepts. */
  webApplicationId: string
  privateKey: string
  clientKey: string
  secretKey: string
}

export interface AppDeps {
  state: SimState
  faults: FaultInjector
  credentials: SimCredentials
  /** Called after a receipt changed (paid, cancelled): the simulator sends webhooks from here. */
  changed(receipt: SimReceipt): void
}

type Body = Record<string, unknown>

/** v1 clients send JSON (sometimes with a malformed Content-Type) or, in Python's, a form. Both are read. */
async function readV1Body(c: Context): Promise<Body | undefined> {
  const text = (await c.req.text()).trim()
  if (text === '') return {}
  if (text.startsWith('{')) {
    try {
      const v: unknown = JSON.parse(text)
      return v && typeof v === 'object' && !Array.isArray(v) ? (v as Body) : undefined
    } catch {
      return undefined
    }
  }
  const out: Body = {}
  for (const [k, v] of new URLSearchParams(text)) {
    const m = /^(\w+)\[(\w+)\]$/.exec(k)
    if (m) {
      const inner = (out[m[1]!] as Body | undefined) ?? {}
      inner[m[2]!] = v
      out[m[1]!] = inner
    } else out[k] = v
  }
  return out
}

async function readV2Body(c: Context): Promise<Body | undefined> {
  try {
    const v: unknown = JSON.parse(await c.req.text())
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Body) : undefined
  } catch {
    return undefined
  }
}

const text = (v: unknown) => (typeof v === 'string' ? v : undefined)
const stripJson = (s: string) => s.replace(/\.json$/, '')

/** v1 takes amounts as numbers or digit strings (its manual types `price` as a string); v2 only as numbers. */
function amount(version: Version, v: unknown, field: string): number | undefined {
  if (v === undefined || v === null) return undefined
  if (typeof v === 'number') return v
  if (version === 'v1' && typeof v === 'string' && /^\d+$/.test(v)) return Number(v)
  throw new SimError('invalid_param', field)
}

export function buildApp(deps: AppDeps): Hono {
  const { state, credentials } = deps
  const settings = state.settings
  const app = new Hono()
  app.use('*', faultMiddleware(deps.faults))

  const fail = (c: Context, version: Version, kind: SimErrorKind) => {
    const e = settings.errors[kind]
    if (version === 'v1')
      return c.json({ status: e.http, code: e.v1, message: e.message, data: null }, e.http as 400)
    return c.json({ error_code: e.v2, message: e.message }, e.http as 400)
  }
  const ok1 = (c: Context, data: unknown) => c.json({ status: 200, code: 0, message: '', data })

  /** Runs a handler, turning SimErrors into the generation's error answer. */
  const guard =
    (version: Version, h: (c: Context) => Promise<Response> | Response) =>
    async (c: Context): Promise<Response> => {
      try {
        const refused = authorise(c, version)
        if (refused) return fail(c, version, refused)
        const res = await h(c)
        // A v2 success is a bare resource without a code field: the fault's error answer is rendered here.
        const fault = currentFault(c)
        if (version === 'v2' && fault?.kind === 'unmapped_code' && consumeFault(c, 'unmapped_code')) {
          return c.json(
            { error_code: fault.code ?? UNMAPPED_CODE, message: '알 수 없는 오류' },
            fault.status as 400,
          )
        }
        return res
      } catch (err) {
        if (err instanceof SimError) return fail(c, version, err.kind)
        throw err
      }
    }

  /** Undefined when the call may proceed; otherwise why it may not. */
  function authorise(c: Context, version: Version): SimErrorKind | undefined {
    const auth = c.req.header('authorization') ?? ''
    if (version === 'v1')
      return auth !== '' && !/\s/.test(auth) && state.tokenValid(auth, 'v1') ? undefined : 'token_invalid'
    if (auth.startsWith('Bearer ')) return state.tokenValid(auth.slice(7), 'v2') ? undefined : 'token_invalid'
    if (auth.startsWith('Basic ')) {
      const decoded = Buffer.from(auth.slice(6), 'base64').toString('utf8')
      const at = decoded.indexOf(':')
      if (at < 0 || decoded.slice(0, at) !== credentials.clientKey) return 'client_key_not_found'
      return decoded.slice(at + 1) === credentials.secretKey ? undefined : 'secret_key_mismatch'
    }
    return 'token_invalid'
  }

  // ---- tokens ----
  const token = (version: Version) => async (c: Context) => {
    const body = version === 'v1' ? await readV1Body(c) : await readV2Body(c)
    if (!body) return fail(c, version, 'invalid_param')
    if (body.application_id !== credentials.applicationId || body.private_key !== credentials.privateKey) {
      state.stats.tokenRequests[version]++
      // Bootpay answers an unknown application id with "not found" (-2410 on v1).
      return fail(
        c,
        version,
        body.application_id === credentials.applicationId ? 'app_invalid' : 'app_not_found',
      )
    }
    const t = state.issueToken(version, credentials.applicationId)
    const now = state.clock()
    if (version === 'v1') {
      return ok1(c, {
        token: t.token,
        server_time: Math.floor(now / 1000),
        expired_at: Math.floor(t.expiresAt / 1000),
      })
    }
    return c.json({ access_token: t.token, expire_in: Math.max(0, Math.round((t.expiresAt - now) / 1000)) })
  }
  app.post('/request/token', token('v1'))
  app.post('/request/token.json', token('v1'))
  app.post('/v2/request/token', token('v2'))

  // ---- receipts ----
  app.get(
    '/receipt/:id',
    guard('v1', (c) => ok1(c, v1Receipt(state.receipt(stripJson(c.req.param('id') ?? ''))))),
  )
  app.get(
    '/v2/receipt/:id',
    guard('v2', (c) => c.json(v2Receipt(state.receipt(c.req.param('id') ?? '')))),
  )

  // ---- cancel ----
  const cancel = (version: Version) =>
    guard(version, async (c) => {
      const b = version === 'v1' ? await readV1Body(c) : await readV2Body(c)
      if (!b) throw new SimError('invalid_param')
      const receiptId = text(b.receipt_id)
      if (!receiptId) throw new SimError('invalid_param', 'receipt_id')
      const rf = b.refund as Body | undefined
      const refund: RefundInput | undefined =
        rf && typeof rf === 'object'
          ? version === 'v1'
            ? { account: text(rf.account), holder: text(rf.accountholder), bankCode: text(rf.bankcode) }
            : { account: text(rf.bank_account), holder: text(rf.bank_username), bankCode: text(rf.bank_code) }
          : undefined
      const cancelId = b.cancel_id === undefined ? undefined : text(b.cancel_id)
      if (b.cancel_id !== undefined && !cancelId) throw new SimError('invalid_param', 'cancel_id')
      const res = state.cancel({
        version,
        receiptId,
        price: amount(version, version === 'v1' ? b.price : b.cancel_price, 'price'),
        taxFree: amount(version, version === 'v1' ? b.tax_free : b.cancel_tax_free, 'tax_free'),
        cancelId,
        refund,
      })
      if (res.moved > 0) deps.changed(res.receipt)
      return version === 'v1' ? ok1(c, v1CancelData(res.receipt, res.moved)) : c.json(v2Receipt(res.receipt))
    })
  app.post('/cancel', cancel('v1'))
  app.post('/cancel.json', cancel('v1'))
  app.post('/v2/cancel', cancel('v2'))

  // ---- server confirm of separately confirmed payments (bootpay.md §9) ----
  const refusedConfirm = (c: Context, version: Version) => {
    const e = settings.errors.confirm_failed
    const pg = settings.confirmRefusal ?? { pgErrorCode: '', pgErrorMessage: '' }
    if (version === 'v1') {
      return c.json(
        {
          status: e.http,
          code: e.v1,
          message: `${e.message} (${pg.pgErrorCode})`,
          data: { pg_error_code: pg.pgErrorCode, pg_error_message: pg.pgErrorMessage },
        },
        e.http as 400,
      )
    }
    return c.json(
      {
        error_code: e.v2,
        message: e.message,
        pg_error_code: pg.pgErrorCode,
        pg_error_message: pg.pgErrorMessage,
      },
      e.http as 400,
    )
  }
  const confirm = (version: Version) =>
    guard(version, async (c) => {
      const b = version === 'v1' ? await readV1Body(c) : await readV2Body(c)
      if (!b) throw new SimError('invalid_param')
      const receiptId = text(b.receipt_id)
      if (!receiptId) throw new SimError('invalid_param', 'receipt_id')
      let r: SimReceipt
      try {
        r = state.confirm(receiptId)
      } catch (err) {
        if (err instanceof SimError && err.kind === 'confirm_failed') return refusedConfirm(c, version)
        throw err
      }
      deps.changed(r)
      if (settings.confirmAnswer === 'lost') return dropConnection(c)
      if (settings.confirmAnswer === 'slow')
        await new Promise((ok) => setTimeout(ok, settings.confirmDelayMs))
      return version === 'v1' ? ok1(c, v1Receipt(r)) : c.json(v2Receipt(r))
    })
  app.post('/submit', confirm('v1'))
  app.post('/submit.json', confirm('v1'))
  app.post('/v2/confirm', confirm('v2'))

  app.route('/', checkoutRoutes(deps))

  // ---- billing keys ----
  const issue = (version: Version) =>
    guard(version, async (c) => {
      const b = version === 'v1' ? await readV1Body(c) : await readV2Body(c)
      if (!b) throw new SimError('invalid_param')
      const bk = state.issueBillingKey(
        version === 'v1'
          ? {
              pg: text(b.pg) ?? '',
              subscriptionId: text(b.order_id) ?? '',
              cardNo: b.card_no,
              cardPw: b.card_pw,
              identity: b.identify_number,
              expireYear: b.expire_year,
              expireMonth: b.expire_month,
            }
          : {
              pg: text(b.pg) ?? '',
              subscriptionId: text(b.subscription_id) ?? '',
              cardNo: b.card_no,
              cardPw: b.card_pw,
              identity: b.card_identity_no,
              expireYear: b.card_expire_year,
              expireMonth: b.card_expire_month,
            },
      )
      return version === 'v1' ? ok1(c, v1BillingKey(bk)) : c.json(v2BillingKey(bk))
    })
  app.post('/request/card_rebill', issue('v1'))
  app.post('/request/card_rebill.json', issue('v1'))
  app.post('/v2/request/subscribe', issue('v2'))

  const charge = (version: Version) =>
    guard(version, async (c) => {
      const b = version === 'v1' ? await readV1Body(c) : await readV2Body(c)
      if (!b) throw new SimError('invalid_param')
      const r = state.charge({
        billingKey: text(b.billing_key) ?? '',
        price: amount(version, b.price, 'price'),
        taxFree: amount(version, b.tax_free, 'tax_free'),
        orderId: b.order_id,
        orderName: version === 'v1' ? b.item_name : b.order_name,
      })
      deps.changed(r)
      return version === 'v1' ? ok1(c, v1Charge(r)) : c.json(v2Receipt(r))
    })
  app.post('/subscribe/billing', charge('v1'))
  app.post('/subscribe/billing.json', charge('v1'))
  app.post('/v2/subscribe/payment', charge('v2'))

  app.delete(
    '/subscribe/billing/:key',
    guard('v1', (c) => {
      state.deleteBillingKey(stripJson(c.req.param('key') ?? ''))
      return c.json({ status: 200, code: 0 })
    }),
  )
  app.delete(
    '/v2/subscribe/billing_key/:key',
    guard('v2', (c) => c.json({ billing_key: state.deleteBillingKey(c.req.param('key') ?? '').billingKey })),
  )
  app.get(
    '/v2/billing_key/:key',
    guard('v2', (c) => c.json(v2BillingKey(state.billingKey(c.req.param('key') ?? '')))),
  )
  app.get(
    '/v2/subscribe/billing_key/:receiptId',
    guard('v2', (c) => {
      const id = c.req.param('receiptId')
      const bk = [...state.billingKeys.values()].find((k) => k.receiptId === id && !k.deleted)
      if (!bk) throw new SimError('not_found')
      return c.json(v2BillingKey(bk))
    }),
  )

  app.notFound((c) =>
    c.req.path.startsWith('/v2/')
      ? c.json({ error_code: 'NOT_FOUND', message: 'unknown route' }, 404)
      : c.json({ status: 404, code: -1, message: 'unknown route', data: null }, 404),
  )
  return app
}
