import { type CheckoutRequest, isPaymentError, type PaymentError } from '@paymux/core'
import { inProcessFetch } from '@paymux/core/simulator'
import { describe, expect, it } from 'vitest'
import { checkoutRequest, httpPair, parseForms } from './__fixtures__/checkout.js'
import { CookiePay } from './index.js'
import { COOKIEPAY_DEMO_CREDENTIALS, createCookiePaySimulator } from './simulator/index.js'

async function failure(p: Promise<unknown>): Promise<PaymentError> {
  try {
    await p
  } catch (err) {
    if (isPaymentError(err)) return err
    throw err
  }
  throw new Error('expected a PaymentError')
}

/** An adapter whose every request to the simulator is recorded as sent. */
function recording(options: Partial<ConstructorParameters<typeof CookiePay>[0]> = {}) {
  const sim = createCookiePaySimulator()
  const app = inProcessFetch(sim.app)
  const sent: Request[] = []
  const provider = new CookiePay({
    ...COOKIEPAY_DEMO_CREDENTIALS,
    environment: 'sandbox',
    baseUrl: 'http://cookiepay.sim',
    fetch: async (input, init) => {
      const req = new Request(input as string, init)
      sent.push(req.clone())
      return app(req)
    },
    ...options,
  })
  return { sim, provider, sent }
}

describe('startCheckout: refused before CookiePay is asked', () => {
  const cases: Array<[string, Partial<CheckoutRequest>, string]> = [
    ['an order number longer than ORDERNO (50)', { orderId: 'A'.repeat(51) }, 'orderId'],
    ['an order number with non-ASCII', { orderId: '주문-1' }, 'orderId'],
    ['a product name longer than PRODUCTNAME (40)', { orderName: '가'.repeat(41) }, 'orderName'],
    ['a buyer name longer than BUYERNAME (20)', { customer: { name: '김'.repeat(21) } }, 'customer.name'],
    ['a broken e-mail', { customer: { name: '김', email: 'nope' } }, 'customer.email'],
    ['a phone with letters', { customer: { name: '김', phone: '010-CALL' } }, 'customer.phone'],
    ['an amount over 10 digits', { amount: 12_345_678_901 }, 'amount'],
    ['a return URL that is not http(s)', { returnUrl: 'javascript:alert(1)' }, 'returnUrl'],
    ['a method CookiePay checkouts lack', { method: 'bank' as never }, 'method'],
  ]
  for (const [what, over, param] of cases) {
    it(`${what} → invalid_request naming ${param}`, async () => {
      const { sim, provider, sent } = recording()
      const err = await failure(provider.startCheckout(checkoutRequest(over)))
      expect(err).toMatchObject({ code: 'invalid_request', param })
      expect(sent).toHaveLength(0)
      expect(sim.checkoutStats.readyCalls).toBe(0)
    })
  }

  it('a tax-free amount is unsupported (CookiePay has no field for it)', async () => {
    const { provider, sent } = recording()
    const err = await failure(provider.startCheckout(checkoutRequest({ taxFreeAmount: 1000 })))
    expect(err.code).toBe('unsupported_operation')
    expect(sent).toHaveLength(0)
  })
})

