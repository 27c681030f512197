import { describe, expect, it } from 'vitest'
import { sha256Hex } from '../crypto.js'
import { OperatorIndex } from './config.js'
import { ABSOLUTE_MS, csrfMatches, IDLE_MS, SessionStore, SignInLimiter } from './sessions.js'

const operator = { merchantId: 'shop-a', name: '김지현', role: 'operator' as const }

describe('console sessions', () => {
  it('expire after the idle time, and after the absolute time even when used', () => {
    let now = 0
    const store = new SessionStore(() => now)
    const s = store.open(operator)
    now += IDLE_MS - 1
    expect(store.get(s.id)).toBe(s)
    now += IDLE_MS + 1
    expect(store.get(s.id)).toBeUndefined()

    const busy = store.open(operator)
    for (let t = 0; t < ABSOLUTE_MS; t += IDLE_MS / 2) {
      now += IDLE_MS / 2
      if (now - busy.createdAt <= ABSOLUTE_MS) expect(store.get(busy.id)).toBe(busy)
    }
    now += IDLE_MS / 2
    expect(store.get(busy.id)).toBeUndefined()
  })

  it('are gone once closed; an unknown or missing id finds nothing', () => {
    const store = new SessionStore(() => 0)
    const s = store.open(operator)
    store.close(s.id)
    expect(store.get(s.id)).toBeUndefined()
    expect(store.get(undefined)).toBeUndefined()
    expect(store.get('nope')).toBeUndefined()
  })

  it('compare CSRF tokens exactly; missing, empty or another session’s token does not match', () => {
    const store = new SessionStore(() => 0)
    const a = store.open(operator)
    const b = store.open(operator)
    expect(csrfMatches(a, a.csrf)).toBe(true)
    for (const v of [undefined, '', b.csrf, `${a.csrf}x`, a.csrf.slice(1)])
      expect(csrfMatches(a, v)).toBe(false)
  })
})

describe('failed sign-ins', () => {
  it('block an address after five in the window, until the window has passed; other addresses are not affected', () => {
    let now = 0
    const limiter = new SignInLimiter(() => now)
    for (let i = 0; i < 5; i++) {
      expect(limiter.blocked('10.0.0.1')).toBe(false)
      limiter.failed('10.0.0.1')
    }
    expect(limiter.blocked('10.0.0.1')).toBe(true)
    expect(limiter.blocked('10.0.0.2')).toBe(false)
    now += limiter.windowMs + 1
    expect(limiter.blocked('10.0.0.1')).toBe(false)
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
    expect(index.find(`sha256:${sha256Hex('key-a')}`)).toBeUndefined()
    expect(index.find('key-c')).toBeUndefined()
  })
})
