import { type FetchLike, type Logger, PaymentError } from '@paymux/core'
import { inProcessFetch } from '@paymux/core/simulator'
import { describe, expect, it } from 'vitest'
import { Bootpay, type BootpayOptions } from './bootpay.js'
import { BOOTPAY_DEMO_CREDENTIALS, BOOTPAY_TEST_CARD, createBootpaySimulator } from './simulator/index.js'

const KEYS = {
  applicationId: BOOTPAY_DEMO_CREDENTIALS.applicationId,
  privateKey: BOOTPAY_DEMO_CREDENTIALS.privateKey,
}

/** A fetch that answers every call with `reply` (token calls with a token) and remembers the URLs. */
function scripted(version: 'v1' | 'v2', reply: () => Response) {
  const urls: string[] = []
  const fetch: FetchLike = async (input, init) => {
    const req = new Request(input as string, init)
    urls.push(req.url)
    if (/\/request\/token/.test(req.url)) {
      return version === 'v1'
        ? Response.json({
            status: 200,
            code: 0,
            message: '',
            data: { token: 'tok_abcdefgh', server_time: 1, expired_at: 1801 },
          })
        : Response.json({ access_token: 'tok_abcdefgh', expire_in: 1800 })
    }
    return reply()
  }
  return { urls, fetch }
}

function simPair(version: 'v1' | 'v2', extra: Partial<BootpayOptions> = {}) {
  const sim = createBootpaySimulator()
  const provider = new Bootpay({
    apiVersion: version,
    ...KEYS,
    baseUrl: 'http://bootpay.sim',
    fetch: inProcessFetch(sim.app),
    ...extra,
  })
  return { sim, provider }
}

describe('configuration', () => {
  it('defaults to v2 on the production host; environments and v1 pick their own hosts', async () => {
    const urlOf = async (o: Partial<BootpayOptions>) => {
      const s = scripted(o.apiVersion === 'v1' ? 'v1' : 'v2', () =>
        Response.json({ receipt_id: 'r', price: 1000, status: 1 }),
      )
      const p = new Bootpay({ ...KEYS, ...o, fetch: s.fetch } as BootpayOptions)
      await p.getTransaction('r1').catch(() => undefined)
      return s.urls
    }
    expect(await urlOf({})).toEqual([
      'https://api.bootpay.co.kr/v2/request/token',
      'https://api.bootpay.co.kr/v2/receipt/r1?lookup_user_data=false',
    ])
    expect((await urlOf({ environment: 'development' }))[0]).toBe(
      'https://dev-api.bootpay.co.kr/v2/request/token',
    )
    expect((await urlOf({ apiVersion: 'v1', environment: 'stage' }))[0]).toBe(
      'https://stage-api.bootpay.co.kr/request/token',
    )
    expect((await urlOf({ baseUrl: 'https://proxy.example/v2/' }))[0]).toBe(
      'https://proxy.example/v2/request/token',
    )
  })

  it('rejects Basic keys on v1 and half a key pair', () => {
    expect(() => new Bootpay({ apiVersion: 'v1', clientKey: 'a', secretKey: 'b' } as never)).toThrow(
      PaymentError,
    )
    expect(() => new Bootpay({ clientKey: 'abcdef' } as never)).toThrow(/secretKey/)
    expect(() => new Bootpay({ applicationId: 'x' } as never)).toThrow(/privateKey/)
  })

  it('with both key pairs, v2 uses Basic (no token call) and v1 uses the token pair', async () => {
    const { sim } = simPair('v2')
    const { transactionId } = sim.seedPayment({ amount: 1_000 })
    const both = {
      ...KEYS,
      clientKey: BOOTPAY_DEMO_CREDENTIALS.clientKey,
      secretKey: BOOTPAY_DEMO_CREDENTIALS.secretKey,
    }
    for (const apiVersion of ['v2', 'v1'] as const) {
      const p = new Bootpay({
        apiVersion,
        ...both,
        baseUrl: 'http://bootpay.sim',
        fetch: inProcessFetch(sim.app),
      } as BootpayOptions)
      await expect(p.getTransaction(transactionId)).resolves.toMatchObject({ amount: 1_000 })
    }
    expect(sim.state.stats.tokenRequests).toEqual({ v1: 1, v2: 0 })
  })

  it('declares virtual-account issue unsupported, with the reason', async () => {
    const { provider } = simPair('v2')
    expect(provider.capabilities.virtualAccounts).toBe(false)
    const err = await provider
      .issueVirtualAccount({
        orderId: 'o',
        amount: 1000,
        goodsName: 'g',
        bankCode: '004',
        dueDate: '2099-01-01',
      })
      .catch((e: unknown) => e)
    expect(err).toMatchObject({ code: 'unsupported_operation' })
    expect(String((err as Error).message)).toMatch(/client SDK/)
  })
})

