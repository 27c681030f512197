// The Toss core API v1 on its real paths (spec §1.2), behind Basic auth, the TossPayments-Test-Code header, the
// Idempotency-Key store and the shared fault injector.
import { type Context, Hono } from 'hono'
import {
  consumeFault,
  currentFault,
  type FaultInjector,
  faultMiddleware,
  resultTwicePage,
  UNMAPPED_CODE,
} from '@paymux/core/simulator'
import { errorBody, SIM_ERRORS, statusOf } from './errors.js'
import type { IdempotencyStore } from './idempotency.js'
import type { TossSimulatorSettings } from './settings.js'
import type { SimPayment, SimState } from './state.js'
import { type Webhooks, webhookTime } from './webhooks.js'
import { errorPage, standInSdk, WINDOW_PATH, windowPage } from './window.js'

export interface TossCredentials {
  secretKey: string
  clientKey: string
}

export interface AppDeps {
  state: SimState
  settings: TossSimulatorSettings
  credentials: TossCredentials
  faults: FaultInjector
  idempotency: IdempotencyStore
  webhooks: Webhooks
  /** authKeys the billing-auth window handed out, with the customerKey they were issued for. */
  authKeys: Map<string, { customerKey: string }>
  /** Card numbers the card-data billing issue refuses (INVALID_REJECT_CARD). */
  rejectedCards: Set<string>
}

type Json = Record<string, unknown>

const METHODS: Record<string, SimPayment['method']> = {
  카드: '카드',
  CARD: '카드',
  가상계좌: '가상계좌',
  VIRTUAL_ACCOUNT: '가상계좌',
}

/** orderId: `[A-Za-z0-9_-]`, 6–64 characters (spec §1.2). */
const ORDER_ID = /^[A-Za-z0-9_-]{6,64}$/

/** Toss's error answer `{code, message}` with the status of that code (spec §1.6; `errorStatuses` where unsure). */
function failWith(settings: TossSimulatorSettings) {
  return (c: Context, code: string, message?: string): Response =>
    c.json(errorBody(code, message), statusOf(code, settings.errorStatuses) as 400)
}

/** The secret key of a Basic header `base64("{secretKey}:")`, or undefined when it is not one. */
export function secretKeyOf(authorization: string | undefined): string | undefined {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(authorization ?? '')
  if (!m) return undefined
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8')
  // The colon is required: "콜론을 빠트리지 않도록 주의" (spec §1.1).
  return decoded.endsWith(':') ? decoded.slice(0, -1) : undefined
}

async function bodyOf(c: Context): Promise<Json | undefined> {
  try {
    const v: unknown = await c.req.json()
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined
  } catch {
    return undefined
  }
}

const isAmount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v > 0
const text = (v: unknown, max: number) => typeof v === 'string' && v.trim() !== '' && v.length <= max

/** The webhooks a status change sends: PAYMENT_STATUS_CHANGED always, DEPOSIT_CALLBACK for virtual accounts. */
export function notifier(deps: Pick<AppDeps, 'state' | 'settings' | 'webhooks'>) {
  const { state, settings, webhooks } = deps
  const statusChanged = (p: SimPayment) =>
    webhooks.emit('PAYMENT_STATUS_CHANGED', {
      eventType: 'PAYMENT_STATUS_CHANGED',
      createdAt: webhookTime(state.clock()),
      data: { ...p },
    })
  const depositCallback = (p: SimPayment) => {
    const data = {
      createdAt: webhookTime(state.clock()),
      secret: p.secret,
      status: p.status,
      transactionKey: p.lastTransactionKey,
      orderId: p.orderId,
    }
    webhooks.emit(
      'DEPOSIT_CALLBACK',
      settings.depositCallbackShape === 'flat'
        ? data
        : {
            eventType: 'DEPOSIT_CALLBACK',
            createdAt: data.createdAt,
            data: { ...data, paymentKey: p.paymentKey },
          },
    )
  }
  const changed = (p: SimPayment) => {
    statusChanged(p)
    if (p.method === '가상계좌') depositCallback(p)
  }
  return { statusChanged, changed }
}

