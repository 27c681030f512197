// The PG call log: one row per PG call made for a payment or cancellation, by every path (the request, the
// reconciler, a notification's lookup), none for a request refused before the PG, and no secret in any row.
import { COOKIEPAY_DEMO_CREDENTIALS } from '@paymux/adapter-cookiepay/simulator'
import { NICEPAY_DEMO_CREDENTIALS } from '@paymux/adapter-nicepay/simulator'
import { PaymentError } from '@paymux/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { askPg } from '../operations/outcome.js'
import { DB_TARGETS } from '../test-support/harness.js'
import { type FlowGateway, sleep, startFlowGateway } from '../test-support/flows.js'
import { reconcileOnce } from '../workers/reconciler.js'
import { callLogOf } from './log.js'

const NICE_CARD = {
  number: '4111111111111111',
  expiryYear: '30',
  expiryMonth: '12',
  ownerId: '800101',
  passwordPrefix: '12',
}

describe.each(DB_TARGETS)('the PG call log on %o', (target) => {
  let t: FlowGateway
  beforeAll(async () => {
    t = await startFlowGateway(target)
  })
  afterAll(async () => {
    await t?.close()
  })

  const callsOf = async (paymentId: string) => {
    await callLogOf(t.gateway.runtime).flush()
    return t.db.kysely
      .selectFrom('pg_calls')
      .selectAll()
      .where('payment_id', '=', paymentId)
      .orderBy('started_at')
      .orderBy('id')
      .execute()
  }
  const allCalls = async () => {
    await callLogOf(t.gateway.runtime).flush()
    return t.db.kysely.selectFrom('pg_calls').selectAll().execute()
  }
  const shape = (rows: Awaited<ReturnType<typeof callsOf>>) =>
    rows.map(
      (r) => `${r.operation} ${r.path} ${r.outcome}${r.cancellation_id ? ` ${r.cancellation_id}` : ''}`,
    )

  it('a charge and a cancel on the request path: one row each, with the PG codes; a refused cancel adds none', async () => {
    const key = await t.call('POST', '/v1/billing-keys', { body: { card: NICE_CARD } })
    expect(key.status, JSON.stringify(key.body)).toBe(200)
    const charge = await t.call('POST', `/v1/billing-keys/${key.body.id}/charges`, {
      body: { amount: 10_000, goodsName: 'tea' },
    })
    expect(charge.status, JSON.stringify(charge.body)).toBe(200)
    const cancel = await t.call('POST', '/v1/cancellations', {
      body: { paymentId: charge.body.id, amount: 3_000, reason: 'part' },
    })
    expect(cancel.status, JSON.stringify(cancel.body)).toBe(200)
    const rows = await callsOf(charge.body.id)
    expect(shape(rows)).toEqual(['charge request succeeded', `cancel request succeeded ${cancel.body.id}`])
    expect(rows[1]).toMatchObject({ merchant_id: 'shop-a', account_id: 'a-nice', provider: 'nicepay' })
    expect(rows[1]!.provider_code).toBeTruthy()
    expect(rows[1]!.duration_ms).toBeGreaterThanOrEqual(0)

    // Refused before the PG (validation, the balance): nothing sent, nothing logged.
    const before = (await allCalls()).length
    const refused = [
      { paymentId: charge.body.id, amount: 1_000, taxFreeAmount: 2_000, reason: 'r' },
      { paymentId: charge.body.id, amount: 50_000, reason: 'r' },
      { paymentId: 'pay_doesnotexist', amount: 1_000, reason: 'r' },
    ]
    for (const body of refused) {
      const r = await t.call('POST', '/v1/cancellations', { body })
      expect(r.status, JSON.stringify(r.body)).toBeGreaterThanOrEqual(400)
    }
    expect((await allCalls()).length).toBe(before)
  })

  it('a cancel whose answer was lost, settled by the reconciler: the cancel (unknown) and the lookup that settled it', async () => {
    const { transactionId } = t.sims.cookiepay.seedPayment({ amount: 10_000 })
    t.sims.cookiepay.faults.inject({ fault: { kind: 'drop' }, path: '/api/cancel' })
    const c = await t.call('POST', '/v1/cancellations', {
      body: { account: 'a-cookie', transactionId, amount: 4_000, reason: 'r' },
    })
    expect(c.status).toBe(202)
    const cfg = t.gateway.runtime.config.workers.reconcile
    await sleep(cfg.minAgeMs! + 50)
    await reconcileOnce(t.gateway.runtime, cfg)
    expect((await t.call('GET', `/v1/cancellations/${c.body.id}`)).body.status).toBe('succeeded')
    const rows = await callsOf(c.body.paymentId)
    // The payment was first seen by this cancel: its lookup at import, then the cancel, then the reconciler's.
    expect(shape(rows)).toEqual([
      'lookup request succeeded',
      `cancel request unknown ${c.body.id}`,
      `lookup reconciler succeeded ${c.body.id}`,
    ])
    // The lost answer's code, as the gateway classified it (the PG gave none).
    expect(rows[1]).toMatchObject({ code: 'invalid_response', provider_code: null })
  })

  it("a notification's lookup is logged as the notification's", async () => {
    const { transactionId } = t.sims.cookiepay.seedPayment({ amount: 30_000, settled: true })
    const cancel = await t.call('POST', '/v1/cancellations', {
      body: { account: 'a-cookie', transactionId, reason: '정산 후 취소' },
    })
    expect(cancel.body.status).toBe('deposit_required')
    const dep = await t.sims.cookiepay.deposit(transactionId)
    expect(dep.notification).toMatchObject({ delivered: true, status: 200 })
    expect((await t.call('GET', `/v1/cancellations/${cancel.body.id}`)).body.status).toBe('succeeded')
    const rows = await callsOf(cancel.body.paymentId)
    expect(shape(rows)).toEqual([
      'lookup request succeeded',
      `cancel request succeeded ${cancel.body.id}`,
      `lookup notification succeeded ${cancel.body.id}`,
    ])
    // deposit_required is the PG's answer to the cancel, with its code (9029).
    expect(rows[1]!.provider_code).toBe('9029')
  })

  it("classifies each end: the PG's refusal declined (its code and message kept, a card number masked), never sent failed, anything else unknown", async () => {
    const rt = t.gateway.runtime
    const account = rt.merchants.get('shop-a')!.accounts.get('a-nice')!
    const ends: Array<[string, unknown]> = [
      [
        'pay_declined',
        new PaymentError({
          code: 'card_declined',
          message: 'declined',
          providerCode: 'F113',
          providerMessage: `잔액 부족 ${NICE_CARD.number}`,
        }),
      ],
      ['pay_neversent', new PaymentError({ code: 'provider_unavailable', message: 'refused connection' })],
      ['pay_bug', new Error('a bug after sending')],
    ]
    for (const [paymentId, err] of ends) {
      const at = { rt, account, paymentId, operation: 'cancel' }
      await expect(askPg(at, () => Promise.reject(err))).rejects.toBe(err)
    }
    const [declined] = await callsOf('pay_declined')
    expect(declined).toMatchObject({
      outcome: 'declined',
      code: 'card_declined',
      provider_code: 'F113',
      provider_message: '잔액 부족 [number]',
    })
    expect((await callsOf('pay_neversent'))[0]).toMatchObject({
      outcome: 'failed',
      code: 'provider_unavailable',
    })
    expect((await callsOf('pay_bug'))[0]).toMatchObject({ outcome: 'unknown', code: 'internal_error' })
  })

  it('holds no secret, key or card number in any row', async () => {
    const text = JSON.stringify(await allCalls())
    expect(text.length).toBeGreaterThan(100)
    for (const secret of [
      COOKIEPAY_DEMO_CREDENTIALS.apiKey,
      NICEPAY_DEMO_CREDENTIALS.merchantKey,
      t.keyA,
      NICE_CARD.number,
    ])
      expect(text).not.toContain(secret)
  })
})