describe('lookup by order id', () => {
  it('is declared unsupported with the reason, and refused without a call', async () => {
    for (const version of ['v1', 'v2'] as const) {
      const { urls, fetch } = scripted(version, () => Response.json({}))
      const p = new Bootpay({ apiVersion: version, ...KEYS, baseUrl: 'http://bootpay.sim', fetch })
      expect(p.capabilities.orderLookup).toBe(false)
      expect(p.capabilities.notes?.orderLookup).toMatch(/order_id/)
      await expect(p.lookupOrder('order-1')).rejects.toMatchObject({
        code: 'unsupported_operation',
        message: expect.stringContaining('no lookup by order_id'),
      })
      expect(urls).toEqual([])
    }
  })
})

describe('errors', () => {
  it('keeps unknown v2 codes raw: unknown on a cancel (it may have executed), a refusal on a lookup', async () => {
    const s = scripted('v2', () =>
      Response.json(
        { error_code: 'RC_SOMETHING_NEW', message: '새 오류', pg_error_code: 'V101' },
        { status: 400 },
      ),
    )
    const p = new Bootpay({ ...KEYS, fetch: s.fetch })
    const err = await p
      .cancel({ transactionId: 'r', amount: 2_000, reason: 'x', cancelId: 'c' })
      .catch((e) => e)
    expect(err).toMatchObject({
      code: 'provider_rejected',
      providerCode: 'RC_SOMETHING_NEW',
      outcome: 'unknown',
    })
    expect(err.providerMessage).toContain('V101')
    await expect(p.getTransaction('r')).rejects.toMatchObject({
      code: 'provider_rejected',
      providerCode: 'RC_SOMETHING_NEW',
      outcome: 'rejected',
    })
  })

  it('a v1 5xx envelope with an unknown code on a cancel is unknown, not a rejection', async () => {
    const s = scripted('v1', () =>
      Response.json({ status: 500, code: -9999, message: 'PG 오류' }, { status: 500 }),
    )
    const p = new Bootpay({ apiVersion: 'v1', ...KEYS, fetch: s.fetch })
    const err = await p.cancel({ transactionId: 'r', reason: 'x', cancelId: 'c' }).catch((e) => e)
    expect(err).toMatchObject({ code: 'provider_rejected', providerCode: '-9999', outcome: 'unknown' })
  })

  it('a success answer without the fields a cancel needs is invalid_response/unknown', async () => {
    const s = scripted('v2', () => Response.json({ receipt_id: 'r' }))
    const err = await new Bootpay({ ...KEYS, fetch: s.fetch })
      .cancel({ transactionId: 'r', amount: 2_000, reason: 'x', cancelId: 'c' })
      .catch((e) => e)
    expect(err).toMatchObject({ code: 'invalid_response', outcome: 'unknown' })
  })

  it('validates before calling: refund bank, card data, charge amounts', async () => {
    const { sim, provider } = simPair('v2')
    const before = sim.faults.calls
    const { transactionId } = sim.seedPayment({ amount: 5000 })
    const bad = [
      provider.cancel({
        transactionId,
        reason: 'x',
        cancelId: 'c',
        refundAccount: { bankCode: '999', accountNumber: '1234567', holderName: 'a' },
      }),
      provider.issueBillingKey({ card: { ...BOOTPAY_TEST_CARD, number: '1234' }, requestId: 'r' }),
      provider.issueBillingKey({ card: { ...BOOTPAY_TEST_CARD, expiryMonth: '13' }, requestId: 'r' }),
      provider.chargeBillingKey({ billingKey: 'k', orderId: 'o', amount: 0, goodsName: 'g' }),
      provider.chargeBillingKey({
        billingKey: 'k',
        orderId: 'o',
        amount: 100,
        taxFreeAmount: 200,
        goodsName: 'g',
      }),
    ]
    const params = []
    for (const p of bad) params.push(((await p.catch((e) => e)) as PaymentError).param)
    expect(params).toEqual([
      'refundAccount.bankCode',
      'card.number',
      'card.expiryMonth',
      'amount',
      'taxFreeAmount',
    ])
    expect(sim.faults.calls).toBe(before)
  })

  it('never puts card data or keys into logs or errors', async () => {
    const lines: string[] = []
    const logger: Logger = {
      debug: (f, m) => lines.push(JSON.stringify(f) + (m ?? '')),
      info: (f, m) => lines.push(JSON.stringify(f) + (m ?? '')),
      warn: (f, m) => lines.push(JSON.stringify(f) + (m ?? '')),
      error: (f, m) => lines.push(JSON.stringify(f) + (m ?? '')),
    }
    const { provider } = simPair('v1', { logger })
    const err = await provider
      .issueBillingKey({ card: { ...BOOTPAY_TEST_CARD, number: '4000000000000002' }, requestId: 'r-1' })
      .catch((e) => e)
    const ok = await provider.issueBillingKey({ card: { ...BOOTPAY_TEST_CARD }, requestId: 'r-2' })
    const text = lines.join('\n') + JSON.stringify(err) + String(err.message) + JSON.stringify(ok)
    expect(lines.length).toBeGreaterThan(0)
    for (const secret of ['4000000000000002', BOOTPAY_TEST_CARD.number, KEYS.privateKey])
      expect(text).not.toContain(secret)
  })
})

