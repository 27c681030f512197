// The zero-config demo's shop in real Chromium, for each simulated PG: pick an item, pay in the PG's window,
// land on the shop's page with the payment paid and its verified webhook listed, cancel 2,000 KRW of it.
// With PAYMUX_SHOP_SCREENSHOT=<file> it also writes the screenshot the README shows.
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Demo, startDemo } from './demo.js'
import { eventually } from './test-support/flows.js'

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const available = existsSync(CHROMIUM)
const inCi = process.env.CI === 'true' || process.env.CI === '1'

describe.skipIf(!available && !inCi)('the demo shop in headless Chromium', () => {
  let demo: Demo
  let dir: string
  let browser: Awaited<ReturnType<typeof chromium.launch>>
  beforeAll(async () => {
    if (!available)
      throw new Error(`no Chromium at ${CHROMIUM} in CI: apt-get install chromium, or set CHROMIUM_PATH`)
    dir = mkdtempSync(join(tmpdir(), 'paymux-shop-'))
    demo = await startDemo({ port: 0, dataDir: dir, logLevel: 'warn', logDestination: { write: () => {} } })
    demo.gateway.startWorkers()
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] })
  })
  afterAll(async () => {
    await browser?.close()
    await demo?.close()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  it.each([
    ['NicePay', 'nice-demo'],
    ['Bootpay', 'boot-demo'],
    ['CookiePay', 'cookie-demo'],
  ])('%s: buy, pay in the window, see the webhook, cancel part of it', async (label, account) => {
    const page = await browser.newPage()
    await page.goto(`${demo.url}/demo-shop`)
    const item = page.locator('form.item').filter({ hasText: 'Ceramic mug' })
    await item.getByLabel('PG').selectOption(account)
    await item.getByRole('button', { name: /Buy/ }).click()
    await page.getByRole('button', { name: 'Approve' }).click({ timeout: 30_000 })
    await page.waitForURL(`${demo.url}/demo-shop/done**`, { timeout: 30_000 })
    const paymentId = new URL(page.url()).searchParams.get('paymentId')!
    await expect.poll(() => page.locator('h1').textContent()).toContain('paid')
    // The webhook reaches the shop and is verified there; the page lists it once it has arrived.
    await eventually(async () => {
      await page.reload()
      return (await page.locator('#webhooks').textContent())?.includes('payment.paid')
    })
    if (process.env.PAYMUX_SHOP_SCREENSHOT && label === 'NicePay')
      await page.screenshot({ path: process.env.PAYMUX_SHOP_SCREENSHOT, fullPage: true })
    await page.getByRole('button', { name: 'Cancel 2,000 KRW of it' }).click()
    await expect
      .poll(
        async () => `${await page.locator('h1').textContent()} ${await page.locator('pre').textContent()}`,
      )
      .toContain('succeeded')
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
})
