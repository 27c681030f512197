// The console's HTTP rules without a browser: config validation of operators, the sign-in rate limit, what a
// request without a session meets, and the audit table refusing edits (PGlite and PostgreSQL).
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseConfig } from '../config.js'
import { sha256Hex } from '../crypto.js'
import { createGateway, type Gateway } from '../gateway.js'
import { createLogger } from '../logger.js'
import { DB_TARGETS, openTestDb, type Sims, startSims, testConfig } from '../test-support/harness.js'
import { actionsOn, recordAction } from './audit.js'

const form = (fields: Record<string, string>, cookie?: string) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded', ...(cookie ? { cookie } : {}) },
  body: new URLSearchParams(fields).toString(),
})

describe('operators in the config', () => {
  it('need a sha256 keyHash and a known role; the error names the field', async () => {
    const sims = {
      urls: { nicepay: 'http://127.0.0.1:1', bootpay: 'http://127.0.0.1:1', cookiepay: 'http://127.0.0.1:1' },
      registry: [],
    } as unknown as Sims
    const raw = testConfig(sims, { a: 'a', b: 'b' })
    const m = raw.merchants as Array<Record<string, unknown>>
    m[0]!.operators = [{ name: 'x', keyHash: 'plain-key', role: 'operator' }]
    expect(() => parseConfig(raw, {})).toThrow(/operators.*keyHash|keyHash/)
    m[0]!.operators = [{ name: 'x', keyHash: `sha256:${sha256Hex('k')}`, role: 'admin' }]
    expect(() => parseConfig(raw, {})).toThrow(/role/)
    m[0]!.operators = [{ name: 'x', keyHash: `sha256:${sha256Hex('k')}` }]
    m[1]!.operators = [{ name: 'y', keyHash: `sha256:${sha256Hex('k')}` }]
    expect(() => parseConfig(raw, {})).toThrow(/merchants\.1\.operators\.0\.keyHash.*one key per person/s)
    m[1]!.operators = [{ name: 'y', keyHash: `sha256:${sha256Hex('b')}` }]
    expect(() => parseConfig(raw, {})).toThrow(/must not also be an API key/)
    m[1]!.operators = []
    expect(parseConfig(raw, {}).merchants[0]!.operators).toEqual([
      { name: 'x', keyHash: `sha256:${sha256Hex('k')}`, role: 'operator' },
    ])
  })
})

