/**
 * Checkout's pure parts and its wire: what the page gets (checkout.md §2.2), what the adapter refuses before
 * anything is sent, the confirm as Bootpay's SDKs send it (fixtures), and the SDK's encrypted form
 * (a vector computed outside TypeScript) as the simulator reads it.
 */
import { createCipheriv } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { type CheckoutRequest, type FetchLike, isPaymentError } from '@paymux/core'
import { inProcessFetch } from '@paymux/core/simulator'
import { describe, expect, it } from 'vitest'
import { Bootpay, type BootpayOptions } from './bootpay.js'
import { bootpayDescriptor } from './descriptor.js'
import { BOOTPAY_DEMO_CREDENTIALS, createBootpaySimulator, decryptSdkPayload } from './simulator/index.js'

const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`./__fixtures__/${name}.json`, import.meta.url), 'utf8')) as {
    request: { method: string; path: string; headers: Record<string, string>; body: { receipt_id: string } }
    response: { status: number; body: Record<string, unknown> }
    plaintext_json: string
    payload: string
    token: string
  }

const KEYS = {
  applicationId: BOOTPAY_DEMO_CREDENTIALS.applicationId,
  privateKey: BOOTPAY_DEMO_CREDENTIALS.privateKey,
  webApplicationId: '000000000000000000000001',
}

const req = (over: Partial<CheckoutRequest> = {}): CheckoutRequest => ({
  orderId: 'ORD20260315A0001',
  amount: 15_000,
  taxFreeAmount: 0,
  orderName: '테스트 주문',
  method: 'card',
  returnUrl: 'https://pay.example/checkout/tok/return',
  closeUrl: 'https://pay.example/checkout/tok/closed',
  expiresAt: '2026-03-15T09:30:00+09:00',
  ...over,
})

function payloadOf(start: string | undefined): Record<string, unknown> {
  const m = /var payload = (.*);\n/.exec(start ?? '')
  if (!m) throw new Error('no payload in the start script')
  return JSON.parse(m[1]!) as Record<string, unknown>
}

/** A fetch that fails the test if anything is sent. */
const noNetwork: FetchLike = () => {
  throw new Error('nothing may be sent')
}

