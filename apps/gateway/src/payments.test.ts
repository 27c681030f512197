import { BOOTPAY_TEST_CARD } from '@paymux/adapter-bootpay/simulator'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  DB_TARGETS,
  findLeaks,
  secretsOf,
  startTestGateway,
  type TestGateway,
} from './test-support/harness.js'

const NICE_CARD = {
  number: '4111111111111111',
  expiryYear: '30',
  expiryMonth: '12',
  ownerId: '800101',
  passwordPrefix: '12',
}
const tomorrow = () => new Date(Date.now() + 86_400_000).toISOString().slice(0, 10)

describe.each(DB_TARGETS)('billing keys and virtual accounts on $name', (target) => {
  let t: TestGateway
  beforeAll(async () => {
    t = await startTestGateway(target)
  })
  afterAll(async () => {
    const leaks = t ? findLeaks(t.logs, secretsOf(t)) : []
    await t?.close()
    expect(leaks).toEqual([])
  })

  it('NicePay: issue (routing default), get, charge, cancel part of the charge, delete; card data never stored', async () => {
    const issued = await t.call('POST', '/v1/billing-keys', {
      idem: 'bk-1',
      body: { card: NICE_CARD, customerId: 'cust-1' },
    })
    expect(issued.status, JSON.stringify(issued.body)).toBe(200)
    expect(issued.body).toMatchObject({
      object: 'billing_key',
      account: 'a-nice',
      provider: 'nicepay',
      status: 'active',
      customerId: 'cust-1',
    })
    expect(issued.body.id).toMatch(/^bk_/)
    expect(JSON.stringify(issued.body)).not.toContain(NICE_CARD.number)
    const replay = await t.call('POST', '/v1/billing-keys', {
      idem: 'bk-1',
      body: { card: NICE_CARD, customerId: 'cust-1' },
    })
    expect(replay.headers.get('idempotent-replayed')).toBe('true')
    expect(replay.body.id).toBe(issued.body.id)
    const mismatch = await t.call('POST', '/v1/billing-keys', {
      idem: 'bk-1',
      body: { card: { ...NICE_CARD, expiryMonth: '11' } },
    })
    expect(mismatch.status).toBe(422)

    const got = await t.call('GET', `/v1/billing-keys/${issued.body.id}`)
    expect(got.body).toEqual(issued.body)
    expect((await t.call('GET', `/v1/billing-keys/${issued.body.id}`, { key: t.keyB })).status).toBe(404)

    const charge = await t.call('POST', `/v1/billing-keys/${issued.body.id}/charges`, {
      idem: 'ch-1',
      body: { amount: 9_900, goodsName: 'Monthly plan' },
    })
    expect(charge.status, JSON.stringify(charge.body)).toBe(200)
    expect(charge.body).toMatchObject({
      object: 'payment',
      status: 'paid',
      amount: 9_900,
      account: 'a-nice',
      billingKeyId: issued.body.id,
      cancellableAmount: 9_900,
      balanceSource: 'gateway',
    })
    expect(charge.body.id).toMatch(/^pay_/)
    expect(charge.body.transactionId).toBeTruthy()
    const chargeReplay = await t.call('POST', `/v1/billing-keys/${issued.body.id}/charges`, {
      idem: 'ch-1',
      body: { amount: 9_900, goodsName: 'Monthly plan' },
    })
    expect(chargeReplay.body.id).toBe(charge.body.id)
    expect(t.sims.nicepay.inspect(charge.body.transactionId)).toMatchObject({
      amount: 9_900,
      cancelledAmount: 0,
    })
    const bCharge = await t.call('POST', `/v1/billing-keys/${issued.body.id}/charges`, {
      key: t.keyB,
      body: { amount: 100, goodsName: 'x' },
    })
    expect(bCharge.status).toBe(404)

    const cancel = await t.call('POST', '/v1/cancellations', {
      body: { paymentId: charge.body.id, amount: 1_900, reason: 'partial refund' },
    })
    expect(cancel.status, JSON.stringify(cancel.body)).toBe(200)
    const pay = await t.call('GET', `/v1/payments/${charge.body.id}`)
    expect(pay.body).toMatchObject({
      status: 'partial_cancelled',
      cancelledAmount: 1_900,
      cancellableAmount: 8_000,
    })
    expect(t.sims.nicepay.inspect(charge.body.transactionId)).toMatchObject({ cancelledAmount: 1_900 })

    const dupOrder = await t.call('POST', `/v1/billing-keys/${issued.body.id}/charges`, {
      body: { amount: 100, goodsName: 'x', orderId: 'order-1' },
    })
    expect(dupOrder.status).toBe(200)
    const dupOrder2 = await t.call('POST', `/v1/billing-keys/${issued.body.id}/charges`, {
      body: { amount: 100, goodsName: 'x', orderId: 'order-1' },
    })
    expect(dupOrder2.status).toBe(409)
    expect(dupOrder2.body.error.code).toBe('duplicate_order_id')

    // Nothing stored contains the card number; the PG key is sealed.
    const dump = await sql<{ t: string }>`SELECT row_to_json(b)::text AS t FROM billing_keys b`.execute(
      t.db.kysely,
    )
    const idem = await sql<{ t: string }>`SELECT row_to_json(i)::text AS t FROM idempotency_keys i`.execute(
      t.db.kysely,
    )
    for (const r of [...dump.rows, ...idem.rows]) expect(r.t).not.toContain(NICE_CARD.number)
    const row = await t.db.kysely
      .selectFrom('billing_keys')
      .selectAll()
      .where('id', '=', issued.body.id)
      .executeTakeFirstOrThrow()
    const pgKey = t.gateway.runtime.vault.decrypt(row.encrypted_key ?? '')
    expect(pgKey.length).toBeGreaterThan(5)
    expect(row.encrypted_key).not.toContain(pgKey)
    for (const line of t.logs) expect(line).not.toContain(pgKey)

    const del = await t.call('DELETE', `/v1/billing-keys/${issued.body.id}?reason=user%20left`, {
      idem: 'del-1',
    })
    expect(del.status, JSON.stringify(del.body)).toBe(200)
    expect(del.body.status).toBe('deleted')
    const delReplay = await t.call('DELETE', `/v1/billing-keys/${issued.body.id}?reason=user%20left`, {
      idem: 'del-1',
    })
    expect(delReplay.status).toBe(200)
    expect(delReplay.headers.get('idempotent-replayed')).toBe('true')
    const delAgain = await t.call('DELETE', `/v1/billing-keys/${issued.body.id}`)
    expect(delAgain.status).toBe(409)
    const afterDelete = await t.call('POST', `/v1/billing-keys/${issued.body.id}/charges`, {
      body: { amount: 100, goodsName: 'x' },
    })
    expect(afterDelete.status).toBe(409)
    expect(afterDelete.body.error.code).toBe('billing_key_deleted')
  })

  it('Bootpay v2 billing key by explicit account; a declined or invalid card never creates a key', async () => {
    const issued = await t.call('POST', '/v1/billing-keys', {
      body: { account: 'a-boot', card: BOOTPAY_TEST_CARD },
    })
    expect(issued.status, JSON.stringify(issued.body)).toBe(200)
    expect(issued.body.provider).toBe('bootpay')
    const charge = await t.call('POST', `/v1/billing-keys/${issued.body.id}/charges`, {
      body: { amount: 15_000, goodsName: 'Plan' },
    })
    expect(charge.status, JSON.stringify(charge.body)).toBe(200)
    expect(t.sims.bootpay.inspect(charge.body.transactionId)).toMatchObject({ amount: 15_000 })

    const declined = await t.call('POST', '/v1/billing-keys', {
      body: { card: { ...NICE_CARD, number: '4000000000000002' } },
    })
    expect(declined.status).toBe(422)
    expect(declined.body.error.providerCode).toBeTruthy()
    // Its intent was recorded before the PG was asked; the refusal leaves it failed, never usable.
    const failed = await t.call('GET', `/v1/billing-keys/${declined.body.error.billingKeyId}`)
    expect(failed.body.status).toBe('failed')
    const badCard = await t.call('POST', '/v1/billing-keys', {
      body: { card: { ...NICE_CARD, number: '4111-1111' } },
    })
    expect(badCard.status).toBe(400)
    expect(badCard.body.error.param).toBe('card.number')
    const count = await t.db.kysely
      .selectFrom('billing_keys')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('status', '!=', 'failed')
      .executeTakeFirstOrThrow()
    expect(Number(count.n)).toBe(2)
  })

  it('CookiePay has no billing keys and Bootpay no server-side virtual accounts: 400 before any PG call', async () => {
    const calls = t.sims.cookiepay.faults.calls + t.sims.bootpay.faults.calls
    const bk = await t.call('POST', '/v1/billing-keys', { body: { account: 'a-cookie', card: NICE_CARD } })
    expect(bk.status).toBe(400)
    expect(bk.body.error.code).toBe('unsupported_operation')
    const va = await t.call('POST', '/v1/virtual-accounts', {
      body: { account: 'a-boot', amount: 1000, goodsName: 'x', bankCode: '004', dueDate: tomorrow() },
    })
    expect(va.status).toBe(400)
    expect(t.sims.cookiepay.faults.calls + t.sims.bootpay.faults.calls).toBe(calls)
  })

  it('NicePay virtual account: a payment awaiting deposit with bank, number and due date; not cancellable yet', async () => {
    const va = await t.call('POST', '/v1/virtual-accounts', {
      idem: 'va-1',
      body: {
        amount: 50_000,
        goodsName: 'Order 17',
        bankCode: '004',
        dueDate: tomorrow(),
        depositorName: '홍길동',
      },
    })
    expect(va.status, JSON.stringify(va.body)).toBe(200)
    expect(va.body).toMatchObject({
      status: 'waiting_for_deposit',
      amount: 50_000,
      account: 'a-nice',
      method: 'virtual_account',
      cancellableAmount: null,
    })
    expect(va.body.virtualAccount).toMatchObject({ bankCode: '004' })
    expect(va.body.virtualAccount.accountNumber).toMatch(/\d/)
    expect(va.body.virtualAccount.dueDate).toBeTruthy()
    const get = await t.call('GET', `/v1/payments/${va.body.id}`)
    expect(get.body.virtualAccount).toEqual(va.body.virtualAccount)
    const cancel = await t.call('POST', '/v1/cancellations', { body: { paymentId: va.body.id, reason: 'x' } })
    expect(cancel.status).toBe(409)
    expect(cancel.body.error.code).toBe('payment_not_cancellable')
    const badBank = await t.call('POST', '/v1/virtual-accounts', {
      body: { amount: 1000, goodsName: 'x', bankCode: '4', dueDate: tomorrow() },
    })
    expect(badBank.status).toBe(400)
    expect(badBank.body.error.param).toBe('bankCode')
  })

  it('a charge whose answer is lost is a pending payment (202); its replay answers the current state', async () => {
    const issued = await t.call('POST', '/v1/billing-keys', { body: { card: NICE_CARD } })
    expect(issued.status).toBe(200)
    t.sims.nicepay.faults.inject({ fault: { kind: 'delay', ms: 1_200 }, path: 'billing_approve', times: 1 })
    const r = await t.call('POST', `/v1/billing-keys/${issued.body.id}/charges`, {
      idem: 'lost-1',
      body: { amount: 3_000, goodsName: 'x' },
    })
    expect(r.status).toBe(202)
    expect(r.body.status).toBe('pending')
    expect(r.body.failure.code).toBe('timeout')
    const replay = await t.call('POST', `/v1/billing-keys/${issued.body.id}/charges`, {
      idem: 'lost-1',
      body: { amount: 3_000, goodsName: 'x' },
    })
    expect(replay.status).toBe(202)
    expect(replay.headers.get('idempotent-replayed')).toBe('true')
    expect(replay.body.id).toBe(r.body.id)
    const cancel = await t.call('POST', '/v1/cancellations', { body: { paymentId: r.body.id, reason: 'x' } })
    expect(cancel.status).toBe(409)
  })

  it('a deposited virtual account refunded to a bank account; the account number is stored encrypted', async () => {
    const { transactionId } = t.sims.nicepay.seedPayment({
      amount: 40_000,
      method: 'virtual_account',
      deposited: true,
    })
    const refundAccount = { bankCode: '004', accountNumber: '93810204123456', holderName: '홍길동' }
    const r = await t.call('POST', '/v1/cancellations', {
      body: { account: 'a-nice', transactionId, amount: 10_000, reason: 'refund', refundAccount },
    })
    expect(r.status, JSON.stringify(r.body)).toBe(200)
    expect(r.body.status).toBe('succeeded')
    expect(JSON.stringify(r.body)).not.toContain(refundAccount.accountNumber)
    expect(t.sims.nicepay.inspect(transactionId)).toMatchObject({ cancelledAmount: 10_000 })
    const row = await t.db.kysely
      .selectFrom('cancellations')
      .selectAll()
      .where('id', '=', r.body.id)
      .executeTakeFirstOrThrow()
    expect(row.refund_account).toBeTruthy()
    expect(row.refund_account).not.toContain(refundAccount.accountNumber)
    expect(JSON.parse(t.gateway.runtime.vault.decrypt(row.refund_account!))).toEqual(refundAccount)
    for (const line of t.logs) expect(line).not.toContain(refundAccount.accountNumber)
  })
})