export function protocolApp(deps: AppDeps): Hono {
  const { state, settings, credentials, idempotency } = deps
  const app = new Hono()
  const fail = failWith(settings)

  const { statusChanged, changed } = notifier(deps)

  // The fault injector first, so a spoiled answer is spoiled whatever the handler did.
  app.use('*', faultMiddleware(deps.faults))
  // Toss's error answers carry `code` in a body that replaces the Payment object: the unmapped-code fault is
  // honoured here, after the handler executed (and after the Idempotency-Key store kept the true answer).
  app.use('/v1/*', async (c, next) => {
    await next()
    const f = currentFault(c)
    if (consumeFault(c, 'unmapped_code')) {
      const status = f?.kind === 'unmapped_code' ? f.status : 400
      const code = f?.kind === 'unmapped_code' ? (f.code ?? UNMAPPED_CODE) : UNMAPPED_CODE
      c.res = new Response(JSON.stringify(errorBody(code, '정의되지 않은 오류입니다.')), {
        status,
        headers: { 'content-type': 'application/json' },
      })
    }
  })
  // Basic auth on every API call (spec §1.1), then the test-code header, evaluated before anything about the
  // request itself (third-party: it answers even without a real paymentKey).
  app.use('/v1/*', async (c, next) => {
    if (c.req.path === '/v1/payment') return next() // the SDK stand-in is public
    const key = secretKeyOf(c.req.header('authorization'))
    if (key !== credentials.secretKey) return fail(c, 'UNAUTHORIZED_KEY')
    const forced = c.req.header('tosspayments-test-code')
    if (forced && (!settings.testCodeNeedsTestKey || key.startsWith('test_sk_'))) {
      return fail(c, forced, SIM_ERRORS[forced] ? undefined : `${forced} (forced by TossPayments-Test-Code)`)
    }
    return next()
  })
  // Every cancel request as it arrived, replays included, before the Idempotency-Key store answers it.
  app.use('/v1/payments/:paymentKey/cancel', async (c, next) => {
    const key = c.req.header('idempotency-key')
    state.cancelRequests.push({
      paymentKey: c.req.param('paymentKey') ?? '',
      ...(key !== undefined ? { idempotencyKey: key } : {}),
      at: state.clock(),
    })
    return next()
  })
  app.use(
    '/v1/*',
    idempotency.middleware(
      (h) => secretKeyOf(h) ?? '',
      (code) => statusOf(code, settings.errorStatuses),
    ),
  )

  app.get('/v1/payment', (c) =>
    c.body(standInSdk(new URL(c.req.url).origin), 200, {
      'content-type': 'application/javascript; charset=utf-8',
      'cache-control': 'no-store',
    }),
  )

  app.post('/v1/payments/confirm', async (c) => {
    const b = await bodyOf(c)
    if (!b || !text(b.paymentKey, 200) || !text(b.orderId, 64) || !isAmount(b.amount))
      return fail(c, 'INVALID_REQUEST', 'paymentKey, orderId, amount 는 필수입니다.')
    const p = state.find(String(b.paymentKey))
    if (!p) return fail(c, 'NOT_FOUND_PAYMENT')
    if (p.status === 'EXPIRED' || p.status === 'READY' || p.status === 'ABORTED')
      return fail(c, 'NOT_FOUND_PAYMENT_SESSION')
    if (p.status !== 'IN_PROGRESS') return fail(c, 'ALREADY_PROCESSED_PAYMENT')
    if (p.orderId !== b.orderId || p.totalAmount !== b.amount) return fail(c, settings.confirmMismatchCode)
    const meta = state.metaOf(p.paymentKey)
    if (p.method === '가상계좌') {
      const due = new Date(state.clock() + 7 * 86_400_000).toISOString()
      state.issueAccount(p, '20', due.replace('Z', '+00:00'), meta.customerName ?? '구매자')
    } else state.approveCard(p)
    meta.confirms++
    changed(p)
    return c.json(p)
  })

  app.get('/v1/payments/orders/:orderId', (c) => {
    const p = state.findByOrder(c.req.param('orderId'))
    return p ? c.json(p) : fail(c, 'NOT_FOUND_PAYMENT')
  })

  app.get('/v1/payments/:paymentKey', (c) => {
    const p = state.find(c.req.param('paymentKey'))
    return p ? c.json(p) : fail(c, 'NOT_FOUND_PAYMENT')
  })

  app.post('/v1/payments/:paymentKey/cancel', async (c) => {
    const p = state.find(c.req.param('paymentKey'))
    if (!p) return fail(c, 'NOT_FOUND_PAYMENT')
    const b = await bodyOf(c)
    if (!b || !text(b.cancelReason, 200)) return fail(c, 'INVALID_REQUEST', 'cancelReason 은 필수입니다.')
    if (b.cancelAmount !== undefined && !isAmount(b.cancelAmount))
      return fail(c, 'INVALID_REQUEST', 'cancelAmount 는 양의 정수입니다.')
    const taxFree = b.taxFreeAmount === undefined ? 0 : b.taxFreeAmount
    if (typeof taxFree !== 'number' || !Number.isSafeInteger(taxFree) || taxFree < 0)
      return fail(c, 'INVALID_REQUEST', 'taxFreeAmount 는 0 이상의 정수입니다.')
    const meta = state.metaOf(p.paymentKey)
    if (meta.lastCancelAt !== undefined && state.clock() - meta.lastCancelAt < settings.consecutiveCancelMs)
      return fail(c, 'FORBIDDEN_CONSECUTIVE_REQUEST')
    if (p.status === 'CANCELED') return fail(c, 'ALREADY_CANCELED_PAYMENT')
    if (!['DONE', 'PARTIAL_CANCELED', 'WAITING_FOR_DEPOSIT'].includes(p.status))
      return fail(c, 'NOT_CANCELABLE_PAYMENT')
    const amount = (b.cancelAmount as number | undefined) ?? p.balanceAmount
    if (amount > p.balanceAmount) return fail(c, 'NOT_CANCELABLE_AMOUNT')
    const partial = amount < p.balanceAmount
    if (partial && p.status === 'WAITING_FOR_DEPOSIT')
      return fail(c, 'NOT_ALLOWED_PARTIAL_REFUND_WAITING_DEPOSIT')
    if (partial && !p.isPartialCancelable) return fail(c, 'NOT_ALLOWED_PARTIAL_REFUND')
    if (b.refundableAmount !== undefined && b.refundableAmount !== p.balanceAmount)
      return fail(c, 'NOT_MATCHES_REFUNDABLE_AMOUNT')
    let refundAccount: Json | undefined
    if (p.method === '가상계좌' && p.status !== 'WAITING_FOR_DEPOSIT') {
      const ra = b.refundReceiveAccount as Json | undefined
      if (!ra || typeof ra !== 'object') return fail(c, settings.missingRefundAccountCode)
      if (!text(ra.bank, 20)) return fail(c, 'INVALID_BANK')
      if (typeof ra.accountNumber !== 'string' || !/^\d{1,20}$/.test(ra.accountNumber))
        return fail(c, 'INVALID_REFUND_ACCOUNT_NUMBER')
      if (!text(ra.holderName, 60)) return fail(c, 'INVALID_REFUND_ACCOUNT_INFO')
      refundAccount = { bankCode: ra.bank, accountNumber: ra.accountNumber, holderName: ra.holderName }
    }
    const closing = p.status === 'WAITING_FOR_DEPOSIT'
    state.cancel(p, amount, String(b.cancelReason), taxFree, refundAccount, c.req.header('idempotency-key'))
    if (closing && settings.waitingAccountClose === 'balanceKept') state.keepBalance(p)
    changed(p)
    return c.json(p)
  })

  // Key-in: a card payment approved from card data in one call, no window (spec §1.2; "needs extra contract").
  app.post('/v1/payments/key-in', async (c) => {
    if (settings.keyInRefusal) return fail(c, settings.keyInRefusal)
    const b = await bodyOf(c)
    if (!b || !text(b.orderName, 100) || !isAmount(b.amount))
      return fail(c, 'INVALID_REQUEST', 'amount, orderId, orderName 은 필수입니다.')
    if (!ORDER_ID.test(String(b.orderId)))
      return fail(c, 'INVALID_REQUEST', 'orderId 형식이 올바르지 않습니다.')
    const number = cardNumberOf(b)
    if (!number) return fail(c, 'INVALID_REQUEST', '카드 번호를 확인해주세요.')
    if (!validExpiry(b)) return fail(c, 'INVALID_CARD_EXPIRATION')
    if (!/^(\d{6}|\d{10})$/.test(String(b.customerIdentityNumber ?? '')))
      return fail(c, 'INVALID_REQUEST', 'customerIdentityNumber 를 확인해주세요.')
    if (deps.rejectedCards.has(number)) return fail(c, 'INVALID_REJECT_CARD')
    if (b.amount < 100) return fail(c, 'BELOW_MINIMUM_AMOUNT')
    if (state.findByOrder(String(b.orderId))) return fail(c, 'DUPLICATED_ORDER_ID')
    const p = state.create({
      orderId: String(b.orderId),
      orderName: String(b.orderName),
      amount: b.amount,
      ...(typeof b.taxFreeAmount === 'number' ? { taxFreeAmount: b.taxFreeAmount } : {}),
      method: '카드',
      status: 'IN_PROGRESS',
    })
    state.approveCard(p, masked(number))
    state.metaOf(p.paymentKey).confirms++
    statusChanged(p)
    return c.json(p)
  })

  app.post('/v1/virtual-accounts', async (c) => {
    const b = await bodyOf(c)
    if (!b) return fail(c, 'INVALID_REQUEST')
    for (const f of ['orderId', 'orderName', 'customerName', 'bank'] as const)
      if (!text(b[f], f === 'orderName' ? 100 : 64)) return fail(c, 'INVALID_REQUEST', `${f} 는 필수입니다.`)
    if (!isAmount(b.amount)) return fail(c, 'INVALID_REQUEST', 'amount 는 필수입니다.')
    if (!ORDER_ID.test(String(b.orderId)))
      return fail(c, 'INVALID_REQUEST', 'orderId 형식이 올바르지 않습니다.')
    if (b.amount < 200) return fail(c, 'BELOW_MINIMUM_AMOUNT')
    const validHours = b.validHours === undefined ? 168 : b.validHours
    if (typeof validHours !== 'number' || !Number.isInteger(validHours) || validHours < 1 || validHours > 720)
      return fail(c, 'INVALID_REQUEST', 'validHours 는 720 이하입니다.')
    if (state.findByOrder(String(b.orderId))) return fail(c, 'DUPLICATED_ORDER_ID')
    const p = state.create({
      orderId: String(b.orderId),
      orderName: String(b.orderName),
      amount: b.amount,
      ...(typeof b.taxFreeAmount === 'number' ? { taxFreeAmount: b.taxFreeAmount } : {}),
      method: '가상계좌',
      status: 'READY',
      customerName: String(b.customerName),
    })
    const due = new Date(state.clock() + validHours * 3_600_000).toISOString().replace('Z', '+00:00')
    state.issueAccount(p, String(b.bank), due, String(b.customerName))
    changed(p)
    return c.json(p)
  })

  app.post('/v1/billing/authorizations/issue', async (c) => {
    const b = await bodyOf(c)
    if (!b || !text(b.authKey, 300) || !text(b.customerKey, 300)) return fail(c, 'INVALID_REQUEST')
    const auth = deps.authKeys.get(String(b.authKey))
    if (!auth || auth.customerKey !== b.customerKey) return fail(c, 'NOT_MATCHES_CUSTOMER_KEY')
    deps.authKeys.delete(String(b.authKey))
    return c.json(issueBillingKey(deps, String(b.customerKey), '43301234****123*'))
  })

  app.post('/v1/billing/authorizations/card', async (c) => {
    const b = await bodyOf(c)
    if (!b || !text(b.customerKey, 300)) return fail(c, 'INVALID_REQUEST', 'customerKey 는 필수입니다.')
    const number = cardNumberOf(b)
    if (!number) return fail(c, 'INVALID_REQUEST', '카드 번호를 확인해주세요.')
    if (!validExpiry(b)) return fail(c, 'INVALID_CARD_EXPIRATION')
    if (!/^(\d{6}|\d{10})$/.test(String(b.customerIdentityNumber ?? '')))
      return fail(c, 'INVALID_REQUEST', 'customerIdentityNumber 를 확인해주세요.')
    if (deps.rejectedCards.has(number)) return fail(c, 'INVALID_REJECT_CARD')
    return c.json(issueBillingKey(deps, String(b.customerKey), masked(number)))
  })

  app.post('/v1/billing/:billingKey', async (c) => {
    const bk = state.billingKeys.get(c.req.param('billingKey'))
    const b = await bodyOf(c)
    if (
      !b ||
      !text(b.customerKey, 300) ||
      !text(b.orderId, 64) ||
      !text(b.orderName, 100) ||
      !isAmount(b.amount)
    )
      return fail(c, 'INVALID_REQUEST', 'amount, customerKey, orderId, orderName 은 필수입니다.')
    if (!bk || bk.deleted) return fail(c, settings.unknownBillingKeyCode, '존재하지 않는 빌링키 입니다.')
    if (bk.customerKey !== b.customerKey) return fail(c, 'NOT_MATCHES_CUSTOMER_KEY')
    if (state.findByOrder(String(b.orderId))) return fail(c, 'DUPLICATED_ORDER_ID')
    if (b.amount < 100) return fail(c, 'BELOW_MINIMUM_AMOUNT')
    const p = state.create({
      orderId: String(b.orderId),
      orderName: String(b.orderName),
      amount: b.amount,
      ...(typeof b.taxFreeAmount === 'number' ? { taxFreeAmount: b.taxFreeAmount } : {}),
      method: '카드',
      type: 'BILLING',
      status: 'IN_PROGRESS',
    })
    state.approveCard(p, bk.cardNumberMasked)
    state.metaOf(p.paymentKey).confirms++
    statusChanged(p)
    return c.json(p)
  })

  app.delete('/v1/billing/:billingKey', (c) => {
    if (!settings.billingKeyDelete) return c.json(errorBody('NOT_FOUND', 'Not Found'), 404)
    const bk = state.billingKeys.get(c.req.param('billingKey'))
    if (!bk || bk.deleted) return fail(c, 'NOT_FOUND_PAYMENT', '존재하지 않는 빌링키 입니다.')
    bk.deleted = true
    return c.json({ billingKey: bk.billingKey, customerKey: bk.customerKey, deletedAt: state.now() })
  })

  // The window: opened by the stand-in SDK's form post; Approve authenticates (READY → IN_PROGRESS).
  app.post(WINDOW_PATH, async (c) => {
    const form = new URLSearchParams(await c.req.text())
    let params: Json = {}
    try {
      params = JSON.parse(form.get('params') ?? '{}') as Json
    } catch {
      return c.html(errorPage('INVALID_PARAMETERS', 'the payment request could not be read'), 400)
    }
    const successUrl = typeof params.successUrl === 'string' ? params.successUrl : ''
    const failUrl = typeof params.failUrl === 'string' ? params.failUrl : ''
    if (!URL.canParse(successUrl) || !URL.canParse(failUrl))
      return c.html(errorPage('INVALID_PARAMETERS', 'successUrl and failUrl must be URLs'), 400)
    const back = (code: string) => c.redirect(failResult(failUrl, code, String(params.orderId ?? '')), 303)
    if (form.get('clientKey') !== credentials.clientKey) return back('INVALID_CLIENT_KEY')
    const method = METHODS[form.get('method') ?? '']
    if (!method) return back('INVALID_PARAMETERS')
    if (!isAmount(params.amount) || !ORDER_ID.test(String(params.orderId)) || !text(params.orderName, 100))
      return back('INVALID_PARAMETERS')
    if (state.findByOrder(String(params.orderId))) return back('DUPLICATED_ORDER_ID')
    const p = state.create({
      orderId: String(params.orderId),
      orderName: String(params.orderName),
      amount: params.amount,
      method,
      status: 'READY',
      ...(typeof params.customerName === 'string' ? { customerName: params.customerName } : {}),
    })
    Object.assign(state.metaOf(p.paymentKey), { successUrl, failUrl })
    return c.html(windowPage(p))
  })

  const windowPayment = (c: Context) => {
    const p = state.find(c.req.param('paymentKey') ?? '')
    return p && state.metaOf(p.paymentKey).successUrl ? p : undefined
  }

  app.post(`${WINDOW_PATH}/:paymentKey/approve`, (c) => {
    const p = windowPayment(c)
    if (!p) return c.html(errorPage('NOT_FOUND_PAYMENT', 'no such window'), 404)
    const meta = state.metaOf(p.paymentKey)
    if (p.status !== 'READY') return c.redirect(failResult(meta.failUrl!, 'EXPIRED_PAYMENT', p.orderId), 303)
    state.setStatus(p, 'IN_PROGRESS')
    const u = new URL(meta.successUrl!)
    u.searchParams.set('paymentType', 'NORMAL')
    u.searchParams.set('orderId', p.orderId)
    u.searchParams.set('paymentKey', p.paymentKey)
    u.searchParams.set('amount', String(p.totalAmount))
    if (settings.successArrivesTwice) return c.html(resultTwicePage('토스페이먼츠', u.toString()))
    return c.redirect(u.toString(), 303)
  })

  const refuse = (code: string, message: string) => (c: Context) => {
    const p = windowPayment(c)
    if (!p) return c.html(errorPage('NOT_FOUND_PAYMENT', 'no such window'), 404)
    if (p.status === 'READY') {
      state.setStatus(p, 'ABORTED')
      p.failure = { code, message }
      statusChanged(p)
    }
    return c.redirect(failResult(state.metaOf(p.paymentKey).failUrl!, code, p.orderId, message), 303)
  }
  app.post(`${WINDOW_PATH}/:paymentKey/decline`, (c) =>
    refuse(settings.declineCode, settings.declineMessage)(c),
  )
  app.post(
    `${WINDOW_PATH}/:paymentKey/close`,
    refuse('PAY_PROCESS_CANCELED', '사용자에 의해 결제가 취소되었습니다.'),
  )

  return app
}