describe('checkout launch', () => {
  it('an account without the web application id takes no checkout: 400 naming method, nothing sent', async () => {
    const p = new Bootpay({
      applicationId: KEYS.applicationId,
      privateKey: KEYS.privateKey,
      fetch: noNetwork,
    })
    expect(p.capabilities.checkoutMethods).toEqual([])
    expect(p.capabilities.notes?.checkoutMethods).toMatch(/webApplicationId/)
    const err = await p.startCheckout(req()).catch((e: unknown) => e)
    expect(isPaymentError(err) && err.param).toBe('method')
  })

  it('refuses what the window cannot take, naming the field, before anything is sent', async () => {
    const p = new Bootpay({ ...KEYS, fetch: noNetwork })
    const param = async (r: CheckoutRequest) => {
      const err = await p.startCheckout(r).catch((e: unknown) => e)
      return isPaymentError(err) ? err.param : err
    }
    expect(await param(req({ returnUrl: 'javascript:alert(1)' }))).toBe('returnUrl')
    expect(await param(req({ closeUrl: 'ftp://x.example/' }))).toBe('closeUrl')
    expect(await param(req({ method: 'virtual_account', expiresAt: 'soon' }))).toBe('expiresAt')
    expect(await param(req({ customer: { phone: '010-CALL-ME' } }))).toBe('customer.phone')
    expect(await param(req({ customer: { email: 'nobody' } }))).toBe('customer.email')
    expect(await param(req({ amount: 1.5 }))).toBe('amount')
    expect(await param(req({ orderId: '' }))).toBe('orderId')
    expect(await param(req({ taxFreeAmount: 20_000 }))).toBe('taxFreeAmount')
  })

  it('hands requestPayment the parameters of checkout.md §2.2: separately confirmed, redirect mode', async () => {
    const p = new Bootpay({ ...KEYS, checkoutPg: 'nicepay', fetch: noNetwork })
    expect(p.capabilities.checkoutMethods).toEqual(['card', 'virtual_account'])
    const launch = await p.startCheckout(
      req({ customer: { name: '홍길동', email: 'a@b.example', phone: '010-1234-5678' } }),
    )
    expect(launch.scripts).toEqual(['https://js.bootpay.co.kr/bootpay-5.3.0.min.js'])
    expect(launch.origins).toEqual([
      'https://js.bootpay.co.kr',
      'https://api.bootpay.co.kr',
      'https://gw.bootpay.co.kr',
    ])
    expect(launch.form).toBeUndefined()
    const payload = payloadOf(launch.start)
    expect(payload).toEqual({
      application_id: '000000000000000000000001',
      price: 15_000,
      tax_free: 0,
      order_name: '테스트 주문',
      order_id: 'ORD20260315A0001',
      pg: 'nicepay',
      method: 'card',
      user: { username: '홍길동', email: 'a@b.example', phone: '01012345678' },
      redirect_url: 'https://pay.example/checkout/tok/return',
      extra: {
        separately_confirmed: true,
        open_type: 'redirect',
        redirect_url: 'https://pay.example/checkout/tok/return',
        display_success_result: false,
        display_error_result: false,
      },
    })
    // The same order as the SDK vector (computed outside TypeScript): same fields and values, but redirect mode.
    const vector = JSON.parse(fixture('bootpay-sdk-payload').plaintext_json) as Record<string, unknown>
    for (const [k, v] of Object.entries(vector)) {
      if (k === 'extra') expect((payload.extra as Record<string, unknown>).separately_confirmed).toBe(true)
      else expect(payload[k]).toEqual(v)
    }
    expect(launch.start).toContain('Bootpay.requestPayment(payload)')
    expect(launch.start).toContain('https://pay.example/checkout/tok/closed')
  })

  it('a virtual account carries its deposit deadline in KST; text cannot break out of the script', async () => {
    const p = new Bootpay({ ...KEYS, fetch: noNetwork })
    const launch = await p.startCheckout(
      req({ method: 'virtual_account', orderName: '</script><b>x', expiresAt: '2026-03-15T00:30:00Z' }),
    )
    const payload = payloadOf(launch.start)
    expect(payload.method).toBe('vbank')
    expect(payload.pg).toBeUndefined()
    expect((payload.extra as Record<string, unknown>).deposit_expiration).toBe('2026-03-15 09:30:00')
    expect(launch.start).not.toContain('</script>')
    expect(payload.order_name).toBe('</script><b>x')
  })

  it('follows a simulator base URL for the script; an explicit sdkUrl wins', async () => {
    const sim = new Bootpay({ ...KEYS, baseUrl: 'http://127.0.0.1:4010', fetch: noNetwork })
    expect((await sim.startCheckout(req())).scripts).toEqual(['http://127.0.0.1:4010/bootpay-5.3.0.min.js'])
    expect((await sim.startCheckout(req())).origins).toEqual(['http://127.0.0.1:4010'])
    const stage = new Bootpay({ ...KEYS, environment: 'stage', fetch: noNetwork })
    expect((await stage.startCheckout(req())).origins).toContain('https://stage-api.bootpay.co.kr')
    const pinned = new Bootpay({
      ...KEYS,
      sdkUrl: 'https://js.bootpay.co.kr/bootpay-5.2.1.min.js',
      fetch: noNetwork,
    })
    expect((await pinned.startCheckout(req())).scripts).toEqual([
      'https://js.bootpay.co.kr/bootpay-5.2.1.min.js',
    ])
  })

  it('the descriptor maps webApplicationId and checkoutPg; its demo account takes checkouts', async () => {
    const sim = await bootpayDescriptor.simulator!()
    const account = { id: 'demo', ...sim.demoAccount('http://127.0.0.1:4010') }
    const { z } = await import('zod')
    const common = {
      id: z.string(),
      baseUrl: z.string().optional(),
      options: z.record(z.string(), z.unknown()).optional(),
    }
    const parsed = bootpayDescriptor.accountSchema(common).parse(account)
    const provider = bootpayDescriptor.create(parsed as never, {})
    expect(provider.capabilities.checkoutMethods).toEqual(['card', 'virtual_account'])
    const launch = await provider.startCheckout(req())
    expect(payloadOf(launch.start)).toMatchObject({
      application_id: BOOTPAY_DEMO_CREDENTIALS.webApplicationId,
      pg: 'nicepay',
    })
  })
})

