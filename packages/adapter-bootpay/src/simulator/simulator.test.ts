import { inProcessFetch } from '@paymux/core/simulator'
import { describe, expect, it } from 'vitest'
import { Bootpay } from '../bootpay.js'
import {
  BOOTPAY_DEMO_CREDENTIALS,
  BOOTPAY_TEST_CARD,
  type BootpaySimulatorOptions,
  createBootpaySimulator,
} from './index.js'

function setup(version: 'v1' | 'v2', opts: BootpaySimulatorOptions = {}) {
  const clock = { now: Date.UTC(2026, 0, 5, 1) }
  const sim = createBootpaySimulator({ clock: () => clock.now, ...opts })
  const provider = new Bootpay({
    apiVersion: version,
    applicationId: BOOTPAY_DEMO_CREDENTIALS.applicationId,
    privateKey: BOOTPAY_DEMO_CREDENTIALS.privateKey,
    baseUrl: 'http://bootpay.sim',
    fetch: inProcessFetch(sim.app),
    clock: () => clock.now,
  })
  return { sim, provider, clock }
}

async function v1Token(sim: ReturnType<typeof createBootpaySimulator>): Promise<string> {
  const res = await sim.app.request('/request/token', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      application_id: sim.credentials.applicationId,
      private_key: sim.credentials.privateKey,
    }),
  })
  return ((await res.json()) as { data: { token: string } }).data.token
}

describe('simulator: v1 wire', () => {
  it('serves v1 routes with and without .json, and reads form-encoded bodies like the Python client sends', async () => {
    const { sim } = setup('v1')
    const token = await v1Token(sim)
    const { transactionId } = sim.seedPayment({ amount: 10_000 })
    const form = new URLSearchParams({
      receipt_id: transactionId,
      price: '3000',
      name: '관리자',
      reason: '부분',
      cancel_id: 'f-1',
    })
    const res = await sim.app.request('/cancel.json', {
      method: 'POST',
      headers: { authorization: token, 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
    })
    expect(await res.json()).toMatchObject({
      status: 200,
      code: 0,
      data: { request_cancel_price: 3000, remain_price: 7000, cancelled_price: 3000 },
    })
    const r1 = (await (
      await sim.app.request(`/receipt/${transactionId}`, { headers: { authorization: token } })
    ).json()) as {
      data: { cancelled_price: number }
    }
    const r2 = (await (
      await sim.app.request(`/receipt/${transactionId}.json`, { headers: { authorization: token } })
    ).json()) as {
      data: { cancelled_price: number }
    }
    expect(r1.data.cancelled_price).toBe(3000)
    expect(r2).toEqual(r1)
  })

  it('answers v1 errors as envelopes with a negative code and the HTTP status in `status`', async () => {
    const { sim } = setup('v1')
    const token = await v1Token(sim)
    const res = await sim.app.request('/cancel', {
      method: 'POST',
      headers: { authorization: token, 'content-type': 'application/json' },
      body: JSON.stringify({ receipt_id: 'nope', name: 'a', reason: 'b' }),
    })
    expect(res.status).toBe(404)
    expect(await res.json()).toEqual({ status: 404, code: -2410, message: expect.any(String), data: null })
  })

  it('v2 takes amounts only as JSON numbers (v1 also takes digit strings)', async () => {
    const { sim, provider } = setup('v2')
    await provider.warmUp()
    const { transactionId } = sim.seedPayment({ amount: 10_000 })
    const token = provider.client.tokens ? await provider.client.tokens.get() : ''
    const res = await sim.app.request('/v2/cancel', {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ receipt_id: transactionId, cancel_price: '3000', cancel_id: 's-1' }),
    })
    expect(res.status).toBe(400)
    expect(await res.json()).toMatchObject({ error_code: 'RC_INVALID_PARAMETER' })
    expect(sim.inspect(transactionId)?.cancelledAmount).toBe(0)
  })
})

