// Checkout over HTTP against the toy PG, unhappy paths first: nothing recorded for bad input, one approval
// whatever the browser sends, lost answers pending then reconciled (or network-cancelled), on every database.
import { formsOf, pressWindowButton } from '@paymux/core/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { reconcileOnce } from '../workers/reconciler.js'
import { callLogOf } from '../call-log/log.js'
import {
  type CheckoutGateway,
  createBody,
  type RunningCheckoutSim,
  startCheckoutGateway,
  toySetup,
} from '../test-support/checkout-harness.js'
import { DB_TARGETS } from '../test-support/harness.js'

describe.each(DB_TARGETS)('checkout on $name', (target) => {
  const plain = toySetup()
  const withNetCancel = toySetup({ netCancel: true })
  let sims: RunningCheckoutSim[]
  let g: CheckoutGateway
  const toy = () => plain.pg!
  const netToy = () => withNetCancel.pg!

  beforeAll(async () => {
    sims = [await plain.start(), await withNetCancel.start()]
    g = await startCheckoutGateway(target, sims, { providers: plain.providers ?? [] })
  })
  afterAll(async () => {
    await g?.close()
    for (const s of sims ?? []) await s.close()
  })

  const create = async (over: Record<string, unknown> = {}, account = 'co-0') => {
    const r = await g.call('POST', '/v1/payments', { body: createBody(g.shop, account, over) })
    expect(r.status, JSON.stringify(r.body)).toBe(201)
    return r.body as { id: string; orderId: string; checkoutUrl: string; amount: number }
  }
  const payment = async (id: string) => (await g.call('GET', `/v1/payments/${id}`)).body
  const eventsOf = (id: string) =>
    g.db.kysely.selectFrom('events').select('type').where('object_id', '=', id).execute()
  const reconcile = () =>
    reconcileOnce(g.gateway.runtime, { ...g.gateway.runtime.config.workers.reconcile, minAgeMs: 0 })

  /** The customer at the toy's window: opens the checkout page's form, presses the button; the result is not sent yet. */
  async function pressAtWindow(checkoutUrl: string, button: 'Approve' | 'Decline') {
    const page = await fetch(checkoutUrl)
    expect(page.status).toBe(200)
    const form = formsOf(await page.text())[0]!
    const launch = {
      form: { name: 'f', action: form.action, fields: Object.fromEntries(form.fields) },
      scripts: [],
      origins: [],
    }
    const back = await pressWindowButton(fetch, launch, `${checkoutUrl}/return`, button)
    return new URLSearchParams(new TextDecoder().decode(back.rawBody))
  }
  const postReturn = (checkoutUrl: string, fields: URLSearchParams) =>
    fetch(`${checkoutUrl}/return`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: fields.toString(),
      redirect: 'manual',
    })
  const landing = (res: Response) => {
    const to = res.headers.get('location')
    if (!to) return undefined
    const u = new URL(to)
    return { path: u.pathname, query: Object.fromEntries(u.searchParams) }
  }

  it('bad input is refused naming the field, and leaves no payment, no event, no spent key', async () => {
    const before = toy().faults.calls
    const bad: Array<[string, Record<string, unknown>, string]> = [
      ['amount', { amount: 0 }, 'co-0'],
      ['amount', { amount: 10.5 }, 'co-0'],
      ['method', { method: 'bank' }, 'co-0'],
      // The toy takes cards only: its adapter refuses a virtual account, naming the method.
      ['method', { method: 'virtual_account' }, 'co-0'],
      ['successUrl', { successUrl: 'ftp://shop.example.com/paid' }, 'co-0'],
      ['failUrl', { failUrl: '/failed' }, 'co-0'],
      ['orderId', { orderId: 'has space' }, 'co-0'],
      ['taxFreeAmount', { taxFreeAmount: 20_000 }, 'co-0'],
      ['account', {}, 'nope'],
    ]
    for (const [param, over, account] of bad) {
      const r = await g.call('POST', '/v1/payments', {
        idem: 'bad-input-key',
        body: createBody(g.shop, account, over),
      })
      expect(r.status, `${param}: ${JSON.stringify(r.body)}`).toBe(400)
      expect(r.body.error.param).toBe(param)
    }
    const rows = await g.db.kysely.selectFrom('payments').select('id').execute()
    expect(rows).toEqual([])
    expect(await g.db.kysely.selectFrom('events').select('id').execute()).toEqual([])
    expect(toy().faults.calls).toBe(before)
    // The key was never spent: a correct request may use it.
    const ok = await g.call('POST', '/v1/payments', {
      idem: 'bad-input-key',
      body: createBody(g.shop, 'co-0'),
    })
    expect(ok.status).toBe(201)
  })

  it('an order id is unique per merchant, across its accounts; the same key replays the first answer', async () => {
    const body = createBody(g.shop, 'co-0')
    const first = await g.call('POST', '/v1/payments', { idem: `k-${body.orderId}`, body })
    expect(first.status).toBe(201)
    const replay = await g.call('POST', '/v1/payments', { idem: `k-${body.orderId}`, body })
    expect(replay.status).toBe(201)
    expect(replay.headers.get('idempotent-replayed')).toBe('true')
    expect(replay.body).toEqual(first.body)
    for (const account of ['co-0', 'co-1']) {
      const dup = await g.call('POST', '/v1/payments', { body: { ...body, account } })
      expect(dup.status).toBe(409)
      expect(dup.body.error).toMatchObject({ code: 'duplicate_order_id', param: 'orderId' })
    }
  })

  it('creates a payment awaiting the customer, with an unguessable link stored only as a hash', async () => {
    const p = await create()
    expect(p).toMatchObject({
      status: 'requires_authentication',
      amount: 15_000,
      orderName: 'T-shirt',
      method: 'card',
    })
    const token = new URL(p.checkoutUrl).pathname.split('/').pop()!
    expect(token.length).toBeGreaterThanOrEqual(40)
    const got = await payment(p.id)
    expect(got.checkoutUrl).toBe(p.checkoutUrl)
    expect(Date.parse(got.expiresAt) - Date.now()).toBeGreaterThan(25 * 60_000)
    const row = await g.db.kysely
      .selectFrom('payments')
      .selectAll()
      .where('id', '=', p.id)
      .executeTakeFirstOrThrow()
    expect(JSON.stringify(row)).not.toContain(token)
    expect(JSON.stringify(row)).not.toContain('buyer@example.com')
    // The page carries a policy naming the toy's origin only.
    const page = await fetch(p.checkoutUrl)
    const csp = page.headers.get('content-security-policy') ?? ''
    expect(csp).toContain(new URL(String(sims[0]!.account.baseUrl)).origin)
    expect(csp).toMatch(/script-src 'nonce-[^']+' http:\/\/127\.0\.0\.1:\d+;/)
    expect(page.headers.get('referrer-policy')).toBe('no-referrer')
  })

  it('an unknown or malformed token shows a page, never a payment', async () => {
    for (const t of ['nope', 'A'.repeat(43), `${'A'.repeat(43)}%00`]) {
      const r = await fetch(`${g.url}/checkout/${t}`)
      expect([404]).toContain(r.status)
    }
  })

  // Anyone can send a browser to the return URL: a result that is not genuine (tampered, another order's, or
  // no fields at all) changes nothing, so the customer's genuine result still approves afterwards.
  it('a tampered, foreign or empty result never reaches the approval and changes nothing; the genuine one still pays', async () => {
    for (const spoil of [
      (f: URLSearchParams) => f.set('amount', '100'),
      (f: URLSearchParams) => f.set('signature', '0'.repeat(64)),
      (f: URLSearchParams) => f.set('orderId', 'another-order'),
      (f: URLSearchParams) => {
        for (const k of [...f.keys()]) f.delete(k)
      },
    ]) {
      const p = await create()
      const genuine = await pressAtWindow(p.checkoutUrl, 'Approve')
      const fields = new URLSearchParams(genuine)
      spoil(fields)
      const approvals = toy().checkout.counters.approvals
      const res = await postReturn(p.checkoutUrl, fields)
      expect(res.status).not.toBe(303)
      expect(toy().checkout.counters.approvals).toBe(approvals)
      expect(await payment(p.id)).toMatchObject({ status: 'requires_authentication' })
      expect(await eventsOf(p.id)).toEqual([])
      // A stray GET with nothing at all, too.
      await fetch(`${p.checkoutUrl}/return`, { redirect: 'manual' })
      expect(await payment(p.id)).toMatchObject({ status: 'requires_authentication' })
      // The genuine result arriving afterwards approves, once.
      const late = await postReturn(p.checkoutUrl, genuine)
      expect(landing(late)?.path).not.toBe('/failed')
      expect(toy().checkout.counters.approvals).toBe(approvals + 1)
      expect(await payment(p.id)).toMatchObject({ status: 'paid' })
    }
  })

  it('Decline: failed, the fail URL with a code and message, no approval', async () => {
    const p = await create()
    const approvals = toy().checkout.counters.approvals
    const res = await postReturn(p.checkoutUrl, await pressAtWindow(p.checkoutUrl, 'Decline'))
    expect(landing(res)).toMatchObject({ path: '/failed', query: { code: 'declined' } })
    expect(landing(res)?.query.message).toBeTruthy()
    expect(toy().checkout.counters.approvals).toBe(approvals)
    expect((await payment(p.id)).status).toBe('failed')
  })

  it('the same result posted twice, then five times at once, approves once', async () => {
    const p = await create()
    const fields = await pressAtWindow(p.checkoutUrl, 'Approve')
    const tx = fields.get('tx')!
    const first = await postReturn(p.checkoutUrl, fields)
    expect(landing(first)).toMatchObject({ path: '/paid', query: { paymentId: p.id, orderId: p.orderId } })
    const second = await postReturn(p.checkoutUrl, fields)
    expect(landing(second)?.path).toBe('/paid')
    expect(await sims[0]!.approvals(tx)).toBe(1)

    const q = await create()
    const again = await pressAtWindow(q.checkoutUrl, 'Approve')
    const answers = await Promise.all(Array.from({ length: 5 }, () => postReturn(q.checkoutUrl, again)))
    for (const a of answers) expect([200, 303]).toContain(a.status)
    expect(await sims[0]!.approvals(again.get('tx')!)).toBe(1)
    expect((await payment(q.id)).status).toBe('paid')
    expect((await eventsOf(q.id)).map((e) => e.type)).toEqual(['payment.paid'])
  })

  it('an approval the PG refuses: failed, fail URL, nothing charged', async () => {
    const p = await create()
    const fields = await pressAtWindow(p.checkoutUrl, 'Approve')
    toy().checkout.settings.refuseApproval = 'LIMIT'
    try {
      const res = await postReturn(p.checkoutUrl, fields)
      expect(landing(res)).toMatchObject({ path: '/failed', query: { code: 'card_declined' } })
    } finally {
      delete toy().checkout.settings.refuseApproval
    }
    expect(await sims[0]!.approvals(fields.get('tx')!)).toBe(0)
    expect((await payment(p.id)).status).toBe('failed')
  })

  it('an approval whose answer is lost: pending behind the processing page, then paid from the lookup', async () => {
    const p = await create()
    const fields = await pressAtWindow(p.checkoutUrl, 'Approve')
    toy().faults.inject({ fault: { kind: 'drop' }, path: '/api/approve' })
    const res = await postReturn(p.checkoutUrl, fields)
    expect(res.status).toBe(200)
    expect(await res.text()).toContain('Processing your payment')
    expect(await payment(p.id)).toMatchObject({ status: 'pending', transactionId: fields.get('tx') })
    expect(await eventsOf(p.id)).toEqual([])
    // The customer's page keeps looking; a second post of the result does not approve again.
    await postReturn(p.checkoutUrl, fields)
    expect(await sims[0]!.approvals(fields.get('tx')!)).toBe(1)
    await reconcile()
    expect(await payment(p.id)).toMatchObject({ status: 'paid', cancellableAmount: 15_000 })
    expect((await eventsOf(p.id)).map((e) => e.type)).toEqual(['payment.paid'])
    const status = await fetch(`${p.checkoutUrl}/status`, { redirect: 'manual' })
    expect(landing(status)?.path).toBe('/paid')
    // Cancellable like any other payment.
    const c = await g.call('POST', '/v1/cancellations', {
      body: { paymentId: p.id, amount: 5_000, reason: 'r' },
    })
    expect(c.status, JSON.stringify(c.body)).toBe(200)
    expect(toy().inspect(fields.get('tx')!)).toMatchObject({ cancelledAmount: 5_000, approvals: 1 })
  })

  it('an approval lost before it executed: pending, then failed from the lookup (no such payment)', async () => {
    const p = await create()
    const fields = await pressAtWindow(p.checkoutUrl, 'Approve')
    toy().faults.inject({ fault: { kind: 'reset' }, path: '/api/approve' })
    await postReturn(p.checkoutUrl, fields)
    expect((await payment(p.id)).status).toBe('pending')
    await reconcile()
    expect(await payment(p.id)).toMatchObject({ status: 'failed', failure: { code: 'not_approved' } })
    expect(await sims[0]!.approvals(fields.get('tx')!)).toBe(0)
  })

  it('with a network cancel, a lost approval is undone at once: failed, fail URL, the PG agreeing', async () => {
    const p = await create({}, 'co-1')
    const fields = await pressAtWindow(p.checkoutUrl, 'Approve')
    netToy().faults.inject({ fault: { kind: 'drop' }, path: '/api/approve' })
    const res = await postReturn(p.checkoutUrl, fields)
    expect(landing(res)).toMatchObject({ path: '/failed', query: { code: 'approval_undone' } })
    const tx = fields.get('tx')!
    expect(netToy().inspect(tx)).toMatchObject({ approvals: 1, undos: 1, cancelledAmount: 15_000 })
    expect((await payment(p.id)).status).toBe('failed')
  })

  it('with a network cancel whose answer is lost too: pending, then the reconciler settles it from the lookup (the undo took), never a second approval', async () => {
    const p = await create({}, 'co-1')
    const fields = await pressAtWindow(p.checkoutUrl, 'Approve')
    netToy().faults.inject({ fault: { kind: 'drop' }, path: '/api/approve' })
    netToy().faults.inject({ fault: { kind: 'drop' }, path: '/api/undo' })
    const res = await postReturn(p.checkoutUrl, fields)
    expect(res.status).toBe(200)
    expect((await payment(p.id)).status).toBe('pending')
    await reconcile()
    expect((await payment(p.id)).status).toBe('failed')
    // The lookup shows the undo executed: settled from that evidence, nothing sent again.
    expect(netToy().inspect(fields.get('tx')!)).toMatchObject({
      approvals: 1,
      undos: 1,
      cancelledAmount: 15_000,
    })
  })

  it('logs every PG call of it: the approval and its undo by the checkout return, the lookup by the reconciler', async () => {
    const p = await create({}, 'co-1')
    const fields = await pressAtWindow(p.checkoutUrl, 'Approve')
    netToy().faults.inject({ fault: { kind: 'drop' }, path: '/api/approve' })
    netToy().faults.inject({ fault: { kind: 'drop' }, path: '/api/undo' })
    await postReturn(p.checkoutUrl, fields)
    await reconcile()
    expect((await payment(p.id)).status).toBe('failed')
    await callLogOf(g.gateway.runtime).flush()
    const calls = await g.db.kysely
      .selectFrom('pg_calls')
      .select(['operation', 'path', 'outcome', 'account_id'])
      .where('payment_id', '=', p.id)
      .orderBy('started_at')
      .orderBy('id')
      .execute()
    expect(calls.map((c) => `${c.operation} ${c.path} ${c.outcome}`)).toEqual([
      'approve checkout_return unknown',
      'undo checkout_return unknown',
      'lookup reconciler succeeded',
    ])
    expect(calls.every((c) => c.account_id === 'co-1')).toBe(true)
  })

  it('with a network cancel that never reached the PG: the lookup shows it charged, so the reconciler sends the undo again', async () => {
    const p = await create({}, 'co-1')
    const fields = await pressAtWindow(p.checkoutUrl, 'Approve')
    netToy().faults.inject({ fault: { kind: 'drop' }, path: '/api/approve' })
    netToy().faults.inject({ fault: { kind: 'reset' }, path: '/api/undo' })
    const res = await postReturn(p.checkoutUrl, fields)
    expect(res.status).toBe(200)
    expect((await payment(p.id)).status).toBe('pending')
    await reconcile()
    expect((await payment(p.id)).status).toBe('failed')
    expect(netToy().inspect(fields.get('tx')!)).toMatchObject({ approvals: 1, cancelledAmount: 15_000 })
  })

  // Less or MORE than the order: either is another amount than the customer agreed to.
  for (const delta of [-5_000, 5_000])
    it(`an approval answering another amount (${delta > 0 ? '+' : ''}${delta}) is undone and the payment failed`, async () => {
      const p = await create({}, 'co-1')
      const fields = await pressAtWindow(p.checkoutUrl, 'Approve')
      netToy().faults.inject({ fault: { kind: 'other_amount', delta }, path: '/api/approve' })
      const res = await postReturn(p.checkoutUrl, fields)
      expect(landing(res)).toMatchObject({ path: '/failed', query: { code: 'approval_undone' } })
      expect(netToy().inspect(fields.get('tx')!)).toMatchObject({ approvals: 1, undos: 1 })
      expect(await payment(p.id)).toMatchObject({ status: 'failed' })
    })

  it('an expired link shows a clear page; a closed window offers to try again or go back', async () => {
    const p = await create()
    const closed = await fetch(`${p.checkoutUrl}/closed`)
    const closedHtml = await closed.text()
    expect(closedHtml).toContain('Try again')
    expect(closedHtml).toContain(`${g.shop.url}/failed?code=closed`)
    const rt = g.gateway.runtime
    const realNow = rt.now
    rt.now = () => new Date(Date.now() + 31 * 60_000)
    try {
      const res = await fetch(p.checkoutUrl)
      expect(res.status).toBe(410)
      expect(await res.text()).toContain('expired')
    } finally {
      rt.now = realNow
    }
  })
})
