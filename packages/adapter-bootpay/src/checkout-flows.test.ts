/**
 * Checkout against the simulator over real HTTP: the launch the page gets, what the window's buttons post, the
 * redirect that lands on the return URL, then the server confirm. Unhappy paths first.
 */
import { type CheckoutRequest, type CheckoutReturn, isPaymentError, type PaymentError } from '@paymux/core'
import { type RunningServer, startServer } from '@paymux/core/simulator'
import { afterEach, describe, expect, it } from 'vitest'
import { Bootpay } from './bootpay.js'
import {
  BOOTPAY_DEMO_CREDENTIALS,
  type BootpaySimulator,
  type BootpaySimulatorOptions,
  createBootpaySimulator,
} from './simulator/index.js'

const servers: RunningServer[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()))
})

async function setup(version: 'v1' | 'v2' = 'v2', opts: BootpaySimulatorOptions = {}) {
  const sim = createBootpaySimulator(opts)
  const server = await startServer(sim.app)
  servers.push(server)
  const provider = new Bootpay({
    apiVersion: version,
    applicationId: BOOTPAY_DEMO_CREDENTIALS.applicationId,
    privateKey: BOOTPAY_DEMO_CREDENTIALS.privateKey,
    webApplicationId: BOOTPAY_DEMO_CREDENTIALS.webApplicationId,
    checkoutPg: 'nicepay',
    baseUrl: server.url,
    timeoutMs: 400,
  })
  await provider.warmUp()
  return { sim, server, provider }
}

let seq = 0
function order(over: Partial<CheckoutRequest> = {}): CheckoutRequest {
  seq++
  return {
    orderId: `ord-${Date.now()}-${seq}`,
    amount: 15_000,
    orderName: '테스트 주문',
    method: 'card',
    customer: { name: '홍길동', email: 'buyer@example.com', phone: '010-1234-5678' },
    returnUrl: `https://shop.example/checkout/tok${seq}/return`,
    closeUrl: `https://shop.example/checkout/tok${seq}/closed`,
    expiresAt: new Date(Date.now() + 30 * 60_000).toISOString(),
    ...over,
  }
}

const expectedOf = (r: CheckoutRequest) => ({ orderId: r.orderId, amount: r.amount, method: r.method })

/** The payload the page's start script hands to `Bootpay.requestPayment`. */
function payloadOf(start: string | undefined): Record<string, unknown> {
  const m = /var payload = (.*);\n/.exec(start ?? '')
  if (!m) throw new Error('the start script holds no payload')
  return JSON.parse(m[1]!) as Record<string, unknown>
}

/** What the stand-in posts: the payload as a form, to the window; answers the window's HTML. */
async function openWindow(server: RunningServer, payload: Record<string, unknown>): Promise<string> {
  const res = await fetch(`${server.url}/v2/request/payment`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ payload: JSON.stringify(payload) }),
  })
  expect(res.status).toBe(200)
  return res.text()
}

/** Presses a button of the window (posts its form) and returns where the browser is sent. */
async function press(server: RunningServer, html: string, button: 'approve' | 'decline' | 'close') {
  const action = new RegExp(`action="(/window/[^"]+/${button})"`).exec(html)?.[1]
  if (!action) throw new Error(`the window has no ${button} form`)
  const res = await fetch(`${server.url}${action}`, { method: 'POST', redirect: 'manual' })
  if (res.status === 303) return new URL(res.headers.get('location')!)
  // Delivered twice: the page names the URL it sends the browser to.
  const href = /id="result" href="([^"]+)"/.exec(await res.text())?.[1]
  if (!href) throw new Error(`unexpected window answer ${res.status}`)
  return new URL(href.replace(/&amp;/g, '&'))
}

const arrival = (url: URL): CheckoutReturn => ({
  method: 'GET',
  rawBody: new Uint8Array(),
  query: Object.fromEntries(url.searchParams),
  headers: {},
})

/** Start → window → Approve → the redirect, as the browser would do it. */
async function authenticate(
  env: { server: RunningServer; provider: Bootpay },
  req: CheckoutRequest,
  edit?: (p: Record<string, unknown>) => void,
) {
  const launch = await env.provider.startCheckout(req)
  const payload = payloadOf(launch.start)
  edit?.(payload)
  const html = await openWindow(env.server, payload)
  return press(env.server, html, 'approve')
}

async function rejection(p: Promise<unknown>): Promise<PaymentError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  )
  if (!isPaymentError(err)) throw new Error(`expected a PaymentError, got ${String(err)}`)
  return err
}

const receiptOf = (sim: BootpaySimulator, orderId: string) =>
  [...sim.state.receipts.values()].find((r) => r.orderId === orderId)!

