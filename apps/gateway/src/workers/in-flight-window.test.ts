import { describe, expect, it } from 'vitest'
import type { Runtime } from '../runtime.js'
import { accountsInFlightPastMinAge } from './reconciler.js'

/** Merchants whose accounts have these in-flight windows (2 × timeout + 30 s, as the gateway computes them). */
function merchants(windows: Record<string, Record<string, number>>): Pick<Runtime, 'merchants'> {
  const map = new Map()
  for (const [m, accounts] of Object.entries(windows))
    map.set(m, { accounts: new Map(Object.entries(accounts).map(([id, lockMs]) => [id, { lockMs }])) })
  return { merchants: map }
}

describe('the reconciler’s minAgeMs against the accounts’ in-flight windows', () => {
  const rt = merchants({ shop: { nice: 50_000, toss: 90_000 }, other: { cookie: 40_000 } })

  it('by default (minAgeMs unset, the longest window) no account is raced', () => {
    expect(accountsInFlightPastMinAge(rt, {})).toEqual([])
  })

  it('names every account whose requests may still be in flight when the reconciler first looks', () => {
    expect(accountsInFlightPastMinAge(rt, { minAgeMs: 45_000 })).toEqual([
      { merchant: 'shop', account: 'nice', inFlightMs: 50_000 },
      { merchant: 'shop', account: 'toss', inFlightMs: 90_000 },
    ])
    expect(accountsInFlightPastMinAge(rt, { minAgeMs: 90_000 })).toEqual([])
  })
})
