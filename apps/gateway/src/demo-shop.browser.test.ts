// The zero-config demo's shop in real Chromium, for each registered PG's simulator: pick an item, pay in the PG's window,
// land on the shop's page with the payment paid and its verified webhook appearing without a reload, cancel
// 2,000 KRW of it; a virtual-account order shows where to transfer and no cancel; Decline reads the same at
// every PG. With PAYMUX_SHOP_SCREENSHOT=<file> it also writes the screenshot the README shows.
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Demo, demoAccountId, startDemo } from './demo.js'
import { PROVIDERS } from './providers.js'

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const available = existsSync(CHROMIUM)
// In CI a missing browser is a broken machine, not a reason to prove nothing: the suite fails there.
const inCi = process.env.CI === 'true' || process.env.CI === '1'

// Every registered PG with a simulator has a demo account: each is paid for through its own window.
const PGS = PROVIDERS.filter((p) => p.simulator).map((p) => [p.displayName, demoAccountId(p.id)] as const)

describe.skipIf(!available && !inCi)('the demo shop in headless Chromium', () => {
  let demo: Demo
  let dir: string
  let browser: Awaited<ReturnType<typeof chromium.launch>>
  let workers = false
  /** Webhooks leave the gateway once its outbox worker runs (the first test holds them back until it has looked). */
  const startWorkers = () => {
    if (!workers) demo.gateway.startWorkers()
    workers = true
  }
  beforeAll(async () => {
    if (!available)
      throw new Error(`no Chromium at ${CHROMIUM} in CI: apt-get install chromium, or set CHROMIUM_PATH`)
    dir = mkdtempSync(join(tmpdir(), 'paymux-shop-'))
    demo = await startDemo({ port: 0, dataDir: dir, logLevel: 'warn', logDestination: { write: () => {} } })
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] })
  })
  afterAll(async () => {
    await browser?.close()
    await demo?.close()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  /** Buys the mug at `account` with `method`, presses `button` in the PG's window; the shop's page it lands on. */
  async function buy(account: string, method: 'card' | 'virtual_account', button: 'Approve' | 'Decline') {
    const page = await browser.newPage()
    await page.goto(`${demo.url}/demo-shop`)
    const item = page.locator('form.item').filter({ hasText: 'Ceramic mug' })
    await item.getByLabel('PG').selectOption(account)
    await item.getByLabel('Method').selectOption(method)
    await item.getByRole('button', { name: /Buy/ }).click()
    const pressed = page.getByRole('button', { name: button })
    await pressed.waitFor({ state: 'visible', timeout: 30_000 })
    const checkoutText = await page.locator('body').innerText()
    await pressed.click()
    await page.waitForURL(`${demo.url}/demo-shop/${button === 'Approve' ? 'done' : 'failed'}**`, {
      timeout: 30_000,
    })
    return { page, checkoutText }
  }

  /** Counts the page's own navigations (a reload included) from now on. */
  function navigations(page: Page) {
    let n = 0
    page.on('framenavigated', (f) => {
      if (f === page.mainFrame()) n++
    })
    return () => n
  }

  it('the webhook list fills in by itself once the webhook arrives, with no reload', async () => {
    // The outbox worker is not running yet: the page is rendered before any webhook can reach the shop.
    const { page } = await buy('nice-demo', 'card', 'Approve')
    expect(await page.locator('#webhooks li').count()).toBe(0)
    const navigated = navigations(page)
    startWorkers()
    await page
      .locator('#webhooks li', { hasText: 'payment.paid' })
      .waitFor({ state: 'attached', timeout: 30_000 })
    expect(navigated()).toBe(0)
    await page.close()
  })

  it.each(PGS)('%s: buy, pay in the window, see the webhook, cancel part of it', async (label, account) => {
    startWorkers()
    const { page, checkoutText } = await buy(account, 'card', 'Approve')
    // CookiePay's window is inline on the checkout page: nothing there to allow as a pop-up.
    if (label === 'CookiePay') expect(checkoutText).not.toMatch(/pop-up/i)
    const url = new URL(page.url())
    const paymentId = url.searchParams.get('paymentId')!
    const orderId = url.searchParams.get('orderId')!
    expect(orderId).toMatch(/^shop-/)
    await expect.poll(() => page.locator('h1').textContent()).toContain('paid')
    const navigated = navigations(page)
    await page
      .locator('#webhooks li', { hasText: 'payment.paid' })
      .waitFor({ state: 'attached', timeout: 30_000 })
    expect(navigated()).toBe(0)
    if (process.env.PAYMUX_SHOP_SCREENSHOT && label === 'NicePay')
      await page.screenshot({ path: process.env.PAYMUX_SHOP_SCREENSHOT, fullPage: true })
    // Refresh keeps the order id.
    await page.getByRole('link', { name: 'Refresh' }).click()
    await page.waitForLoadState()
    expect(new URL(page.url()).searchParams.get('orderId')).toBe(orderId)
    await expect.poll(() => page.locator('table').first().innerText()).toContain(orderId)
    await page.getByRole('button', { name: 'Cancel 2,000 KRW of it' }).click()
    await expect
      .poll(
        async () => `${await page.locator('h1').textContent()} ${await page.locator('pre').textContent()}`,
      )
      .toContain('succeeded')
    // And so does the way back from the cancel.
    await page.getByRole('link', { name: 'Back to the payment' }).click()
    await page.waitForURL(`${demo.url}/demo-shop/done**`)
    expect(new URL(page.url()).searchParams.get('orderId')).toBe(orderId)
    await expect.poll(() => page.locator('table').first().innerText()).toContain(orderId)
    await page.close()
    const got = await demo.gateway.app.request(`/v1/payments/${paymentId}`, {
      headers: { authorization: `Bearer ${demo.apiKey}` },
    })
    expect(await got.json()).toMatchObject({
      account,
      status: 'partial_cancelled',
      amount: 8_900,
      cancellableAmount: 6_900,
    })
  })

  it('a virtual-account order shows the account number, bank and due date, and no cancel button', async () => {
    startWorkers()
    const { page } = await buy('nice-demo', 'virtual_account', 'Approve')
    const paymentId = new URL(page.url()).searchParams.get('paymentId')!
    const got = await demo.gateway.app.request(`/v1/payments/${paymentId}`, {
      headers: { authorization: `Bearer ${demo.apiKey}` },
    })
    const payment = (await got.json()) as {
      status: string
      virtualAccount: { bankName: string; accountNumber: string; dueDate: string }
    }
    expect(payment.status).toBe('waiting_for_deposit')
    const shown = await page.locator('#virtual-account').innerText()
    expect(shown).toContain(payment.virtualAccount.bankName)
    expect(shown).toContain(payment.virtualAccount.accountNumber)
    expect(shown).toContain(payment.virtualAccount.dueDate)
    expect(await page.locator('h1').textContent()).toContain('transfer 8,900 KRW')
    // Nothing is paid yet: a cancel could only be refused.
    expect(await page.getByRole('button', { name: /Cancel/ }).count()).toBe(0)
    // Its webhook arrives here too, without a reload.
    await page
      .locator('#webhooks li', { hasText: 'payment.virtual_account_issued' })
      .waitFor({ state: 'attached', timeout: 30_000 })
    await page.close()
  })

  it('Decline reads the same at every PG', async () => {
    const said: string[] = []
    for (const [, account] of PGS) {
      const { page } = await buy(account, 'card', 'Decline')
      expect(await page.locator('h1').textContent()).toBe('Not paid')
      said.push(await page.locator('p').first().innerText())
      await page.close()
    }
    expect(said).toEqual(
      Array(PGS.length).fill('The payment was declined in the payment window. Nothing was charged.'),
    )
  })
})
