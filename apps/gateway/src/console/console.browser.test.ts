// The operator console in real Chromium against a gateway in front of the PG simulators: sign in with an operator
// key, find a payment by order id, read its timeline, refund part of it exactly once (double click and reload
// included), a viewer who can change nothing, another merchant's payment that does not exist, a needs-review
// item settled by "check again now" or resolved with a note that lands in the audit, an account ejected and
// restored, and a form without its CSRF token refused.
// With PAYMUX_CONSOLE_SCREENSHOTS=<folder> it writes the README's screenshots (payment page, needs-review queue).
import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { chromium, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseConfig } from '../config.js'
import { sha256Hex } from '../crypto.js'
import { createGateway, type Gateway } from '../gateway.js'
import { newId } from '../ids.js'
import { createLogger } from '../logger.js'
import { reconcileOnce } from '../workers/reconciler.js'
import { caller, DB_TARGETS, openTestDb, type Sims, startSims, testConfig } from '../test-support/harness.js'

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const available = existsSync(CHROMIUM)
// In CI a missing browser is a broken machine, not a reason to prove nothing: the suite fails there.
const inCi = process.env.CI === 'true' || process.env.CI === '1'
const SHOTS = process.env.PAYMUX_CONSOLE_SCREENSHOTS
// PostgreSQL when the suite has one (the production database), else PGlite.
const target = DB_TARGETS.at(-1)!

const NICE_CARD = {
  number: '4111111111111111',
  expiryYear: '30',
  expiryMonth: '12',
  ownerId: '800101',
  passwordPrefix: '12',
}
const secret = (p: string) => `${p}_${randomBytes(12).toString('hex')}`

