import type { CancelRequest, CancelResult, PaymentProvider } from '@paymux/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateMasterKey } from './crypto.js'
import { openDatabase } from './db/index.js'
import { defaultProviderFactory, type ProviderFactory } from './providers.js'
import {
  DB_TARGETS,
  openTestDb,
  type Sims,
  startSims,
  startTestGateway,
  type TestGateway,
} from './test-support/harness.js'

/** Holds every cancel of one account until released: the only way to observe a request mid-flight. */
class Gate {
  closed = false
  #waiters: Array<() => void> = []
  entered = 0
  wait(): Promise<void> {
    this.entered++
    return this.closed ? new Promise((r) => this.#waiters.push(r)) : Promise.resolve()
  }
  open(): void {
    this.closed = false
    for (const w of this.#waiters.splice(0)) w()
  }
}

function gatedFactory(gate: Gate): ProviderFactory {
  return async (account, ctx) => {
    const real = await defaultProviderFactory(account, ctx)
    if (account.id !== 'a-cookie') return real
    const gated: PaymentProvider = {
      id: real.id,
      capabilities: real.capabilities,
      validate: (op) => real.validate(op),
      cancel: async (req: CancelRequest, opts): Promise<CancelResult> => {
        await gate.wait()
        return real.cancel(req, opts)
      },
      getTransaction: (id, o) => real.getTransaction(id, o),
      lookupOrder: (id, o) => real.lookupOrder(id, o),
      issueBillingKey: (r, o) => real.issueBillingKey(r, o),
      chargeBillingKey: (r, o) => real.chargeBillingKey(r, o),
      deleteBillingKey: (r, o) => real.deleteBillingKey(r, o),
      issueVirtualAccount: (r, o) => real.issueVirtualAccount(r, o),
      parseNotification: (i, o) => real.parseNotification(i, o),
      startCheckout: (r, o) => real.startCheckout(r, o),
      readCheckoutReturn: (i, e, o) => real.readCheckoutReturn(i, e, o),
      approveCheckout: (a, e, o) => real.approveCheckout(a, e, o),
      undoCheckout: (a, r, o) => real.undoCheckout(a, r, o),
    }
    return gated
  }
}

describe.each(DB_TARGETS)('concurrency on $name', (target) => {
  let sims: Sims
  let shared: Awaited<ReturnType<typeof openTestDb>>
  let second: Awaited<ReturnType<typeof openDatabase>> | undefined
  let g1: TestGateway
  let g2: TestGateway
  const gate = new Gate()
  // Processes sharing a database share the master key (it keys the idempotency fingerprints).
  const masterKey = generateMasterKey()

  beforeAll(async () => {
    sims = await startSims()
    shared = await openTestDb(target)
    // On PostgreSQL the second gateway has its own connection pool, as a second process would.
    second = target.url
      ? await openDatabase({ url: target.url, schema: shared.schema, poolSize: 20 })
      : undefined
    g1 = await startTestGateway(target, {
      sims,
      shared: { db: shared.db },
      providerFactory: gatedFactory(gate),
      timeoutMs: 10_000,
      masterKey,
    })
    g2 = await startTestGateway(target, {
      sims,
      shared: { db: second ?? shared.db },
      timeoutMs: 10_000,
      masterKey,
    })
  })
  afterAll(async () => {
    await g1?.close()
    await g2?.close()
    await second?.close()
    await shared?.drop()
    await sims?.close()
  })

  it('60 concurrent partial cancels of 1,000 on a 50,000 payment through two gateways: exactly 50 succeed', async () => {
    const { transactionId } = sims.cookiepay.seedPayment({ amount: 50_000 })
    // Same merchant, same account on both gateways: g2 uses g1's API key list (same config shape).
    const results = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        (i % 2 ? g2.call : g1.call)('POST', '/v1/cancellations', {
          key: i % 2 ? g2.keyA : g1.keyA,
          idem: `race-${transactionId}-${i}`,
          body: { account: 'a-cookie', transactionId, amount: 1_000, reason: 'race' },
        }),
      ),
    )
    const by = (s: number) => results.filter((r) => r.status === s).length
    if (by(500))
      console.error([...g1.logs, ...g2.logs].filter((l) => l.includes('request failed')).join('\n'))
    expect(
      by(200),
      JSON.stringify(results.filter((r) => r.status !== 200 && r.status !== 409).map((r) => r.body)),
    ).toBe(50)
    expect(
      by(409),
      JSON.stringify(
        results.filter((r) => r.status !== 200 && r.status !== 409).map((r) => [r.status, r.body]),
      ),
    ).toBe(10)
    for (const r of results.filter((x) => x.status === 409)) {
      expect(['amount_exceeds_cancellable', 'already_cancelled', 'cancel_in_progress']).toContain(
        r.body.error.code,
      )
    }
    expect(sims.cookiepay.inspect(transactionId)).toMatchObject({ cancelledAmount: 50_000, cancelCount: 50 })
    const paymentId = results.find((r) => r.status === 200)!.body.paymentId
    const pay = await g1.call('GET', `/v1/payments/${paymentId}`)
    expect(pay.body).toMatchObject({
      status: 'cancelled',
      amount: 50_000,
      cancelledAmount: 50_000,
      reservedAmount: 0,
    })
    expect(pay.body.cancellations.filter((c: { status: string }) => c.status === 'succeeded')).toHaveLength(
      50,
    )
  })

  it('the same Idempotency-Key while the first request is in flight gets 409, then the replay', async () => {
    const { transactionId } = sims.cookiepay.seedPayment({ amount: 10_000 })
    const body = { account: 'a-cookie', transactionId, amount: 2_500, reason: 'in flight' }
    gate.closed = true
    const entered = gate.entered
    const first = g1.call('POST', '/v1/cancellations', { idem: `busy-${transactionId}`, body })
    while (gate.entered === entered) await new Promise((r) => setTimeout(r, 10))
    try {
      const during = await g2.call('POST', '/v1/cancellations', {
        key: g2.keyA,
        idem: `busy-${transactionId}`,
        body,
      })
      expect(during.status).toBe(409)
      expect(during.body.error).toMatchObject({ type: 'idempotency_error', code: 'idempotency_key_in_use' })
      const mismatch = await g1.call('POST', '/v1/cancellations', {
        idem: `busy-${transactionId}`,
        body: { ...body, amount: 1 },
      })
      expect(mismatch.status).toBe(422)
      // While it is in flight its amount is reserved: the balance others see excludes it.
      const other = await g2.call('POST', '/v1/cancellations', {
        key: g2.keyA,
        body: { ...body, amount: 7_501 },
      })
      expect(other.status).toBe(409)
    } finally {
      gate.open()
    }
    const done = await first
    expect(done.status).toBe(200)
    const replay = await g2.call('POST', '/v1/cancellations', {
      key: g2.keyA,
      idem: `busy-${transactionId}`,
      body,
    })
    expect(replay.status).toBe(200)
    expect(replay.headers.get('idempotent-replayed')).toBe('true')
    expect(replay.body.id).toBe(done.body.id)
    expect(sims.cookiepay.inspect(transactionId)).toMatchObject({ cancelledAmount: 2_500, cancelCount: 1 })
  })

  it('50 concurrent requests with one Idempotency-Key: one PG cancel, every answer the same cancellation', async () => {
    const { transactionId } = sims.cookiepay.seedPayment({ amount: 10_000 })
    const body = { account: 'a-cookie', transactionId, amount: 1_200, reason: 'storm' }
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        (i % 2 ? g2.call : g1.call)('POST', '/v1/cancellations', {
          key: i % 2 ? g2.keyA : g1.keyA,
          idem: `storm-${transactionId}`,
          body,
        }),
      ),
    )
    const ok = results.filter((r) => r.status === 200)
    expect(ok.length + results.filter((r) => r.status === 409).length).toBe(50)
    expect(ok.length).toBeGreaterThanOrEqual(1)
    expect(new Set(ok.map((r) => r.body.id)).size).toBe(1)
    expect(sims.cookiepay.inspect(transactionId)).toMatchObject({ cancelledAmount: 1_200, cancelCount: 1 })
  })

  it('racing first cancels of a NicePay payment made elsewhere (no lookup): the ledger and the PG agree', async () => {
    const { transactionId } = sims.nicepay.seedPayment({ amount: 30_000 })
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        (i % 2 ? g2.call : g1.call)('POST', '/v1/cancellations', {
          key: i % 2 ? g2.keyA : g1.keyA,
          body: { account: 'a-nice', transactionId, amount: 1_000, reason: 'race' },
        }),
      ),
    )
    for (const r of results) expect([200, 409], JSON.stringify(r.body)).toContain(r.status)
    const ok = results.filter((r) => r.status === 200)
    expect(ok.length).toBeGreaterThanOrEqual(1)
    expect(new Set(ok.map((r) => r.body.paymentId)).size).toBe(1)
    const sim = sims.nicepay.inspect(transactionId)!
    expect(sim.cancelledAmount).toBe(ok.length * 1_000)
    const pay = await g1.call('GET', `/v1/payments/${ok[0]!.body.paymentId}`)
    expect(pay.body).toMatchObject({
      cancelledAmount: ok.length * 1_000,
      reservedAmount: 0,
      amount: 30_000,
      balanceSource: 'learned',
    })
  })

  it('closing a gateway lets a cancel in flight finish and record its answer', async () => {
    const gate3 = new Gate()
    const g3 = await startTestGateway(target, {
      sims,
      shared: { db: shared.db },
      providerFactory: gatedFactory(gate3),
      timeoutMs: 10_000,
      masterKey,
    })
    const { transactionId } = sims.cookiepay.seedPayment({ amount: 10_000 })
    // Known to the gateway first, so that only the cancel itself is held at the gate.
    const warm = await g3.call('POST', '/v1/cancellations', {
      body: { account: 'a-cookie', transactionId, amount: 1_000, reason: 'warm' },
    })
    expect(warm.status).toBe(200)
    gate3.closed = true
    const entered = gate3.entered
    const inFlight = g3.call('POST', '/v1/cancellations', {
      body: { account: 'a-cookie', transactionId, amount: 2_000, reason: 'shutdown' },
    })
    while (gate3.entered === entered) await new Promise((r) => setTimeout(r, 10))
    const closing = g3.close()
    await new Promise((r) => setTimeout(r, 150))
    gate3.open()
    const done = await inFlight
    await closing
    expect(done.status).toBe(200)
    expect(done.body.status).toBe('succeeded')
    const pay = await g1.call('GET', `/v1/payments/${warm.body.paymentId}`)
    expect(pay.body).toMatchObject({ cancelledAmount: 3_000, reservedAmount: 0 })
  })
})
