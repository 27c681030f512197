// "Check again now" on the needs-review queue runs the reconciler's settle step for that item, against the real
// CookiePay simulator: an item whose PG record now settles it leaves the queue with the right status; one the
// record does not settle stays, with what the PG showed; either way the audit has it; the account's lookup limit
// applies. PGlite and (with DATABASE_URL) PostgreSQL.
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseConfig } from '../config.js'
import { sha256Hex } from '../crypto.js'
import { createGateway, type Gateway } from '../gateway.js'
import { newId } from '../ids.js'
import { cancellationRef, settleCancellation } from '../ledger/cancellations.js'
import { createLogger } from '../logger.js'
import { caller, DB_TARGETS, openTestDb, type Sims, startSims, testConfig } from '../test-support/harness.js'
import { actionsOn } from './audit.js'

describe.each(DB_TARGETS)('check again now on $name', (target) => {
  let sims: Sims
  let gateway: Gateway
  let drop: () => Promise<void>
  let call: ReturnType<typeof caller>
  let url: string
  let cookie: string
  let csrf: string
  const opKey = `op_${randomBytes(12).toString('hex')}`
  const apiKey = `sk_a_${randomBytes(6).toString('hex')}`

  beforeAll(async () => {
    sims = await startSims()
    const raw = testConfig(sims, { a: apiKey, b: 'sk_b_check' })
    ;(raw.merchants as Array<Record<string, unknown>>)[0]!.operators = [
      { name: 'Op', keyHash: `sha256:${sha256Hex(opKey)}`, role: 'operator' },
    ]
    // A small burst so the limit's test can reach it; the checks before it stay within it.
    raw.notifications = { lookupRateLimit: { perMinute: 1, burst: 12 } }
    const opened = await openTestDb(target)
    drop = opened.drop
    const { logger } = createLogger({ level: 'warn', destination: { write: () => {} } })
    gateway = await createGateway({ config: parseConfig(raw, {}), db: opened.db, logger })
    url = (await gateway.listen(0, '127.0.0.1')).url
    call = caller(url, apiKey)
    const signed = await fetch(`${url}/console/sign-in`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ key: opKey }).toString(),
    })
    cookie = /paymux_console=[^;]+/.exec(signed.headers.get('set-cookie') ?? '')![0]
    const html = await (await fetch(`${url}/console/review`, { headers: { cookie } })).text()
    csrf = /name="csrf" value="([^"]+)"/.exec(html)![1]!
  })
  afterAll(async () => {
    await gateway?.close()
    await drop?.()
    await sims?.close()
  })

  const checkAgain = (kind: 'payments' | 'cancellations', id: string) =>
    fetch(`${url}/console/review/${kind}/${id}/check`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrf }).toString(),
    })
  const queue = async () => fetch(`${url}/console/review`, { headers: { cookie } }).then((r) => r.text())

  /** A CookiePay payment the reconciler gave up on: needs_review, as the ledger leaves it. */
  async function reviewedPayment(transactionId: string, amount: number): Promise<string> {
    const id = newId('pay')
    const now = new Date()
    await gateway.db.kysely
      .insertInto('payments')
      .values({
        id,
        merchant_id: 'shop-a',
        account_id: 'a-cookie',
        provider: 'cookiepay',
        transaction_id: transactionId,
        order_id: `ord-${randomBytes(4).toString('hex')}`,
        method: 'card',
        status: 'needs_review',
        amount,
        cancelled_amount: 0,
        reserved_amount: 0,
        inflight_cancels: 0,
        balance_source: 'gateway',
        review_reason: JSON.stringify({
          code: 'reconciliation_gave_up',
          message: 'the lookup never answered',
        }),
        created_at: now,
        updated_at: now,
      })
      .execute()
    return id
  }

  /** A cancel of 4,000 that never reached the PG (its connection reset), then given up into needs_review. */
  async function reviewedCancel(): Promise<{ id: string; paymentId: string; transactionId: string }> {
    const { transactionId } = sims.cookiepay.seedPayment({ amount: 10_000 })
    sims.cookiepay.faults.inject({ fault: { kind: 'reset' }, path: '/api/cancel' })
    const c = await call('POST', '/v1/cancellations', {
      body: { account: 'a-cookie', transactionId, amount: 4_000, reason: 'r' },
    })
    expect(c.body.status).toBe('pending')
    const rt = gateway.runtime
    const row = await rt.db
      .selectFrom('cancellations')
      .selectAll()
      .where('id', '=', c.body.id)
      .executeTakeFirstOrThrow()
    const moved = await settleCancellation(rt, rt.db, {
      cancellation: cancellationRef(row),
      from: ['pending'],
      end: { status: 'needs_review', reason: { code: 'reconciliation_gave_up', message: 'kept unclear' } },
      now: rt.now(),
      resolvedBy: 'reconciliation',
    })
    expect(moved).toBe(true)
    return { id: c.body.id, paymentId: c.body.paymentId, transactionId }
  }

  it('a payment the PG now shows paid for its amount leaves the queue, paid; the audit has the check', async () => {
    const { transactionId } = sims.cookiepay.seedPayment({ amount: 10_000 })
    const id = await reviewedPayment(transactionId, 10_000)
    expect(await queue()).toContain(`data-id="${id}"`)
    const res = await checkAgain('payments', id)
    expect(res.status).toBe(200)
    expect(await res.text()).toMatch(/data-settled="paid"/)
    expect(await queue()).not.toContain(`data-id="${id}"`)
    expect((await call('GET', `/v1/payments/${id}`)).body.status).toBe('paid')
    const [a] = await actionsOn(gateway.db.kysely, 'shop-a', [id])
    expect(a).toMatchObject({ action: 'check_again', operator: 'Op' })
    expect(a!.detail).toMatchObject({ settled: true, status: 'paid' })
  })

  it('a payment cancelled at the PG since leaves the queue cancelled, the cancel recorded', async () => {
    const { transactionId } = sims.cookiepay.seedPayment({ amount: 10_000 })
    const provider = gateway.runtime.merchants.get('shop-a')!.accounts.get('a-cookie')!.provider
    await provider.cancel({ transactionId, amount: 10_000, reason: 'at the PG admin', cancelId: 'admin-1' })
    const id = await reviewedPayment(transactionId, 10_000)
    expect((await checkAgain('payments', id)).status).toBe(200)
    const api = (await call('GET', `/v1/payments/${id}`)).body
    expect(api).toMatchObject({ status: 'cancelled', cancelledAmount: 10_000 })
    expect(await queue()).not.toContain(`data-id="${id}"`)
  })

  it('a payment whose PG record does not match (another amount) stays, with what the PG showed', async () => {
    const { transactionId } = sims.cookiepay.seedPayment({ amount: 10_000 })
    const id = await reviewedPayment(transactionId, 12_000)
    const res = await checkAgain('payments', id)
    expect(res.status).toBe(303)
    expect((await call('GET', `/v1/payments/${id}`)).body.status).toBe('needs_review')
    const page = await queue()
    expect(page).toContain(`data-id="${id}"`)
    expect(page).toContain('&quot;amount&quot;: 10000')
    const [a] = await actionsOn(gateway.db.kysely, 'shop-a', [id])
    expect(a!.detail).toMatchObject({ settled: false, status: 'needs_review' })
  })

  it('a cancellation the PG now lists leaves the queue succeeded; the payment shows it', async () => {
    const c = await reviewedCancel()
    expect(await queue()).toContain(`data-id="${c.id}"`)
    // The PG executed it late (its own queue): its lookup now shows the cancel.
    const rt = gateway.runtime
    const row = await rt.db
      .selectFrom('cancellations')
      .select('cancel_id')
      .where('id', '=', c.id)
      .executeTakeFirstOrThrow()
    const provider = rt.merchants.get('shop-a')!.accounts.get('a-cookie')!.provider
    await provider.cancel({
      transactionId: c.transactionId,
      amount: 4_000,
      reason: 'r',
      cancelId: row.cancel_id,
    })
    const res = await checkAgain('cancellations', c.id)
    expect(res.status).toBe(200)
    expect(await res.text()).toMatch(/data-settled="succeeded"/)
    expect(await queue()).not.toContain(`data-id="${c.id}"`)
    expect((await call('GET', `/v1/cancellations/${c.id}`)).body).toMatchObject({
      status: 'succeeded',
      amount: 4_000,
    })
    expect((await call('GET', `/v1/payments/${c.paymentId}`)).body).toMatchObject({
      status: 'partial_cancelled',
      cancelledAmount: 4_000,
      reservedAmount: 0,
    })
    // Never cancelled twice at the PG.
    expect(sims.cookiepay.inspect(c.transactionId)).toMatchObject({ cancelledAmount: 4_000, cancelCount: 1 })
  })

  it('a cancellation the PG still shows nothing of stays in the queue, never failed by the check', async () => {
    const c = await reviewedCancel()
    expect((await checkAgain('cancellations', c.id)).status).toBe(303)
    expect((await call('GET', `/v1/cancellations/${c.id}`)).body.status).toBe('needs_review')
    expect(await queue()).toContain(`data-id="${c.id}"`)
    const [a] = await actionsOn(gateway.db.kysely, 'shop-a', [c.id])
    expect(a!.detail).toMatchObject({ settled: false, evidence: expect.stringMatching(/= recorded/) })
    expect(sims.cookiepay.inspect(c.transactionId)).toMatchObject({ cancelledAmount: 0 })
  })

  it("another merchant's item is 404, and the account's lookup limit answers 429 once spent", async () => {
    const { transactionId } = sims.cookiepay.seedPayment({ amount: 10_000 })
    const id = await reviewedPayment(transactionId, 12_000)
    await gateway.db.kysely
      .updateTable('payments')
      .set({ merchant_id: 'shop-b' })
      .where('id', '=', id)
      .execute()
    expect((await checkAgain('payments', id)).status).toBe(404)
    await gateway.db.kysely
      .updateTable('payments')
      .set({ merchant_id: 'shop-a' })
      .where('id', '=', id)
      .execute()
    let status = 303
    for (let i = 0; i < 20 && status === 303; i++) status = (await checkAgain('payments', id)).status
    expect(status).toBe(429)
  })
})
