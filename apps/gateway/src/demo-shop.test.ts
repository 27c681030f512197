// The demo shop's cancel form moves money: it must come from the shop's own page (a CSRF token bound to a
// SameSite=Strict cookie), and posting it again (a reload, a double click, the back button) cancels once.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Demo, startDemo } from './demo.js'

describe('the demo shop cancel form', () => {
  let demo: Demo
  let dir: string
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'paymux-shop-form-'))
    demo = await startDemo({ port: 0, dataDir: dir, logLevel: 'warn', logDestination: { write: () => {} } })
  })
  afterAll(async () => {
    await demo?.close()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  const cancelledAt = (i: number) => {
    const p = demo.seeded[i]!
    if (p.provider === 'nicepay') return demo.simulators.nicepay.inspect(p.transactionId)?.cancelledAmount
    if (p.provider === 'cookiepay') return demo.simulators.cookiepay.inspect(p.transactionId)?.cancelledAmount
    return demo.simulators.bootpay.inspect(p.transactionId)?.cancelledAmount
  }

  /** The payment page as a browser gets it: its cookie and the cancel form's fields. */
  async function openPayment(paymentId: string, cookie?: string) {
    const res = await fetch(`${demo.url}/demo-shop/done?paymentId=${paymentId}`, {
      headers: cookie ? { cookie } : {},
    })
    const html = await res.text()
    const field = (name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1]
    const set = res.headers.get('set-cookie')
    return {
      cookie: cookie ?? set?.split(';')[0],
      setCookie: set,
      form: { paymentId, csrf: field('csrf') ?? '', idempotencyKey: field('idempotencyKey') ?? '' },
    }
  }
  const post = (form: Record<string, string>, cookie?: string) =>
    fetch(`${demo.url}/demo-shop/cancel`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...(cookie ? { cookie } : {}) },
      body: new URLSearchParams(form),
    })

  it('answers the POST with 303 to a result page; the same form posted again cancels once', async () => {
    const i = demo.seeded.findIndex((p) => p.provider === 'nicepay')
    const { paymentId } = demo.seeded[i]!
    const before = cancelledAt(i) ?? 0
    const page = await openPayment(paymentId)
    expect(page.setCookie).toMatch(/SameSite=Strict/i)
    expect(page.setCookie).toMatch(/HttpOnly/i)
    expect(page.form.csrf).not.toBe('')
    expect(page.form.idempotencyKey).toMatch(/^shop-cancel-/)

    const first = await post(page.form, page.cookie)
    expect(first.status).toBe(303)
    const location = first.headers.get('location')!
    expect(location).toMatch(/^\/demo-shop\/cancelled\?/)
    const result = await fetch(new URL(location, demo.url))
    expect(await result.text()).toContain('succeeded')
    // Reloading the result page reads; posting the same form again is answered with the same cancellation.
    await fetch(new URL(location, demo.url))
    const again = await post(page.form, page.cookie)
    expect(again.status).toBe(303)
    expect(again.headers.get('location')).toBe(location)
    expect(cancelledAt(i)).toBe(before + 2_000)
  })

  it('a POST without the token, with a wrong one, or from another site (no cookie) is 403 and cancels nothing', async () => {
    const i = demo.seeded.findIndex((p) => p.provider === 'cookiepay')
    const { paymentId } = demo.seeded[i]!
    const before = cancelledAt(i)
    const page = await openPayment(paymentId)
    const other = await openPayment(paymentId)
    const attempts = [
      post({ paymentId, idempotencyKey: page.form.idempotencyKey }, page.cookie),
      post({ ...page.form, csrf: 'x'.repeat(page.form.csrf.length) }, page.cookie),
      // Another browser's valid token does not go with this browser's cookie.
      post({ ...page.form, csrf: other.form.csrf }, page.cookie),
      // A cross-site form: the browser sends no SameSite=Strict cookie with it.
      post(page.form),
    ]
    for (const res of await Promise.all(attempts)) expect(res.status).toBe(403)
    expect(cancelledAt(i)).toBe(before)
    const got = await demo.gateway.app.request(`/v1/cancellations?paymentId=${paymentId}`, {
      headers: { authorization: `Bearer ${demo.apiKey}` },
    })
    expect(((await got.json()) as { data: unknown[] }).data).toEqual([])
  })
})