describe.each(DB_TARGETS)('the console over HTTP on $name', (target) => {
  let sims: Sims
  let gateway: Gateway
  let drop: () => Promise<void>
  const opKey = `op_${randomBytes(12).toString('hex')}`

  beforeAll(async () => {
    sims = await startSims()
    const raw = testConfig(sims, { a: 'sk_a_console', b: 'sk_b_console' }, {
      workers: { outbox: { maxResends: 1 } },
    } as never)
    const merchants = raw.merchants as Array<Record<string, unknown>>
    merchants[0]!.operators = [{ name: 'Op', keyHash: `sha256:${sha256Hex(opKey)}`, role: 'operator' }]
    // shop-a delivers webhooks (to an address nothing listens on: the workers are off); shop-b has none.
    merchants[0]!.webhook = {
      url: 'http://127.0.0.1:9/hooks',
      secret: `whsec_${randomBytes(24).toString('base64')}`,
    }
    const opened = await openTestDb(target)
    drop = opened.drop
    const { logger } = createLogger({ level: 'warn', destination: { write: () => {} } })
    gateway = await createGateway({ config: parseConfig(raw, {}), db: opened.db, logger })
  })
  afterAll(async () => {
    await gateway?.close()
    await drop?.()
    await sims?.close()
  })

  it('a page without a session goes to sign-in; a POST without one is 403; the assets need none', async () => {
    const page = await gateway.app.request('/console/payments')
    expect(page.status).toBe(303)
    expect(page.headers.get('location')).toBe('/console/sign-in')
    expect((await gateway.app.request('/console/sign-out', form({}))).status).toBe(403)
    const css = await gateway.app.request('/console/assets/console.css')
    expect(css.status).toBe(200)
    expect(css.headers.get('content-type')).toMatch(/text\/css/)
    const signIn = await gateway.app.request('/console/sign-in')
    expect(signIn.headers.get('content-security-policy')).not.toMatch(/unsafe-inline/)
    expect(await signIn.text()).toContain('Operator key')
  })

  it('a sign-in posted from another origin is refused before the key is looked at', async () => {
    const f = form({ key: opKey })
    const res = await gateway.app.request('/console/sign-in', {
      ...f,
      headers: { ...f.headers, origin: 'https://evil.example' },
    })
    expect(res.status).toBe(403)
    expect(res.headers.get('set-cookie')).toBeNull()
  })

  it('the cookie is Secure when the request came over TLS', async () => {
    const res = await gateway.app.request('https://console.example/console/sign-in', form({ key: opKey }))
    expect(res.status).toBe(303)
    expect(res.headers.get('set-cookie')).toMatch(/;\s*Secure/i)
  })

  it('Korean is a choice; English is the default', async () => {
    expect(await (await gateway.app.request('/console/sign-in')).text()).toContain('Sign in')
    const ko = await gateway.app.request('/console/sign-in?lang=ko')
    const text = await ko.text()
    expect(text).toContain('운영자 키')
    expect(text).toContain('lang="ko"')
    expect(ko.headers.get('set-cookie')).toMatch(/paymux_console_lang=ko/)
  })

  // Runs before the sign-in limit test below, which leaves this address refused.
  it("Resend: the same resend as the API, within its limit, audited; another merchant's event is 404", async () => {
    const res = await gateway.app.request('/console/sign-in', form({ key: opKey }))
    const cookie = `paymux_console=${/paymux_console=([^;]+)/.exec(res.headers.get('set-cookie') ?? '')?.[1]}`
    const listed = await (await gateway.app.request('/console/webhooks', { headers: { cookie } })).text()
    const csrf = /name="csrf" value="([^"]+)"/.exec(listed)?.[1] ?? ''
    expect(csrf).not.toBe('')
    const db = gateway.db.kysely
    const event = (id: string, merchantId: string, resends: number) => ({
      id,
      merchant_id: merchantId,
      type: 'payment.paid',
      object_type: 'payment',
      object_id: `pay_${id}`,
      data: '{}',
      created_at: new Date(),
      delivered_at: null,
      next_attempt_at: null,
      status: 'failed',
      locked_until: null,
      last_error: 'HTTP 500',
      resends,
    })
    await db
      .insertInto('events')
      .values([
        event('evt_cr_fresh', 'shop-a', 0),
        event('evt_cr_spent', 'shop-a', 1),
        event('evt_cr_other', 'shop-b', 0),
      ])
      .execute()
    const resend = (id: string, token = csrf) =>
      gateway.app.request(`/console/webhooks/${id}/resend`, form({ csrf: token }, cookie))
    const row = (id: string) =>
      db.selectFrom('events').select(['status', 'resends']).where('id', '=', id).executeTakeFirstOrThrow()

    expect((await resend('evt_cr_fresh', 'forged')).status).toBe(403)
    expect(await row('evt_cr_fresh')).toEqual({ status: 'failed', resends: 0 })
    expect((await resend('evt_cr_other')).status).toBe(404)
    expect(await row('evt_cr_other')).toEqual({ status: 'failed', resends: 0 })

    const first = await resend('evt_cr_fresh')
    expect(first.status).toBe(303)
    expect(await row('evt_cr_fresh')).toEqual({ status: 'pending', resends: 1 })
    // Already queued: nothing more is queued, and nothing is refused.
    expect((await resend('evt_cr_fresh')).status).toBe(303)
    expect(await row('evt_cr_fresh')).toEqual({ status: 'pending', resends: 1 })

    const spent = await resend('evt_cr_spent')
    expect(spent.status).toBe(409)
    expect(await spent.text()).toContain('resent 1 times already')
    expect(await row('evt_cr_spent')).toEqual({ status: 'failed', resends: 1 })

    const audit = await actionsOn(db, 'shop-a', ['evt_cr_fresh', 'evt_cr_spent'])
    expect(audit.map((r) => [r.action, r.operator])).toEqual([['resend', 'Op']])
  })

  it('after five failed sign-ins the address is refused (429), even with the right key', async () => {
    for (let i = 0; i < 5; i++)
      expect((await gateway.app.request('/console/sign-in', form({ key: `wrong-${i}` }))).status).toBe(422)
    const blocked = await gateway.app.request('/console/sign-in', form({ key: opKey }))
    expect(blocked.status).toBe(429)
  })

  it('the audit is append-only: an update or delete changes nothing', async () => {
    const who = { merchantId: 'shop-a', name: 'Op', role: 'operator' as const }
    await recordAction(
      gateway.db.kysely,
      who,
      { action: 'refund', object: { type: 'payment', id: 'pay_x' }, detail: { amount: 1 } },
      new Date(),
    )
    const db = gateway.db.kysely as unknown as import('kysely').Kysely<{
      operator_actions: { action: string; object_id: string }
    }>
    await db
      .updateTable('operator_actions')
      .set({ action: 'nothing' })
      .where('object_id', '=', 'pay_x')
      .execute()
    await db.deleteFrom('operator_actions').where('object_id', '=', 'pay_x').execute()
    const rows = await actionsOn(gateway.db.kysely, 'shop-a', ['pay_x'])
    expect(rows.map((r) => [r.action, r.operator, r.detail])).toEqual([['refund', 'Op', { amount: 1 }]])
    expect(await actionsOn(gateway.db.kysely, 'shop-b', ['pay_x'])).toEqual([])
  })
})
