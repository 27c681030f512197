import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Browser, chromium, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startDemo } from './demo.js'
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
      // The API takes a Bearer key: "try it" opens with it selected, its token left for the merchant to give.
      expect(await authOf(page)).toEqual({ selected: 'Bearer', token: '' })
    } finally {
      await browser.close()
    }
  })

  it('in the demo, opens with Bearer selected and the demo key filled in', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'paymux-docs-'))
    const demo = await startDemo({
      port: 0,
      dataDir: dir,
      logLevel: 'warn',
      logDestination: { write: () => {} },
    })
    let browser: Browser | undefined
    try {
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        headless: true,
        args: ['--no-sandbox', '--disable-gpu'],
      })
      const page = await browser.newPage()
      await page.goto(`${demo.url}/docs`)
      await page
        .getByText('Cancel a payment (whole or partial)')
        .first()
        .waitFor({ state: 'visible', timeout: 45_000 })
      expect(await authOf(page)).toEqual({ selected: 'Bearer', token: demo.apiKey })
    } finally {
      await browser?.close()
      await demo.close()
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

/** The authentication the page's "try it" would send: the scheme it shows selected and the token filled in. */
async function authOf(page: Page): Promise<{ selected: string | undefined; token: string | undefined }> {
  const selected = page.getByText(/Selected Auth Type:/).first()
  await selected.waitFor({ state: 'visible', timeout: 15_000 })
  const text = (await selected.innerText()).replace(/\s+/g, ' ')
  const token = page.getByPlaceholder('Token')
  return {
    selected: /Selected Auth Type: (\S+)/.exec(text)?.[1],
    token: (await token.count()) > 0 ? await token.first().inputValue() : undefined,
  }
}