/** The card number of a key-in or card-data billing body: 15 or 16 digits, else undefined. */
function cardNumberOf(b: Json): string | undefined {
  const n = typeof b.cardNumber === 'string' ? b.cardNumber : ''
  return /^\d{15,16}$/.test(n) ? n : undefined
}

const validExpiry = (b: Json) =>
  /^\d{2}$/.test(String(b.cardExpirationYear)) && /^\d{2}$/.test(String(b.cardExpirationMonth))

/** A card number as Toss shows it: the first eight digits, then masked (`43301234****123*`). */
const masked = (n: string) => `${n.slice(0, 8)}****${n.slice(12, 15)}*`

function failResult(failUrl: string, code: string, orderId: string, message?: string): string {
  const u = new URL(failUrl)
  u.searchParams.set('code', code)
  u.searchParams.set('message', message ?? SIM_ERRORS[code]?.message ?? code)
  u.searchParams.set('orderId', orderId)
  return u.toString()
}

function issueBillingKey(deps: AppDeps, customerKey: string, cardNumberMasked: string): Json {
  const billingKey = `bk_${crypto.randomUUID().replace(/-/g, '')}`
  const issuedAt = deps.state.now()
  deps.state.billingKeys.set(billingKey, {
    billingKey,
    customerKey,
    cardNumberMasked,
    issuedAt,
    deleted: false,
  })
  return {
    mId: 'tvivarepublica',
    customerKey,
    authenticatedAt: issuedAt,
    method: '카드',
    billingKey,
    card: {
      issuerCode: '71',
      acquirerCode: '71',
      number: cardNumberMasked,
      cardType: '신용',
      ownerType: '개인',
    },
    cardCompany: '롯데',
    cardNumber: cardNumberMasked,
  }
}
