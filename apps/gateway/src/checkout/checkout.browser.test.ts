// A customer paying in real Chromium: create → open checkoutUrl → click Approve at the PG's window → land on the
// shop's success page → payment paid → signed webhook verified with @paymux/webhooks → partial cancel. And
// Decline → the shop's fail page, payment failed.
//
// ONE suite for every PG: every registered PG with a simulator is in it (a PG without a hand-written setup runs
// from its descriptor alone: `registrySetups`). A setup is a `CheckoutSetup`
// (test-support/checkout.ts): `start()` runs the PG's simulator on loopback and answers
//   - `account`: the account entry pointing at it, without `id` (the simulator descriptor's `demoAccount(url)`
//     plus a short `timeoutMs`), and
//   - `approvals(transactionId)`: the simulator's count of approvals executed for that PG transaction (from its
//     `inspect`), so the suite can assert exactly one;
// and `providers` lists descriptors the gateway does not register itself (only the toy needs one). The window
// must have buttons named Approve and Decline and need no network beyond loopback.
import { existsSync } from 'node:fs'
import { verifyWebhook } from '@paymux/webhooks'
import { chromium } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  type CheckoutGateway,
  type CheckoutSetup,
  createBody,
  pgSetups,
  type RunningCheckoutSim,
  startCheckoutGateway,
  toySetup,
} from '../test-support/checkout-harness.js'
import { eventually } from '../test-support/flows.js'
import { reconcileOnce } from '../workers/reconciler.js'

const SETUPS: CheckoutSetup[] = [toySetup(), ...pgSetups()]

// Debian's package (apt-get install chromium); another binary can be given in CHROMIUM_PATH.
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const available = existsSync(CHROMIUM)
// In CI a missing browser is a broken machine, not a reason to prove nothing: the test fails there.
const inCi = process.env.CI === 'true' || process.env.CI === '1'
if (!available && !inCi)
  console.warn(
    `checkout browser test skipped: no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`,
  )

