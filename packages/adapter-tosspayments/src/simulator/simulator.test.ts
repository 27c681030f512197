// The simulator against the spec, over real HTTP, with plain fetch: never through the adapter.
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { type RunningServer, startServer } from '@paymux/core/simulator'
import { afterEach, describe, expect, it } from 'vitest'
import { createTossSimulator, SIM_ERRORS, TOSS_DEMO_CREDENTIALS, type TossSimulator } from './index.js'

const auth = (key = TOSS_DEMO_CREDENTIALS.secretKey) => `Basic ${Buffer.from(`${key}:`).toString('base64')}`

let server: RunningServer | undefined
afterEach(async () => {
  await server?.close()
  server = undefined
})

async function running(options: Parameters<typeof createTossSimulator>[0] = {}) {
  const sim = createTossSimulator(options)
  server = await startServer(sim.app)
  const url = server.url
  const call = async (
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; body: Record<string, unknown> }> => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: {
        authorization: auth(),
        ...(body ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      ...(body ? { body: JSON.stringify(body) } : {}),
    })
    return { status: res.status, body: (await res.json()) as Record<string, unknown> }
  }
  return { sim, url, call }
}

/** A payment authenticated at the window (IN_PROGRESS), ready to confirm. */
function authenticated(sim: TossSimulator, amount: number, orderId: string) {
  const p = sim.state.create({ orderId, orderName: '상품', amount, method: '카드', status: 'IN_PROGRESS' })
  return p.paymentKey
}

describe('auth', () => {
  it('takes only Basic base64("{secretKey}:") and answers 401 UNAUTHORIZED_KEY otherwise', async () => {
    const { sim, url } = await running()
    const { transactionId } = sim.seedPayment({ amount: 1_000 })
    for (const authorization of [
      `Basic ${Buffer.from(TOSS_DEMO_CREDENTIALS.secretKey).toString('base64')}`, // no colon
      auth('test_sk_someoneElse0000000000'),
      '',
    ]) {
      const res = await fetch(`${url}/v1/payments/${transactionId}`, { headers: { authorization } })
      expect(res.status).toBe(401)
      expect(((await res.json()) as { code: string }).code).toBe('UNAUTHORIZED_KEY')
    }
    const ok = await fetch(`${url}/v1/payments/${transactionId}`, { headers: { authorization: auth() } })
    expect(ok.status).toBe(200)
  })
})

describe('TossPayments-Test-Code', () => {
  it('forces every listed error with its HTTP status, before the paymentKey is even looked at', async () => {
    const { call } = await running()
    for (const [code, { status }] of Object.entries(SIM_ERRORS)) {
      const r = await call(
        'POST',
        '/v1/payments/no-such-payment-key/cancel',
        { cancelReason: 'x' },
        { 'TossPayments-Test-Code': code },
      )
      expect({ code, status: r.status, body: r.body.code }).toEqual({ code, status, body: code })
      expect(typeof r.body.message).toBe('string')
    }
  })

  it('spells out the statuses the spec table gives the deciding codes', async () => {
    const { call } = await running()
    const expected: Record<string, number> = {
      ALREADY_PROCESSED_PAYMENT: 400,
      PROVIDER_ERROR: 400,
      INVALID_REQUEST: 400,
      NOT_CANCELABLE_AMOUNT: 403,
      FORBIDDEN_CONSECUTIVE_REQUEST: 403,
      NOT_ALLOWED_PARTIAL_REFUND: 403,
      FAILED_REFUND_PROCESS: 500,
      COMMON_ERROR: 500,
      FAILED_INTERNAL_SYSTEM_PROCESSING: 500,
    }
    for (const [code, status] of Object.entries(expected)) {
      const r = await call('POST', '/v1/payments/confirm', {}, { 'TossPayments-Test-Code': code })
      expect([code, r.status]).toEqual([code, status])
    }
  })

  it('is honoured only for test secret keys (setting testCodeNeedsTestKey)', async () => {
    const live = { secretKey: 'live_sk_0000000000000000000', clientKey: 'live_ck_000000000000000000' }
    const sim = createTossSimulator({ credentials: live })
    server = await startServer(sim.app)
    const res = await fetch(`${server.url}/v1/payments/confirm`, {
      method: 'POST',
      headers: {
        authorization: auth(live.secretKey),
        'content-type': 'application/json',
        'TossPayments-Test-Code': 'PROVIDER_ERROR',
      },
      body: '{}',
    })
    expect(((await res.json()) as { code: string }).code).toBe('INVALID_REQUEST')
  })
})