describe('checkout: the window and what comes back', () => {
  it('Decline comes back as an error event: declined, nothing to confirm', async () => {
    const env = await setup()
    const req = order()
    const html = await openWindow(env.server, payloadOf((await env.provider.startCheckout(req)).start))
    expect(html).toContain('테스트 주문')
    expect(html).toContain('15,000원')
    const url = await press(env.server, html, 'decline')
    expect(url.origin + url.pathname).toBe(req.returnUrl)
    const result = await env.provider.readCheckoutReturn(arrival(url), expectedOf(req))
    expect(result).toMatchObject({ outcome: 'declined', code: 'RC_REQUEST_FAILED' })
    expect(env.sim.state.stats.confirms.requests).toBe(0)
  })

  it('a closed window is a cancel event: declined with RC_CLOSE_WINDOW', async () => {
    const env = await setup()
    const req = order()
    const html = await openWindow(env.server, payloadOf((await env.provider.startCheckout(req)).start))
    const result = await env.provider.readCheckoutReturn(
      arrival(await press(env.server, html, 'close')),
      expectedOf(req),
    )
    expect(result).toMatchObject({ outcome: 'declined', code: 'RC_CLOSE_WINDOW' })
  })

  it('a result without a receipt, with an unknown receipt, or for another order is refused', async () => {
    const env = await setup()
    const req = order()
    const read = (query: Record<string, string>) =>
      env.provider.readCheckoutReturn({ ...arrival(new URL(req.returnUrl)), query }, expectedOf(req))
    expect(await read({ event: 'confirm' })).toMatchObject({ outcome: 'refused' })
    expect(await read({ event: 'confirm', receipt_id: '../v2/cancel' })).toMatchObject({ outcome: 'refused' })
    expect(await read({ event: 'confirm', receipt_id: '0123456789abcdef01234567' })).toEqual({
      outcome: 'refused',
      reason: 'Bootpay does not know this receipt',
    })
    // A genuine receipt of another order (another customer's redirect replayed here).
    const other = order()
    const otherUrl = await authenticate(env, other)
    const replay = { ...Object.fromEntries(otherUrl.searchParams), order_id: req.orderId }
    expect(await read(replay)).toEqual({ outcome: 'refused', reason: 'the receipt belongs to another order' })
    expect(await read(Object.fromEntries(otherUrl.searchParams))).toEqual({
      outcome: 'refused',
      reason: 'the result names another order',
    })
    expect(env.sim.state.stats.confirms.requests).toBe(0)
  })

  it("a price changed in the browser shows in Bootpay's receipt: refused, never confirmed", async () => {
    const env = await setup()
    const req = order()
    const url = await authenticate(env, req, (p) => {
      p.price = 100
    })
    const result = await env.provider.readCheckoutReturn(arrival(url), expectedOf(req))
    expect(result).toMatchObject({ outcome: 'refused' })
    expect(result.outcome === 'refused' && result.reason).toMatch(/price \(100\).*15000/)
    // Approving it anyway (a host that skipped the read) refuses before any confirm.
    const err = await rejection(
      env.provider.approveCheckout(
        { transactionId: url.searchParams.get('receipt_id')!, amount: req.amount, data: {} },
        expectedOf(req),
      ),
    )
    expect(err.outcome).toBe('rejected')
    expect(env.sim.state.stats.confirms.requests).toBe(0)
    expect(env.sim.inspect(url.searchParams.get('receipt_id')!)?.status).toBe('awaiting_confirm')
  })
})