describe.skipIf(!available && !inCi).each(SETUPS)('checkout in headless Chromium: $name', (setup) => {
  let sim: RunningCheckoutSim
  let g: CheckoutGateway
  let browser: Awaited<ReturnType<typeof chromium.launch>>
  beforeAll(async () => {
    if (!available)
      throw new Error(`no Chromium at ${CHROMIUM} in CI: apt-get install chromium, or set CHROMIUM_PATH`)
    sim = await setup.start()
    g = await startCheckoutGateway({ name: 'pglite' }, [sim], {
      providers: setup.providers ?? [],
      workers: true,
    })
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu'],
    })
  })
  afterAll(async () => {
    await browser?.close()
    await g?.close()
    await sim?.close()
  })

  /** A page that may reach loopback only: the PG's window, its script and the shop must all be local. */
  async function customerPage(external: string[]) {
    const page = await browser.newPage()
    await page.route('**/*', (route) => {
      const url = new URL(route.request().url())
      if (url.hostname !== '127.0.0.1' && url.protocol !== 'data:') {
        external.push(url.href)
        return route.abort()
      }
      return route.continue()
    })
    return page
  }

  it('Approve: lands on the success page, paid, webhook verified, then partially cancelled', async () => {
    const created = await g.call('POST', '/v1/payments', { body: createBody(g.shop, g.accounts[0]!) })
    expect(created.status, JSON.stringify(created.body)).toBe(201)
    const p = created.body as { id: string; orderId: string; checkoutUrl: string }
    const external: string[] = []
    const page = await customerPage(external)
    await page.goto(p.checkoutUrl)
    await page.getByRole('button', { name: 'Approve' }).click({ timeout: 30_000 })
    await page.waitForURL(`${g.shop.url}/paid**`, { timeout: 30_000 })
    const landed = new URL(page.url())
    expect(Object.fromEntries(landed.searchParams)).toMatchObject({ paymentId: p.id, orderId: p.orderId })
    await page.close()
    expect(external).toEqual([])

    const paid = await g.call('GET', `/v1/payments/${p.id}`)
    expect(paid.body).toMatchObject({
      status: 'paid',
      amount: 15_000,
      cancellableAmount: 15_000,
      checkoutUrl: null,
    })
    expect(await sim.approvals(paid.body.transactionId)).toBe(1)

    const hook = await eventually(() =>
      g.hooks.received.find(
        (r) => r.raw.toString().includes(p.id) && r.raw.toString().includes('payment.paid'),
      ),
    )
    const payload = verifyWebhook(g.webhookSecret, hook.headers as Record<string, string>, hook.raw)
    expect(payload).toMatchObject({ type: 'payment.paid', data: { paymentId: p.id } })

    const cancel = await g.call('POST', '/v1/cancellations', {
      idem: `cancel-${p.id}`,
      body: { paymentId: p.id, amount: 5_000, reason: 'one item returned' },
    })
    expect(cancel.status, JSON.stringify(cancel.body)).toBe(200)
    expect(cancel.body).toMatchObject({ status: 'succeeded', amount: 5_000 })
    expect((await g.call('GET', `/v1/payments/${p.id}`)).body).toMatchObject({
      status: 'partial_cancelled',
      cancellableAmount: 10_000,
    })
  })

  it('Decline: lands on the fail page, and the payment is failed', async () => {
    const created = await g.call('POST', '/v1/payments', { body: createBody(g.shop, g.accounts[0]!) })
    const p = created.body as { id: string; checkoutUrl: string }
    const page = await customerPage([])
    await page.goto(p.checkoutUrl)
    await page.getByRole('button', { name: 'Decline' }).click({ timeout: 30_000 })
    await page.waitForURL(`${g.shop.url}/failed**`, { timeout: 30_000 })
    expect(new URL(page.url()).searchParams.get('code')).toBeTruthy()
    await page.close()
    expect((await g.call('GET', `/v1/payments/${p.id}`)).body.status).toBe('failed')
  })

  // Every PG whose simulator has the setting (a hand-written knob, or its descriptor's `resultTwice`); the toy's
  // own tests post twice over HTTP.
  it.skipIf(setup.name.startsWith('toy'))(
    'the window sends its result twice (a refresh, a double redirect): one approval, paid once',
    async (ctx) => {
      if (!sim.knobs) {
        ctx.skip(`skipped: ${setup.name}'s simulator has no setting for a result delivered twice`)
        return
      }
      sim.knobs.resultTwice(true)
      try {
        const created = await g.call('POST', '/v1/payments', { body: createBody(g.shop, g.accounts[0]!) })
        const p = created.body as { id: string; checkoutUrl: string }
        const page = await customerPage([])
        // Every arrival of the result at the gateway's return route, with what the gateway answered it.
        const arrivals: Array<{ status: number; location?: string }> = []
        page.on('response', (res) => {
          if (!res.url().startsWith(`${p.checkoutUrl}/return`)) return
          const location = res.headers().location
          arrivals.push({ status: res.status(), ...(location ? { location } : {}) })
        })
        await page.goto(p.checkoutUrl)
        await page.getByRole('button', { name: 'Approve' }).click({ timeout: 30_000 })
        await page.waitForURL(`${g.shop.url}/paid**`, { timeout: 30_000 })
        await page.close()
        const paid = await eventually(async () => {
          const r = await g.call('GET', `/v1/payments/${p.id}`)
          return r.body.status === 'paid' && r.body
        })
        // The result did arrive twice, and the second arrival was shown the same result as the first.
        expect(arrivals.length, JSON.stringify(arrivals)).toBeGreaterThanOrEqual(2)
        for (const a of arrivals.filter((x) => x.location))
          expect(new URL(a.location!, g.url).href).toContain(`${g.shop.url}/paid`)
        expect(await sim.approvals(paid.transactionId)).toBe(1)
        const events = (await g.call('GET', `/v1/events?objectId=${p.id}`)).body.data
        expect(events.filter((e: { type: string }) => e.type === 'payment.paid')).toHaveLength(1)
      } finally {
        sim.knobs.resultTwice(false)
      }
    },
  )

  // CookiePay's window is opened server to server: the browser never holds the amount (its adapter's tests cover
  // a customer who edits the window itself).
  it.skipIf(setup.name === 'CookiePay')(
    "the amount changed in the browser before the PG's window: refused by the window or by the gateway, never approved",
    async () => {
      const created = await g.call('POST', '/v1/payments', { body: createBody(g.shop, g.accounts[0]!) })
      const p = created.body as { id: string; checkoutUrl: string }
      const page = await customerPage([])
      // The customer rewrites what the page sends to the PG's window: 15,000 becomes 1,000.
      const simOrigin = new URL(String(sim.account.baseUrl)).origin
      let tampered = 0
      await page.route(`${simOrigin}/**`, (route) => {
        const body = route.request().postData()
        if (route.request().method() === 'POST' && body?.includes('15000')) {
          tampered++
          return route.continue({ postData: body.replaceAll('15000', '1000') })
        }
        return route.continue()
      })
      await page.goto(p.checkoutUrl)
      const approve = page.getByRole('button', { name: 'Approve' })
      // NicePay's window checks SignData over the amount and refuses the rewritten form itself; a window that
      // takes it (Bootpay signs nothing) is approved by the customer, and the gateway must refuse the result.
      const windowTookIt = await approve
        .waitFor({ timeout: 15_000 })
        .then(() => true)
        .catch(() => false)
      if (windowTookIt) {
        await approve.click()
        // The gateway refuses the result and changes nothing: the payment stays payable, never approved.
        await page.getByText('not completed').first().waitFor({ timeout: 30_000 })
      }
      await page.close()
      expect(tampered).toBeGreaterThan(0)
      const after = (await g.call('GET', `/v1/payments/${p.id}`)).body
      expect(after.status).toBe('requires_authentication')
      if (after.transactionId) expect(await sim.approvals(after.transactionId)).toBe(0)
    },
  )

  // kill -9 after NicePay executed the approval and before the gateway recorded it: the row is left exactly as
  // below (pending, approving, the sealed approval). NicePay's lookup of a card payment shows no amount, so it
  // cannot settle it; the network cancel can, and the customer is never left charged in needs_review.
  it.runIf(setup.name === 'NicePay')(
    'NicePay: an approval in flight when the process died is undone by the network cancel, never left charged in needs_review',
    async () => {
      const created = await g.call('POST', '/v1/payments', { body: createBody(g.shop, g.accounts[0]!) })
      const p = created.body as { id: string; checkoutUrl: string }
      const page = await customerPage([])
      await page.goto(p.checkoutUrl)
      await page.getByRole('button', { name: 'Approve' }).click({ timeout: 30_000 })
      await page.waitForURL(`${g.shop.url}/paid**`, { timeout: 30_000 })
      await page.close()
      const paid = (await g.call('GET', `/v1/payments/${p.id}`)).body
      expect(await sim.approvals(paid.transactionId)).toBe(1)
      // The crash: the approval claimed and sent, its answer never recorded.
      await g.db.kysely
        .updateTable('payments')
        .set({ status: 'pending', approval_state: 'approving', updated_at: new Date(Date.now() - 3_600_000) })
        .where('id', '=', p.id)
        .execute()
      const rt = g.gateway.runtime
      await reconcileOnce(rt, { ...rt.config.workers.reconcile, minAgeMs: 0 })
      const after = (await g.call('GET', `/v1/payments/${p.id}`)).body
      expect(after.status).toBe('failed')
      expect(after.failure).toMatchObject({ code: 'approval_undone' })
      expect(await sim.knobs!.netCancels!(paid.transactionId)).toBe(1)
      expect(await sim.approvals(paid.transactionId)).toBe(0)
    },
  )

  it.runIf(setup.name === 'NicePay')(
    'NicePay: the approval executes and its answer is lost: one network cancel, the payment fails, nothing charged',
    async () => {
      const drop = sim.knobs!.dropApprovalAnswer!
      drop(true)
      try {
        const created = await g.call('POST', '/v1/payments', { body: createBody(g.shop, g.accounts[0]!) })
        const p = created.body as { id: string; checkoutUrl: string }
        const page = await customerPage([])
        await page.goto(p.checkoutUrl)
        await page.getByRole('button', { name: 'Approve' }).click({ timeout: 30_000 })
        await page.waitForURL(`${g.shop.url}/failed**`, { timeout: 30_000 })
        await page.close()
        const failed = (await g.call('GET', `/v1/payments/${p.id}`)).body
        expect(failed.status).toBe('failed')
        expect(await sim.knobs!.netCancels!(failed.transactionId)).toBe(1)
        expect(await sim.approvals(failed.transactionId)).toBe(0)
      } finally {
        drop(false)
      }
    },
  )
})
