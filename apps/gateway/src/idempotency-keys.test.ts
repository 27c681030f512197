import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { canonicalJson, parseIdempotencyKey, sweepIdempotencyKeys } from './idempotency-keys.js'
import { DB_TARGETS, openTestDb } from './test-support/harness.js'

describe('Idempotency-Key parsing and canonical bodies', () => {
  it('accepts tokens and RFC 8941 quoted strings; refuses empty, long, spaced and non-ASCII keys', () => {
    expect(parseIdempotencyKey(undefined)).toBeUndefined()
    expect(parseIdempotencyKey('abc-123')).toBe('abc-123')
    expect(parseIdempotencyKey('"8e03978e-40d5-43e8-bc93-6894a57f9324"')).toBe(
      '8e03978e-40d5-43e8-bc93-6894a57f9324',
    )
    for (const bad of ['', '""', 'a b', 'x'.repeat(256), '키'])
      expect(() => parseIdempotencyKey(bad)).toThrow()
  })

  it('canonical JSON ignores key order and undefined fields, not values', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: undefined } })).toBe(
      '{"a":{"d":[1,{"x":1,"y":2}]},"b":1}',
    )
    expect(canonicalJson({ a: 1 })).not.toBe(canonicalJson({ a: '1' }))
  })
})

describe.each(DB_TARGETS)('idempotency sweep on $name', (target) => {
  let t: Awaited<ReturnType<typeof openTestDb>>
  beforeAll(async () => {
    t = await openTestDb(target)
  })
  afterAll(async () => {
    await t?.drop()
  })

  it('deletes finished keys older than the cutoff in batches; keeps recent ones and ones still in flight', async () => {
    const old = new Date(Date.now() - 48 * 3600_000)
    const rows = Array.from({ length: 25 }, (_, i) => ({
      merchant_id: 'm',
      key: `k${i}`,
      fingerprint: 'f',
      state: i === 0 ? 'in_progress' : 'completed',
      locked_until: old,
      response_status: 200,
      response_body: '{}',
      resource_type: null,
      resource_id: null,
      created_at: i < 20 ? old : new Date(),
    }))
    await t.db.kysely.insertInto('idempotency_keys').values(rows).execute()
    const deleted = await sweepIdempotencyKeys(t.db.kysely, new Date(Date.now() - 24 * 3600_000), 7)
    expect(deleted).toBe(19)
    const left = await t.db.kysely.selectFrom('idempotency_keys').select('key').orderBy('key').execute()
    expect(left.map((r) => r.key).sort()).toEqual(['k0', 'k20', 'k21', 'k22', 'k23', 'k24'])
  })
})
