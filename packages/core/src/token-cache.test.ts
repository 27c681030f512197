import { describe, expect, it } from 'vitest'
import { jwtExpiry, TokenCache } from './token-cache.js'

const tick = () => new Promise((r) => setTimeout(r, 5))

describe('TokenCache', () => {
  it('is single-flight: 100 concurrent calls make one token request', async () => {
    let requests = 0
    const cache = new TokenCache({
      issue: async () => {
        requests++
        await tick()
        return { token: `t${requests}`, expiresAt: Date.now() + 30 * 60_000 }
      },
    })
    const tokens = await Promise.all(Array.from({ length: 100 }, () => cache.get()))
    expect(requests).toBe(1)
    expect(new Set(tokens)).toEqual(new Set(['t1']))
  })

  it('refreshes ahead of expiry, not before', async () => {
    let now = 1_000_000
    let n = 0
    const cache = new TokenCache({
      clock: () => now,
      refreshAheadMs: 60_000,
      issue: async () => ({ token: `t${++n}`, expiresAt: now + 30 * 60_000 }),
    })
    expect(await cache.get()).toBe('t1')
    now += 28 * 60_000
    expect(await cache.get()).toBe('t1')
    now += 60_001 // inside the last minute
    expect(await cache.get()).toBe('t2')
    expect(cache.issued).toBe(2)
  })

  it('a failed issue is not cached and the next call tries again', async () => {
    let n = 0
    const cache = new TokenCache({
      issue: async () => {
        if (++n === 1) throw new Error('PG down')
        return { token: 'ok', expiresAt: Date.now() + 60_000 }
      },
    })
    await expect(cache.get()).rejects.toThrow('PG down')
    expect(await cache.get()).toBe('ok')
  })

  it('withToken retries once with a fresh token when the PG refuses the token, and only once', async () => {
    let n = 0
    const cache = new TokenCache({
      issue: async () => ({ token: `t${++n}`, expiresAt: Date.now() + 60 * 60_000 }),
    })
    const seen: string[] = []
    const r = await cache.withToken(
      async (t) => {
        seen.push(t)
        return t === 't1' ? 'TOKEN_INVALID' : 'done'
      },
      (res) => res === 'TOKEN_INVALID',
    )
    expect(r).toBe('done')
    expect(seen).toEqual(['t1', 't2'])
    const always: string[] = []
    const r2 = await cache.withToken(
      async (t) => {
        always.push(t)
        return 'TOKEN_INVALID'
      },
      (res) => res === 'TOKEN_INVALID',
    )
    expect(r2).toBe('TOKEN_INVALID')
    expect(always).toHaveLength(2)
  })
})

describe('jwtExpiry', () => {
  it('reads exp from a JWT and nothing from other strings', () => {
    const payload = Buffer.from(JSON.stringify({ exp: 1_800_000_000 })).toString('base64url')
    expect(jwtExpiry(`h.${payload}.s`)).toBe(1_800_000_000_000)
    expect(jwtExpiry('not-a-jwt')).toBeUndefined()
    expect(jwtExpiry('a.!!!.c')).toBeUndefined()
  })
})