describe('confirm', () => {
  it('approves once; a second confirm is ALREADY_PROCESSED_PAYMENT; another amount is refused', async () => {
    const { sim, call } = await running()
    const key = authenticated(sim, 15_000, 'order-confirm-1')
    const wrong = await call('POST', '/v1/payments/confirm', {
      paymentKey: key,
      orderId: 'order-confirm-1',
      amount: 5_000,
    })
    expect([wrong.status, wrong.body.code]).toEqual([400, sim.settings.confirmMismatchCode])
    const ok = await call('POST', '/v1/payments/confirm', {
      paymentKey: key,
      orderId: 'order-confirm-1',
      amount: 15_000,
    })
    expect(ok.status).toBe(200)
    expect(ok.body).toMatchObject({
      status: 'DONE',
      totalAmount: 15_000,
      balanceAmount: 15_000,
      method: '카드',
    })
    const again = await call('POST', '/v1/payments/confirm', {
      paymentKey: key,
      orderId: 'order-confirm-1',
      amount: 15_000,
    })
    expect([again.status, again.body.code]).toEqual([400, 'ALREADY_PROCESSED_PAYMENT'])
    expect(sim.inspect(key)?.confirms).toBe(1)
  })

  it("reproduces the forum case: a key reused on /confirm replays the first payment's answer", async () => {
    const { sim, call } = await running()
    const first = authenticated(sim, 10_000, 'order-forum-1')
    const second = authenticated(sim, 20_000, 'order-forum-2')
    const h = { 'Idempotency-Key': 'fixed-key-for-every-confirm' }
    const a = await call(
      'POST',
      '/v1/payments/confirm',
      { paymentKey: first, orderId: 'order-forum-1', amount: 10_000 },
      h,
    )
    const b = await call(
      'POST',
      '/v1/payments/confirm',
      { paymentKey: second, orderId: 'order-forum-2', amount: 20_000 },
      h,
    )
    expect(b.status).toBe(200)
    expect(b.body.paymentKey).toBe(first) // another payment's answer
    expect(b.body).toEqual(a.body)
    expect(sim.inspect(second)).toMatchObject({ status: 'IN_PROGRESS', confirms: 0 })
    expect(sim.idempotency.replays).toBe(1)
  })

  it('expires READY after 30 minutes and IN_PROGRESS after 10, with failure EXPIRED_PAYMENT', async () => {
    let now = Date.parse('2026-01-01T00:00:00Z')
    const { sim, call } = await running({ clock: () => now })
    const ready = sim.state.create({
      orderId: 'order-ready',
      orderName: 'x',
      amount: 1_000,
      method: '카드',
      status: 'READY',
    })
    const inProgress = authenticated(sim, 1_000, 'order-inprog')
    now += 10 * 60_000 - 1
    expect((await call('GET', `/v1/payments/${inProgress}`)).body.status).toBe('IN_PROGRESS')
    now += 1
    const expired = await call('GET', `/v1/payments/${inProgress}`)
    expect(expired.body).toMatchObject({ status: 'EXPIRED', failure: { code: 'EXPIRED_PAYMENT' } })
    const late = await call('POST', '/v1/payments/confirm', {
      paymentKey: inProgress,
      orderId: 'order-inprog',
      amount: 1_000,
    })
    expect([late.status, late.body.code]).toEqual([404, 'NOT_FOUND_PAYMENT_SESSION'])
    expect((await call('GET', `/v1/payments/${ready.paymentKey}`)).body.status).toBe('READY')
    now += 20 * 60_000
    expect((await call('GET', `/v1/payments/${ready.paymentKey}`)).body.status).toBe('EXPIRED')
  })
})

