// CancelAmt and PartialCancelCode when the caller does or does not know the payment total.
import { describe, expect, it } from 'vitest'
import { failure, field, rig } from './__fixtures__/rig.js'

describe('PartialCancelCode without a known payment total', () => {
  it('a waiting virtual account cancelled with its amount goes out as 0 (seed 001) and succeeds', async () => {
    const { sim, provider, bodies } = rig()
    const { transactionId } = sim.seedPayment({ amount: 5_000, method: 'virtual_account', deposited: false })
    const r = await provider.cancel({ transactionId, amount: 5_000, reason: '발급 취소', cancelId: 'vc-1' })
    expect(field(bodies[0], 'PartialCancelCode')).toBe('0')
    expect(r).toMatchObject({ status: 'cancelled', cancelledAmount: 5_000 })
    expect(sim.inspect(transactionId)!.status).toBe('cancelled')
  })

  it('a waiting virtual account cancelled with a wrong amount is refused by NicePay, nothing cancelled', async () => {
    const { sim, provider } = rig()
    const { transactionId } = sim.seedPayment({ amount: 5_000, method: 'virtual_account', deposited: false })
    const err = await failure(
      provider.cancel({ transactionId, amount: 4_000, reason: 'x', cancelId: 'vc-2' }),
    )
    expect([err.providerCode, err.outcome]).toEqual(['2011', 'rejected'])
    expect(sim.inspect(transactionId)!.status).toBe('waiting_for_deposit')
  })

  it('a card cancel with an amount and no total goes out as partial (1), whatever the amount', async () => {
    const { sim, provider, bodies } = rig()
    const { transactionId } = sim.seedPayment({ amount: 10_000 })
    await provider.cancel({ transactionId, amount: 10_000, reason: 'x', cancelId: 'k-1' })
    expect(field(bodies[0], 'PartialCancelCode')).toBe('1')
    expect(sim.inspect(transactionId)!.status).toBe('cancelled')
  })

  it('a refund of a deposited virtual account without a total is partial (1)', async () => {
    const { sim, provider, bodies } = rig()
    const { transactionId } = sim.seedPayment({ amount: 8_000, method: 'virtual_account', deposited: true })
    await provider.cancel({
      transactionId,
      amount: 3_000,
      reason: '부분 환불',
      cancelId: 'rf-1',
      refundAccount: { bankCode: '004', accountNumber: '1234567890', holderName: '홍길동' },
    })
    expect(field(bodies[0], 'PartialCancelCode')).toBe('1')
  })

  it('with the total known, full is 0 and partial is 1', async () => {
    const { sim, provider, bodies } = rig()
    const a = sim.seedPayment({ amount: 10_000 })
    await provider.cancel({
      transactionId: a.transactionId,
      amount: 4_000,
      paymentAmount: 10_000,
      reason: 'x',
      cancelId: 'a',
    })
    const b = sim.seedPayment({ amount: 10_000 })
    await provider.cancel({
      transactionId: b.transactionId,
      paymentAmount: 10_000,
      reason: 'x',
      cancelId: 'b',
    })
    expect([field(bodies[0], 'PartialCancelCode'), field(bodies[1], 'PartialCancelCode')]).toEqual(['1', '0'])
    expect(field(bodies[1], 'CancelAmt')).toBe('10000')
  })

  it('a full cancel whose total the merchant records do not know either is refused before any call', async () => {
    const { sim, provider } = rig({ paymentAmountOf: () => undefined })
    const { transactionId } = sim.seedPayment({ amount: 10_000 })
    const err = await failure(provider.cancel({ transactionId, reason: '취소', cancelId: 'f-1' }))
    expect([err.code, err.param]).toEqual(['invalid_request', 'amount'])
    expect(err.message).toMatch(/paymentAmount/)
    expect(sim.faults.calls).toBe(0)
  })

  it('a full cancel takes the total from paymentAmountOf, sent as 0', async () => {
    const { sim, provider, bodies } = rig({ paymentAmountOf: async () => 7_000 })
    const { transactionId } = sim.seedPayment({ amount: 7_000 })
    const r = await provider.cancel({ transactionId, reason: '취소', cancelId: 'f-2' })
    expect([field(bodies[0], 'CancelAmt'), field(bodies[0], 'PartialCancelCode')]).toEqual(['7000', '0'])
    expect(r).toMatchObject({ status: 'cancelled', cancelledAmount: 7_000 })
  })
})
