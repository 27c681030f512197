import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Demo, startDemo } from '@paymux/gateway'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createPaymuxClient, PaymuxError } from './index.js'

// The gateway's own document, as scripts/generate.mjs wrote it for this build.
type Operation = {
  operationId: string
  parameters?: Array<{ name: string; in: 'path' | 'query' | 'header' }>
  requestBody?: unknown
}
const doc = JSON.parse(readFileSync(new URL('./generated/openapi.json', import.meta.url), 'utf8')) as {
  paths: Record<string, Record<string, Operation>>
}
/** Every merchant operation: each `/v1` route but the PGs' notification endpoint. */
const operations = Object.entries(doc.paths)
  .filter(([path]) => path.startsWith('/v1/'))
  .flatMap(([path, byMethod]) =>
    Object.entries(byMethod).map(([method, op]) => ({ path, method: method.toUpperCase(), ...op })),
  )
  .filter((op) => op.operationId !== 'receiveNotification')

// The client hands fetch a Request (not always this realm's class: @hono/node-server installs its own).
const sent = (input: string | URL | Request) =>
  typeof input === 'object' && 'method' in input ? input : undefined

describe('@paymux/client: one method per operation of the gateway, against the demo gateway', () => {
  let demo: Demo
  let dir: string
  const requests: Array<{ method: string; path: string; key: string | null }> = []
  let paymux: ReturnType<typeof createPaymuxClient>
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'paymux-client-ops-'))
    demo = await startDemo({ port: 0, dataDir: dir, logLevel: 'silent' })
    // The webhook outbox, as `paymux demo` runs it: events get delivered to the demo shop.
    demo.gateway.startWorkers()
    paymux = createPaymuxClient({
      baseUrl: demo.url,
      apiKey: demo.apiKey,
      // The real fetch, watched: what each method sent.
      fetch: async (input, init) => {
        const req = sent(input)
        if (req) {
          const url = new URL(req.url)
          requests.push({ method: req.method, path: url.pathname, key: req.headers.get('idempotency-key') })
        }
        return fetch(input, init)
      },
    })
  })
  afterAll(async () => {
    await demo?.close()
    rmSync(dir, { recursive: true, force: true })
  })
  const seeded = (provider: string, i: number) => demo.seeded.filter((p) => p.provider === provider)[i]!

  it('has a method named by every operationId, which sends that operation and answers or throws a PaymuxError', async () => {
    expect(operations.length).toBeGreaterThanOrEqual(15)
    const methods = paymux as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>
    for (const op of operations) {
      expect(typeof methods[op.operationId], `no method for ${op.operationId}`).toBe('function')
      // The arguments follow the route: path ids, then the body (or the query), then options. A body of
      // nothing is refused and ids that do not exist are not found: nothing is recorded or sent to a PG.
      const ids = (op.parameters ?? []).filter((p) => p.in === 'path').map(() => 'missing')
      const hasQuery = (op.parameters ?? []).some((p) => p.in === 'query')
      const args = [...ids, ...(op.requestBody || hasQuery ? [{}] : [])]
      requests.length = 0
      const outcome = await methods[op.operationId]!(...args).catch((e: unknown) => e)
      if (outcome instanceof Error) {
        expect(outcome, `${op.operationId}: ${outcome}`).toBeInstanceOf(PaymuxError)
        expect([400, 404], op.operationId).toContain((outcome as PaymuxError).status)
      }
      expect(requests, op.operationId).toHaveLength(1)
      expect(requests[0], op.operationId).toMatchObject({
        method: op.method,
        path: op.path.replace(/\{[^}]+\}/g, 'missing'),
      })
      // Every mutation carries a key, also where the document declares no header (the gateway checks it).
      if (op.method !== 'GET') expect(requests[0]!.key, op.operationId).toMatch(/^[0-9a-f-]{36}$/)
      if (op.method === 'GET') expect(requests[0]!.key, op.operationId).toBeNull()
    }
  })

  it("lists the merchant's accounts with their health; ejects and restores one by hand", async () => {
    const accounts = await paymux.listAccounts()
    const ids = accounts.data.map((a) => a.id)
    expect(ids.length).toBeGreaterThan(0)
    const id = ids[0]!
    expect(accounts.data[0]!.health.status).toBe('healthy')
    expect(await paymux.ejectAccount(id)).toMatchObject({ id, health: { status: 'ejected', manual: true } })
    expect(await paymux.restoreAccount(id)).toMatchObject({
      id,
      health: { status: 'healthy', manual: false },
    })
  })

  it('creates a checkout, finds it by order id, and a second one for the same order is a thrown 409', async () => {
    const order = {
      orderId: `client-order-${Date.now()}`,
      amount: 15_000,
      orderName: 'T-shirt',
      method: 'card' as const,
      successUrl: 'https://shop.example.com/paid',
      failUrl: 'https://shop.example.com/failed',
      account: 'nice-demo',
    }
    const payment = await paymux.createPayment(order)
    expect(payment).toMatchObject({
      status: 'requires_authentication',
      amount: 15_000,
      orderId: order.orderId,
    })
    expect(payment.checkoutUrl).toMatch(/^http/)
    const duplicate = await paymux.createPayment(order).catch((e: unknown) => e)
    expect(duplicate).toBeInstanceOf(PaymuxError)
    expect(duplicate).toMatchObject({ status: 409, code: 'duplicate_order_id' })

    const found = await paymux.listPayments({ orderId: order.orderId })
    expect(found.data.map((p) => p.id)).toEqual([payment.id])
    expect(found.hasMore).toBe(false)
    expect(await found.nextPage()).toBeUndefined()
    expect(await paymux.getPayment(payment.id)).toMatchObject({
      id: payment.id,
      status: 'requires_authentication',
    })
  })

  it('`for await` over listPayments walks every page by the cursor, each payment once', async () => {
    const all = (await paymux.listPayments({ limit: 100 })).data.map((p) => p.id)
    expect(all.length).toBeGreaterThanOrEqual(9)
    requests.length = 0
    const walked: string[] = []
    for await (const p of paymux.listPayments({ limit: 2 })) walked.push(p.id)
    expect(walked).toEqual(all)
    const pages = requests.filter((r) => r.path === '/v1/payments')
    expect(pages.length).toBe(Math.ceil(all.length / 2))

    // The same from an awaited page, and one page at a time.
    const first = await paymux.listPayments({ limit: 2 })
    expect(first).toMatchObject({ object: 'list', hasMore: true })
    expect(first.data).toHaveLength(2)
    const second = await first.nextPage()
    expect(second?.data.map((p) => p.id)).toEqual(all.slice(2, 4))
    const fromFirst: string[] = []
    for await (const p of first) fromFirst.push(p.id)
    expect(fromFirst).toEqual(all)
    // The page is the gateway's JSON: the paging helpers do not show in it.
    expect(Object.keys(first).sort()).toEqual(['data', 'hasMore', 'object'])
  })

  it('a bad cursor mid-walk is a thrown PaymuxError, not an end of the list', async () => {
    const walk = async () => {
      for await (const _ of paymux.listPayments({ startingAfter: 'pay_doesnotexist' })) {
        /* nothing: the first page already fails */
      }
    }
    await expect(walk()).rejects.toMatchObject({ name: 'PaymuxError', status: 404 })
  })

  it('issues a virtual account and closes it', async () => {
    const due = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10)
    const va = await paymux.createVirtualAccount({
      amount: 30_000,
      goodsName: 'Order 9',
      bankCode: '004',
      dueDate: due,
    })
    expect(va).toMatchObject({ status: 'waiting_for_deposit', account: 'nice-demo' })
    const closed = await paymux.closePayment(va.id, { idempotencyKey: `close-${va.id}` })
    expect(closed).toMatchObject({ id: va.id, status: 'closed' })
    expect(demo.simulators.nicepay.inspect(va.transactionId!)).toMatchObject({ status: 'cancelled' })
    const again = await paymux.closePayment(va.id).catch((e: unknown) => e)
    expect(again).toMatchObject({ name: 'PaymuxError', status: 409, code: 'already_closed' })
  })

  it('registers a card, charges it, reads and deletes the billing key', async () => {
    const bk = await paymux.createBillingKey({
      card: {
        number: '4111111111111111',
        expiryYear: '30',
        expiryMonth: '12',
        ownerId: '800101',
        passwordPrefix: '12',
      },
    })
    expect(bk).toMatchObject({ status: 'active', account: 'nice-demo' })
    const charge = await paymux.chargeBillingKey(bk.id, { amount: 9_900, goodsName: 'Monthly plan' })
    expect(charge).toMatchObject({ status: 'paid', amount: 9_900, billingKeyId: bk.id })
    expect(await paymux.getBillingKey(bk.id)).toMatchObject({ id: bk.id, status: 'active' })
    const deleted = await paymux.deleteBillingKey(bk.id, { reason: 'card replaced' })
    expect(deleted).toMatchObject({ id: bk.id, status: 'deleted' })
    const declined = await paymux
      .createBillingKey({ card: { number: '4000000000000002', expiryYear: '30', expiryMonth: '12' } })
      .catch((e: unknown) => e)
    expect(declined).toMatchObject({ name: 'PaymuxError', status: 422 })
  })

  it('cancels (by its operationId and by the old name), reads and lists the cancellations; the event is listed, read and resent', async () => {
    const p = seeded('nicepay', 0)
    const first = await paymux.createCancellation({ paymentId: p.paymentId, amount: 1_000, reason: 'one' })
    const second = await paymux.cancel({ paymentId: p.paymentId, amount: 2_000, reason: 'two' })
    expect([first.status, second.status]).toEqual(['succeeded', 'succeeded'])
    expect(await paymux.getCancellation(first.id)).toMatchObject({ id: first.id, amount: 1_000 })
    const listed = await paymux.listCancellations({ paymentId: p.paymentId })
    expect(listed.data.map((c) => c.id)).toEqual([second.id, first.id])
    const walked: string[] = []
    for await (const c of paymux.listCancellations({ paymentId: p.paymentId, limit: 1 })) walked.push(c.id)
    expect(walked).toEqual([second.id, first.id])

    const events = await paymux.listEvents({ objectId: first.id })
    expect(events.data.map((e) => e.type)).toContain('cancellation.succeeded')
    const event = events.data.find((e) => e.type === 'cancellation.succeeded')!
    // The demo shop is the merchant's webhook endpoint: a resend waits until the first delivery is done.
    await expect
      .poll(async () => (await paymux.getEvent(event.id)).delivery.status, { timeout: 15_000 })
      .toBe('delivered')
    const resent = await paymux.resendEvent(event.id)
    expect(resent).toMatchObject({ id: event.id, delivery: { status: 'pending', resends: 1 } })
    const missing = await paymux.getEvent('evt_doesnotexist').catch((e: unknown) => e)
    expect(missing).toMatchObject({
      name: 'PaymuxError',
      status: 404,
      requestId: expect.stringMatching(/^req_/),
    })
  })
})