describe('checkout: the server confirm', () => {
  it('a confirm the PG refuses (RC_CONFIRM_FAILED + pg_error_code) is rejected; nothing to undo', async () => {
    const env = await setup('v2', {
      settings: { confirmRefusal: { pgErrorCode: '1512', pgErrorMessage: '카드 승인 거절' } },
    })
    const req = order()
    const result = await env.provider.readCheckoutReturn(
      arrival(await authenticate(env, req)),
      expectedOf(req),
    )
    if (result.outcome !== 'authenticated') throw new Error(result.outcome)
    const err = await rejection(env.provider.approveCheckout(result.approval, expectedOf(req)))
    expect(err.outcome).toBe('rejected')
    expect(err.providerCode).toBe('RC_CONFIRM_FAILED')
    expect(err.message).toContain('1512')
    expect(env.sim.inspect(result.approval.transactionId)).toMatchObject({
      status: 'failed',
      confirmsApplied: 0,
    })
    expect(await env.provider.undoCheckout(result.approval, 'refused')).toMatchObject({
      status: 'nothing_to_undo',
    })
  })

  it('a confirm whose answer is lost is unknown; the receipt then shows the truth', async () => {
    const env = await setup('v2', { settings: { confirmAnswer: 'lost' } })
    const req = order()
    const result = await env.provider.readCheckoutReturn(
      arrival(await authenticate(env, req)),
      expectedOf(req),
    )
    if (result.outcome !== 'authenticated') throw new Error(result.outcome)
    const err = await rejection(env.provider.approveCheckout(result.approval, expectedOf(req)))
    expect(err.outcome).toBe('unknown')
    expect(env.sim.inspect(result.approval.transactionId)).toMatchObject({ confirmsApplied: 1 })
    expect((await env.provider.getTransaction(result.approval.transactionId)).status).toBe('paid')
    // Approving again settles from the receipt: no second confirm is sent.
    env.sim.settings.confirmAnswer = 'normal'
    expect(await env.provider.approveCheckout(result.approval, expectedOf(req))).toMatchObject({
      status: 'paid',
      amount: req.amount,
    })
    expect(env.sim.inspect(result.approval.transactionId)).toMatchObject({
      confirmRequests: 1,
      confirmsApplied: 1,
    })
  })

  it('a confirm answered slower than the timeout is unknown', async () => {
    const env = await setup('v2', { settings: { confirmAnswer: 'slow', confirmDelayMs: 2_000 } })
    const req = order()
    const result = await env.provider.readCheckoutReturn(
      arrival(await authenticate(env, req)),
      expectedOf(req),
    )
    if (result.outcome !== 'authenticated') throw new Error(result.outcome)
    const err = await rejection(env.provider.approveCheckout(result.approval, expectedOf(req)))
    expect(err.outcome).toBe('unknown')
  })

  it('a 500 to the confirm is unknown, whatever its body', async () => {
    const env = await setup()
    const req = order()
    const result = await env.provider.readCheckoutReturn(
      arrival(await authenticate(env, req)),
      expectedOf(req),
    )
    if (result.outcome !== 'authenticated') throw new Error(result.outcome)
    env.sim.faults.inject({ fault: { kind: 'status', status: 500, body: '' }, path: '/confirm' })
    expect((await rejection(env.provider.approveCheckout(result.approval, expectedOf(req)))).outcome).toBe(
      'unknown',
    )
    env.sim.faults.inject({
      fault: { kind: 'status', status: 500, body: '{"error_code":"RC_CONFIRM_FAILED","message":"x"}' },
      path: '/confirm',
    })
    expect((await rejection(env.provider.approveCheckout(result.approval, expectedOf(req)))).outcome).toBe(
      'unknown',
    )
    env.sim.faults.inject({ fault: { kind: 'malformed' }, path: '/confirm' })
    expect((await rejection(env.provider.approveCheckout(result.approval, expectedOf(req)))).outcome).toBe(
      'unknown',
    )
    // The malformed answer came after the confirm took.
    expect(env.sim.inspect(result.approval.transactionId)?.confirmsApplied).toBe(1)
  })

  it('a second confirm is refused by Bootpay; two approvals of one result confirm once', async () => {
    const env = await setup()
    const req = order()
    const result = await env.provider.readCheckoutReturn(
      arrival(await authenticate(env, req)),
      expectedOf(req),
    )
    if (result.outcome !== 'authenticated') throw new Error(result.outcome)
    const both = await Promise.all([
      env.provider.approveCheckout(result.approval, expectedOf(req)),
      env.provider.approveCheckout(result.approval, expectedOf(req)),
    ])
    expect(both.map((a) => a.status)).toEqual(['paid', 'paid'])
    expect(env.sim.inspect(result.approval.transactionId)).toMatchObject({ confirmsApplied: 1 })
    expect(env.sim.state.stats.confirms.applied).toBe(1)
    // On the wire: the receipt is no longer awaiting a confirm.
    const token = env.provider.client.tokens!
    const res = await fetch(`${env.server.url}/v2/confirm`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await token.get()}` },
      body: JSON.stringify({ receipt_id: result.approval.transactionId }),
    })
    expect(res.status).toBe(400)
    expect(((await res.json()) as { error_code: string }).error_code).toBe('RC_NOT_CONFIRM_READY')
    expect(env.sim.state.stats.confirms.applied).toBe(1)
  })

  it('the result delivered twice reads the same receipt twice and is confirmed once', async () => {
    const env = await setup('v2', { settings: { windowResultTwice: true } })
    const req = order()
    const url = await authenticate(env, req)
    const first = await env.provider.readCheckoutReturn(arrival(url), expectedOf(req))
    const second = await env.provider.readCheckoutReturn(arrival(url), expectedOf(req))
    expect(second).toEqual(first)
    if (first.outcome !== 'authenticated' || second.outcome !== 'authenticated') throw new Error('not read')
    await env.provider.approveCheckout(first.approval, expectedOf(req))
    await env.provider.approveCheckout(second.approval, expectedOf(req))
    expect(env.sim.inspect(first.approval.transactionId)).toMatchObject({
      confirmRequests: 1,
      confirmsApplied: 1,
    })
  })

  it('Approve → read → confirm → paid, then cancellable like any payment', async () => {
    const env = await setup()
    const req = order()
    const url = await authenticate(env, req)
    expect(url.origin + url.pathname).toBe(req.returnUrl)
    expect(url.searchParams.get('event')).toBe('confirm')
    const id = url.searchParams.get('receipt_id')!
    expect(env.sim.inspect(id)).toMatchObject({ status: 'awaiting_confirm', bootpayStatus: 2, pg: 'nicepay' })
    const result = await env.provider.readCheckoutReturn(arrival(url), expectedOf(req))
    expect(result).toEqual({
      outcome: 'authenticated',
      approval: { transactionId: id, amount: 15_000, data: { orderId: req.orderId } },
    })
    if (result.outcome !== 'authenticated') throw new Error('not read')
    const approved = await env.provider.approveCheckout(result.approval, expectedOf(req))
    expect(approved).toMatchObject({
      status: 'paid',
      transactionId: id,
      amount: 15_000,
      method: 'card',
      cardName: 'KB국민',
      providerCode: '1',
    })
    expect(approved.paidAt).toMatch(/\+09:00$/)
    expect(env.sim.inspect(id)).toMatchObject({ status: 'paid', confirmRequests: 1, confirmsApplied: 1 })
    const partial = await env.provider.cancel({
      transactionId: id,
      amount: 5_000,
      reason: 'part',
      cancelId: 'c1',
    })
    expect(partial).toMatchObject({ status: 'cancelled', cancelledAmount: 5_000 })
    expect(env.sim.inspect(id)).toMatchObject({ status: 'partial_cancelled', cancelledAmount: 5_000 })
  })

  it('an approval the host refuses is cancelled in full, once', async () => {
    const env = await setup()
    const req = order()
    const result = await env.provider.readCheckoutReturn(
      arrival(await authenticate(env, req)),
      expectedOf(req),
    )
    if (result.outcome !== 'authenticated') throw new Error(result.outcome)
    await env.provider.approveCheckout(result.approval, expectedOf(req))
    expect(await env.provider.undoCheckout(result.approval, 'amount refused')).toMatchObject({
      status: 'cancelled',
    })
    expect(env.sim.inspect(result.approval.transactionId)).toMatchObject({
      status: 'cancelled',
      cancelledAmount: 15_000,
      cancelCount: 1,
    })
    expect(await env.provider.undoCheckout(result.approval, 'amount refused')).toMatchObject({
      status: 'cancelled',
    })
    expect(env.sim.inspect(result.approval.transactionId)?.cancelCount).toBe(1)
  })

  it('a receipt whose price changed after the read is refused before the confirm', async () => {
    const env = await setup()
    const req = order()
    const result = await env.provider.readCheckoutReturn(
      arrival(await authenticate(env, req)),
      expectedOf(req),
    )
    if (result.outcome !== 'authenticated') throw new Error(result.outcome)
    receiptOf(env.sim, req.orderId).price = 14_000
    const err = await rejection(env.provider.approveCheckout(result.approval, expectedOf(req)))
    expect(err.outcome).toBe('rejected')
    expect(env.sim.state.stats.confirms.requests).toBe(0)
  })

  it('a virtual account is confirmed into waiting for deposit, then paid by the deposit', async () => {
    const env = await setup()
    const req = order({ method: 'virtual_account' })
    const url = await authenticate(env, req)
    const result = await env.provider.readCheckoutReturn(arrival(url), expectedOf(req))
    if (result.outcome !== 'authenticated') throw new Error(result.outcome)
    const approved = await env.provider.approveCheckout(result.approval, expectedOf(req))
    expect(approved).toMatchObject({
      status: 'waiting_for_deposit',
      method: 'virtual_account',
      providerCode: '5',
      virtualAccount: { bankCode: '004', bankName: 'KB국민은행' },
    })
    expect(approved.virtualAccount?.dueDate).toMatch(/\+09:00$/)
    env.sim.deposit(result.approval.transactionId)
    expect((await env.provider.getTransaction(result.approval.transactionId)).status).toBe('paid')
  })

  it('v1 confirms with /submit', async () => {
    const env = await setup('v1')
    const req = order()
    const result = await env.provider.readCheckoutReturn(
      arrival(await authenticate(env, req)),
      expectedOf(req),
    )
    if (result.outcome !== 'authenticated') throw new Error(result.outcome)
    expect(await env.provider.approveCheckout(result.approval, expectedOf(req))).toMatchObject({
      status: 'paid',
      amount: 15_000,
      approvalNumber: expect.any(String),
    })
    expect(env.sim.inspect(result.approval.transactionId)).toMatchObject({
      status: 'paid',
      confirmsApplied: 1,
    })
  })
})