describe('cancel', () => {
  it('keeps balanceAmount and cancels[] and moves the status with the balance', async () => {
    let now = Date.parse('2026-01-01T00:00:00Z')
    const { sim, call } = await running({ clock: () => now })
    const { transactionId } = sim.seedPayment({ amount: 10_000 })
    const a = await call('POST', `/v1/payments/${transactionId}/cancel`, {
      cancelReason: '부분',
      cancelAmount: 3_000,
    })
    expect(a.body).toMatchObject({ status: 'PARTIAL_CANCELED', totalAmount: 10_000, balanceAmount: 7_000 })
    expect(a.body.cancels).toHaveLength(1)
    now += 1_000
    const b = await call('POST', `/v1/payments/${transactionId}/cancel`, { cancelReason: '나머지' })
    expect(b.body).toMatchObject({ status: 'CANCELED', balanceAmount: 0, totalAmount: 10_000 })
    const cancels = b.body.cancels as Array<{ cancelAmount: number; transactionKey: string }>
    expect(cancels.map((c) => c.cancelAmount)).toEqual([3_000, 7_000])
    expect(b.body.lastTransactionKey).toBe(cancels[1]!.transactionKey)
    now += 1_000
    const c = await call('POST', `/v1/payments/${transactionId}/cancel`, { cancelReason: '또' })
    expect([c.status, c.body.code]).toEqual([400, 'ALREADY_CANCELED_PAYMENT'])
  })

  it('refuses a second cancel of one payment within 1 s with 403 FORBIDDEN_CONSECUTIVE_REQUEST', async () => {
    let now = Date.parse('2026-01-01T00:00:00Z')
    const { sim, call } = await running({ clock: () => now })
    const { transactionId } = sim.seedPayment({ amount: 10_000 })
    await call('POST', `/v1/payments/${transactionId}/cancel`, { cancelReason: 'a', cancelAmount: 1_000 })
    now += 999
    const r = await call('POST', `/v1/payments/${transactionId}/cancel`, {
      cancelReason: 'b',
      cancelAmount: 1_000,
    })
    expect([r.status, r.body.code]).toEqual([403, 'FORBIDDEN_CONSECUTIVE_REQUEST'])
    expect(sim.inspect(transactionId)?.cancelCount).toBe(1)
    now += 1
    const ok = await call('POST', `/v1/payments/${transactionId}/cancel`, {
      cancelReason: 'b',
      cancelAmount: 1_000,
    })
    expect(ok.status).toBe(200)
  })

  it('over-cancel is 403 NOT_CANCELABLE_AMOUNT; a re-send with the same key replays, another key cancels', async () => {
    let now = Date.parse('2026-01-01T00:00:00Z')
    const { sim, call } = await running({ clock: () => now })
    const { transactionId } = sim.seedPayment({ amount: 5_000 })
    const over = await call('POST', `/v1/payments/${transactionId}/cancel`, {
      cancelReason: 'x',
      cancelAmount: 6_000,
    })
    expect([over.status, over.body.code]).toEqual([403, 'NOT_CANCELABLE_AMOUNT'])
    const h = { 'Idempotency-Key': 'cancel-1' }
    const first = await call(
      'POST',
      `/v1/payments/${transactionId}/cancel`,
      { cancelReason: 'x', cancelAmount: 1_000 },
      h,
    )
    now += 5_000
    // The body differs: Toss keys on key + URL + method only, so the first answer comes back.
    const replay = await call(
      'POST',
      `/v1/payments/${transactionId}/cancel`,
      { cancelReason: 'y', cancelAmount: 2_000 },
      h,
    )
    expect(replay.body).toEqual(first.body)
    expect(sim.inspect(transactionId)?.cancelCount).toBe(1)
    const other = await call(
      'POST',
      `/v1/payments/${transactionId}/cancel`,
      { cancelReason: 'z', cancelAmount: 1_000 },
      { 'Idempotency-Key': 'cancel-2' },
    )
    expect(other.body.balanceAmount).toBe(3_000)
    // After 15 days the key is forgotten: the same key is a new cancel.
    now += sim.settings.idempotencyTtlMs
    const late = await call(
      'POST',
      `/v1/payments/${transactionId}/cancel`,
      { cancelReason: 'x', cancelAmount: 1_000 },
      h,
    )
    expect(late.body.balanceAmount).toBe(2_000)
    const tooLong = await call(
      'POST',
      `/v1/payments/${transactionId}/cancel`,
      { cancelReason: 'x' },
      { 'Idempotency-Key': 'k'.repeat(301) },
    )
    expect(tooLong.body.code).toBe('INVALID_IDEMPOTENCY_KEY')
  })

  it('a deposited virtual account needs refundReceiveAccount; a waiting one is closed whole, never in part', async () => {
    const { sim, call } = await running()
    const paid = sim.seedPayment({ amount: 20_000, method: 'virtual_account', deposited: true })
    const none = await call('POST', `/v1/payments/${paid.transactionId}/cancel`, { cancelReason: '환불' })
    expect(none.body.code).toBe(sim.settings.missingRefundAccountCode)
    const ok = await call('POST', `/v1/payments/${paid.transactionId}/cancel`, {
      cancelReason: '환불',
      refundReceiveAccount: { bank: '06', accountNumber: '12345678901234', holderName: '홍길동' },
    })
    expect(ok.body).toMatchObject({ status: 'CANCELED', virtualAccount: { refundStatus: 'COMPLETED' } })
    const waiting = sim.seedPayment({ amount: 15_000, method: 'virtual_account' })
    const part = await call('POST', `/v1/payments/${waiting.transactionId}/cancel`, {
      cancelReason: 'x',
      cancelAmount: 1_000,
    })
    expect([part.status, part.body.code]).toEqual([403, 'NOT_ALLOWED_PARTIAL_REFUND_WAITING_DEPOSIT'])
    const whole = await call('POST', `/v1/payments/${waiting.transactionId}/cancel`, { cancelReason: 'x' })
    expect(whole.body.status).toBe('CANCELED')
  })
})