for (const version of ['v1', 'v2'] as const) {
  describe(`simulator cancel rules (${version}, through the adapter)`, () => {
    it('partial cancels only for the PGs the manual lists, and only for cards', async () => {
      const { sim, provider } = setup(version)
      const toss = sim.seedPayment({ amount: 10_000, pg: 'toss' })
      await expect(
        provider.cancel({ transactionId: toss.transactionId, amount: 3_000, reason: 'x', cancelId: 'p-1' }),
      ).rejects.toMatchObject({ code: 'partial_cancel_unsupported', outcome: 'rejected' })
      // A full cancel works for any PG.
      await expect(
        provider.cancel({ transactionId: toss.transactionId, reason: 'x', cancelId: 'p-2' }),
      ).resolves.toMatchObject({
        cancelledAmount: 10_000,
      })
      const kcp = sim.seedPayment({ amount: 10_000, pg: 'kcp' })
      await expect(
        provider.cancel({ transactionId: kcp.transactionId, amount: 3_000, reason: 'x', cancelId: 'p-3' }),
      ).resolves.toMatchObject({
        cancelledAmount: 3_000,
        remainingAmount: 7_000,
      })
      const va = sim.seedPayment({ amount: 10_000, method: 'virtual_account', deposited: true })
      await expect(
        provider.cancel({
          transactionId: va.transactionId,
          amount: 3_000,
          reason: 'x',
          cancelId: 'p-4',
          refundAccount: { bankCode: '004', accountNumber: '12345678901', holderName: '홍길동' },
        }),
      ).rejects.toMatchObject({ code: 'partial_cancel_unsupported' })
    })

    it('a partial price must be greater than 1,000 won (setting)', async () => {
      const { sim, provider } = setup(version)
      const { transactionId } = sim.seedPayment({ amount: 10_000 })
      await provider.warmUp()
      const token = provider.client.tokens ? await provider.client.tokens.get() : ''
      // The adapter refuses such a price before sending: the simulator's own rule is seen on the raw wire.
      const send = (price: number, cancelId: string) =>
        sim.app.request(version === 'v1' ? '/cancel' : '/v2/cancel', {
          method: 'POST',
          headers: {
            authorization: version === 'v1' ? token : `Bearer ${token}`,
            'content-type': 'application/json',
          },
          body: JSON.stringify(
            version === 'v1'
              ? { receipt_id: transactionId, price, cancel_id: cancelId }
              : { receipt_id: transactionId, cancel_price: price, cancel_id: cancelId },
          ),
        })
      const refused = await send(1_000, 'm-1')
      expect(refused.status).toBe(400)
      expect(await refused.json()).toMatchObject(
        version === 'v1'
          ? { code: sim.settings.errors.price_too_small.v1 }
          : { error_code: 'RC_CANCEL_PRICE_INVALID' },
      )
      expect((await send(1_001, 'm-2')).status).toBe(200)
      sim.settings.partialCancelMinExclusive = { v1: null, v2: null }
      expect((await send(500, 'm-3')).status).toBe(200)
      expect(sim.inspect(transactionId)).toMatchObject({ cancelledAmount: 1_501, cancelCount: 2 })
    })

    it('a repeated cancel_id never cancels twice (error by default, replay as a setting)', async () => {
      const { sim, provider } = setup(version)
      const { transactionId } = sim.seedPayment({ amount: 10_000 })
      const req = { transactionId, amount: 2_000, reason: 'x', cancelId: 'same-1' }
      await provider.cancel(req)
      await expect(provider.cancel(req)).rejects.toMatchObject({
        code: 'duplicate_request',
        outcome: 'rejected',
      })
      sim.settings.duplicateCancelId = 'replay'
      // A replayed answer moved nothing this time: the adapter cannot tell a replay from a cancel that did not
      // happen, so it says unknown (a lookup settles it) rather than report 2,000 moved twice.
      await expect(provider.cancel(req)).rejects.toMatchObject({
        code: 'invalid_response',
        outcome: 'unknown',
      })
      expect(sim.inspect(transactionId)).toMatchObject({ cancelledAmount: 2_000, cancelCount: 1 })
    })

    it('the cancel_id guard may come after the ordinary rules (setting): a repeat meets them first', async () => {
      const { sim, provider } = setup(version, { settings: { duplicateCancelIdOrder: 'after_rules' } })
      const { transactionId } = sim.seedPayment({ amount: 10_000 })
      const big = { transactionId, amount: 6_000, reason: 'x', cancelId: 'o-1' }
      await provider.cancel(big)
      // 6,000 more than the 4,000 left: the over-amount rule answers before the guard does.
      await expect(provider.cancel(big)).rejects.toMatchObject({
        providerCode: String(version === 'v1' ? -3710 : 'RC_CANCEL_PRICE_OVER'),
      })
      // A repeat every rule lets through still meets the guard.
      const small = { transactionId, amount: 2_000, reason: 'x', cancelId: 'o-2' }
      await provider.cancel(small)
      await expect(provider.cancel(small)).rejects.toMatchObject({ code: 'duplicate_request' })
      expect(sim.inspect(transactionId)).toMatchObject({ cancelledAmount: 8_000, cancelCount: 2 })
    })

    it('a price equal to the whole payment is a full cancel, or a partial one (setting)', async () => {
      const { sim, provider } = setup(version)
      const a = sim.seedPayment({ amount: 1_000, pg: 'toss' })
      const whole = { transactionId: a.transactionId, amount: 1_000, paymentAmount: 1_000, reason: 'x' }
      await expect(provider.cancel({ ...whole, cancelId: 'wp-1' })).resolves.toMatchObject({
        cancelledAmount: 1_000,
      })
      sim.settings.wholePriceCancel = 'partial'
      const b = sim.seedPayment({ amount: 1_000, pg: 'toss' })
      await expect(
        provider.cancel({ ...whole, transactionId: b.transactionId, cancelId: 'wp-2' }),
      ).rejects.toMatchObject({ code: 'partial_cancel_unsupported', outcome: 'rejected' })
      expect(sim.inspect(b.transactionId)).toMatchObject({ cancelledAmount: 0 })
    })

    it('the 10-second duplicate partial-cancel guard, when activated', async () => {
      const { sim, provider, clock } = setup(version, { settings: { partialCancelGuardMs: 10_000 } })
      const { transactionId } = sim.seedPayment({ amount: 10_000 })
      await provider.cancel({ transactionId, amount: 2_000, reason: 'x', cancelId: 'g-1' })
      clock.now += 9_000
      await expect(
        provider.cancel({ transactionId, amount: 2_000, reason: 'x', cancelId: 'g-2' }),
      ).rejects.toMatchObject({
        code: 'duplicate_request',
      })
      clock.now += 1_500
      await expect(
        provider.cancel({ transactionId, amount: 2_000, reason: 'x', cancelId: 'g-3' }),
      ).resolves.toMatchObject({
        cancelledAmount: 2_000,
        remainingAmount: 6_000,
      })
    })

    it('a full cancel after partial ones reports what it moved, and lookups agree', async () => {
      const { sim, provider } = setup(version)
      const { transactionId } = sim.seedPayment({ amount: 10_000 })
      await provider.getTransaction(transactionId)
      await provider.cancel({ transactionId, amount: 3_000, reason: 'x', cancelId: 'fa-1' })
      expect(await provider.getTransaction(transactionId)).toMatchObject({
        status: 'partial_cancelled',
        cancelledAmount: 3_000,
        cancellableAmount: 7_000,
      })
      const r = await provider.cancel({ transactionId, reason: 'rest', cancelId: 'fa-2' })
      expect(r).toMatchObject({ cancelledAmount: 7_000, remainingAmount: 0 })
      expect(await provider.getTransaction(transactionId)).toMatchObject({
        status: 'cancelled',
        cancellableAmount: 0,
      })
    })

    it('billing keys: issue, charge, delete; a declined card; card data is never kept or echoed', async () => {
      const { sim, provider } = setup(version)
      const issued = await provider.issueBillingKey({
        card: { ...BOOTPAY_TEST_CARD },
        requestId: 'bk-1',
        buyer: { name: '홍길동' },
      })
      expect(issued.cardNumberMasked).toBe('55704204****1074')
      const charged = await provider.chargeBillingKey({
        billingKey: issued.billingKey,
        orderId: 'o-1',
        amount: 4_900,
        goodsName: '구독',
      })
      expect(charged).toMatchObject({ status: 'paid', amount: 4_900 })
      expect(sim.inspect(charged.transactionId)).toMatchObject({ amount: 4_900, status: 'paid' })
      await provider.deleteBillingKey({ billingKey: issued.billingKey })
      await expect(provider.deleteBillingKey({ billingKey: issued.billingKey })).rejects.toMatchObject({
        code: 'billing_key_invalid',
      })
      const declined = await provider
        .issueBillingKey({ card: { ...BOOTPAY_TEST_CARD, number: '4000000000000002' }, requestId: 'bk-2' })
        .catch((e: unknown) => e)
      expect(declined).toMatchObject({ code: 'card_declined' })
      const everything = JSON.stringify([...sim.state.billingKeys.values(), issued, charged, declined])
      expect(everything).not.toContain(BOOTPAY_TEST_CARD.number)
      expect(everything).not.toContain('4000000000000002')
    })
  })
}

