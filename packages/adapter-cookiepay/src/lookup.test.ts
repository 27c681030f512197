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

describe('getTransaction (paycert + paysearch)', () => {
  it('an unknown TID is transaction_not_found', async () => {
    const { provider } = pair()
    expect((await failure(provider.getTransaction('cTS00000000000000000'))).code).toBe(
      'transaction_not_found',
    )
  })

  it('paycert answering for another TID is invalid_response', async () => {
    const { sim, provider } = pair()
    const { transactionId } = sim.seedPayment({ amount: 1000 })
    await provider.warmUp()
    sim.faults.inject({
      path: '/api/paycert',
      fault: { kind: 'malformed', body: '{"RESULTCODE":"0000","TID":"cTSOTHER","AMOUNT":"1000"}' },
    })
    expect((await failure(provider.getTransaction(transactionId))).code).toBe('invalid_response')
  })

  it('paycert without AMOUNT is invalid_response', async () => {
    const { sim, provider } = pair()
    const { transactionId } = sim.seedPayment({ amount: 1000 })
    await provider.warmUp()
    sim.faults.inject({
      path: '/api/paycert',
      fault: { kind: 'malformed', body: '{"RESULTCODE":"0000","RESULTMSG":"성공"}' },
    })
    expect((await failure(provider.getTransaction(transactionId))).code).toBe('invalid_response')
  })

  it('reports order, method, approval time and cancelled amounts', async () => {
    const c = fakeClock(Date.parse('2026-01-31T05:42:53Z'))
    const { sim, provider } = pair({ sim: { clock: c.clock }, adapter: { clock: c.clock } })
    const { transactionId } = sim.seedPayment({ amount: 10_000, orderId: 'ORD-9', payMethod: 'KAKAOPAY' })
    await provider.cancel({ transactionId, amount: 2500, reason: 'x', cancelId: 'c' })
    expect(await provider.getTransaction(transactionId)).toMatchObject({
      transactionId,
      status: 'partial_cancelled',
      amount: 10_000,
      cancelledAmount: 2500,
      cancellableAmount: 7500,
      method: 'easy_pay',
      orderId: 'ORD-9',
      approvedAt: '2026-01-31T14:42:53+09:00',
    })
  })

  it('a virtual account not yet paid is waiting_for_deposit', async () => {
    const { sim, provider } = pair()
    const { transactionId } = sim.seedPayment({ amount: 10_000, method: 'virtual_account', deposited: false })
    expect(await provider.getTransaction(transactionId)).toMatchObject({
      status: 'waiting_for_deposit',
      method: 'virtual_account',
    })
  })

  it('without paysearch the amounts are undefined and the status unknown, cancelled or not (no made-up 0)', async () => {
    const { sim, provider } = pair({ sim: { paysearch: false } })
    const { transactionId } = sim.seedPayment({ amount: 10_000 })
    const before = await provider.getTransaction(transactionId)
    expect(before).toMatchObject({ status: 'unknown', amount: 10_000 })
    expect([before.cancelledAmount, before.cancellableAmount]).toEqual([undefined, undefined])
    await provider.cancel({ transactionId, amount: 1000, reason: 'x', cancelId: 'c' })
    const after = await provider.getTransaction(transactionId)
    expect(after).toMatchObject({ status: 'unknown', amount: 10_000 })
    expect([after.cancelledAmount, after.cancellableAmount]).toEqual([undefined, undefined])
  })

  it.each([
    ['HTTP 503', { kind: 'status', status: 503, body: 'busy' }],
    ['a timeout', { kind: 'delay', ms: 2_000 }],
    ['broken JSON', { kind: 'malformed', body: '[{"RESULTCODE":"0000",' }],
  ] as const)('a lost cancel is never read as "nothing cancelled" when paysearch fails (%s)', async (_what, fault) => {
    // The cancel ran at CookiePay but its answer was lost; paycert (no cancelled amount) does not show it yet.
    const { sim, provider } = pair({ sim: { cancelLookupLagMs: 60_000 } })
    const { transactionId } = sim.seedPayment({ amount: 10_000 })
    await provider.cancel({ transactionId, amount: 1000, reason: 'x', cancelId: 'c' })
    sim.faults.inject({ path: '/api/paysearch', fault: fault as never })
    const t = await provider.getTransaction(transactionId)
    expect(t.status).toBe('unknown')
    expect([t.cancelledAmount, t.cancellableAmount]).toEqual([undefined, undefined])
    expect(t.amount).toBe(10_000)
  })

  it('a 9029 full cancel asks for an explicit amount when paysearch cannot say what is left', async () => {
    const { sim, provider, count } = pair({ sim: { paysearch: false } })
    const { transactionId } = sim.seedPayment({ amount: 10_000, settled: true })
    expect(await failure(provider.cancel({ transactionId, reason: 'x', cancelId: 'c' }))).toMatchObject({
      code: 'invalid_request',
      param: 'amount',
    })
    expect(count('get_cancel_bank_account')).toBe(0)
  })
})
