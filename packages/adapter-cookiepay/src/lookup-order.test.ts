import { isPaymentError, type PaymentError } from '@paymux/core'
import { describe, expect, it } from 'vitest'
import { fakeClock, pair } from './__fixtures__/harness.js'

async function failure(p: Promise<unknown>): Promise<PaymentError> {
  try {
    await p
  } catch (err) {
    if (isPaymentError(err)) return err
    throw err
  }
  throw new Error('expected a PaymentError')
}

/** paysearch by date range, the rows of one ORDERNO kept: CookiePay documents no search by order number. */
describe('lookupOrder', () => {
  it('says it can, and returns every payment of the order: one order paid twice is two TIDs', async () => {
    const { sim, provider, calls } = pair()
    expect(provider.capabilities.orderLookup).toBe(true)
    const first = sim.seedPayment({ amount: 15_000, orderId: 'ORD-TWICE' })
    const second = sim.seedPayment({ amount: 15_000, orderId: 'ORD-TWICE' })
    sim.seedPayment({ amount: 9_000, orderId: 'ORD-OTHER' })
    await provider.cancel({ transactionId: second.transactionId, reason: '이중결제', cancelId: 'c' })
    const found = await provider.lookupOrder('ORD-TWICE')
    expect(found.map((t) => t.transactionId).sort()).toEqual(
      [first.transactionId, second.transactionId].sort(),
    )
    expect(found.find((t) => t.transactionId === first.transactionId)).toMatchObject({
      orderId: 'ORD-TWICE',
      status: 'paid',
      amount: 15_000,
      cancelledAmount: 0,
      cancellableAmount: 15_000,
    })
    expect(found.find((t) => t.transactionId === second.transactionId)).toMatchObject({
      status: 'cancelled',
      cancelledAmount: 15_000,
      cancellableAmount: 0,
    })
    const search = calls.filter((c) => c.operation === 'paysearch')
    expect(search).toHaveLength(1)
  })

  it('an order CookiePay has no payment for is an empty list (E008 or nothing of that order)', async () => {
    const { sim, provider } = pair()
    expect(await provider.lookupOrder('ORD-NONE')).toEqual([])
    sim.seedPayment({ amount: 1_000, orderId: 'ORD-ELSE' })
    expect(await provider.lookupOrder('ORD-NONE')).toEqual([])
  })

  it('searches the last orderLookupDays (31 by default): an older payment is outside', async () => {
    const c = fakeClock()
    const { sim, provider } = pair({
      sim: { clock: c.clock },
      adapter: { clock: c.clock, orderLookupDays: 3 },
    })
    const old = sim.seedPayment({ amount: 1_000, orderId: 'ORD-OLD' })
    c.advance(2 * 86_400_000)
    expect((await provider.lookupOrder('ORD-OLD')).map((t) => t.transactionId)).toEqual([old.transactionId])
    c.advance(86_400_000)
    expect(await provider.lookupOrder('ORD-OLD')).toEqual([])
  })

  it('an answer that is not CookiePay’s list is an error, never "no payment"', async () => {
    const { sim, provider } = pair()
    await provider.warmUp()
    sim.seedPayment({ amount: 1_000, orderId: 'ORD-X' })
    for (const fault of [
      { kind: 'status', status: 503, body: 'busy' },
      { kind: 'malformed', body: '{"RESULTMSG":"?"}' },
      { kind: 'html', status: 200 },
    ] as const) {
      sim.faults.inject({ path: '/api/paysearch', fault })
      await expect(provider.lookupOrder('ORD-X'), fault.kind).rejects.toSatisfy(isPaymentError)
    }
  })

  it('without paysearch’s cancelled sum a row is unknown, with its amount kept', async () => {
    const { sim, provider } = pair()
    await provider.warmUp()
    const { transactionId } = sim.seedPayment({ amount: 5_000, orderId: 'ORD-S' })
    sim.faults.inject({
      path: '/api/paysearch',
      fault: {
        kind: 'malformed',
        body: JSON.stringify([{ RESULTCODE: '0000', ORDERNO: 'ORD-S', TID: transactionId, AMOUNT: '5000' }]),
      },
    })
    const [t] = await provider.lookupOrder('ORD-S')
    expect(t).toMatchObject({ transactionId, status: 'unknown', amount: 5_000 })
    expect(t!.cancelledAmount).toBeUndefined()
  })

  it('an order id CookiePay could not hold (over 50 characters) is refused before any call', async () => {
    const { provider, calls } = pair()
    expect((await failure(provider.lookupOrder('O'.repeat(51)))).code).toBe('invalid_request')
    expect(calls).toHaveLength(0)
  })
})
