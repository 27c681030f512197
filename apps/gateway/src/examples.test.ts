import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { VIRTUAL_ACCOUNT_EXAMPLE_ID } from './examples.js'
import { EXAMPLE_ID_SUFFIX } from './schemas.js'
import { type FlowGateway, startFlowGateway } from './test-support/flows.js'
import { DB_TARGETS } from './test-support/harness.js'

// biome-ignore lint/suspicious/noExplicitAny: a parsed JSON document
type Json = any
type Operation = {
  operationId: string
  parameters?: Array<{ name: string; in: string; required?: boolean; example?: unknown; schema?: Json }>
  requestBody?: {
    content: Record<string, { example?: unknown; examples?: Record<string, { value: unknown }> }>
  }
  responses: Record<string, unknown>
}

/** The PGs' entry point: its requests are the PGs' own signed forms, sent by the simulators in their tests. */
const NOT_A_MERCHANT_CALL = new Set(['receiveNotification'])

/** Each documented request body of an operation (none: the operation takes no body). */
function bodyExamples(op: Operation): Array<{ name: string; value: unknown }> {
  const media = op.requestBody?.content['application/json']
  if (!media) return []
  if (media.example !== undefined) return [{ name: 'example', value: media.example }]
  return Object.entries(media.examples ?? {}).map(([name, e]) => ({ name, value: e.value }))
}

const tomorrow = () => new Date(Date.now() + 86_400_000).toISOString().slice(0, 10)

const exampleOf = (p: NonNullable<Operation['parameters']>[number]) => p.example ?? p.schema?.example

// Every documented request, sent as documented to a gateway in front of the simulators: each must get the
// operation's documented success status. The document's example ids and PG names stand for records made here.
describe.each(DB_TARGETS)('every documented request example on $name', (target) => {
  let t: FlowGateway
  let doc: Json
  beforeAll(async () => {
    t = await startFlowGateway(target, { workers: { enabled: false } })
    doc = (await t.call('GET', '/openapi.json', { key: null })).body
  })
  afterAll(async () => {
    await t?.close()
  })

  /** A payment the gateway knows, paid 50,000 KRW with 1,000 cancelled: its id, its cancellation, its event. */
  const cancelled = async () => {
    const { transactionId } = t.sims.cookiepay.seedPayment({ amount: 50_000 })
    const c = await t.call('POST', '/v1/cancellations', {
      body: { account: 'a-cookie', transactionId, amount: 1_000, reason: 'seed' },
    })
    expect(c.status, JSON.stringify(c.body)).toBe(200)
    const events = await t.call('GET', `/v1/events?objectId=${c.body.id}`)
    return {
      paymentId: c.body.paymentId as string,
      cancellationId: c.body.id as string,
      eventId: events.body.data[0].id,
    }
  }
  const billingKey = async () => {
    const card = {
      number: '4242424242424242',
      expiryYear: '30',
      expiryMonth: '12',
      ownerId: '800101',
      passwordPrefix: '12',
    }
    const bk = await t.call('POST', '/v1/billing-keys', { body: { card } })
    expect(bk.status, JSON.stringify(bk.body)).toBe(200)
    return bk.body.id as string
  }
  /** What each example value stands for here: a fresh record per use, so no example spends another's. */
  const standsFor: Record<string, () => Promise<string>> = {
    [`pay_${EXAMPLE_ID_SUFFIX}`]: async () => (await cancelled()).paymentId,
    [`can_${EXAMPLE_ID_SUFFIX}`]: async () => (await cancelled()).cancellationId,
    [`evt_${EXAMPLE_ID_SUFFIX}`]: async () => (await cancelled()).eventId,
    [`bk_${EXAMPLE_ID_SUFFIX}`]: billingKey,
    [VIRTUAL_ACCOUNT_EXAMPLE_ID]: async () => {
      const va = await t.call('POST', '/v1/virtual-accounts', {
        body: { account: 'a-nice', amount: 30_000, goodsName: 'x', bankCode: '004', dueDate: tomorrow() },
      })
      expect(va.status, JSON.stringify(va.body)).toBe(200)
      return va.body.id as string
    },
    'nice-main': async () => 'a-nice',
    nicepay00m01012601151030001234: async () => t.sims.nicepay.seedPayment({ amount: 50_000 }).transactionId,
  }
  const real = async (v: unknown): Promise<unknown> => {
    if (typeof v === 'string') return standsFor[v] ? standsFor[v]() : v
    if (Array.isArray(v)) return Promise.all(v.map(real))
    if (v && typeof v === 'object')
      return Object.fromEntries(
        await Promise.all(Object.entries(v).map(async ([k, x]) => [k, await real(x)])),
      )
    return v
  }

  it('each request body is one documented example, not a mix of every field (no empty strings, one form of a cancel)', () => {
    const ops = Object.values(doc.paths as Record<string, Record<string, Operation>>).flatMap((p) =>
      Object.values(p),
    )
    for (const op of ops.filter((o) => o.requestBody && !NOT_A_MERCHANT_CALL.has(o.operationId))) {
      const examples = bodyExamples(op)
      expect(examples.length, op.operationId).toBeGreaterThan(0)
      for (const e of examples) expect(JSON.stringify(e.value), op.operationId).not.toContain('""')
    }
    const cancels = bodyExamples(doc.paths['/v1/cancellations'].post).map(
      (e) => e.value as Record<string, unknown>,
    )
    for (const c of cancels) expect('paymentId' in c && 'transactionId' in c, JSON.stringify(c)).toBe(false)
  })

  it('each one sent as documented gets the documented success status', async () => {
    const sent: string[] = []
    for (const [path, methods] of Object.entries(doc.paths as Record<string, Record<string, Operation>>)) {
      for (const [method, op] of Object.entries(methods)) {
        if (NOT_A_MERCHANT_CALL.has(op.operationId)) continue
        const success = Object.keys(op.responses)
          .filter((s) => s.startsWith('2'))
          .sort()[0]
        const bodies = bodyExamples(op)
        for (const body of bodies.length > 0 ? bodies : [undefined]) {
          let url = path
          const query = new URLSearchParams()
          for (const p of op.parameters ?? []) {
            const example = exampleOf(p)
            if (example === undefined) {
              expect(p.required, `${op.operationId}: required ${p.in} ${p.name} has no example`).not.toBe(
                true,
              )
              continue
            }
            if (p.in === 'path')
              url = url.replace(`{${p.name}}`, encodeURIComponent(String(await real(example))))
            if (p.in === 'query') query.set(p.name, String(await real(example)))
          }
          const qs = query.size > 0 ? `?${query}` : ''
          const r = await t.call(method.toUpperCase(), `${url}${qs}`, {
            // One key per request: the document's example key is a sample, and one key serves one request.
            ...(method === 'post' || method === 'delete'
              ? { idem: `example-${op.operationId}-${body?.name}-${Date.now()}` }
              : {}),
            ...(body ? { body: await real(body.value) } : {}),
          })
          expect(
            String(r.status),
            `${op.operationId} ${JSON.stringify(body)}: ${JSON.stringify(r.body)}`,
          ).toBe(success)
          sent.push(`${op.operationId}${body ? `:${body.name}` : ''}`)
        }
      }
    }
    expect(sent).toEqual(
      expect.arrayContaining([
        'createCancellation:byPayment',
        'createCancellation:byTransaction',
        'getPayment',
        'deleteBillingKey',
        'chargeBillingKey:monthly',
        'resendEvent',
        'getReadiness',
      ]),
    )
  })
})