describe('checkout return (no receipt lookup needed)', () => {
  const p = new Bootpay({ ...KEYS, fetch: noNetwork })
  const expected = { orderId: 'ORD20260315A0001', amount: 15_000, method: 'card' as const }
  const read = (query: Record<string, string>, body?: string) =>
    p.readCheckoutReturn(
      {
        method: body === undefined ? 'GET' : 'POST',
        rawBody: new TextEncoder().encode(body ?? ''),
        query,
        headers: body === undefined ? {} : { 'content-type': 'application/x-www-form-urlencoded' },
      },
      expected,
    )

  it('error and cancel events are declined with their code; the browser cannot claim a price', async () => {
    expect(
      await read({ event: 'error', error_code: 'RC_REQUEST_FAILED', pg_error_code: '1512', message: '거절' }),
    ).toEqual({ outcome: 'declined', code: 'RC_REQUEST_FAILED', message: '거절 (pg_error_code 1512)' })
    expect(await read({ event: 'cancel' })).toMatchObject({ outcome: 'declined', code: 'RC_CLOSE_WINDOW' })
    expect(await read({}, 'event=error&error_code=NEED_CLIENT_KEY')).toMatchObject({
      outcome: 'declined',
      code: 'NEED_CLIENT_KEY',
    })
    expect(await read({ event: 'confirm', price: '15000', status: '1' })).toMatchObject({
      outcome: 'refused',
    })
  })
})

describe('checkout wire', () => {
  /** Answers like the fixtures: the token, a receipt awaiting a confirm, the confirm, the confirmed receipt. */
  function recorder(version: 'v1' | 'v2', receiptId: string) {
    const receipt = { ...fixture('v2-confirmPayment').response.body, receipt_id: receiptId }
    const calls: Array<{ method: string; path: string; auth: string; body: unknown }> = []
    let confirmed = false
    const fetch: FetchLike = async (input, init) => {
      const r = new Request(input as string, init)
      const url = new URL(r.url)
      const text = await r.text()
      calls.push({
        method: r.method,
        path: url.pathname + url.search,
        auth: r.headers.get('authorization') ?? '',
        body: text ? JSON.parse(text) : null,
      })
      const env = (data: unknown) => Response.json({ status: 200, code: 0, message: '', data })
      const token = 'd6941c650061e3eaddd3f4718ab63e0983c1f6a0a0a01370c1b1ffa90ddd0b51'
      if (/request\/token/.test(url.pathname))
        return version === 'v1'
          ? env({ token, server_time: 1, expired_at: 1801 })
          : Response.json({ access_token: token, expire_in: 1800 })
      if (/receipt/.test(url.pathname)) {
        const r2 = { ...receipt, status: confirmed ? 1 : 2 }
        return version === 'v1' ? env({ ...r2, method: 'card' }) : Response.json(r2)
      }
      confirmed = true
      return version === 'v1' ? env({ ...receipt, method: 'card' }) : Response.json(receipt)
    }
    return { calls, fetch }
  }

  const expected = { orderId: 'order_1000', amount: 3000, method: 'card' as const }
  const approval = { transactionId: '62876963d01c7e00209b6028', amount: 3000, data: {} }

  it('v2 confirms as @bootpay/backend-js does (v2-confirmPayment.json), between two receipt lookups', async () => {
    const rec = recorder('v2', approval.transactionId)
    const o: BootpayOptions = {
      applicationId: '5b8f6a4d396fa665fdc2b5ea',
      privateKey: 'rm6EYECr6aroQVG2ntW0A6LpWnkTgP4uQ3H18sDDUYw=',
      baseUrl: 'http://recorder.test',
      fetch: rec.fetch,
    }
    const approved = await new Bootpay(o).approveCheckout(approval, expected)
    expect(approved).toMatchObject({ status: 'paid', amount: 3000, approvalNumber: '30035610' })
    const f = fixture('v2-confirmPayment').request
    const sent = rec.calls.filter((c) => c.method === 'POST' && !/token/.test(c.path))
    expect(sent).toEqual([{ method: f.method, path: f.path, auth: f.headers.authorization, body: f.body }])
    expect(rec.calls.map((c) => c.path)).toEqual([
      '/v2/request/token',
      '/v2/receipt/62876963d01c7e00209b6028?lookup_user_data=false',
      '/v2/confirm',
      '/v2/receipt/62876963d01c7e00209b6028?lookup_user_data=false',
    ])
  })

  it('v1 submits as bootpay-backend-nodejs does (v1-submit.json)', async () => {
    const f = fixture('v1-submit').request
    const rec = recorder('v1', f.body.receipt_id)
    const o: BootpayOptions = {
      apiVersion: 'v1',
      applicationId: '5b8f6a4d396fa665fdc2b5ea',
      privateKey: 'rm6EYECr6aroQVG2ntW0A6LpWnkTgP4uQ3H18sDDUYw=',
      baseUrl: 'http://recorder.test',
      fetch: rec.fetch,
    }
    await new Bootpay(o).approveCheckout({ ...approval, transactionId: f.body.receipt_id }, expected)
    const sent = rec.calls.filter((c) => c.path === f.path)
    expect(sent).toEqual([{ method: f.method, path: f.path, auth: f.headers.authorization, body: f.body }])
  })
})