describe.skipIf(!available && !inCi)(`the operator console in headless Chromium (${target.name})`, () => {
  const keys = { a: secret('sk_a'), b: secret('sk_b') }
  const ops = { operator: secret('op_a'), viewer: secret('view_a'), other: secret('op_b') }
  let sims: Sims
  let gateway: Gateway
  let url: string
  let drop: () => Promise<void>
  let browser: Awaited<ReturnType<typeof chromium.launch>>
  let call: ReturnType<typeof caller>

  beforeAll(async () => {
    if (!available)
      throw new Error(`no Chromium at ${CHROMIUM} in CI: apt-get install chromium, or set CHROMIUM_PATH`)
    sims = await startSims()
    const raw = testConfig(sims, keys)
    const [a, b] = raw.merchants as Array<Record<string, unknown>>
    a!.operators = [
      { name: '김지현', keyHash: `sha256:${sha256Hex(ops.operator)}`, role: 'operator' },
      { name: 'Viewer Park', keyHash: `sha256:${sha256Hex(ops.viewer)}`, role: 'viewer' },
    ]
    b!.operators = [{ name: 'Shop B', keyHash: `sha256:${sha256Hex(ops.other)}`, role: 'operator' }]
    const config = parseConfig(raw, {})
    const opened = await openTestDb(target)
    drop = opened.drop
    const { logger } = createLogger({ level: 'warn', destination: { write: () => {} } })
    gateway = await createGateway({ config, db: opened.db, logger })
    url = (await gateway.listen(0, '127.0.0.1')).url
    call = caller(url, keys.a)
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] })
  })
  afterAll(async () => {
    await browser?.close()
    await gateway?.close()
    await drop?.()
    await sims?.close()
  })

  /** A paid NicePay card payment of shop-a under this order id, made through the API. */
  async function paidPayment(orderId: string, amount: number) {
    const bk = await call('POST', '/v1/billing-keys', { body: { card: NICE_CARD, customerId: orderId } })
    expect(bk.status, JSON.stringify(bk.body)).toBe(200)
    const charge = await call('POST', `/v1/billing-keys/${bk.body.id}/charges`, {
      idem: `charge-${orderId}`,
      body: { amount, goodsName: 'Ceramic mug', orderId },
    })
    expect(charge.status, JSON.stringify(charge.body)).toBe(200)
    return charge.body as { id: string; transactionId: string }
  }

  async function signIn(key: string): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
    const page = await context.newPage()
    await page.goto(`${url}/console`)
    await page.getByLabel('Operator key').fill(key)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.waitForURL(`${url}/console/payments**`)
    return page
  }

  /** The page's CSRF token and session cookie, for requests a browser page would not make by itself. */
  async function sessionOf(page: Page) {
    const csrf = await page.locator('input[name=csrf]').first().getAttribute('value')
    const cookie = (await page.context().cookies()).find((c) => c.name === 'paymux_console')!
    return { csrf: csrf!, cookie: `${cookie.name}=${cookie.value}` }
  }

  const post = (path: string, cookie: string, form: Record<string, string>) =>
    fetch(`${url}${path}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    })

  it('signs in; the session cookie is HttpOnly and SameSite=Strict; the pages carry a CSP without unsafe-inline', async () => {
    const res = await fetch(`${url}/console/sign-in`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ key: ops.operator }).toString(),
    })
    expect(res.status).toBe(303)
    const setCookie = res.headers.get('set-cookie') ?? ''
    expect(setCookie).toMatch(/paymux_console=/)
    expect(setCookie).toMatch(/HttpOnly/i)
    expect(setCookie).toMatch(/SameSite=Strict/i)
    const page = await signIn(ops.operator)
    const got = await page.goto(`${url}/console/payments`)
    const csp = got!.headers()['content-security-policy'] ?? ''
    expect(csp).toContain("script-src 'self'")
    expect(csp).not.toContain('unsafe-inline')
    // Korean is one click away and stays chosen; English comes back the same way.
    await page.getByRole('button', { name: '한국어' }).click()
    await expect.poll(() => page.locator('nav').innerText()).toContain('확인 필요')
    await page.goto(`${url}/console/review`)
    expect(await page.locator('h1').innerText()).toBe('확인 필요')
    await page.getByRole('button', { name: 'English' }).click()
    await expect.poll(() => page.locator('h1').innerText()).toBe('Needs review')
    await page.context().close()
  })

  it('a wrong key (an API key included) is refused with the reason shown', async () => {
    const context = await browser.newContext()
    const page = await context.newPage()
    await page.goto(`${url}/console/sign-in`)
    await page.getByLabel('Operator key').fill(keys.a)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await expect.poll(() => page.getByRole('alert').innerText()).toContain('not an operator key')
    await context.close()
  })

  it('finds a payment by order id; its timeline shows its PG calls', async () => {
    const orderId = `ord-${randomBytes(4).toString('hex')}`
    const paid = await paidPayment(orderId, 12_000)
    const page = await signIn(ops.operator)
    await page.getByRole('searchbox', { name: 'Search' }).fill(orderId)
    await page.getByRole('button', { name: 'Filter' }).click()
    const link = page.getByRole('link', { name: paid.id, exact: true })
    await expect.poll(() => link.count()).toBe(1)
    expect(await page.locator('tbody').innerText()).toContain('12,000 KRW')
    await link.click()
    await page.waitForURL(`${url}/console/payments/${paid.id}`)
    const timeline = await page.locator('ol.timeline').innerText()
    // The charge as the call log holds it: who made it, how it ended, the PG's own code.
    expect(timeline).toMatch(/PG call to nicepay: charge by request → succeeded \(PG \w+/)
    expect(timeline).toContain('Event charge.succeeded')
    await page.context().close()
  })

  it("a cancel whose answer was lost shows both calls: the cancel (unknown) and the reconciler's lookup that settled it", async () => {
    const { transactionId } = sims.cookiepay.seedPayment({ amount: 10_000 })
    sims.cookiepay.faults.inject({ fault: { kind: 'drop' }, path: '/api/cancel' })
    const c = await call('POST', '/v1/cancellations', {
      body: { account: 'a-cookie', transactionId, amount: 4_000, reason: 'lost answer' },
    })
    expect(c.status, JSON.stringify(c.body)).toBe(202)
    const rt = gateway.runtime
    await reconcileOnce(rt, { ...rt.config.workers.reconcile, minAgeMs: 0 })
    expect((await call('GET', `/v1/cancellations/${c.body.id}`)).body.status).toBe('succeeded')
    const page = await signIn(ops.operator)
    await page.goto(`${url}/console/payments/${c.body.paymentId}`)
    const timeline = await page.locator('ol.timeline').innerText()
    // What the rebuild from the cancellation's row could never show: the lost answer, then the lookup.
    expect(timeline).toMatch(
      new RegExp(
        `PG call to cookiepay: cancel 4,000 KRW \\(${c.body.id}, reason "lost answer"\\) by request → unknown`,
      ),
    )
    expect(timeline).toMatch(
      new RegExp(`PG call to cookiepay: lookup 4,000 KRW \\(${c.body.id}.* by reconciler → succeeded`),
    )
    expect(timeline).toContain(`Cancellation ${c.body.id} succeeded: 4,000 KRW`)
    await page.context().close()
  })

  it('a partial refund reaches the PG once (double click and reload included) and shows in the timeline and the API', async () => {
    const orderId = `ord-${randomBytes(4).toString('hex')}`
    const paid = await paidPayment(orderId, 30_000)
    const page = await signIn(ops.operator)
    await page.goto(`${url}/console/payments/${paid.id}`)
    await page.getByRole('button', { name: 'Refund' }).click()
    await page.getByLabel('Amount').fill('7,000')
    await page.getByLabel('Reason').fill('damaged in delivery')
    await page.getByRole('button', { name: 'Review the refund' }).click()
    const confirm = page.getByRole('button', { name: 'Confirm refund' })
    // The confirmation form as the browser would send it again (a reload re-posts the same fields).
    const form = Object.fromEntries(
      await page
        .locator('form[action$="/refund/confirm"] input[type=hidden]')
        .evaluateAll((els) => els.map((e) => [e.getAttribute('name'), e.getAttribute('value') ?? ''])),
    ) as Record<string, string>
    await confirm.dblclick()
    await page.waitForURL(`${url}/console/payments/${paid.id}`)
    // A reload of the confirmation: the same POST again, after the first one finished.
    const { cookie } = await sessionOf(page)
    const again = await post(`/console/payments/${paid.id}/refund/confirm`, cookie, form)
    expect(again.status).toBe(303)
    // And twice at the same time.
    const both = await Promise.all(
      [1, 2].map(() => post(`/console/payments/${paid.id}/refund/confirm`, cookie, form)),
    )
    for (const r of both) expect(r.status).toBe(303)
    // The same token with another amount is an altered form, not a repeat: refused, nothing sent.
    const altered = await post(`/console/payments/${paid.id}/refund/confirm`, cookie, {
      ...form,
      amount: '8000',
    })
    expect(altered.status).toBe(422)

    expect(sims.nicepay.inspect(paid.transactionId)).toMatchObject({ cancelCount: 1, cancelledAmount: 7_000 })
    const api = await call('GET', `/v1/payments/${paid.id}`)
    expect(api.body).toMatchObject({ cancelledAmount: 7_000, cancellableAmount: 23_000 })
    expect(api.body.cancellations).toHaveLength(1)
    await page.reload()
    const timeline = await page.locator('ol.timeline').innerText()
    expect(timeline).toMatch(
      /PG call to nicepay: cancel 7,000 KRW .*damaged in delivery.* by console → succeeded/,
    )
    // Sent once: one call, whatever the browser did.
    expect(timeline.match(/PG call to nicepay: cancel/g)).toHaveLength(1)
    expect(timeline).toMatch(/Operator 김지현 \(operator\): refund/)
    expect(await page.locator('.amounts').innerText()).toContain('23,000 KRW')
    if (SHOTS) await page.screenshot({ path: join(SHOTS, 'console-payment.png'), fullPage: true })
    await page.context().close()
  })

  it('a viewer has no Refund button, and a forged POST with a viewer session is 403', async () => {
    const paid = await paidPayment(`ord-${randomBytes(4).toString('hex')}`, 5_000)
    const page = await signIn(ops.viewer)
    await page.goto(`${url}/console/payments/${paid.id}`)
    expect(await page.getByRole('heading', { name: `Payment ${paid.id}` }).count()).toBe(1)
    expect(await page.getByRole('button', { name: 'Refund' }).count()).toBe(0)
    const { csrf, cookie } = await sessionOf(page)
    const forged = await post(`/console/payments/${paid.id}/refund/confirm`, cookie, {
      csrf,
      formToken: randomBytes(18).toString('base64url'),
      amount: '1000',
      reason: 'forged',
    })
    expect(forged.status).toBe(403)
    expect(sims.nicepay.inspect(paid.transactionId)).toMatchObject({ cancelCount: 0 })
    await page.context().close()
  })

  it("another merchant's payment id is 404", async () => {
    const paid = await paidPayment(`ord-${randomBytes(4).toString('hex')}`, 5_000)
    const page = await signIn(ops.other)
    const res = await page.goto(`${url}/console/payments/${paid.id}`)
    expect(res!.status()).toBe(404)
    expect(await page.locator('body').innerText()).not.toContain(paid.transactionId)
    // Nor does the search find it.
    await page.goto(`${url}/console/payments?q=${paid.id}`)
    expect(await page.getByRole('link', { name: paid.id }).count()).toBe(0)
    await page.context().close()
  })

  /**
   * A card payment of shop-a in needs_review, as the reconciler leaves it (how it gets there is the reconciler's
   * tests' subject); the PG holds it.
   */
  async function reviewedPayment(pg: 'nicepay' | 'cookiepay', reviewReason: Record<string, unknown>) {
    const { transactionId } = sims[pg].seedPayment({ amount: 8_000 })
    const id = newId('pay')
    const now = new Date()
    await gateway.db.kysely
      .insertInto('payments')
      .values({
        id,
        merchant_id: 'shop-a',
        account_id: pg === 'nicepay' ? 'a-nice' : 'a-cookie',
        provider: pg,
        transaction_id: transactionId,
        order_id: `ord-review-${randomBytes(3).toString('hex')}`,
        method: 'card',
        status: 'needs_review',
        amount: 8_000,
        cancelled_amount: 0,
        reserved_amount: 0,
        inflight_cancels: 0,
        balance_source: 'gateway',
        review_reason: JSON.stringify(reviewReason),
        created_at: now,
        updated_at: now,
      })
      .execute()
    return { id, transactionId }
  }

  it('check again now settles a needs-review payment the PG now shows paid: it leaves the queue, paid', async () => {
    // CookiePay's lookup reports the payment paid, with its amount.
    const { id } = await reviewedPayment('cookiepay', {
      code: 'reconciliation_gave_up',
      message: 'the lookup never answered',
    })
    const page = await signIn(ops.operator)
    await page.getByRole('link', { name: 'Needs review' }).click()
    const item = page.locator(`li[data-id="${id}"]`)
    expect(await item.innerText()).toContain('reconciliation_gave_up')
    await item.getByRole('button', { name: 'Check again now' }).click()
    await expect
      .poll(() => page.getByRole('status').innerText())
      .toMatch(/Settled from the PG’s record:\s*paid/)
    expect((await call('GET', `/v1/payments/${id}`)).body.status).toBe('paid')
    await page.getByRole('link', { name: 'Needs review' }).first().click()
    expect(await page.locator(`li[data-id="${id}"]`).count()).toBe(0)
    await page.getByRole('link', { name: 'Audit' }).click()
    expect(await page.locator('#audit').innerText()).toMatch(
      new RegExp(`check_again ${id}[\\s\\S]*"settled":true`),
    )
    await page.context().close()
  })

  it('a needs-review payment the check cannot settle stays with the evidence; resolved with a note, the note is in the audit', async () => {
    // A charge the PG holds for an order that ended here: no lookup settles that, a person does.
    const { id, transactionId } = await reviewedPayment('nicepay', {
      code: 'charged_while_ended',
      message: 'the PG shows it paid for this order, which ended failed here',
    })
    const page = await signIn(ops.operator)
    await page.getByRole('link', { name: 'Needs review' }).click()
    const item = page.locator(`li[data-id="${id}"]`)
    expect(await item.innerText()).toContain('charged_while_ended')
    // Check again now: the PG's answer is kept next to the item as evidence (and audited); it stays.
    await item.getByRole('button', { name: 'Check again now' }).click()
    await page.waitForURL(`${url}/console/review`)
    await expect.poll(() => item.innerText()).toContain(`"transactionId": "${transactionId}"`)
    expect(await item.innerText()).toMatch(/"providerStatus": /)
    expect((await call('GET', `/v1/payments/${id}`)).body.status).toBe('needs_review')
    if (SHOTS) await page.screenshot({ path: join(SHOTS, 'console-needs-review.png'), fullPage: true })
    await item.getByLabel('The state it is in').selectOption('paid')
    await item.getByLabel('Note').fill('Paid per the NicePay admin page, receipt checked')
    await item.getByRole('button', { name: 'Resolve' }).click()
    await page.waitForURL(`${url}/console/review`)
    expect(await page.locator(`li[data-id="${id}"]`).count()).toBe(0)
    expect((await call('GET', `/v1/payments/${id}`)).body.status).toBe('paid')
    await page.getByRole('link', { name: 'Audit' }).click()
    const audit = await page.locator('#audit').innerText()
    expect(audit).toContain('Paid per the NicePay admin page, receipt checked')
    expect(audit).toMatch(/김지현 \(operator\)\s+resolve/)
    await page.goto(`${url}/console/payments/${id}`)
    expect(await page.locator('ol.timeline').innerText()).toContain('receipt checked')
    await page.context().close()
  })

  it('an operator ejects and restores an account with a reason: the API shows it, the audit has it; a viewer cannot', async () => {
    const accountOf = async (id: string) =>
      (
        (await call('GET', '/v1/accounts')).body.data as Array<{
          id: string
          health: Record<string, unknown>
        }>
      ).find((a) => a.id === id)!
    const page = await signIn(ops.operator)
    await page.getByRole('link', { name: 'Accounts' }).click()
    const row = page.locator('tr[data-account="a-nice"]')
    expect(await row.innerText()).toContain('healthy')
    expect(await row.getByRole('button', { name: 'Restore' }).count()).toBe(0)
    await row.getByLabel('Reason').fill('NicePay announced maintenance')
    await row.getByRole('button', { name: 'Eject' }).click()
    await page.waitForURL(`${url}/console/accounts`)
    expect((await accountOf('a-nice')).health).toMatchObject({
      status: 'ejected',
      manual: true,
      lastError: 'ejected by an operator (김지현): NicePay announced maintenance',
    })
    const ejected = page.locator('tr[data-account="a-nice"]')
    expect(await ejected.innerText()).toMatch(/ejected[\s\S]*NicePay announced maintenance/)
    // Only a restore is offered for an operator's ejection; a reason is asked for it too.
    expect(await ejected.getByRole('button', { name: 'Eject' }).count()).toBe(0)
    await ejected.getByLabel('Reason').fill('maintenance over')
    await ejected.getByRole('button', { name: 'Restore' }).click()
    await page.waitForURL(`${url}/console/accounts`)
    expect((await accountOf('a-nice')).health).toMatchObject({ status: 'healthy', manual: false })
    await page.getByRole('link', { name: 'Audit' }).click()
    const audit = await page.locator('#audit').innerText()
    expect(audit).toMatch(/김지현 \(operator\)\s+eject a-nice[\s\S]*NicePay announced maintenance/)
    expect(audit).toMatch(/김지현 \(operator\)\s+restore a-nice[\s\S]*maintenance over/)
    // Without a reason nothing moves; another merchant's account does not exist here.
    const { csrf, cookie } = await sessionOf(page)
    expect((await post('/console/accounts/a-nice/eject', cookie, { csrf, reason: ' ' })).status).toBe(422)
    expect((await post('/console/accounts/b-cookie/eject', cookie, { csrf, reason: 'x' })).status).toBe(404)
    expect((await accountOf('a-nice')).health.status).toBe('healthy')
    await page.context().close()

    const viewer = await signIn(ops.viewer)
    await viewer.goto(`${url}/console/accounts`)
    expect(await viewer.locator('tr[data-account="a-nice"]').innerText()).toContain('healthy')
    expect(await viewer.getByRole('button', { name: 'Eject' }).count()).toBe(0)
    expect(await viewer.getByRole('button', { name: 'Restore' }).count()).toBe(0)
    const v = await sessionOf(viewer)
    expect(
      (await post('/console/accounts/a-nice/eject', v.cookie, { csrf: v.csrf, reason: 'forged' })).status,
    ).toBe(403)
    expect((await accountOf('a-nice')).health.status).toBe('healthy')
    await viewer.context().close()
  })

  it('a form without its CSRF token is 403 and changes nothing', async () => {
    const paid = await paidPayment(`ord-${randomBytes(4).toString('hex')}`, 5_000)
    const page = await signIn(ops.operator)
    const { cookie } = await sessionOf(page)
    const form = { formToken: randomBytes(18).toString('base64url'), amount: '1000', reason: 'no token' }
    expect((await post(`/console/payments/${paid.id}/refund/confirm`, cookie, form)).status).toBe(403)
    expect(
      (await post(`/console/payments/${paid.id}/refund/confirm`, cookie, { ...form, csrf: 'wrong' })).status,
    ).toBe(403)
    expect(sims.nicepay.inspect(paid.transactionId)).toMatchObject({ cancelCount: 0 })
    // Signed out, the session is gone: its cookie no longer works.
    await page.getByRole('button', { name: 'Sign out' }).click()
    await page.waitForURL(`${url}/console/sign-in`)
    const after = await fetch(`${url}/console/payments`, { headers: { cookie }, redirect: 'manual' })
    expect(after.status).toBe(303)
    await page.context().close()
  })
})