describe('virtual accounts and webhooks', () => {
  it('issues with a secret; the deposit route sends PAYMENT_STATUS_CHANGED and DEPOSIT_CALLBACK carrying it', async () => {
    const received: Array<{ body: Record<string, unknown>; headers: Record<string, unknown> }> = []
    const hook = createServer((req, res) => {
      const chunks: Buffer[] = []
      req.on('data', (c: Buffer) => chunks.push(c))
      req.on('end', () => {
        received.push({ body: JSON.parse(Buffer.concat(chunks).toString()), headers: req.headers })
        res.writeHead(200).end()
      })
    })
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r))
    try {
      const { sim, url, call } = await running()
      await fetch(`${url}/__sim/webhooks`, {
        method: 'POST',
        body: JSON.stringify({ url: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/toss` }),
      })
      const va = await call('POST', '/v1/virtual-accounts', {
        amount: 12_000,
        orderId: 'order-va-1',
        orderName: '가상계좌',
        customerName: '홍길동',
        bank: '20',
      })
      expect(va.body).toMatchObject({ status: 'WAITING_FOR_DEPOSIT', method: '가상계좌' })
      const secret = va.body.secret as string
      expect(secret).toMatch(/^ps_/)
      expect((va.body.virtualAccount as { accountNumber: string }).accountNumber).toMatch(/^X/)
      const dep = await fetch(`${url}/__sim/deposit/${va.body.paymentKey}`, { method: 'POST' })
      expect(dep.status).toBe(200)
      await sim.webhooks.settled()
      const types = received.map((r) => r.body.eventType)
      expect(types).toEqual([
        'PAYMENT_STATUS_CHANGED',
        'DEPOSIT_CALLBACK',
        'PAYMENT_STATUS_CHANGED',
        'DEPOSIT_CALLBACK',
      ])
      const deposit = received[3]!
      expect(deposit.body.data).toMatchObject({ secret, status: 'DONE', orderId: 'order-va-1' })
      expect(String(deposit.body.createdAt)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}$/)
      expect(deposit.headers['tosspayments-webhook-transmission-id']).toBeTruthy()
      expect(deposit.headers).not.toHaveProperty('tosspayments-webhook-signature')
    } finally {
      hook.close()
    }
  })

  it('retries a failed delivery 1, 4, 16, 64, 256, 1024, 4096 minutes later, then gives up', async () => {
    let now = Date.parse('2026-01-01T00:00:00Z')
    const attempts: number[] = []
    const fetchImpl = (async () => {
      attempts.push(now)
      return new Response('no', { status: 500 })
    }) as unknown as typeof fetch
    const sim = createTossSimulator({
      clock: () => now,
      fetch: fetchImpl,
      webhookUrl: 'http://merchant.test/toss',
    })
    const { transactionId } = sim.seedPayment({ amount: 1_000, method: 'virtual_account' })
    sim.deposit(transactionId)
    await sim.webhooks.settled()
    const d = sim.webhooks.deliveries[0]!
    while (d.status === 'pending') {
      // Just before it is due nothing is sent; at the due time it is.
      now = d.dueAt - 1
      const before = d.attempts
      await sim.webhooks.deliverDue()
      expect(d.attempts).toBe(before)
      now = d.dueAt
      await sim.webhooks.deliverDue()
    }
    expect(d.status).toBe('failed')
    expect(d.answers).toEqual(Array(8).fill(500))
    const mine = attempts.filter((_, i) => i % 2 === 0) // the two events of a deposit alternate
    const gaps = mine.slice(1).map((t, i) => (t - mine[i]!) / 60_000)
    expect(gaps).toEqual([1, 4, 16, 64, 256, 1024, 4096])
  })
})

describe('billing keys', () => {
  it('issues from authKey + customerKey, charges with the same customerKey only, and deletes (setting)', async () => {
    const { sim, call } = await running()
    const authKey = sim.billingAuthKey('customer-1')
    const wrongCustomer = await call('POST', '/v1/billing/authorizations/issue', {
      authKey,
      customerKey: 'customer-2',
    })
    expect(wrongCustomer.body.code).toBe('NOT_MATCHES_CUSTOMER_KEY')
    const issued = await call('POST', '/v1/billing/authorizations/issue', {
      authKey,
      customerKey: 'customer-1',
    })
    const billingKey = issued.body.billingKey as string
    const charge = (customerKey: string, orderId: string) =>
      call('POST', `/v1/billing/${billingKey}`, { amount: 1_004, customerKey, orderId, orderName: '구독' })
    expect((await charge('customer-2', 'order-bill-0')).body.code).toBe('NOT_MATCHES_CUSTOMER_KEY')
    const paid = await charge('customer-1', 'order-bill-1')
    expect(paid.body).toMatchObject({ status: 'DONE', type: 'BILLING', totalAmount: 1_004 })
    expect((await charge('customer-1', 'order-bill-1')).body.code).toBe('DUPLICATED_ORDER_ID')
    expect((await call('DELETE', `/v1/billing/${billingKey}`)).status).toBe(200)
    expect((await charge('customer-1', 'order-bill-2')).status).toBe(404)
  })

  it('answers 404 to DELETE when billingKeyDelete is off', async () => {
    const { sim, call } = await running({ settings: { billingKeyDelete: false } })
    const issued = await call('POST', '/v1/billing/authorizations/issue', {
      authKey: sim.billingAuthKey('customer-9'),
      customerKey: 'customer-9',
    })
    expect((await call('DELETE', `/v1/billing/${issued.body.billingKey}`)).status).toBe(404)
  })
})

describe('window', () => {
  it('Approve redirects to successUrl with paymentKey, orderId, amount; Decline to failUrl with code, message, orderId', async () => {
    const { sim, url } = await running()
    const open = (orderId: string) =>
      fetch(`${url}/sim/window`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          clientKey: TOSS_DEMO_CREDENTIALS.clientKey,
          method: '카드',
          params: JSON.stringify({
            amount: 15_000,
            orderId,
            orderName: '상품',
            successUrl: 'https://shop.test/ok',
            failUrl: 'https://shop.test/fail',
          }),
        }).toString(),
      }).then((r) => r.text())
    const html = await open('order-win-1')
    const approve = /action="([^"]+\/approve)"/.exec(html)![1]!
    const res = await fetch(`${url}${approve}`, { method: 'POST', redirect: 'manual' })
    const to = new URL(res.headers.get('location')!)
    expect(to.origin + to.pathname).toBe('https://shop.test/ok')
    const paymentKey = to.searchParams.get('paymentKey')!
    expect(Object.fromEntries(to.searchParams)).toMatchObject({ orderId: 'order-win-1', amount: '15000' })
    expect(sim.inspect(paymentKey)?.status).toBe('IN_PROGRESS')
    const declineHtml = await open('order-win-2')
    const decline = /action="([^"]+\/decline)"/.exec(declineHtml)![1]!
    const d = await fetch(`${url}${decline}`, { method: 'POST', redirect: 'manual' })
    const fail = new URL(d.headers.get('location')!)
    expect(fail.origin + fail.pathname).toBe('https://shop.test/fail')
    expect(Object.fromEntries(fail.searchParams)).toMatchObject({
      code: sim.settings.declineCode,
      orderId: 'order-win-2',
    })
    expect(fail.searchParams.get('message')).toBeTruthy()
  })
})

describe('key-in (POST /v1/payments/key-in)', () => {
  const body = (orderId: string, cardNumber = '4330123412341234') => ({
    amount: 10_000,
    orderId,
    orderName: '키인 상품',
    cardNumber,
    cardExpirationYear: '30',
    cardExpirationMonth: '12',
    customerIdentityNumber: '900101',
  })

  it('approves a card payment in one call: DONE, the number masked, one approval', async () => {
    const { sim, call } = await running()
    const r = await call('POST', '/v1/payments/key-in', body('order-keyin-1'))
    expect(r.status).toBe(200)
    expect(r.body).toMatchObject({
      status: 'DONE',
      method: '카드',
      orderId: 'order-keyin-1',
      totalAmount: 10_000,
      balanceAmount: 10_000,
      card: { number: '43301234****123*' },
    })
    expect(JSON.stringify(r.body)).not.toContain('4330123412341234')
    expect(sim.inspect(String(r.body.paymentKey))).toMatchObject({ status: 'DONE', confirms: 1 })
    const again = await call('POST', '/v1/payments/key-in', body('order-keyin-1'))
    expect([again.status, again.body.code]).toEqual([400, 'DUPLICATED_ORDER_ID'])
    const refused = await call('POST', '/v1/payments/key-in', body('order-keyin-2', '4330000000000000'))
    expect(refused.body.code).toBe('INVALID_REJECT_CARD')
    const bad = await call('POST', '/v1/payments/key-in', {
      ...body('order-keyin-3'),
      cardExpirationMonth: 'x',
    })
    expect(bad.body.code).toBe('INVALID_CARD_EXPIRATION')
  })

  it('a merchant without the key-in contract (setting keyInRefusal) is refused with that code', async () => {
    const { sim, call } = await running({ settings: { keyInRefusal: 'FORBIDDEN_REQUEST' } })
    const r = await call('POST', '/v1/payments/key-in', body('order-keyin-9'))
    expect([r.status, r.body.code]).toEqual([403, 'FORBIDDEN_REQUEST'])
    expect(sim.state.payments.size).toBe(0)
  })
})

describe('the success URL reached twice (setting successArrivesTwice)', () => {
  it('Approve answers a page that requests the success URL in the background, then goes there itself', async () => {
    const { sim, url } = await running({ settings: { successArrivesTwice: true } })
    const html = await fetch(`${url}/sim/window`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        clientKey: TOSS_DEMO_CREDENTIALS.clientKey,
        method: '카드',
        params: JSON.stringify({
          amount: 15_000,
          orderId: 'order-twice-1',
          orderName: '상품',
          successUrl: 'https://shop.test/ok',
          failUrl: 'https://shop.test/fail',
        }),
      }).toString(),
    }).then((r) => r.text())
    const approve = /action="([^"]+\/approve)"/.exec(html)![1]!
    const res = await fetch(`${url}${approve}`, { method: 'POST', redirect: 'manual' })
    expect(res.status).toBe(200)
    const page = await res.text()
    const target = JSON.parse(/var url = (.*);/.exec(page)![1]!) as string
    const to = new URL(target)
    expect(to.origin + to.pathname).toBe('https://shop.test/ok')
    expect(page).toContain('fetch(url')
    expect(page).toContain('location.replace(url)')
    // The window authenticated once: what arrives twice is one result.
    expect(sim.inspect(to.searchParams.get('paymentKey')!)).toMatchObject({
      status: 'IN_PROGRESS',
      confirms: 0,
    })
  })
})

describe('the reversal of a deposit', () => {
  it('turns DONE back into WAITING_FOR_DEPOSIT (the rare case Toss documents)', async () => {
    const { sim, url, call } = await running()
    const { transactionId } = sim.seedPayment({ amount: 5_000, method: 'virtual_account', deposited: true })
    expect((await fetch(`${url}/__sim/revert-deposit/${transactionId}`, { method: 'POST' })).status).toBe(200)
    expect((await call('GET', `/v1/payments/${transactionId}`)).body).toMatchObject({
      status: 'WAITING_FOR_DEPOSIT',
      approvedAt: null,
    })
    expect((await fetch(`${url}/__sim/revert-deposit/${transactionId}`, { method: 'POST' })).status).toBe(409)
  })
})
