// What one account's calls mean for its status, alone: technical failures in a row or a failing share of the
// last minute eject; declines and refusals never count; probe successes bring it back through probation.
import { describe, expect, it } from 'vitest'
import { healthSchema } from './config.js'
import { sampleOfCall } from './probe.js'
import { AccountTracker } from './tracker.js'

const settings = healthSchema.parse({
  ejectAfterFailures: 3,
  errorRate: 0.5,
  minRequests: 10,
  restoreAfterSuccesses: 2,
})
const ok = (at: number) => ({ at, ok: true })
const bad = (at: number) => ({ at, ok: false, error: 'timeout' })

describe('account tracker', () => {
  it('ejects after the configured failures in a row, and a success in between starts the count over', () => {
    const t = new AccountTracker(settings)
    expect(t.record(bad(1), 'healthy', false)).toBeUndefined()
    expect(t.record(bad(2), 'healthy', false)).toBeUndefined()
    expect(t.record(ok(3), 'healthy', false)).toBeUndefined()
    expect(t.record(bad(4), 'healthy', false)).toBeUndefined()
    expect(t.record(bad(5), 'healthy', true)).toBeUndefined()
    expect(t.record(bad(6), 'healthy', false)).toEqual({
      to: 'ejected',
      reason: '3 failures in a row; last: timeout',
    })
  })

  it('ejects on the error rate of the last minute once it holds minRequests, not before', () => {
    const t = new AccountTracker(settings)
    const verdicts = []
    for (let i = 0; i < 10; i++) verdicts.push(t.record(i % 2 ? bad(i) : ok(i), 'healthy', false))
    expect(verdicts.slice(0, 9).every((v) => v === undefined)).toBe(true)
    expect(verdicts[9]).toEqual({ to: 'ejected', reason: '5 of the last 10 calls failed; last: timeout' })
    // Calls older than a minute leave the window.
    const later = new AccountTracker(settings)
    for (let i = 0; i < 9; i++) later.record(i % 2 ? bad(i) : ok(i), 'healthy', false)
    expect(later.record(bad(70_000), 'healthy', false)).toBeUndefined()
  })

  it('a decline, a validation refusal or a "not found" is the PG working; 5xx, timeouts and refused connections are not', () => {
    const event = (outcome: 'response' | 'timeout' | 'never_sent' | 'broken', status?: number) => ({
      provider: 'toy',
      operation: 'cancel',
      outcome,
      durationMs: 1,
      ...(status ? { status } : {}),
    })
    expect(sampleOfCall(event('response', 200), 0).ok).toBe(true)
    expect(sampleOfCall(event('response', 400), 0).ok).toBe(true)
    expect(sampleOfCall(event('response', 404), 0).ok).toBe(true)
    expect(sampleOfCall(event('response', 503), 0)).toEqual({ at: 0, ok: false, error: 'HTTP 503' })
    expect(sampleOfCall(event('timeout'), 0).ok).toBe(false)
    expect(sampleOfCall(event('never_sent'), 0)).toEqual({ at: 0, ok: false, error: 'connection refused' })
    expect(sampleOfCall(event('broken'), 0).ok).toBe(false)
  })

  it('an ejected account goes on probation after the probe successes (not real traffic); one failure there ejects again', () => {
    const t = new AccountTracker(settings)
    expect(t.record(ok(1), 'ejected', false)).toBeUndefined()
    expect(t.record(ok(2), 'ejected', true)).toBeUndefined()
    expect(t.record(bad(3), 'ejected', true)).toBeUndefined()
    expect(t.record(ok(4), 'ejected', true)).toBeUndefined()
    expect(t.record(ok(5), 'ejected', true)).toEqual({ to: 'probation' })
    t.reset()
    expect(t.record(bad(6), 'probation', false)).toEqual({ to: 'ejected', reason: 'timeout' })
  })
})