describe('startCheckout: the pay/ready request', () => {
  it('POSTs the window fields with the ApiKey header, form-encoded, without a TOKEN', async () => {
    const { provider, sent } = recording()
    const req = checkoutRequest()
    await provider.startCheckout(req)
    expect(sent).toHaveLength(1)
    const r = sent[0]!
    expect(new URL(r.url).pathname).toBe('/pay/ready')
    expect(r.method).toBe('POST')
    expect(r.headers.get('ApiKey')).toBe(COOKIEPAY_DEMO_CREDENTIALS.apiKey)
    expect(r.headers.get('TOKEN')).toBeNull()
    expect(r.headers.get('content-type')).toMatch(/^application\/x-www-form-urlencoded/)
    expect(Object.fromEntries(new URLSearchParams(await r.text()))).toEqual({
      API_ID: COOKIEPAY_DEMO_CREDENTIALS.apiId,
      ORDERNO: req.orderId,
      PRODUCTNAME: '페이먹스 티셔츠',
      AMOUNT: '15000',
      BUYERNAME: '김페이',
      BUYEREMAIL: 'buyer@example.com',
      BUYERPHONE: '01012345678',
      PAYMETHOD: 'CARD',
      RETURNURL: req.returnUrl,
      HOMEURL: req.returnUrl,
      CANCELURL: req.closeUrl,
      CLOSEURL: req.closeUrl,
      ORDER_NO_CHECK: 'Y',
    })
  })

  it('a virtual account is PAYMETHOD VACCT; no customer → the configured BUYERNAME and an empty BUYEREMAIL', async () => {
    const { provider, sent } = recording({ checkoutBuyerName: '손님' })
    const req = checkoutRequest({ method: 'virtual_account' })
    delete (req as { customer?: unknown }).customer
    await provider.startCheckout(req)
    const body = new URLSearchParams(await sent[0]!.text())
    expect(body.get('PAYMETHOD')).toBe('VACCT')
    expect(body.get('BUYERNAME')).toBe('손님')
    expect(body.get('BUYEREMAIL')).toBe('')
    expect(body.has('BUYERPHONE')).toBe(false)
  })

  it('returns the window HTML (Approve, Decline), the simulator origin, and never the key', async () => {
    const { provider, server, close } = await httpPair({
      adapter: { checkoutOrigins: ['https://js.tosspayments.com/v1'] },
    })
    try {
      const launch = await provider.startCheckout(checkoutRequest())
      expect(launch.origins).toEqual([server.url, 'https://js.tosspayments.com'])
      expect(launch.scripts).toEqual([])
      expect(launch.form).toBeUndefined()
      const html = launch.html!
      expect(html).not.toContain(COOKIEPAY_DEMO_CREDENTIALS.apiKey)
      expect(html).toContain('페이먹스 티셔츠')
      expect(html).toContain('15,000원')
      const forms = parseForms(html)
      expect(forms.flatMap((f) => f.buttons)).toEqual(['Approve', 'Decline'])
      for (const f of forms) expect(f.action.startsWith(`${server.url}/pay/window/`)).toBe(true)
    } finally {
      await close()
    }
  })

  it('live mode: the origin is CookiePay’s own host, and the request goes there', async () => {
    const urls: string[] = []
    const live = new CookiePay({
      ...COOKIEPAY_DEMO_CREDENTIALS,
      environment: 'live',
      fetch: async (input) => {
        urls.push(String(input instanceof Request ? input.url : input))
        return new Response('<div>window</div>', { headers: { 'content-type': 'text/html' } })
      },
    })
    const launch = await live.startCheckout(checkoutRequest())
    expect(launch).toEqual({
      html: '<div>window</div>',
      scripts: [],
      origins: ['https://www.cookiepayments.com'],
    })
    expect(urls).toEqual(['https://www.cookiepayments.com/pay/ready'])
  })
})

describe('startCheckout: what pay/ready answers', () => {
  it('an RTN_CD naming a field → invalid_request with that field (E004 HOMEURL → returnUrl)', async () => {
    const { sim, provider } = recording()
    sim.faults.inject({
      path: '/pay/ready',
      fault: {
        kind: 'status',
        status: 200,
        body: '{"RTN_CD":"E004","RTN_MSG":"HOMEURL을 입력하시오"}',
        contentType: 'application/json',
      },
    })
    const err = await failure(provider.startCheckout(checkoutRequest()))
    expect(err).toMatchObject({ code: 'invalid_request', param: 'returnUrl', providerCode: 'E004' })
  })

  it('an RTN_CD naming nothing of ours → a provider error carrying the code', async () => {
    const { sim, provider } = recording()
    sim.faults.inject({
      path: '/pay/ready',
      fault: {
        kind: 'status',
        status: 200,
        body: '{"RTN_CD":"E777","RTN_MSG":"서비스 점검 중"}',
        contentType: 'application/json',
      },
    })
    const err = await failure(provider.startCheckout(checkoutRequest()))
    expect(err).toMatchObject({ code: 'provider_rejected', providerCode: 'E777', outcome: 'rejected' })
  })

  it('a wrong key → authentication_failed', async () => {
    const { provider } = recording({ apiKey: 'not-the-key' })
    const err = await failure(provider.startCheckout(checkoutRequest()))
    expect(err).toMatchObject({ code: 'authentication_failed', providerCode: 'E003' })
  })

  it('an order number CookiePay already paid (ORDER_NO_CHECK=Y) → duplicate_request on orderId', async () => {
    const { sim, provider } = recording()
    const req = checkoutRequest()
    sim.seedPayment({ amount: 1000, orderId: req.orderId })
    const err = await failure(provider.startCheckout(req))
    expect(err).toMatchObject({ code: 'duplicate_request', param: 'orderId' })
  })

  it('an HTTP 500 page, an empty body, or a page echoing the key are never shown as a window', async () => {
    const { sim, provider } = recording()
    sim.faults.inject({ path: '/pay/ready', fault: { kind: 'html', status: 502 } })
    expect((await failure(provider.startCheckout(checkoutRequest()))).code).toBe('provider_unavailable')
    sim.faults.inject({ path: '/pay/ready', fault: { kind: 'status', status: 200, body: '' } })
    expect((await failure(provider.startCheckout(checkoutRequest()))).code).toBe('invalid_response')
    sim.faults.inject({
      path: '/pay/ready',
      fault: {
        kind: 'status',
        status: 200,
        body: `<form><input name="key" value="${COOKIEPAY_DEMO_CREDENTIALS.apiKey}"></form>`,
        contentType: 'text/html',
      },
    })
    const leak = await failure(provider.startCheckout(checkoutRequest()))
    expect(leak.code).toBe('invalid_response')
    expect(leak.message).not.toContain(COOKIEPAY_DEMO_CREDENTIALS.apiKey)
  })
})
