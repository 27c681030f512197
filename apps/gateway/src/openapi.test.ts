import { execFile } from 'node:child_process'
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { connect } from 'node:net'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { createConfig, lintFromString } from '@redocly/openapi-core'
import openapiTS, { astToString } from 'openapi-typescript'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ERROR_CODES } from './errors.js'
import { parseIdempotencyKey } from './idempotency-keys.js'
import { IDEMPOTENCY_KEY_PATTERN } from './schemas.js'
import { startTestGateway, type TestGateway } from './test-support/harness.js'

const run = promisify(execFile)
// Inside the package's node_modules so the generated client resolves openapi-fetch like any consumer would.
const CLIENT_DIR = fileURLToPath(new URL('../node_modules/.cache/paymux-openapi-client/', import.meta.url))

// A consumer's program against the generated types: it must type-check, then it cancels a payment.
const CLIENT_SOURCE = `import createClient from 'openapi-fetch'
import type { paths } from './schema.js'

const client = createClient<paths>({ baseUrl: process.env.API_URL!, headers: { authorization: \`Bearer \${process.env.API_KEY}\` } })
const { data, error, response } = await client.POST('/v1/cancellations', {
  params: { header: { 'Idempotency-Key': \`client-\${process.env.TRANSACTION_ID}\` } },
  body: { account: 'a-cookie', transactionId: process.env.TRANSACTION_ID!, amount: 5_000, reason: 'generated client' },
})
const status: 'pending' | 'succeeded' | 'accepted' | 'deposit_required' | 'failed' | 'needs_review' | undefined = data?.status
const missing = await client.GET('/v1/cancellations/{id}', { params: { path: { id: 'can_missing' } } })
const code: string | undefined = missing.error?.error.code
console.log(JSON.stringify({ http: response.status, status, amount: data?.amount, error, missing: code }))
`