describe("the SDK's encrypted form (vector computed with crypto-js and python)", () => {
  const v = fixture('bootpay-sdk-payload')

  it('the simulator decrypts payload + token to the plaintext', () => {
    expect(decryptSdkPayload(v.payload, v.token)).toEqual(JSON.parse(v.plaintext_json))
    const [key, iv] = v.token.split('##')
    const otherKey = Buffer.from(key!, 'base64')
    otherKey[0] = otherKey[0]! ^ 1
    expect(decryptSdkPayload(v.payload, `${otherKey.toString('base64')}##${iv}`)).toBeUndefined()
    expect(decryptSdkPayload(v.payload, 'no-separator')).toBeUndefined()
  })

  it("the simulator's window reads the SDK's form: the vector's order, with a redirect_url", async () => {
    const sim = createBootpaySimulator({ credentials: { webApplicationId: '000000000000000000000001' } })
    const fetch = inProcessFetch(sim.app)
    const post = (body: Record<string, string>) =>
      fetch('http://bootpay.sim/v2/request/payment', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(body),
      })
    // The vector's order names no redirect_url: the window says so instead of opening.
    const res = await post({ payload: v.payload, token: v.token })
    expect(res.status).toBe(400)
    expect(await res.text()).toContain('RC_REDIRECT_URL_INVALID')
    // The same order with a redirect_url, encrypted the same way with the vector's key and iv, opens the window.
    const [k, iv] = v.token.split('##')
    const c = createCipheriv('aes-256-cbc', Buffer.from(k!, 'base64'), Buffer.from(iv!, 'base64'))
    const plain = { ...JSON.parse(v.plaintext_json), redirect_url: 'https://pay.example/return' }
    const payload = Buffer.concat([c.update(JSON.stringify(plain), 'utf8'), c.final()]).toString('base64')
    const opened = await post({ payload, token: v.token })
    expect(opened.status).toBe(200)
    const html = await opened.text()
    expect(html).toContain('테스트 주문')
    expect(html).toContain('15,000원')
    expect(html).toContain('<button type="submit">Approve</button>')
    // Garbage does not decrypt.
    expect(
      await (await post({ payload: v.payload, token: `${v.token.split('##')[1]}##x` })).text(),
    ).toContain('INVALID_REQUEST_PARAMS')
  })
})