describe('billing keys stay out of logs', () => {
  for (const version of ['v1', 'v2'] as const) {
    it(`${version}: a delete that times out names no billing key in its error or log lines`, async () => {
      const lines: string[] = []
      const logger: Logger = {
        debug: (f, m) => lines.push(JSON.stringify(f) + (m ?? '')),
        info: (f, m) => lines.push(JSON.stringify(f) + (m ?? '')),
        warn: (f, m) => lines.push(JSON.stringify(f) + (m ?? '')),
        error: (f, m) => lines.push(JSON.stringify(f) + (m ?? '')),
      }
      const { provider, sim } = simPair(version, { logger, timeoutMs: 100 })
      const { billingKey } = await provider.issueBillingKey({
        card: { ...BOOTPAY_TEST_CARD },
        requestId: `r-${version}`,
      })
      sim.faults.inject({ fault: { kind: 'delay', ms: 400 }, path: 'billing' })
      const err = (await provider.deleteBillingKey({ billingKey }).catch((e) => e)) as PaymentError
      expect(err.code).toBe('timeout')
      const text = `${err.message} ${JSON.stringify(err)} ${lines.join('\n')}`
      expect(lines.some((l) => l.includes('billing_key'))).toBe(true)
      expect(text).not.toContain(billingKey)
    })
  }
})

