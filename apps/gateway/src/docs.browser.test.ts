import { existsSync } from 'node:fs'
import { chromium } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestGateway, type TestGateway } from './test-support/harness.js'

// Debian's package (apt-get install chromium); another binary can be given in CHROMIUM_PATH.
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const available = existsSync(CHROMIUM)
// In CI a missing browser is a broken machine, not a reason to prove nothing: the test fails there.
const inCi = process.env.CI === 'true' || process.env.CI === '1'
if (!available && !inCi)
  console.warn(
    `docs browser test skipped: no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`,
  )
// Controls that call hosted services a self-hosted, possibly offline gateway must not offer.
const HOSTED_CONTROLS = ['Ask AI', 'Generate MCP', 'Deploy', 'Share']

describe.skipIf(!available && !inCi)('GET /docs in headless Chromium', () => {
  let t: TestGateway
  beforeAll(async () => {
    if (!available)
      throw new Error(`no Chromium at ${CHROMIUM} in CI: apt-get install chromium, or set CHROMIUM_PATH`)
    t = await startTestGateway({ name: 'pglite' })
  })
  afterAll(async () => {
    await t?.close()
  })

  it('renders the API reference offline and shows the cancellation route', async () => {
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu'],
    })
    try {
      const page = await browser.newPage()
      const external: string[] = []
      // The docs must not depend on a CDN: any request leaving loopback fails the test.
      await page.route('**/*', (route) => {
        const url = new URL(route.request().url())
        if (url.hostname !== '127.0.0.1' && url.protocol !== 'data:' && url.protocol !== 'blob:') {
          external.push(url.href)
          return route.abort()
        }
        return route.continue()
      })
      const res = await page.goto(`${t.url}/docs`)
      expect(res?.status()).toBe(200)
      await page
        .getByText('Cancel a payment (whole or partial)')
        .first()
        .waitFor({ state: 'visible', timeout: 45_000 })
      const text = await page.locator('body').innerText()
      expect(text).toContain('/v1/cancellations')
      for (const label of HOSTED_CONTROLS) {
        const controls = page
          .getByRole('button', { name: label })
          .or(page.getByRole('link', { name: label }))
          .or(page.getByText(label, { exact: true }))
        expect(await controls.count(), `a "${label}" control`).toBe(0)
      }
      expect(external).toEqual([])
    } finally {
      await browser.close()
    }
  })
})
