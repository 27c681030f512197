import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  DB_TARGETS,
  findLeaks,
  secretsOf,
  startTestGateway,
  type TestGateway,
  ledgerOf,
  REGISTRY_ACCOUNTS,
} from './test-support/harness.js'

describe.each(DB_TARGETS)('cancellations on $name', (target) => {
  let t: TestGateway
  beforeAll(async () => {
    t = await startTestGateway(target)
  })
  afterAll(async () => {
    const leaks = t ? findLeaks(t.logs, secretsOf(t)) : []
    await t?.close()
    expect(leaks).toEqual([])
  })

  const cancel = (body: Record<string, unknown>, idem?: string, key?: string) =>
    t.call('POST', '/v1/cancellations', {
      body: { reason: 'test', ...body },
      ...(idem ? { idem } : {}),
      ...(key ? { key } : {}),
    })

  describe('auth and input', () => {
    it('401 without a key, with a wrong key, with a malformed header', async () => {
      for (const key of [null, 'sk_wrong', 'x'.repeat(600)]) {
        const r = await t.call('POST', '/v1/cancellations', {
          key,
          body: { paymentId: 'pay_x', reason: 'r' },
        })
        expect(r.status).toBe(401)
        expect(r.body.error.type).toBe('authentication_error')
        expect(r.body.requestId).toMatch(/^req_/)
      }
      const r = await t.call('GET', '/v1/cancellations', {
        key: null,
        headers: { authorization: 'Basic abc' },
      })
      expect(r.status).toBe(401)
    })

    it('400 names the field: missing reason, negative amount, fraction, unknown field, both ids', async () => {
      const cases: Array<[Record<string, unknown>, string]> = [
        [{ paymentId: 'pay_x', reason: undefined }, 'reason'],
        [{ paymentId: 'pay_x', amount: -5 }, 'amount'],
        [{ paymentId: 'pay_x', amount: 10.5 }, 'amount'],
        [{ paymentId: 'pay_x', amount: 1e13 }, 'amount'],
        [{ paymentId: 'pay_x', amount: '1000' }, 'amount'],
        [{ paymentId: 'pay_x', ammount: 1000 }, 'ammount'],
        [{ payment_id: 'pay_x' }, 'payment_id'],
        [{ paymentId: 'pay_x', account: 'a-nice', transactionId: 't' }, 'account'],
        [{}, 'paymentId'],
        [
          { paymentId: 'pay_x', refundAccount: { bankCode: '4', accountNumber: '123456', holderName: 'x' } },
          'refundAccount.bankCode',
        ],
        [{ paymentId: 'pay_x', amount: 100, taxFreeAmount: 200 }, 'taxFreeAmount'],
      ]
      for (const [body, param] of cases) {
        const r = await cancel(body)
        expect(r.status, JSON.stringify(body)).toBe(400)
        expect(r.body.error.type).toBe('invalid_request_error')
        if (param) expect(r.body.error.param).toBe(param)
      }
      const typo = await cancel({ payment_id: 'pay_x' })
      expect(typo.body.error.message).toBe('Unrecognized key "payment_id" — did you mean "paymentId"?')
      expect(t.sims.cookiepay.faults.calls + t.sims.nicepay.faults.calls).toBe(0)
    })

    it('400 on malformed JSON, a non-JSON content type and a bad Idempotency-Key; 413 on an oversized body', async () => {
      const bad = await t.call('POST', '/v1/cancellations', { rawBody: '{"reason": "x",' })
      expect(bad.status).toBe(400)
      expect(bad.body.error.code).toBe('invalid_json')
      const form = await t.call('POST', '/v1/cancellations', {
        rawBody: 'a=b',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      })
      expect(form.status).toBe(400)
      expect(form.body.error.param).toBe('Content-Type')
      const key = await cancel({ paymentId: 'pay_x' }, 'bad key with spaces')
      expect(key.status).toBe(400)
      expect(key.body.error.param).toBe('Idempotency-Key')
      const big = await t.call('POST', '/v1/cancellations', {
        body: { paymentId: 'pay_x', reason: 'x'.repeat(20_000) },
      })
      expect(big.status).toBe(413)
      expect(big.body.error.code).toBe('body_too_large')
      expect(big.body.requestId).toMatch(/^req_/)
    })

    it('404 for an unknown payment and an unknown route, in the one error shape', async () => {
      const r = await cancel({ paymentId: 'pay_doesnotexist' })
      expect(r.status).toBe(404)
      expect(r.body.error.code).toBe('resource_missing')
      const g = await t.call('GET', '/v1/cancellations/can_nope')
      expect(g.status).toBe(404)
      const route = await t.call('GET', '/v1/nothing-here')
      expect(route.status).toBe(404)
      expect(route.body.error.type).toBe('not_found_error')
    })

    it('400 for an account the merchant does not have, and when the account is ambiguous', async () => {
      const r = await cancel({ account: 'b-cookie', transactionId: 'x', amount: 1000 })
      expect(r.status).toBe(400)
      expect(r.body.error.param).toBe('account')
      const amb = await cancel({ provider: 'cookiepay', transactionId: 'x', amount: 1000 })
      expect(amb.status).toBe(400)
      expect(amb.body.error.code).toBe('account_required')
    })
  })

  describe.each([
    { account: 'a-cookie', sim: 'cookiepay' as const, lookup: true },
    { account: 'a-boot', sim: 'bootpay' as const, lookup: true },
    { account: 'a-boot-v1', sim: 'bootpay' as const, lookup: true },
    { account: 'a-nice', sim: 'nicepay' as const, lookup: false },
    // Every other registered PG, from the registry (their lookups report amounts).
    ...REGISTRY_ACCOUNTS.map((r) => ({ account: r.account, sim: r.provider, lookup: true })),
  ])('$account', ({ account, sim, lookup }) => {
    it('partial cancel, then the remainder; the ledger matches the PG', async () => {
      const { transactionId } = ledgerOf(t.sims, sim).seedPayment({ amount: 50_000 })
      const first = await cancel({ account, transactionId, amount: 2_000 }, `p1-${transactionId}`)
      expect(first.status, JSON.stringify(first.body)).toBe(200)
      expect(first.body).toMatchObject({
        status: 'succeeded',
        amount: 2_000,
        account,
        transactionId,
        object: 'cancellation',
      })
      expect(first.body.id).toMatch(/^can_/)
      const pay = await t.call('GET', `/v1/payments/${first.body.paymentId}`)
      expect(pay.status).toBe(200)
      expect(pay.body.cancelledAmount).toBe(2_000)
      expect(pay.body.balanceSource).toBe(lookup ? 'lookup' : 'learned')
      expect(pay.body.amount).toBe(50_000)
      expect(pay.body.cancellableAmount).toBe(48_000)
      expect(pay.body.cancellations).toHaveLength(1)

      const rest = await cancel({ paymentId: first.body.paymentId }, `p2-${transactionId}`)
      expect(rest.status, JSON.stringify(rest.body)).toBe(200)
      expect(rest.body.amount).toBe(48_000)
      const after = await t.call('GET', `/v1/payments/${first.body.paymentId}`)
      expect(after.body).toMatchObject({
        status: 'cancelled',
        cancelledAmount: 50_000,
        cancellableAmount: 0,
      })
      expect(ledgerOf(t.sims, sim).inspect(transactionId)).toMatchObject({
        cancelledAmount: 50_000,
        cancelCount: 2,
      })

      const again = await cancel({ paymentId: first.body.paymentId, amount: 2_000 })
      expect(again.status).toBe(409)
      expect(again.body.error.code).toBe('already_cancelled')
    })

    it('replays the same key without a second PG call; 422 on a different body under the same key', async () => {
      const { transactionId } = ledgerOf(t.sims, sim).seedPayment({ amount: 30_000 })
      const key = `replay-${transactionId}`
      const a = await cancel({ account, transactionId, amount: 3_000 }, key)
      expect(a.status).toBe(200)
      expect(a.headers.get('idempotent-replayed')).toBeNull()
      const logged = t.logs.length
      const b = await cancel({ account, transactionId, amount: 3_000 }, key)
      expect(b.status).toBe(200)
      expect(b.headers.get('idempotent-replayed')).toBe('true')
      // A replay is the normal answer to a client's retry: one access line, no error (nor the stored body).
      const lines = t.logs.slice(logged).map((l) => JSON.parse(l) as { level: number; msg: string })
      expect(lines.filter((l) => l.level >= 40)).toEqual([])
      expect(lines.filter((l) => l.msg === 'request')).toHaveLength(1)
      expect(b.body).toEqual(a.body)
      // Byte for byte, key order included.
      expect(JSON.stringify(b.body)).toBe(JSON.stringify(a.body))
      expect(ledgerOf(t.sims, sim).inspect(transactionId)).toMatchObject({
        cancelledAmount: 3_000,
        cancelCount: 1,
      })
      const c = await cancel({ account, transactionId, amount: 4_000 }, key)
      expect(c.status).toBe(422)
      expect(c.body.error).toMatchObject({ type: 'idempotency_error', code: 'idempotency_key_reused' })
      // The key is per merchant: merchant B may use the same string for its own request.
      const other = await t.call('GET', `/v1/cancellations/${a.body.id}`, { key: t.keyB })
      expect(other.status).toBe(404)
    })
  })

  it('409 when the amount exceeds the balance or expectedCancellableAmount does not match; the PG is not called', async () => {
    const { transactionId } = t.sims.cookiepay.seedPayment({ amount: 10_000 })
    const ok = await cancel({
      account: 'a-cookie',
      transactionId,
      amount: 4_000,
      expectedCancellableAmount: 10_000,
    })
    expect(ok.status).toBe(200)
    const calls = t.sims.cookiepay.faults.calls
    const over = await cancel({ account: 'a-cookie', transactionId, amount: 6_001 })
    expect(over.status).toBe(409)
    expect(over.body.error).toMatchObject({ code: 'amount_exceeds_cancellable', param: 'amount' })
    const stale = await cancel({
      account: 'a-cookie',
      transactionId,
      amount: 1_000,
      expectedCancellableAmount: 10_000,
    })
    expect(stale.status).toBe(409)
    expect(stale.body.error.code).toBe('cancellable_amount_mismatch')
    expect(t.sims.cookiepay.faults.calls).toBe(calls)
    const exact = await cancel({ account: 'a-cookie', transactionId, expectedCancellableAmount: 6_000 })
    expect(exact.status).toBe(200)
    expect(exact.body.amount).toBe(6_000)
  })

  it('404 for a transaction the PG does not know (lookup before the first cancel)', async () => {
    const r = await cancel({ account: 'a-cookie', transactionId: 'cTS00000000000000000', amount: 1_000 })
    expect(r.status).toBe(404)
    expect(r.body.error.code).toBe('transaction_not_found')
  })

  it('a Bootpay partial cancel of 1,000 won or less is refused before anything is recorded (seed 003), naming amount', async () => {
    const { transactionId } = t.sims.bootpay.seedPayment({ amount: 20_000 })
    const calls = t.sims.bootpay.inspect(transactionId)
    const r = await cancel({ account: 'a-boot', transactionId, amount: 900 }, `small-${transactionId}`)
    expect(r.status).toBe(400)
    expect(r.body.error).toMatchObject({ type: 'invalid_request_error', param: 'amount' })
    expect(r.body.error.cancellationId).toBeUndefined()
    expect(t.sims.bootpay.inspect(transactionId)).toEqual(calls)
    // The key was not spent: the corrected request goes through under it.
    const ok = await cancel({ account: 'a-boot', transactionId, amount: 2_000 }, `small-${transactionId}`)
    expect(ok.status, JSON.stringify(ok.body)).toBe(200)
  })

  it('a PG refusal is recorded as a failed cancellation with the PG code, and the balance is released', async () => {
    const { transactionId } = t.sims.bootpay.seedPayment({ amount: 20_000 })
    const first = await cancel({ account: 'a-boot', transactionId, amount: 2_000 })
    expect(first.status).toBe(200)
    // Cancelled at Bootpay itself (its admin page), unknown to the gateway: Bootpay refuses the next cancel.
    const provider = t.gateway.runtime.merchants.get('shop-a')!.accounts.get('a-boot')!.provider
    await provider.cancel({ transactionId, reason: 'admin', cancelId: `admin-${transactionId}` })
    const r = await cancel({ paymentId: first.body.paymentId, amount: 5_000 })
    expect(r.status).toBeGreaterThanOrEqual(400)
    expect(r.status).toBeLessThan(500)
    expect(r.body.error.providerCode).toBeTruthy()
    const id = r.body.error.cancellationId
    expect(id).toMatch(/^can_/)
    const rec = await t.call('GET', `/v1/cancellations/${id}`)
    expect(rec.body.status).toBe('failed')
    expect(rec.body.failure.providerCode).toBe(r.body.error.providerCode)
    const pay = await t.call('GET', `/v1/payments/${rec.body.paymentId}`)
    expect(pay.body).toMatchObject({ reservedAmount: 0, cancellableAmount: 18_000 })
  })

  it('an unreachable PG is 503 and the same Idempotency-Key may be retried', async () => {
    const r = await cancel(
      { account: 'a-down', transactionId: 'cTS11111111111111111', amount: 1_000 },
      'down-1',
    )
    expect(r.status).toBe(503)
    expect(r.body.error.type).toBe('provider_unavailable')
    const again = await cancel(
      { account: 'a-down', transactionId: 'cTS11111111111111111', amount: 1_000 },
      'down-1',
    )
    expect(again.status).toBe(503)
    expect(again.headers.get('idempotent-replayed')).toBeNull()
  })

  it('an unreadable lookup answer is 502', async () => {
    t.sims.cookiepay.faults.inject({ fault: { kind: 'html' }, path: 'paycert', times: 1 })
    const { transactionId } = t.sims.cookiepay.seedPayment({ amount: 10_000 })
    const r = await cancel({ account: 'a-cookie', transactionId, amount: 1_000 })
    t.sims.cookiepay.faults.clear()
    expect([502, 503]).toContain(r.status)
    expect(['provider_error', 'provider_unavailable']).toContain(r.body.error.type)
  })

  it('a timed-out cancel is pending (202), keeps its reservation, replays its current state and is never re-sent', async () => {
    const { transactionId } = t.sims.cookiepay.seedPayment({ amount: 10_000 })
    // Warm the lookup so the fault hits the cancel itself.
    const warm = await cancel({ account: 'a-cookie', transactionId, amount: 1_000 })
    expect(warm.status).toBe(200)
    t.sims.cookiepay.faults.inject({ fault: { kind: 'delay', ms: 1_500 }, path: 'cancel', times: 1 })
    const r = await cancel({ account: 'a-cookie', transactionId, amount: 2_000 }, `timeout-${transactionId}`)
    expect(r.status).toBe(202)
    expect(r.body.status).toBe('pending')
    expect(r.body.pendingReason.code).toBe('timeout')
    const pay = await t.call('GET', `/v1/payments/${r.body.paymentId}`)
    expect(pay.body).toMatchObject({ reservedAmount: 2_000, cancellableAmount: 7_000 })
    await new Promise((res) => setTimeout(res, 1_300))
    // The PG executed it after all; the gateway must not send it again on a replay.
    const replay = await cancel(
      { account: 'a-cookie', transactionId, amount: 2_000 },
      `timeout-${transactionId}`,
    )
    expect(replay.status).toBe(202)
    expect(replay.headers.get('idempotent-replayed')).toBe('true')
    expect(replay.body.id).toBe(r.body.id)
    expect(t.sims.cookiepay.inspect(transactionId)).toMatchObject({ cancelledAmount: 3_000, cancelCount: 2 })
    // Whole-remainder cancels wait for the pending one to resolve.
    const rest = await cancel({ paymentId: r.body.paymentId })
    expect(rest.status).toBe(409)
    expect(rest.body.error.code).toBe('cancel_in_progress')
  })

  it('lists cancellations by transactionId and paymentId, newest first, with a cursor; other merchants see none', async () => {
    const { transactionId } = t.sims.cookiepay.seedPayment({ amount: 10_000 })
    const ids: string[] = []
    for (const amount of [1_000, 1_500, 2_000]) {
      const r = await cancel({ account: 'a-cookie', transactionId, amount })
      expect(r.status).toBe(200)
      ids.push(r.body.id)
    }
    const list = await t.call('GET', `/v1/cancellations?transactionId=${transactionId}&limit=2`)
    expect(list.status).toBe(200)
    expect(list.body.data.map((c: { id: string }) => c.id)).toEqual([ids[2], ids[1]])
    expect(list.body.hasMore).toBe(true)
    const next = await t.call(
      'GET',
      `/v1/cancellations?transactionId=${transactionId}&limit=2&startingAfter=${ids[1]}`,
    )
    expect(next.body.data.map((c: { id: string }) => c.id)).toEqual([ids[0]])
    expect(next.body.hasMore).toBe(false)
    const byPayment = await t.call('GET', `/v1/cancellations?paymentId=${list.body.data[0].paymentId}`)
    expect(byPayment.body.data).toHaveLength(3)
    const b = await t.call('GET', `/v1/cancellations?transactionId=${transactionId}`, { key: t.keyB })
    expect(b.body.data).toEqual([])
    const bPay = await t.call('GET', `/v1/payments/${list.body.data[0].paymentId}`, { key: t.keyB })
    expect(bPay.status).toBe(404)
    const bCancel = await t.call('POST', '/v1/cancellations', {
      key: t.keyB,
      body: { paymentId: list.body.data[0].paymentId, reason: 'x' },
    })
    expect(bCancel.status).toBe(404)
    const badLimit = await t.call('GET', '/v1/cancellations?limit=1000')
    expect(badLimit.status).toBe(400)
    expect(badLimit.body.error.param).toBe('limit')
  })

  it('with database.settleCommit async the answer is recorded the same way', async () => {
    const cfg = t.gateway.runtime.config.database
    cfg.settleCommit = 'async'
    try {
      const { transactionId } = t.sims.cookiepay.seedPayment({ amount: 8_000 })
      const r = await cancel({ account: 'a-cookie', transactionId, amount: 3_000 }, `async-${transactionId}`)
      expect(r.status).toBe(200)
      const pay = await t.call('GET', `/v1/payments/${r.body.paymentId}`)
      expect(pay.body).toMatchObject({ cancelledAmount: 3_000, reservedAmount: 0, cancellableAmount: 5_000 })
      const replay = await cancel(
        { account: 'a-cookie', transactionId, amount: 3_000 },
        `async-${transactionId}`,
      )
      expect(replay.headers.get('idempotent-replayed')).toBe('true')
    } finally {
      cfg.settleCommit = 'durable'
    }
  })

  it('CookiePay after settlement: deposit_required with instructions; the amount stays reserved', async () => {
    const { transactionId } = t.sims.cookiepay.seedPayment({ amount: 20_000, settled: true })
    const r = await cancel({ account: 'a-cookie', transactionId, amount: 5_000 }, `dep-${transactionId}`)
    expect(r.status, JSON.stringify(r.body)).toBe(200)
    expect(r.body.status).toBe('deposit_required')
    expect(r.body.depositInstructions).toMatchObject({ cancelAmount: 5_000 })
    expect(r.body.depositInstructions.accountNumber).toBeTruthy()
    expect(r.body.depositInstructions.depositAmount).toBeGreaterThanOrEqual(5_000)
    const pay = await t.call('GET', `/v1/payments/${r.body.paymentId}`)
    expect(pay.body).toMatchObject({ reservedAmount: 5_000, cancelledAmount: 0, cancellableAmount: 15_000 })
    const rest = await cancel({ paymentId: r.body.paymentId })
    expect(rest.status).toBe(409)
    expect(rest.body.error.code).toBe('cancel_in_progress')
  })

  it('health and readiness', async () => {
    expect((await t.call('GET', '/healthz', { key: null })).body).toEqual({ status: 'ok' })
    expect((await t.call('GET', '/readyz', { key: null })).body).toEqual({ status: 'ready' })
  })
})
