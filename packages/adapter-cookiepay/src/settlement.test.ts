// When money may have moved: what a non-200 or an unknown code proves on a cancel, the cancel notification that
// is sent once (seed 004), what a forged notification may cost, and a pre-flight that sends nothing.
import { describe, expect, it } from 'vitest'
import { notiInput, pair } from './__fixtures__/harness.js'

/** Where the simulator's Notis go: their bodies, exactly as sent. */
const sent = (bodies: string[]) => ({
  notifyUrl: 'http://merchant.example/noti',
  notifyFetch: async (_url: string | URL | Request, init?: RequestInit) => {
    bodies.push(String(init?.body))
    return new Response('')
  },
})

describe('cancel: only a well-formed 200 answer CookiePay maps to a refusal is a rejection', () => {
  it.each([400, 500, 502])('HTTP %i with a CookiePay refusal in the body is unknown', async (status) => {
    const { sim, provider } = pair()
    await provider.warmUp()
    const { transactionId } = sim.seedPayment({ amount: 10_000 })
    sim.faults.inject({
      path: '/api/cancel',
      fault: {
        kind: 'status',
        status,
        contentType: 'application/json',
        body: JSON.stringify({ cancel_code: '9014', cancel_msg: '취소 가능 금액을 초과하였습니다' }),
      },
    })
    await expect(
      provider.cancel({ transactionId, amount: 1_000, reason: 'x', cancelId: 'c' }),
    ).rejects.toMatchObject({ outcome: 'unknown' })
  })

  it('a 9029 that comes with HTTP 500 is unknown: no deposit account is asked for', async () => {
    const { sim, provider, count } = pair()
    await provider.warmUp()
    const { transactionId } = sim.seedPayment({ amount: 10_000, settled: true })
    sim.faults.inject({ path: '/api/cancel', fault: { kind: 'unmapped_code', status: 500, code: '9029' } })
    await expect(provider.cancel({ transactionId, reason: 'x', cancelId: 'c' })).rejects.toMatchObject({
      outcome: 'unknown',
    })
    expect(count('get_cancel_bank_account')).toBe(0)
  })

  it('cancel_amt other than the amount asked is unknown', async () => {
    const { sim, provider } = pair()
    await provider.warmUp()
    const { transactionId } = sim.seedPayment({ amount: 10_000 })
    sim.faults.inject({ path: '/api/cancel', fault: { kind: 'other_amount', delta: 1_000 } })
    await expect(
      provider.cancel({ transactionId, amount: 2_000, reason: 'x', cancelId: 'c' }),
    ).rejects.toMatchObject({ code: 'invalid_response', outcome: 'unknown' })
    expect(sim.inspect(transactionId)?.cancelledAmount).toBe(2_000)
  })
})

describe('the cancel notification, sent once (seed 004)', () => {
  it('is answered with the success reply and leads to the lookup, which shows the cancel', async () => {
    const bodies: string[] = []
    const { sim, provider } = pair({ sim: sent(bodies) })
    const { transactionId } = sim.seedPayment({ amount: 30_000, settled: true })
    await provider.cancel({ transactionId, reason: '정산 후 취소', cancelId: 'c' })
    await sim.deposit(transactionId)
    expect(bodies).toHaveLength(1)
    const r = await provider.parseNotification(notiInput(bodies[0]!))
    expect(r.verified).toBe(false)
    if (r.verified) return
    // Sent once: nothing may make CookiePay believe it has to send it again.
    expect([r.reply.status, r.hint?.claimed]).toEqual([200, 'payment.cancelled'])
    const t = await provider.getTransaction(transactionId)
    expect(t).toMatchObject({ status: 'cancelled', cancelledAmount: 30_000, cancellableAmount: 0 })
    // What a reviewer of a payment sees: CookiePay's own fields, verbatim, without buyer data.
    expect(t.evidence).toMatchObject({ TID: transactionId, AMOUNT: '30000', CANCLE_SUM_AMOUNT: '30000' })
    expect(JSON.stringify(t.evidence)).not.toMatch(/홍길동|ACCOUNTNO/)
  })
})

describe('a forged notification costs nothing: no call with the merchant’s credentials', () => {
  const forgeries = (tid: string) =>
    [
      ['an approval for an unknown TID', { TID: 'cTS26013114425300000', AMOUNT: '1000' }],
      ['an approval with another amount', { TID: tid, AMOUNT: '1' }],
      [
        'a cancel for an unknown TID',
        { noti_type: 'cancel', tid: 'cTS26013114425300001', cancel_amount: '10' },
      ],
      ['a cancel of a payment never cancelled', { noti_type: 'cancel', tid, cancel_amount: '1000' }],
      ['a cancel response for a payment never cancelled', { cancel_code: '0000', tid, cancel_amt: '1000' }],
      ['a failure notice', { RESULTCODE: '3011', RESULTMSG: 'x', TID: tid }],
    ] as const

  it('each one is a hint for the host to look up under its own rate limit, and reaches CookiePay never', async () => {
    const { sim, provider } = pair()
    const { transactionId } = sim.seedPayment({ amount: 1_000 })
    for (const [what, body] of forgeries(transactionId)) {
      const r = await provider.parseNotification(notiInput(body))
      expect(r.verified, what).toBe(false)
      expect(!r.verified && r.hint?.transactionId, what).toMatch(/^cTS/)
    }
    expect([sim.faults.calls, provider.tokensIssued]).toEqual([0, 0])
  })
})

describe('validate(): the whole pre-flight, with no I/O', () => {
  it('a request validate() refuses reaches nothing, not even the token endpoint', async () => {
    const { sim, provider } = pair()
    const { transactionId } = sim.seedPayment({ amount: 1_000 })
    const bad = [
      { transactionId: 'a b', reason: 'x', cancelId: 'c' },
      { transactionId, reason: 'x'.repeat(51), cancelId: 'c' },
      { transactionId, amount: 10 ** 11, reason: 'x', cancelId: 'c' },
      { transactionId, reason: 'x', cancelId: 'c', taxFreeAmount: 100, amount: 500 },
      {
        transactionId,
        reason: 'x',
        cancelId: 'c',
        refundAccount: { bankCode: '999', accountNumber: '1234567', holderName: 'a' },
      },
    ]
    for (const request of bad) {
      let thrown: { code?: string; param?: string } | undefined
      try {
        provider.validate({ operation: 'cancel', request })
      } catch (err) {
        thrown = err as { code: string; param?: string }
      }
      expect(thrown?.code, JSON.stringify(request)).toMatch(/invalid_request|unsupported_operation/)
      await expect(provider.cancel(request)).rejects.toMatchObject({
        code: thrown!.code,
        ...(thrown!.param ? { param: thrown!.param } : {}),
      })
    }
    expect(sim.faults.calls).toBe(0)
    expect(provider.tokensIssued).toBe(0)
  })

  it('operations CookiePay lacks are refused by validate() as by the operation', async () => {
    const { sim, provider } = pair()
    expect(() =>
      provider.validate({
        operation: 'chargeBillingKey',
        request: { billingKey: 'k', orderId: 'o', amount: 1_000, goodsName: 'g' },
      }),
    ).toThrow(expect.objectContaining({ code: 'unsupported_operation' }))
    expect(() =>
      provider.validate({
        operation: 'issueVirtualAccount',
        request: { orderId: 'o', amount: 1_000, goodsName: 'g', bankCode: '004', dueDate: '2099-01-01' },
      }),
    ).toThrow(expect.objectContaining({ code: 'unsupported_operation' }))
    expect(sim.faults.calls).toBe(0)
  })
})