describe('simulator webhooks', () => {
  it('v1: a form with the keys and retry_count, resent until the answer is the literal OK', async () => {
    const bodies: string[] = []
    let answer = 'ok'
    const { sim, provider } = setup('v1', {
      settings: {
        webhookUrl: 'http://merchant.test/hook',
        webhookVersion: 'v1',
        webhookRetryDelayMs: 0,
        webhookAttempts: 3,
        autoWebhooks: false,
      },
      fetch: async (_url, init) => {
        bodies.push(String(init?.body))
        const res = new Response(answer, { status: 200 })
        answer = 'OK'
        return res
      },
    })
    const { transactionId } = sim.seedPayment({ amount: 8_000 })
    await provider.cancel({ transactionId, amount: 3_000, reason: 'x', cancelId: 'w-1' })
    const d = await sim.sendWebhook(transactionId)
    expect(d.delivered).toBe(true)
    expect(d.attempts.map((a) => a.accepted)).toEqual([false, true])
    const first = new URLSearchParams(bodies[0])
    expect(first.get('receipt_id')).toBe(transactionId)
    expect(first.get('private_key')).toBe(sim.credentials.privateKey)
    expect(first.get('cancelled_price')).toBe('3000')
    expect(new URLSearchParams(bodies[1]).get('retry_count')).toBe('1')
  })

  it('v2: JSON with webhook_type; only HTTP 200 with {"success":true} counts', async () => {
    const seen: Array<Record<string, unknown>> = []
    const replies = [
      new Response('{"status":200}', { status: 200 }),
      new Response('{"success":true}', { status: 500 }),
      new Response('{"success":true}', { status: 200 }),
    ]
    const { sim, provider } = setup('v2', {
      settings: { webhookUrl: 'http://merchant.test/hook', webhookRetryDelayMs: 0 },
      fetch: async (_url, init) => {
        seen.push(JSON.parse(String(init?.body)) as Record<string, unknown>)
        return replies.shift() ?? new Response('{"success":true}')
      },
    })
    const { transactionId } = sim.seedPayment({ amount: 8_000 })
    await provider.cancel({ transactionId, amount: 3_000, reason: 'x', cancelId: 'w-2' })
    await sim.webhooksSettled()
    expect(sim.webhookLog).toHaveLength(1)
    expect(sim.webhookLog[0]!.attempts.map((a) => a.accepted)).toEqual([false, false, true])
    expect(seen[0]).toMatchObject({
      receipt_id: transactionId,
      webhook_type: 'PAYMENT_PARTIAL_CANCELLED',
      cancelled_price: 3000,
    })
    expect(seen[0]).not.toHaveProperty('private_key')
  })
})