describe('OpenAPI document', () => {
  let t: TestGateway
  // biome-ignore lint/suspicious/noExplicitAny: a parsed JSON document
  let doc: any
  beforeAll(async () => {
    t = await startTestGateway({ name: 'pglite' })
    doc = (await t.call('GET', '/openapi.json', { key: null })).body
  })
  afterAll(async () => {
    await t?.close()
  })

  it('is OpenAPI 3.1 and declares every route with its request and error schemas', () => {
    expect(doc.openapi).toBe('3.1.0')
    const expected: Array<[string, string]> = [
      ['/v1/cancellations', 'post'],
      ['/v1/cancellations', 'get'],
      ['/v1/cancellations/{id}', 'get'],
      ['/v1/payments/{id}', 'get'],
      ['/v1/virtual-accounts', 'post'],
      ['/v1/billing-keys', 'post'],
      ['/v1/billing-keys/{id}', 'get'],
      ['/v1/billing-keys/{id}', 'delete'],
      ['/v1/billing-keys/{id}/charges', 'post'],
      ['/healthz', 'get'],
      ['/readyz', 'get'],
    ]
    for (const [path, method] of expected) {
      const op = doc.paths[path]?.[method]
      expect(op, `${method} ${path}`).toBeDefined()
      expect(Object.keys(op.responses).length).toBeGreaterThan(0)
      if (path.startsWith('/v1/')) {
        expect(op.security).toEqual([{ Bearer: [] }])
        expect(op.responses['401']).toBeDefined()
      }
      if (method === 'post' || method === 'delete') {
        expect(
          op.parameters?.some(
            (p: { name: string; in: string }) => p.in === 'header' && p.name === 'Idempotency-Key',
          ),
        ).toBe(true)
      }
    }
    // A cancel names its payment one of two ways, never both: the document says so (a generated client refuses
    // a body with neither at compile time).
    const schemas = doc.components.schemas
    expect(schemas.CreateCancellation.oneOf).toEqual([
      { $ref: '#/components/schemas/CancelByPayment' },
      { $ref: '#/components/schemas/CancelByTransaction' },
    ])
    expect(schemas.CancelByPayment).toMatchObject({
      required: ['paymentId', 'reason'],
      additionalProperties: false,
    })
    expect(schemas.CancelByTransaction).toMatchObject({
      required: ['transactionId', 'reason'],
      additionalProperties: false,
    })
    for (const form of [schemas.CancelByPayment, schemas.CancelByTransaction])
      expect(Object.keys(form.properties)).toEqual(
        expect.arrayContaining([
          'amount',
          'taxFreeAmount',
          'reason',
          'refundAccount',
          'expectedCancellableAmount',
        ]),
      )
    expect(Object.keys(schemas.CancelByTransaction.properties)).toEqual(
      expect.arrayContaining(['account', 'provider', 'transactionId']),
    )
    expect(doc.components.schemas.Cancellation.properties.status.enum).toEqual([
      'pending',
      'succeeded',
      'accepted',
      'deposit_required',
      'failed',
      'needs_review',
    ])
    // Every operation is named, once; errors and answers document their shape and headers.
    const ops = Object.values(doc.paths as Record<string, Record<string, { operationId?: string }>>).flatMap(
      (p) => Object.values(p).map((o) => o.operationId),
    )
    expect(ops.every((id) => typeof id === 'string' && id.length > 0)).toBe(true)
    expect(new Set(ops).size).toBe(ops.length)
    expect(doc.components.schemas.Error.properties.error.properties.type.enum).toContain('idempotency_error')
    // Every code an answer can carry, the PG's neutral ones and the gateway's own, from the list answers are typed by.
    expect(doc.components.schemas.Error.properties.error.properties.code.enum).toEqual([...ERROR_CODES])
    expect(ERROR_CODES).toEqual(
      expect.arrayContaining([
        'card_declined',
        'idempotency_key_reused',
        'cancel_in_progress',
        'route_not_found',
      ]),
    )
    expect(Object.keys(doc.paths['/v1/cancellations'].post.responses['200'].headers)).toEqual([
      'Request-Id',
      'Idempotent-Replayed',
    ])
    // Statuses are enums in the document, from the same lists as the database types.
    expect(doc.components.schemas.Payment.properties.status.enum).toContain('partial_cancelled')
    expect(doc.components.schemas.BillingKey.properties.status.enum).toContain('needs_review')
    expect(doc.components.schemas.Error.properties.error.required).toEqual(
      expect.arrayContaining(['type', 'code', 'message']),
    )
  })

  it('declares what the gateway answers beyond the happy path (ids, Idempotency-Key, notifications, probes)', async () => {
    type Op = {
      operationId: string
      parameters?: Array<{ name: string; in: string; schema: { maxLength?: number; pattern?: string } }>
      responses: Record<string, { content?: Record<string, { schema: unknown }> }>
      requestBody?: { content: Record<string, { schema: unknown }> }
    }
    const ops = Object.entries(doc.paths as Record<string, Record<string, Op>>).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => ({ path, method, op })),
    )
    // An id longer than 64 characters is a 400 naming `id` on every route that takes one.
    const byId = ops.filter((o) => o.path.includes('{id}'))
    expect(byId.map((o) => o.op.operationId)).toEqual(
      expect.arrayContaining(['getPayment', 'getCancellation', 'getEvent', 'getBillingKey', 'resendEvent']),
    )
    for (const { op } of byId) {
      expect(
        op.parameters?.find((p) => p.in === 'path' && p.name === 'id')?.schema.maxLength,
        op.operationId,
      ).toBe(64)
      expect(op.responses['400'], `${op.operationId} declares its 400`).toBeDefined()
    }
    // Every POST and DELETE of the merchant API declares the Idempotency-Key the gateway checks, with its rule,
    // and the 400 a key off the rule gets. The rule in the document is the one enforced, sample for sample.
    const mutations = ops.filter(
      (o) => (o.method === 'post' || o.method === 'delete') && o.op.operationId !== 'receiveNotification',
    )
    expect(mutations.length).toBeGreaterThanOrEqual(8)
    for (const { op } of mutations) {
      const key = op.parameters?.find((p) => p.in === 'header' && p.name === 'Idempotency-Key')
      expect(key?.schema.pattern, `${op.operationId} declares the Idempotency-Key rule`).toBe(
        IDEMPOTENCY_KEY_PATTERN,
      )
      expect(op.responses['400'], `${op.operationId} declares its 400`).toBeDefined()
    }
    const rule = new RegExp(IDEMPOTENCY_KEY_PATTERN)
    const enforced = (k: string) => {
      try {
        return parseIdempotencyKey(k) !== undefined
      } catch {
        return false
      }
    }
    for (const k of [
      'a',
      'x'.repeat(255),
      '"quoted-key"',
      `"${'x'.repeat(255)}"`,
      '',
      ' ',
      'has space',
      'x'.repeat(256),
      'clé',
      'tab\tkey',
    ])
      expect(rule.test(k), JSON.stringify(k)).toBe(enforced(k))
    // The PGs' notification endpoint: refusals come as text or JSON (Bootpay v2), success also as HTML
    // (CookiePay); a form body is named fields, not one opaque string.
    const notify = ops.find((o) => o.op.operationId === 'receiveNotification')!.op
    for (const status of ['400', '403'])
      expect(Object.keys(notify.responses[status]!.content!).sort()).toEqual([
        'application/json',
        'text/plain',
      ])
    expect(Object.keys(notify.responses['200']!.content!)).toContain('text/html')
    expect(notify.requestBody!.content['application/x-www-form-urlencoded']!.schema).toMatchObject({
      type: 'object',
      additionalProperties: { type: 'string' },
    })
    // The probes: the one client error they can meet is the HTTP server's own, a bodiless 400.
    for (const path of ['/healthz', '/readyz']) expect(doc.paths[path].get.responses['400']).toBeDefined()
    const { hostname, port } = new URL(t.url)
    const raw = await new Promise<string>((resolve, reject) => {
      let got = ''
      const socket = connect(Number(port), hostname, () =>
        socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n'),
      )
      socket.on('data', (d) => {
        got += d
      })
      socket.on('close', () => resolve(got))
      socket.on('error', reject)
    })
    expect(raw).toMatch(/^HTTP\/1\.1 400 [^\r]*\r\n(?:(?!content-length: [1-9])[^\r]*\r\n)*\r\n$/i)
  })

  it("the README has a curl for every operation (the PGs' notification route aside: the simulators send it)", () => {
    const readme = readFileSync(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8')
    const curls = readme.split('\n').filter((l) => l.includes('curl -sS'))
    const missing: string[] = []
    for (const [path, methods] of Object.entries(
      doc.paths as Record<string, Record<string, { operationId: string }>>,
    ))
      for (const [method, op] of Object.entries(methods)) {
        if (op.operationId === 'receiveNotification') continue
        // "$GW/v1/billing-keys/$BK/charges" for /v1/billing-keys/{id}/charges; no -X for a GET.
        const url = new RegExp(`"\\$GW${path.replace(/\{[^}]+\}/g, '\\$[A-Z]+')}[?"]`)
        const verb =
          method === 'get'
            ? (l: string) => !l.includes(' -X ')
            : (l: string) => l.includes(`-X ${method.toUpperCase()} `)
        if (!curls.some((l) => url.test(l) && verb(l))) missing.push(`${method.toUpperCase()} ${path}`)
      }
    expect(missing).toEqual([])
  })

  it('passes the Redocly linter (recommended rules) with no errors', async () => {
    const config = await createConfig({ extends: ['recommended'] })
    const problems = await lintFromString({
      source: JSON.stringify(doc),
      absoluteRef: 'openapi.json',
      config,
    })
    const errors = problems.filter((p) => p.severity === 'error')
    expect(errors.map((p) => `${p.ruleId}: ${p.message} @ ${p.location[0]?.pointer}`)).toEqual([])
  })

  it('a client generated by openapi-typescript type-checks and cancels a payment (openapi-fetch)', async () => {
    rmSync(CLIENT_DIR, { recursive: true, force: true })
    mkdirSync(CLIENT_DIR, { recursive: true })
    writeFileSync(join(CLIENT_DIR, 'schema.d.ts'), astToString(await openapiTS(doc)))
    writeFileSync(join(CLIENT_DIR, 'client.ts'), CLIENT_SOURCE)
    writeFileSync(join(CLIENT_DIR, 'package.json'), JSON.stringify({ type: 'module' }))
    writeFileSync(
      join(CLIENT_DIR, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          outDir: 'out',
          skipLibCheck: true,
          types: ['node'],
        },
        files: ['client.ts', 'schema.d.ts'],
      }),
    )
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc')
    await run(process.execPath, [tsc, '-p', join(CLIENT_DIR, 'tsconfig.json')]).catch(
      (err: { stdout?: string }) => {
        throw new Error(`the generated client does not type-check:\n${err.stdout}`)
      },
    )
    const { transactionId } = t.sims.cookiepay.seedPayment({ amount: 20_000 })
    const { stdout } = await run(process.execPath, [join(CLIENT_DIR, 'out', 'client.js')], {
      env: { ...process.env, API_URL: t.url, API_KEY: t.keyA, TRANSACTION_ID: transactionId },
    })
    expect(JSON.parse(stdout)).toEqual({
      http: 200,
      status: 'succeeded',
      amount: 5_000,
      missing: 'resource_missing',
    })
    expect(t.sims.cookiepay.inspect(transactionId)).toMatchObject({ cancelledAmount: 5_000 })
  })
})
