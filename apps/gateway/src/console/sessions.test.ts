// Console sessions and failed sign-ins live in the database: a session opened through one gateway process is
// accepted by another on the same database, a sign-out at one ends it at both, expired sessions are refused and
// pruned, the table holds only a hash of the token, and failures counted at one process block at the other.
import { randomBytes } from 'node:crypto'
import type { Kysely } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseConfig } from '../config.js'
import { sha256Hex } from '../crypto.js'
import type { Db } from '../db/index.js'
import { createGateway, type Gateway } from '../gateway.js'
import { createLogger } from '../logger.js'
import { DB_TARGETS, openTestDb, type Sims, testConfig } from '../test-support/harness.js'
import { OperatorIndex } from './config.js'
import { ABSOLUTE_MS, csrfMatches, IDLE_MS, SessionStore, SignInLimiter, TOUCH_EVERY_MS } from './sessions.js'

const KEY_A = 'op-key-a'
const operators = new OperatorIndex([
  { id: 'shop-a', operators: [{ name: '김지현', keyHash: `sha256:${sha256Hex(KEY_A)}`, role: 'operator' }] },
])
const HASH_A = sha256Hex(KEY_A)

/** Every row of the sessions table, read as the database holds it. */
async function sessionRows(db: Db) {
  const k = db.kysely as unknown as Kysely<{ console_sessions: Record<string, unknown> }>
  return k.selectFrom('console_sessions').selectAll().execute()
}

const form = (fields: Record<string, string>, cookie?: string) => ({
  method: 'POST',
  headers: {
    'content-type': 'application/x-www-form-urlencoded',
    ...(cookie ? { cookie } : {}),
  },
  body: new URLSearchParams(fields).toString(),
})

describe.each(DB_TARGETS)('console sessions on $name', (target) => {
  let db: Db
  let drop: () => Promise<void>
  let clock = new Date('2026-03-01T09:00:00Z')
  const now = () => clock
  const later = (ms: number) => {
    clock = new Date(clock.getTime() + ms)
  }

  beforeAll(async () => {
    const opened = await openTestDb(target)
    db = opened.db
    drop = opened.drop
  })
  afterAll(async () => drop?.())

  it('hold only a hash of the token; the token finds its session, with its operator and CSRF token', async () => {
    const store = new SessionStore(db.kysely, operators, now)
    const { token, session } = await store.open(HASH_A)
    expect(session.operator).toEqual({ merchantId: 'shop-a', name: '김지현', role: 'operator' })
    const rows = await sessionRows(db)
    const row = rows.find((r) => r.token_hash === sha256Hex(token))
    expect(row).toBeDefined()
    expect(JSON.stringify(rows)).not.toContain(token)
    expect(await store.get(token)).toMatchObject({ hash: session.hash, csrf: session.csrf })
    // The hash itself, presented as a cookie, is not a token.
    expect(await store.get(session.hash)).toBeUndefined()
    expect(await store.get(undefined)).toBeUndefined()
    expect(await store.get('nope')).toBeUndefined()
  })

  it('expire after the idle time, and after the absolute time even when used; expired rows are deleted', async () => {
    const store = new SessionStore(db.kysely, operators, now)
    const idle = await store.open(HASH_A)
    later(IDLE_MS - 1)
    expect(await store.get(idle.token)).toBeDefined()
    later(IDLE_MS + 1)
    expect(await store.get(idle.token)).toBeUndefined()
    expect((await sessionRows(db)).some((r) => r.token_hash === idle.session.hash)).toBe(false)

    const busy = await store.open(HASH_A)
    const opened = clock.getTime()
    while (clock.getTime() + IDLE_MS / 2 - opened < ABSOLUTE_MS) {
      later(IDLE_MS / 2)
      expect(await store.get(busy.token)).toBeDefined()
    }
    later(IDLE_MS / 2)
    expect(await store.get(busy.token)).toBeUndefined()
  })

  it('are revoked by sign-out, and pruned with the expired ones at the next sign-in', async () => {
    const store = new SessionStore(db.kysely, operators, now)
    const a = await store.open(HASH_A)
    const stale = await store.open(HASH_A)
    await store.revoke(a.session.hash)
    expect(await store.get(a.token)).toBeUndefined()
    later(IDLE_MS + TOUCH_EVERY_MS)
    const fresh = await store.open(HASH_A)
    const left = (await sessionRows(db)).map((r) => r.token_hash)
    expect(left).toEqual([fresh.session.hash])
    expect(left).not.toContain(stale.session.hash)
  })

  it('end when their operator is no longer in the config', async () => {
    const store = new SessionStore(db.kysely, operators, now)
    const { token } = await store.open(HASH_A)
    const without = new SessionStore(db.kysely, new OperatorIndex([{ id: 'shop-a', operators: [] }]), now)
    expect(await without.get(token)).toBeUndefined()
  })

  it('compare CSRF tokens exactly; missing, empty or another session’s token does not match', async () => {
    const store = new SessionStore(db.kysely, operators, now)
    const a = (await store.open(HASH_A)).session
    const b = (await store.open(HASH_A)).session
    expect(csrfMatches(a, a.csrf)).toBe(true)
    for (const v of [undefined, '', b.csrf, `${a.csrf}x`, a.csrf.slice(1)])
      expect(csrfMatches(a, v)).toBe(false)
  })

  it('failed sign-ins block an address after five in the window, for every process; other addresses are not affected', async () => {
    const one = new SignInLimiter(db.kysely, now)
    const two = new SignInLimiter(db.kysely, now)
    for (let i = 0; i < 5; i++) {
      expect(await two.blocked('10.0.0.1')).toBe(false)
      await (i % 2 ? one : two).failed('10.0.0.1')
    }
    expect(await one.blocked('10.0.0.1')).toBe(true)
    expect(await two.blocked('10.0.0.1')).toBe(true)
    expect(await one.blocked('10.0.0.2')).toBe(false)
    later(one.windowMs + 1)
    expect(await two.blocked('10.0.0.1')).toBe(false)
  })
})