describe('simulator control routes', () => {
  it('seeds, inspects, deposits and sends webhooks over HTTP', async () => {
    const sim = createBootpaySimulator({ settings: { webhookUrl: undefined } })
    const seeded = (await (
      await sim.app.request('/__sim/seed/payment', {
        method: 'POST',
        body: JSON.stringify({ amount: 12_000, method: 'virtual_account', deposited: false }),
      })
    ).json()) as { transactionId: string }
    expect(sim.inspect(seeded.transactionId)).toMatchObject({ status: 'waiting_for_deposit', amount: 12_000 })
    await sim.app.request(`/__sim/deposit/${seeded.transactionId}`, { method: 'POST' })
    const st = await (await sim.app.request(`/__sim/payments/${seeded.transactionId}`)).json()
    expect(st).toMatchObject({ status: 'paid', cancelledAmount: 0, cancelCount: 0 })
    expect((await sim.app.request('/__sim/payments/none')).status).toBe(404)
    expect(sim.faults.calls).toBe(0)
  })
})

describe('v2 full cancel after partial cancels made elsewhere', () => {
  it('is exact with lookupBeforeFullCancel', async () => {
    const sim = createBootpaySimulator()
    const make = (lookupBeforeFullCancel: boolean) =>
      new Bootpay({
        apiVersion: 'v2',
        applicationId: BOOTPAY_DEMO_CREDENTIALS.applicationId,
        privateKey: BOOTPAY_DEMO_CREDENTIALS.privateKey,
        baseUrl: 'http://bootpay.sim',
        fetch: inProcessFetch(sim.app),
        lookupBeforeFullCancel,
      })
    const elsewhere = make(false)
    const a = sim.seedPayment({ amount: 10_000 })
    await elsewhere.cancel({ transactionId: a.transactionId, amount: 4_000, reason: 'x', cancelId: 'e-a' })
    const exact = await make(true).cancel({
      transactionId: a.transactionId,
      reason: 'rest',
      cancelId: 'rest-a',
    })
    expect(exact).toMatchObject({ cancelledAmount: 6_000, remainingAmount: 0 })
  })
})