describe('notifications', () => {
  const BOOTPAY_IP = '223.130.82.17'
  type Result = Awaited<ReturnType<Bootpay['parseNotification']>>
  const OK = { v1: 'OK', v2: '{"success":true}' }

  /** A simulator whose webhooks go straight into the adapter, as to a merchant's endpoint from `ip`. */
  function merchant(
    version: 'v1' | 'v2',
    ip: string | undefined,
    extra: Partial<BootpayOptions> = {},
    settings: Parameters<typeof createBootpaySimulator>[0] = {},
  ) {
    const results: Result[] = []
    const calls: string[] = []
    let provider: Bootpay | undefined
    const sim = createBootpaySimulator({
      ...settings,
      settings: {
        webhookRetryDelayMs: 0,
        webhookAttempts: 1,
        webhookVersion: version,
        webhookUrl: 'http://merchant.test/hook',
        ...settings.settings,
      },
      fetch: async (_url, init) => {
        const headers = Object.fromEntries(new Headers(init?.headers).entries())
        const rawBody = new TextEncoder().encode(String(init?.body))
        const before = calls.length
        const r = await provider!.parseNotification({ rawBody, headers, ...(ip ? { sourceIp: ip } : {}) })
        // Reading a notification never calls Bootpay: a forged one must cost nothing.
        expect(calls.length).toBe(before)
        results.push(r)
        return new Response(r.reply.body, { status: r.reply.status, headers: r.reply.headers })
      },
    })
    const inner = inProcessFetch(sim.app)
    provider = new Bootpay({
      apiVersion: version,
      ...KEYS,
      baseUrl: 'http://bootpay.sim',
      fetch: (input, init) => {
        calls.push(new Request(input as string, init).url)
        return inner(input, init)
      },
      ...extra,
    } as BootpayOptions)
    return { sim, provider, results, calls }
  }

  const post = (provider: Bootpay, fields: Record<string, string>, ip = BOOTPAY_IP) =>
    provider.parseNotification({
      rawBody: new TextEncoder().encode(new URLSearchParams(fields).toString()),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      sourceIp: ip,
    })

  it('v1 with our private_key: verified, the event read from the body, answered OK', async () => {
    const { sim, provider, results } = merchant('v1', BOOTPAY_IP)
    const { transactionId } = sim.seedPayment({ amount: 9_000, orderId: 'order-v1' })
    await provider.cancel({ transactionId, amount: 4_000, reason: 'x', cancelId: 'n-1' })
    await sim.webhooksSettled()
    expect(sim.webhookLog.map((d) => d.delivered)).toEqual([true])
    const r = results[0]!
    expect(r.verified).toBe(true)
    if (!r.verified) return
    expect(r.event).toMatchObject({
      type: 'payment.cancelled',
      transactionId,
      totalCancelledAmount: 4_000,
      remainingAmount: 5_000,
    })
    expect(r.event).not.toHaveProperty('cancelledAmount')
    expect(r.reply.body).toBe(OK.v1)
    // A second partial cancel repeats the receipt id but not the dedup key.
    await provider.cancel({ transactionId, amount: 2_000, reason: 'x', cancelId: 'n-2' })
    await sim.webhooksSettled()
    const second = results[1]!
    expect(second.verified && second.dedupKey).not.toBe(r.dedupKey)
    expect(JSON.stringify(results)).not.toContain(KEYS.privateKey)
  })

  for (const version of ['v1', 'v2'] as const) {
    it(`${version}: without a private_key, a hint read from the body alone, answered so Bootpay stops`, async () => {
      const { sim, provider, results } = merchant(
        version,
        BOOTPAY_IP,
        {},
        {
          settings: { v1WebhookIncludesKeys: false },
        },
      )
      const { transactionId } = sim.seedPayment({ amount: 9_000, orderId: `order-${version}` })
      await sim.sendWebhook(transactionId)
      await provider.cancel({ transactionId, amount: 4_000, reason: 'x', cancelId: 'h-1' })
      await provider.cancel({ transactionId, reason: 'x', cancelId: 'h-2' })
      await sim.webhooksSettled()
      expect(sim.webhookLog.every((d) => d.delivered)).toBe(true)
      expect(results.map((r) => r.verified)).toEqual([false, false, false])
      const hints = results.map((r) => (r.verified ? undefined : r.hint))
      expect(hints.map((h) => h?.claimed)).toEqual(['payment.paid', 'payment.cancelled', 'payment.cancelled'])
      for (const r of results) {
        expect(r).toMatchObject({ reason: expect.stringMatching(/^unsigned: /), reply: { status: 200 } })
        expect(r.reply.body).toBe(OK[version])
      }
      expect(hints[0]).toEqual({
        transactionId,
        orderId: `order-${version}`,
        claimed: 'payment.paid',
        dedupKey: expect.stringContaining(transactionId),
      })
      // The paid, the partial and the full cancel are three claims; a repeat of one is the same key.
      expect(new Set(hints.map((h) => h?.dedupKey)).size).toBe(3)
      await sim.sendWebhook(transactionId)
      const repeat = results[3]!
      expect(!repeat.verified && repeat.hint?.dedupKey).toBe(hints[2]?.dedupKey)
    })

    it(`${version}: refuses senders outside 223.130.82.0/24, and unknown senders while the list is on`, async () => {
      for (const ip of ['10.0.0.7', undefined]) {
        const { sim, results } = merchant(version, ip)
        const { transactionId } = sim.seedPayment({ amount: 9_000 })
        await sim.sendWebhook(transactionId)
        expect(results[0]).toMatchObject({ verified: false })
        expect(results[0]).not.toHaveProperty('hint')
        expect(results[0]!.reply.body).not.toBe(OK[version])
        expect(sim.webhookLog[0]!.delivered).toBe(false)
      }
      const open = merchant(version, '10.0.0.7', { notificationIpAllowList: [] })
      const { transactionId } = open.sim.seedPayment({ amount: 9_000 })
      await open.sim.sendWebhook(transactionId)
      expect(open.results[0]).toMatchObject(
        version === 'v1'
          ? { verified: true, event: { type: 'payment.paid', amount: 9_000 } }
          : { verified: false, hint: { transactionId, claimed: 'payment.paid' } },
      )
    })
  }

  it('a foreign private_key is refused; a body it cannot judge is a hint, never verified', async () => {
    const { sim, provider, calls } = merchant('v1', BOOTPAY_IP)
    const { transactionId } = sim.seedPayment({ amount: 9_000 })
    const foreign = await post(provider, {
      receipt_id: transactionId,
      price: '9000',
      private_key: 'someone-elses',
    })
    expect(foreign).toMatchObject({ verified: false, reply: { status: 403 } })
    expect(foreign).not.toHaveProperty('hint')
    // Unknown to Bootpay, or a changed price: only a lookup can tell, and the host makes it.
    for (const fields of [
      { receipt_id: '000000000000000000000000', price: '9000', status: '1' },
      { receipt_id: transactionId, price: '1', status: '1' },
    ]) {
      expect(await post(provider, fields)).toMatchObject({
        verified: false,
        hint: { claimed: 'payment.paid' },
      })
    }
    // Ours, but a cancellation that does not say how much: a hint, not "nothing cancelled".
    expect(
      await post(provider, {
        receipt_id: transactionId,
        price: '9000',
        status: '20',
        private_key: KEYS.privateKey,
      }),
    ).toMatchObject({ verified: false, hint: { claimed: 'payment.cancelled' } })
    expect(
      await post(provider, {
        receipt_id: transactionId,
        price: '9000',
        status: '1',
        private_key: KEYS.privateKey,
      }),
    ).toMatchObject({ verified: true, event: { type: 'payment.paid', amount: 9_000 } })
    // With Basic keys there is no private key to compare: a hint.
    const basic = new Bootpay({
      apiVersion: 'v2',
      clientKey: 'ck',
      secretKey: 'sk',
      baseUrl: 'http://bootpay.sim',
      fetch: inProcessFetch(sim.app),
    })
    expect(
      await post(basic, { receipt_id: transactionId, price: '9000', status: '1', private_key: 'anything' }),
    ).toMatchObject({ verified: false, hint: { transactionId } })
    expect(calls).toEqual([])
  })

  it('refuses a receipt_id Bootpay never issues (too long, blank, odd characters) without a hint, never with 503', async () => {
    for (const version of ['v1', 'v2'] as const) {
      const { provider, calls } = merchant(version, BOOTPAY_IP)
      for (const receipt_id of ['a'.repeat(65), '   ', 'abc def', '../../etc', '\u0000abc']) {
        const r = await provider.parseNotification({
          rawBody: new TextEncoder().encode(JSON.stringify({ receipt_id, price: 9000 })),
          headers: { 'content-type': 'application/json' },
          sourceIp: BOOTPAY_IP,
        })
        expect([r.verified, r.reply.status], `${version} ${JSON.stringify(receipt_id)}`).toEqual([false, 400])
        expect(r).not.toHaveProperty('hint')
        expect(r.reply.body).toBe(version === 'v1' ? 'FAIL' : '{"success":false}')
      }
      expect(calls).toEqual([])
    }
  })

  it('answers a hint while Bootpay is unreachable: reading a notification calls nobody', async () => {
    const { sim, provider, calls } = merchant('v2', BOOTPAY_IP)
    const { transactionId } = sim.seedPayment({ amount: 9_000 })
    sim.faults.inject({ kind: 'status', status: 503, body: 'busy' })
    const r = await provider.parseNotification({
      rawBody: new TextEncoder().encode(
        JSON.stringify({ receipt_id: transactionId, price: 9000, status: 1 }),
      ),
      headers: { 'content-type': 'application/json' },
      sourceIp: BOOTPAY_IP,
    })
    expect(r).toMatchObject({ verified: false, hint: { transactionId }, reply: { status: 200 } })
    expect(calls).toEqual([])
  })
})
