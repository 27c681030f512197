// A request refused by validation — the schema or the adapter's own pre-flight — leaves nothing behind: no row
// in any table, no event, no stored answer under its Idempotency-Key, and no PG call. The same key with a
// corrected body then proceeds. One test per route that writes.
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DB_TARGETS, startTestGateway, type TestGateway } from '../test-support/harness.js'

const NICE_CARD = {
  number: '5570420456641074',
  expiryYear: '30',
  expiryMonth: '12',
  ownerId: '800101',
  passwordPrefix: '12',
}

describe.each(DB_TARGETS)('refused requests leave no trace on $name', (target) => {
  let t: TestGateway
  let pgCalls = 0
  beforeAll(async () => {
    t = await startTestGateway(target, {
      providerFactory: async (account, ctx) => {
        const { defaultProviderFactory } = await import('../providers.js')
        return defaultProviderFactory(account, { ...ctx, onCall: () => void pgCalls++ })
      },
    })
  })
  afterAll(async () => {
    await t?.close()
  })

  /** Every row of every table, as text: what a refused request must leave exactly as it was. */
  const snapshot = async () => {
    const out: string[] = []
    for (const table of [
      'payments',
      'cancellations',
      'billing_keys',
      'events',
      'idempotency_keys',
      'notifications',
    ]) {
      const r = await sql<{
        t: string
      }>`SELECT row_to_json(x)::text AS t FROM ${sql.table(table)} x ORDER BY 1`.execute(t.db.kysely)
      out.push(`${table}: ${r.rows.map((x) => x.t).join('\n')}`)
    }
    return out.join('\n')
  }

  /** Sends the refused request, checks the answer names the field and nothing changed, then the fixed one. */
  const refusedThenFixed = async (
    method: string,
    path: (fixed: boolean) => string,
    body: (fixed: boolean) => unknown,
    param: string,
    okStatus = 200,
  ) => {
    const idem = `refused-${Math.random().toString(36).slice(2)}`
    const before = await snapshot()
    const calls = pgCalls
    const r = await t.call(method, path(false), {
      idem,
      ...(body(false) !== undefined ? { body: body(false) } : {}),
    })
    expect(r.status, JSON.stringify(r.body)).toBe(400)
    expect(r.body.error.param).toBe(param)
    expect(r.body.error.cancellationId ?? r.body.error.paymentId ?? r.body.error.billingKeyId).toBeUndefined()
    expect(pgCalls).toBe(calls)
    expect(await snapshot()).toBe(before)
    const ok = await t.call(method, path(true), {
      idem,
      ...(body(true) !== undefined ? { body: body(true) } : {}),
    })
    expect(ok.status, JSON.stringify(ok.body)).toBe(okStatus)
    return ok
  }

  it('cancel: a reason NicePay cannot carry (an emoji; over 100 EUC-KR bytes), of a payment made elsewhere', async () => {
    const { transactionId } = t.sims.nicepay.seedPayment({ amount: 20_000 })
    for (const reason of ['고객 요청 🙂', '가'.repeat(51)]) {
      const before = await snapshot()
      const r = await t.call('POST', '/v1/cancellations', {
        idem: 'emoji',
        body: { account: 'a-nice', transactionId, amount: 1_000, reason },
      })
      expect(r.status, JSON.stringify(r.body)).toBe(400)
      expect(r.body.error.param).toBe('reason')
      // Not even the payment it names is recorded.
      expect(await snapshot()).toBe(before)
    }
    const ok = await t.call('POST', '/v1/cancellations', {
      idem: 'emoji',
      body: { account: 'a-nice', transactionId, amount: 1_000, reason: '고객 요청' },
    })
    expect(ok.status, JSON.stringify(ok.body)).toBe(200)
    expect(t.sims.nicepay.inspect(transactionId)).toMatchObject({ cancelledAmount: 1_000 })
  })

  it('cancel: a schema refusal, then the same key with the body corrected', async () => {
    const { transactionId } = t.sims.bootpay.seedPayment({ amount: 10_000 })
    await refusedThenFixed(
      'POST',
      () => '/v1/cancellations',
      (fixed) => ({ account: 'a-boot', transactionId, reason: 'r', amount: fixed ? 2_000 : 1.5 }),
      'amount',
    )
  })

  it('virtual account: a due date in the past (the adapter refuses it), then fixed', async () => {
    const ok = await refusedThenFixed(
      'POST',
      () => '/v1/virtual-accounts',
      (fixed) => ({
        amount: 10_000,
        goodsName: '상품',
        bankCode: '004',
        dueDate: fixed ? '2099-12-31' : '2001-01-01',
      }),
      'dueDate',
    )
    expect(ok.body.status).toBe('waiting_for_deposit')
  })

  it('billing key: a customerId holding U+0000 is refused before the card reaches the PG, then fixed', async () => {
    const ok = await refusedThenFixed(
      'POST',
      () => '/v1/billing-keys',
      (fixed) => ({ account: 'a-nice', card: NICE_CARD, customerId: fixed ? 'cust-1' : 'cust\u0000-1' }),
      'customerId',
    )
    expect(ok.body.status).toBe('active')
  })

  it('charge and delete: schema refusals on a live key, then fixed', async () => {
    const key = await t.call('POST', '/v1/billing-keys', { body: { account: 'a-nice', card: NICE_CARD } })
    expect(key.status).toBe(200)
    await refusedThenFixed(
      'POST',
      () => `/v1/billing-keys/${key.body.id}/charges`,
      (fixed) => ({ amount: fixed ? 1_000 : -5, goodsName: '구독' }),
      'amount',
    )
    await refusedThenFixed(
      'DELETE',
      (fixed) => `/v1/billing-keys/${key.body.id}?reason=${fixed ? 'done' : 'x'.repeat(101)}`,
      () => undefined,
      'reason',
    )
  })

  it('a cancel of a TID the PG does not know leaves no payment behind (404), and no event', async () => {
    const before = await snapshot()
    const r = await t.call('POST', '/v1/cancellations', {
      body: {
        account: 'a-nice',
        transactionId: 'nicepay00m01012601010000009999',
        amount: 1_000,
        reason: 'r',
      },
    })
    expect(r.status, JSON.stringify(r.body)).toBe(404)
    expect(await snapshot()).toBe(before)
  })
})