describe.each(DB_TARGETS)('two gateways on one $name database', (target) => {
  let gateways: Gateway[] = []
  let drop: () => Promise<void>
  let clock = new Date('2026-03-01T09:00:00Z')
  const opKey = `op_${randomBytes(12).toString('hex')}`

  beforeAll(async () => {
    const sims = {
      urls: { nicepay: 'http://127.0.0.1:1', bootpay: 'http://127.0.0.1:1', cookiepay: 'http://127.0.0.1:1' },
      registry: [],
    } as unknown as Sims
    const raw = testConfig(sims, { a: 'sk_a_sessions', b: 'sk_b_sessions' })
    ;(raw.merchants as Array<Record<string, unknown>>)[0]!.operators = [
      { name: 'Op', keyHash: `sha256:${sha256Hex(opKey)}`, role: 'operator' },
    ]
    const opened = await openTestDb(target)
    drop = opened.drop
    const { logger } = createLogger({ level: 'warn', destination: { write: () => {} } })
    const config = parseConfig(raw, {})
    for (let i = 0; i < 2; i++)
      gateways.push(await createGateway({ config, db: opened.db, logger, now: () => clock }))
  })
  afterAll(async () => {
    for (const g of gateways) await g.close()
    gateways = []
    await drop?.()
  })

  async function signIn(g: Gateway): Promise<string> {
    const res = await g.app.request('/console/sign-in', form({ key: opKey }))
    expect(res.status).toBe(303)
    const cookie = /paymux_console=([^;]+)/.exec(res.headers.get('set-cookie') ?? '')?.[1]
    expect(cookie).toBeDefined()
    return `paymux_console=${cookie}`
  }
  const csrfOf = async (g: Gateway, cookie: string) => {
    const html = await (await g.app.request('/console/payments', { headers: { cookie } })).text()
    return /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? ''
  }

  it('a session opened at one is accepted at the other, its CSRF token included; sign-out at one ends it at both', async () => {
    const [one, two] = gateways as [Gateway, Gateway]
    const cookie = await signIn(one)
    const atTwo = await two.app.request('/console/payments', { headers: { cookie } })
    expect(atTwo.status).toBe(200)
    const csrf = await csrfOf(two, cookie)
    expect(csrf).toBe(await csrfOf(one, cookie))
    // A POST made at the second with the first's CSRF token is accepted (the language switch changes nothing).
    const switched = await two.app.request('/console/language', form({ csrf, lang: 'ko' }, cookie))
    expect(switched.status).toBe(303)
    const out = await two.app.request('/console/sign-out', form({ csrf }, cookie))
    expect(out.status).toBe(303)
    for (const g of [one, two]) {
      const after = await g.app.request('/console/payments', { headers: { cookie } })
      expect(after.status).toBe(303)
      expect(after.headers.get('location')).toBe('/console/sign-in')
    }
  })

  it('a session past its idle time is refused at both', async () => {
    const [one, two] = gateways as [Gateway, Gateway]
    const cookie = await signIn(one)
    clock = new Date(clock.getTime() + IDLE_MS + 1)
    for (const g of [two, one])
      expect((await g.app.request('/console/payments', { headers: { cookie } })).status).toBe(303)
  })

  it('failed sign-ins at one count at the other', async () => {
    const [one, two] = gateways as [Gateway, Gateway]
    for (let i = 0; i < 5; i++)
      expect((await one.app.request('/console/sign-in', form({ key: `wrong-${i}` }))).status).toBe(422)
    expect((await two.app.request('/console/sign-in', form({ key: opKey }))).status).toBe(429)
  })
})

describe('operators', () => {
  it('are found by their key (through its hash) with their merchant and role; an unknown key finds no one', () => {
    const index = new OperatorIndex([
      { id: 'shop-a', operators: [{ name: 'A', keyHash: `sha256:${sha256Hex('key-a')}`, role: 'operator' }] },
      { id: 'shop-b', operators: [{ name: 'B', keyHash: `sha256:${sha256Hex('key-b')}`, role: 'viewer' }] },
      { id: 'shop-c' },
    ])
    expect(index.find('key-a')).toEqual({ merchantId: 'shop-a', name: 'A', role: 'operator' })
    expect(index.find('key-b')).toEqual({ merchantId: 'shop-b', name: 'B', role: 'viewer' })
    expect(index.byHash(sha256Hex('key-b'))).toEqual({ merchantId: 'shop-b', name: 'B', role: 'viewer' })
    expect(index.find(`sha256:${sha256Hex('key-a')}`)).toBeUndefined()
    expect(index.find('key-c')).toBeUndefined()
  })
})
