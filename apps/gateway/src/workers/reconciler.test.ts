import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DB_TARGETS } from '../test-support/harness.js'
import { eventually, type FlowGateway, sleep, startFlowGateway } from '../test-support/flows.js'
import { defaultProviderFactory } from '../providers.js'
import { cancelRequestOf } from '../operations/cancel.js'
import { reconcileOnce } from './reconciler.js'

const NICE_CARD = {
  number: '4111111111111111',
  expiryYear: '30',
  expiryMonth: '12',
  ownerId: '800101',
  passwordPrefix: '12',
}

describe.each(DB_TARGETS)('reconciliation on %o', (target) => {
  let t: FlowGateway
  beforeAll(async () => {
    t = await startFlowGateway(target)
  })
  afterAll(async () => {
    await t?.close()
  })

  const cfg = () => t.gateway.runtime.config.workers.reconcile
  /** Runs passes (as the worker would) until the item leaves `pending`, past the in-flight window. */
  const settle = async (path: string) => {
    await sleep(cfg().minAgeMs! + 50)
    return eventually(async () => {
      await reconcileOnce(t.gateway.runtime, cfg())
      const r = await t.call('GET', path)
      return r.body.status !== 'pending' && r.body
    })
  }
  const events = async (objectId: string) =>
    (await t.call('GET', `/v1/events?objectId=${objectId}`)).body.data as Array<{
      type: string
      data: Record<string, unknown>
    }>

  it('CookiePay (lookup): a cancel executed at the PG whose answer was dropped becomes succeeded on evidence; the ledger follows', async () => {
    const { transactionId } = t.sims.cookiepay.seedPayment({ amount: 10_000 })
    t.sims.cookiepay.faults.inject({ fault: { kind: 'drop' }, path: '/api/cancel' })
    const c = await t.call('POST', '/v1/cancellations', {
      body: { account: 'a-cookie', transactionId, amount: 4_000, reason: 'r' },
    })
    expect(c.status).toBe(202)
    expect(c.body.status).toBe('pending')
    expect(t.sims.cookiepay.inspect(transactionId)).toMatchObject({ cancelledAmount: 4_000, cancelCount: 1 })
    // Inside the in-flight window nothing is touched.
    await reconcileOnce(t.gateway.runtime, cfg())
    expect((await t.call('GET', `/v1/cancellations/${c.body.id}`)).body.status).toBe('pending')

    const done = await settle(`/v1/cancellations/${c.body.id}`)
    expect(done).toMatchObject({ status: 'succeeded', amount: 4_000 })
    const pay = await t.call('GET', `/v1/payments/${c.body.paymentId}`)
    expect(pay.body).toMatchObject({
      status: 'partial_cancelled',
      cancelledAmount: 4_000,
      reservedAmount: 0,
      cancellableAmount: 6_000,
    })
    // Never cancelled twice at the PG.
    expect(t.sims.cookiepay.inspect(transactionId)).toMatchObject({ cancelledAmount: 4_000, cancelCount: 1 })
    const evs = await events(c.body.id)
    expect(evs.map((e) => e.type)).toEqual(['cancellation.succeeded'])
    expect(evs[0]!.data).toMatchObject({ previousStatus: 'pending', resolvedBy: 'reconciliation' })
  })

  it('a worker that dies holding a claim loses nothing: after its lease the next pass resolves the cancel', async () => {
    const { transactionId } = t.sims.cookiepay.seedPayment({ amount: 10_000 })
    t.sims.cookiepay.faults.inject({ fault: { kind: 'drop' }, path: '/api/cancel' })
    const c = await t.call('POST', '/v1/cancellations', {
      body: { account: 'a-cookie', transactionId, amount: 1_000, reason: 'r' },
    })
    expect(c.body.status).toBe('pending')
    await sleep(cfg().minAgeMs! + 50)
    // What a claim writes, by a process that then crashed before deciding anything.
    await t.db.kysely
      .updateTable('cancellations')
      .set({ reconcile_locked_until: new Date(Date.now() + 60_000) } as never)
      .where('id', '=', c.body.id)
      .execute()
    await reconcileOnce(t.gateway.runtime, cfg())
    expect((await t.call('GET', `/v1/cancellations/${c.body.id}`)).body.status).toBe('pending')
    const later = { ...t.gateway.runtime, now: () => new Date(Date.now() + 61_000) }
    await reconcileOnce(later, cfg())
    const done = await t.call('GET', `/v1/cancellations/${c.body.id}`)
    expect(done.body).toMatchObject({ status: 'succeeded', amount: 1_000 })
    expect(t.sims.cookiepay.inspect(transactionId)).toMatchObject({ cancelledAmount: 1_000, cancelCount: 1 })
  })

  it('CookiePay: a cancel that never reached the PG becomes failed after repeated unchanged lookups; the balance is released', async () => {
    const { transactionId } = t.sims.cookiepay.seedPayment({ amount: 10_000 })
    t.sims.cookiepay.faults.inject({ fault: { kind: 'reset' }, path: '/api/cancel' })
    const c = await t.call('POST', '/v1/cancellations', {
      body: { account: 'a-cookie', transactionId, amount: 4_000, reason: 'r' },
    })
    expect(c.body.status).toBe('pending')
    expect(t.sims.cookiepay.inspect(transactionId)).toMatchObject({ cancelledAmount: 0 })
    const done = await settle(`/v1/cancellations/${c.body.id}`)
    expect(done).toMatchObject({ status: 'failed', failure: { code: 'not_executed' } })
    const pay = await t.call('GET', `/v1/payments/${c.body.paymentId}`)
    expect(pay.body).toMatchObject({
      status: 'paid',
      cancelledAmount: 0,
      reservedAmount: 0,
      cancellableAmount: 10_000,
    })
    expect((await events(c.body.id)).map((e) => e.type)).toEqual(['cancellation.failed'])
  })

  it('CookiePay: one unchanged lookup is not yet evidence; a cancel the PG shows on the next lookup succeeds, never failed', async () => {
    const { transactionId } = t.sims.cookiepay.seedPayment({ amount: 10_000 })
    t.sims.cookiepay.faults.inject({ fault: { kind: 'reset' }, path: '/api/cancel' })
    const c = await t.call('POST', '/v1/cancellations', {
      body: { account: 'a-cookie', transactionId, amount: 4_000, reason: 'r' },
    })
    expect(c.body.status).toBe('pending')
    const rt = t.gateway.runtime
    const now = { ...cfg(), minAgeMs: 0, backoffSeconds: [0], failAfterNoChangeLookups: 2 }
    await reconcileOnce(rt, now)
    expect((await t.call('GET', `/v1/cancellations/${c.body.id}`)).body.status).toBe('pending')
    // The PG executes it late (its own queue): the next lookup shows it.
    const row = await rt.db
      .selectFrom('cancellations')
      .select('cancel_id')
      .where('id', '=', c.body.id)
      .executeTakeFirstOrThrow()
    const provider = rt.merchants.get('shop-a')!.accounts.get('a-cookie')!.provider
    await provider.cancel({ transactionId, amount: 4_000, reason: 'r', cancelId: row.cancel_id })
    await reconcileOnce(rt, now)
    const done = await t.call('GET', `/v1/cancellations/${c.body.id}`)
    expect(done.body).toMatchObject({ status: 'succeeded', amount: 4_000 })
    expect((await t.call('GET', `/v1/payments/${c.body.paymentId}`)).body).toMatchObject({
      cancelledAmount: 4_000,
      reservedAmount: 0,
    })
  })

  it('a re-send is the recorded request: a full cancel stays full (no amount on the wire), a remainder stays explicit', async () => {
    const rt = t.gateway.runtime
    const requestOf = async (id: string) => {
      const row = await rt.db
        .selectFrom('cancellations')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirstOrThrow()
      const p = await rt.db
        .selectFrom('payments')
        .select(['order_id', 'amount'])
        .where('id', '=', row.payment_id)
        .executeTakeFirstOrThrow()
      return cancelRequestOf(rt, row, p)
    }
    const { transactionId } = t.sims.cookiepay.seedPayment({ amount: 10_000 })
    t.sims.cookiepay.faults.inject({ fault: { kind: 'drop' }, path: '/api/cancel' })
    const full = await t.call('POST', '/v1/cancellations', {
      body: { account: 'a-cookie', transactionId, reason: 'r' },
    })
    expect(full.body.status).toBe('pending')
    const sent = await requestOf(full.body.id)
    expect(sent.amount).toBeUndefined()
    expect(sent).toMatchObject({ transactionId, cancelId: full.body.id, paymentAmount: 10_000 })

    const b = t.sims.cookiepay.seedPayment({ amount: 10_000 })
    const first = await t.call('POST', '/v1/cancellations', {
      body: { account: 'a-cookie', transactionId: b.transactionId, amount: 3_000, reason: 'r' },
    })
    expect(first.body.status).toBe('succeeded')
    t.sims.cookiepay.faults.inject({ fault: { kind: 'drop' }, path: '/api/cancel' })
    const rest = await t.call('POST', '/v1/cancellations', {
      body: { paymentId: first.body.paymentId, reason: 'r' },
    })
    expect((await requestOf(rest.body.id)).amount).toBe(7_000)
  })

  /** For one test: a NicePay merchant with the Moid duplicate guard contract, in the PG and on the account. */
  const withMoidGuard = async (run: () => Promise<void>) => {
    const account = t.gateway.runtime.merchants.get('shop-a')!.accounts.get('a-nice')!
    const plain = account.provider
    account.provider = await defaultProviderFactory({ ...account.config, cancelDuplicateGuard: true }, {})
    t.sims.nicepay.settings.cancelDuplicateGuard = true
    try {
      await run()
    } finally {
      account.provider = plain
      t.sims.nicepay.settings.cancelDuplicateGuard = false
    }
  }

  it('NicePay without the Moid guard contract: a dropped partial cancel is never re-sent; the lookup cannot settle it → needs_review', async () => {
    const { transactionId } = t.sims.nicepay.seedPayment({ amount: 20_000 })
    t.sims.nicepay.faults.inject({ fault: { kind: 'drop' }, path: 'cancel_process' })
    const c = await t.call('POST', '/v1/cancellations', {
      body: { account: 'a-nice', transactionId, amount: 5_000, reason: 'r' },
    })
    expect(c.body.status).toBe('pending')
    const rt = t.gateway.runtime
    // Past the bound: what evidence could not settle is for a person, with what the PG showed.
    await reconcileOnce(rt, { ...cfg(), minAgeMs: 0, giveUpAfterSeconds: 1 })
    await sleep(1_100)
    await reconcileOnce(rt, { ...cfg(), minAgeMs: 0, giveUpAfterSeconds: 1 })
    const r = await t.call('GET', `/v1/cancellations/${c.body.id}`)
    expect(r.body.status).toBe('needs_review')
    // Executed once at the PG, and never sent again.
    expect(t.sims.nicepay.inspect(transactionId)).toMatchObject({ cancelledAmount: 5_000, cancelCount: 1 })
    const row = await t.gateway.runtime.db
      .selectFrom('cancellations')
      .select('review_reason')
      .where('id', '=', c.body.id)
      .executeTakeFirstOrThrow()
    expect(JSON.stringify(row.review_reason)).toContain('evidence')
  })

  // No NicePay document says its duplicate guard is checked before anything else, nor which code it answers
  // (specs: "unconfirmed"): a refused re-send proves nothing either way, so it is never booked failed (nor
  // succeeded); the lookup decides, and what it cannot settle goes to a person.
  for (const [name, fault] of [
    ['the duplicate-guard refusal', undefined],
    [
      'an ordinary refusal (2014)',
      {
        kind: 'status' as const,
        status: 200,
        contentType: 'application/json',
        body: JSON.stringify({
          ResultCode: '2014',
          ResultMsg: 'cancel not possible',
          CancelAmt: '000000000000',
        }),
      },
    ],
  ] as const)
    it(`NicePay with the Moid guard: a dropped cancel that executed, re-sent and refused with ${name}, is never booked failed; cancelled once`, () =>
      withMoidGuard(async () => {
        const { transactionId } = t.sims.nicepay.seedPayment({ amount: 20_000 })
        t.sims.nicepay.faults.inject({ fault: { kind: 'drop' }, path: 'cancel_process' })
        const c = await t.call('POST', '/v1/cancellations', {
          body: { account: 'a-nice', transactionId, amount: 5_000, reason: 'r' },
        })
        expect(c.body.status).toBe('pending')
        const before = t.sims.nicepay.inspect(transactionId)!
        expect(before).toMatchObject({ cancelledAmount: 5_000, cancelCount: 1 })
        if (fault) t.sims.nicepay.faults.inject({ fault, path: 'cancel_process' })
        const rt = t.gateway.runtime
        await reconcileOnce(rt, { ...cfg(), minAgeMs: 0, giveUpAfterSeconds: 1 })
        expect((await t.call('GET', `/v1/cancellations/${c.body.id}`)).body.status).toBe('pending')
        await sleep(1_100)
        await reconcileOnce(rt, { ...cfg(), minAgeMs: 0, giveUpAfterSeconds: 1 })
        const r = await t.call('GET', `/v1/cancellations/${c.body.id}`)
        expect(r.body.status).toBe('needs_review')
        const pay = await t.call('GET', `/v1/payments/${c.body.paymentId}`)
        // Still reserved: the balance is never released on a refusal that proves nothing.
        expect(pay.body).toMatchObject({ reservedAmount: 5_000, cancelledAmount: 0 })
        const after = t.sims.nicepay.inspect(transactionId)!
        expect(after).toMatchObject({ cancelledAmount: 5_000, cancelCount: 1 })
      }))

  it('NicePay with the Moid guard: a cancel that never executed is executed by the resend, once', () =>
    withMoidGuard(async () => {
      const { transactionId } = t.sims.nicepay.seedPayment({ amount: 20_000 })
      t.sims.nicepay.faults.inject({ fault: { kind: 'reset' }, path: 'cancel_process' })
      const c = await t.call('POST', '/v1/cancellations', {
        body: { account: 'a-nice', transactionId, amount: 5_000, reason: 'r' },
      })
      expect(c.body.status).toBe('pending')
      expect(t.sims.nicepay.inspect(transactionId)).toMatchObject({ cancelledAmount: 0, cancelCount: 0 })
      const done = await settle(`/v1/cancellations/${c.body.id}`)
      expect(done).toMatchObject({ status: 'succeeded', amount: 5_000 })
      expect(t.sims.nicepay.inspect(transactionId)).toMatchObject({ cancelledAmount: 5_000, cancelCount: 1 })
    }))

  it('gives up into needs_review when no evidence comes within the bound: visible in the API, the outbox and /metrics; the balance stays reserved', async () => {
    const { transactionId } = t.sims.cookiepay.seedPayment({ amount: 10_000 })
    t.sims.cookiepay.faults.inject({ fault: { kind: 'drop' }, path: '/api/cancel' })
    const c = await t.call('POST', '/v1/cancellations', {
      body: { account: 'a-cookie', transactionId, amount: 3_000, reason: 'r' },
    })
    expect(c.body.status).toBe('pending')
    // CookiePay's lookup answers HTML error pages from now on.
    t.sims.cookiepay.faults.inject({ fault: { kind: 'html', status: 502 }, path: '/api/pay', times: 1_000 })
    try {
      await sleep(cfg().minAgeMs! + 50)
      await reconcileOnce(t.gateway.runtime, { ...cfg(), giveUpAfterSeconds: 0.001 })
    } finally {
      t.sims.cookiepay.faults.clear()
    }
    const got = await t.call('GET', `/v1/cancellations/${c.body.id}`)
    expect(got.body.status).toBe('needs_review')
    const pay = await t.call('GET', `/v1/payments/${c.body.paymentId}`)
    expect(pay.body).toMatchObject({ reservedAmount: 3_000, cancellableAmount: 7_000 })
    expect((await events(c.body.id)).map((e) => e.type)).toEqual(['cancellation.needs_review'])
    const metrics = await (await fetch(`${t.url}/metrics`)).text()
    expect(metrics).toMatch(/paymux_cancellations_open\{status="needs_review"\} [1-9]/)
    expect(metrics).toMatch(
      /paymux_reconciliations_total\{object="cancellation",result="needs_review"\} [1-9]/,
    )
  })

  it('Toss (dedup by Idempotency-Key): a re-send left unanswered voids the lookup before it — never failed while Toss executed it', async () => {
    const toss = t.sims.registry.find((x) => x.provider === 'tosspayments')!.demo.instance as {
      seedPayment(i: { amount: number }): { transactionId: string }
      faults: { inject(r: { fault: { kind: string }; path: string }): void }
      inspect(k: string): { cancelledAmount: number; cancelCount: number } | undefined
    }
    const { transactionId } = toss.seedPayment({ amount: 10_000 })
    // The cancel never reaches Toss (202, pending); the reconciler's lookup then truly shows nothing, and its re-send
    // (same key) executes at Toss and loses its answer.
    toss.faults.inject({ fault: { kind: 'reset' }, path: '/cancel' })
    const c = await t.call('POST', '/v1/cancellations', {
      body: { account: 'a-tosspayments', transactionId, amount: 4_000, reason: 'r' },
    })
    expect(c.body.status).toBe('pending')
    toss.faults.inject({ fault: { kind: 'drop' }, path: '/cancel' })
    // One unchanged lookup would be enough to fail it: the bound at its tightest.
    const strict = { ...cfg(), failAfterNoChangeLookups: 1 }
    await sleep(strict.minAgeMs! + 50)
    await reconcileOnce(t.gateway.runtime, strict)
    expect(toss.inspect(transactionId)).toMatchObject({ cancelledAmount: 4_000, cancelCount: 1 })
    expect((await t.call('GET', `/v1/cancellations/${c.body.id}`)).body.status).not.toBe('failed')
    // The next look sees what Toss executed.
    const done = await eventually(async () => {
      await sleep(200)
      await reconcileOnce(t.gateway.runtime, strict)
      const r = await t.call('GET', `/v1/cancellations/${c.body.id}`)
      return r.body.status !== 'pending' && r.body
    })
    expect(done).toMatchObject({ status: 'succeeded', amount: 4_000 })
    expect(toss.inspect(transactionId)).toMatchObject({ cancelledAmount: 4_000, cancelCount: 1 })
  })

  it('CookiePay 9029 whose one notification was lost: the lookup after the deposit finishes the cancellation', async () => {
    const { transactionId } = t.sims.cookiepay.seedPayment({ amount: 30_000, settled: true })
    const c = await t.call('POST', '/v1/cancellations', {
      body: { account: 'a-cookie', transactionId, reason: 'r' },
    })
    expect(c.body.status).toBe('deposit_required')
    // Before the deposit: looked at, left alone (never failed, never given up).
    await sleep(cfg().minAgeMs! + 50)
    await reconcileOnce(t.gateway.runtime, { ...cfg(), giveUpAfterSeconds: 0.001 })
    expect((await t.call('GET', `/v1/cancellations/${c.body.id}`)).body.status).toBe('deposit_required')
    t.sims.cookiepay.setNotifyUrl(undefined)
    try {
      const dep = await t.sims.cookiepay.deposit(transactionId)
      expect(dep.notification).toBeUndefined()
    } finally {
      t.sims.cookiepay.setNotifyUrl(`${t.url}/v1/notifications/a-cookie`)
    }
    const done = await eventually(async () => {
      await reconcileOnce(t.gateway.runtime, cfg())
      const r = await t.call('GET', `/v1/cancellations/${c.body.id}`)
      return r.body.status === 'succeeded' && r.body
    })
    expect(done.amount).toBe(30_000)
    const pay = await t.call('GET', `/v1/payments/${c.body.paymentId}`)
    expect(pay.body).toMatchObject({ status: 'cancelled', cancelledAmount: 30_000, reservedAmount: 0 })
    expect((await events(c.body.id)).map((e) => e.type).sort()).toEqual([
      'cancellation.deposit_required',
      'cancellation.succeeded',
    ])
  })

  describe('pending charges (NicePay: no duplicate guard on the order id, so never re-sent)', () => {
    let keyId: string
    beforeAll(async () => {
      const k = await t.call('POST', '/v1/billing-keys', { body: { account: 'a-nice', card: NICE_CARD } })
      expect(k.status, JSON.stringify(k.body)).toBe(200)
      keyId = k.body.id
    })

    it('a charge that never executed is not charged again by the reconciler: needs_review, nothing at the PG', async () => {
      t.sims.nicepay.faults.inject({ fault: { kind: 'reset' }, path: 'billing_approve' })
      const r = await t.call('POST', `/v1/billing-keys/${keyId}/charges`, {
        body: { amount: 3_000, goodsName: '월 구독' },
      })
      expect(r.status).toBe(202)
      const done = await settle(`/v1/payments/${r.body.id}`)
      // A resend would have charged it (the first never executed): needs_review proves none was made.
      expect(done).toMatchObject({ status: 'needs_review', amount: 3_000, transactionId: null })
      expect((await events(r.body.id)).map((e) => e.type)).toEqual(['payment.needs_review'])
    })

    it('a charge that executed but whose answer was lost: needs_review, charged once at the PG', async () => {
      t.sims.nicepay.faults.inject({ fault: { kind: 'drop' }, path: 'billing_approve' })
      const r = await t.call('POST', `/v1/billing-keys/${keyId}/charges`, {
        body: { amount: 4_000, goodsName: '월 구독' },
      })
      expect(r.status).toBe(202)
      const done = await settle(`/v1/payments/${r.body.id}`)
      expect(done.status).toBe('needs_review')
      expect((await events(r.body.id)).map((e) => e.type)).toEqual(['payment.needs_review'])
    })
  })
})
