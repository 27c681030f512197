// A recorded merchant session replayed against an in-process gateway in front of the PG simulators: every
// answer — the happy ones and the refusals (bad bodies, unknown and over-long ids, duplicates, wrong keys, bad
// Idempotency-Keys, 409s, the PGs' notification replies) — must be one the OpenAPI document declares: its
// status, content type, required headers and body schema. The document is checked with a JSON Schema validator
// of its own (test-support/openapi-answers.ts), not with the zod schemas it is generated from.
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { answerChecker } from './test-support/openapi-answers.js'
import { startTestGateway, type TestGateway } from './test-support/harness.js'

interface Step {
  note: string
  method?: string
  path?: string
  auth?: 'a' | 'b' | 'wrong' | 'none'
  idem?: string
  headers?: Record<string, string>
  body?: unknown
  rawBody?: string
  status?: number
  save?: string
  seed?: { pg: 'nicepay' | 'bootpay' | 'cookiepay'; amount: number }
  as?: string
}

const session = JSON.parse(
  readFileSync(new URL('./__fixtures__/merchant-session.json', import.meta.url), 'utf8'),
) as { steps: Step[] }

/** `{{name.path}}` in a string: the value at that path of what was saved under `name`. */
function fill<T>(value: T, saved: Record<string, unknown>): T {
  if (typeof value === 'string')
    return value.replace(/\{\{([^}]+)\}\}/g, (_, ref: string) => {
      const v = ref.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown>)?.[k], saved)
      if (typeof v !== 'string') throw new Error(`the session refers to ${ref}, which no earlier step gave`)
      return v
    }) as T
  if (Array.isArray(value)) return value.map((v) => fill(v, saved)) as T
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v, saved)])) as T
  return value
}

describe('a recorded merchant session, replayed', () => {
  let t: TestGateway
  let check: ReturnType<typeof answerChecker>
  beforeAll(async () => {
    t = await startTestGateway({ name: 'pglite' })
    check = answerChecker((await t.call('GET', '/openapi.json', { key: null })).body)
  })
  afterAll(async () => {
    await t?.close()
  })

  it('gets only answers the OpenAPI document declares, each with the recorded status', async () => {
    const saved: Record<string, unknown> = {}
    const statuses: string[] = []
    const recorded: string[] = []
    const problems: string[] = []
    for (const step of session.steps) {
      if (step.seed) {
        saved[step.as!] = t.sims[step.seed.pg].seedPayment({ amount: step.seed.amount })
        continue
      }
      const path = fill(step.path!, saved)
      const headers: Record<string, string> = { ...(step.headers ?? {}) }
      const key = { a: t.keyA, b: t.keyB, wrong: 'sk_test_not_a_key', none: undefined }[step.auth ?? 'a']
      if (key) headers.authorization = `Bearer ${key}`
      if (step.idem !== undefined) headers['idempotency-key'] = step.idem
      const body =
        step.rawBody ?? (step.body === undefined ? undefined : JSON.stringify(fill(step.body, saved)))
      if (body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type'))
        headers['content-type'] = 'application/json'
      const res = await fetch(`${t.url}${path}`, {
        method: step.method!,
        headers,
        ...(body !== undefined ? { body } : {}),
      })
      const text = await res.text()
      const label = `${step.method} ${path.slice(0, 60)} (${step.note})`
      statuses.push(`${label}: ${res.status}`)
      recorded.push(`${label}: ${step.status}`)
      problems.push(
        ...check({
          method: step.method!,
          path: path.split('?')[0]!,
          status: res.status,
          headers: res.headers,
          text,
        }),
      )
      if (step.save && res.ok) saved[step.save] = JSON.parse(text)
    }
    expect(statuses).toEqual(recorded)
    expect(problems).toEqual([])
    // The session covers what it is for: refusals of every kind, not only the happy path.
    const seen = new Set(statuses.map((s) => Number(s.slice(s.lastIndexOf(' ') + 1))))
    expect([...seen].sort()).toEqual(
      expect.arrayContaining([200, 201, 400, 401, 403, 404, 409, 413, 422, 502, 503]),
    )
  })

  it('the checker refuses what the document does not declare (so the replay can fail)', () => {
    const json = new Headers({ 'content-type': 'application/json', 'request-id': 'req_1' })
    const text = new Headers({ 'content-type': 'text/plain', 'request-id': 'req_1' })
    const error = JSON.stringify({
      error: { type: 'not_found_error', code: 'resource_missing', message: 'x' },
      requestId: 'r',
    })
    // An undeclared status, an undeclared content type, a body off its schema, a missing required header.
    expect(
      check({ method: 'GET', path: '/v1/payments/pay_1', status: 418, headers: json, text: error }),
    ).toHaveLength(1)
    expect(
      check({ method: 'GET', path: '/v1/payments/pay_1', status: 404, headers: text, text: error }),
    ).toHaveLength(1)
    expect(
      check({ method: 'GET', path: '/v1/payments/pay_1', status: 404, headers: json, text: '{"error":{}}' })
        .length,
    ).toBeGreaterThan(0)
    expect(
      check({
        method: 'GET',
        path: '/v1/payments/pay_1',
        status: 404,
        headers: new Headers({ 'content-type': 'application/json' }),
        text: error,
      }),
    ).toEqual([expect.stringContaining('Request-Id')])
    expect(
      check({ method: 'GET', path: '/v1/payments/pay_1', status: 404, headers: json, text: error }),
    ).toEqual([])
  })
})
