// NicePay's Moid duplicate guard is a separate contract: capabilities and the simulator follow the account.
import type { PaymentError } from '@paymux/core'
import { inProcessFetch } from '@paymux/core/simulator'
import { describe, expect, it } from 'vitest'
import { CREDS, failure, rig } from './__fixtures__/rig.js'
import { NicePay } from './nicepay.js'
import { createNicePaySimulator } from './simulator/index.js'

describe('cancelDuplicateGuard: the Moid guard is per account', () => {
  it('off by default: capabilities.cancelDedup is false, with a note saying why', () => {
    const p = new NicePay({ mid: CREDS.mid, merchantKey: CREDS.merchantKey })
    expect(p.capabilities.cancelDedup).toBe(false)
    expect(p.capabilities.notes?.cancelDedup).toMatch(/별도 계약/)
    expect(new NicePay({ ...CREDS, cancelDuplicateGuard: false }).capabilities.cancelDedup).toBe(false)
  })

  it('true only with cancelDuplicateGuard: true, per instance', () => {
    const guarded = new NicePay({ ...CREDS, cancelDuplicateGuard: true })
    const plain = new NicePay({ ...CREDS })
    expect([guarded.capabilities.cancelDedup, plain.capabilities.cancelDedup]).toEqual([true, false])
    expect(guarded.capabilities).not.toBe(plain.capabilities)
    expect(guarded.capabilities.notes?.cancelDedup).toBeUndefined()
  })

  it('chargeDedup stays false with a note (the guard NicePay documents is on the TID, not the order id)', () => {
    const p = new NicePay({ ...CREDS, cancelDuplicateGuard: true })
    expect(p.capabilities.chargeDedup).toBe(false)
    expect(p.capabilities.notes?.chargeDedup).toMatch(/TID/)
  })
})

describe('simulator: a MID without the guard executes a repeated Moid again', () => {
  it('default (no contract): the same cancelId sent twice cancels twice — why nothing may re-send it', async () => {
    const { sim, provider } = rig()
    const { transactionId } = sim.seedPayment({ amount: 10_000 })
    const req = { transactionId, amount: 1_000, reason: '중복', cancelId: 'same-1' }
    expect((await provider.cancel(req)).status).toBe('cancelled')
    expect((await provider.cancel(req)).status).toBe('cancelled')
    expect(sim.inspect(transactionId)).toMatchObject({ cancelledAmount: 2_000, cancelCount: 2 })
  })

  it('with the guard on for the MID: the replay is refused and the money moves once', async () => {
    const { sim, provider } = rig(
      { cancelDuplicateGuard: true },
      { merchants: [{ ...CREDS, cancelDuplicateGuard: true }] },
    )
    const { transactionId } = sim.seedPayment({ amount: 10_000 })
    const req = { transactionId, amount: 1_000, reason: '중복', cancelId: 'same-1' }
    await provider.cancel(req)
    const err = await failure(provider.cancel(req))
    expect([err.code, err.providerCode, err.outcome]).toEqual(['duplicate_request', 'A127', 'rejected'])
    expect(sim.inspect(transactionId)).toMatchObject({ cancelledAmount: 1_000, cancelCount: 1 })
  })

  it('the guard is per MID: one merchant with the contract, one without, in the same simulator', async () => {
    const other = { mid: 'nictest04m', merchantKey: 'a-second-simulated-merchant-key' }
    const sim = createNicePaySimulator({
      merchants: [{ ...CREDS, cancelDuplicateGuard: true }, { ...other }],
    })
    const send = async (creds: { mid: string; merchantKey: string }) => {
      const { transactionId } = sim.seedPayment({ amount: 5_000, mid: creds.mid })
      const p = new NicePay({ ...creds, baseUrl: 'http://sim.test', fetch: inProcessFetch(sim.app) })
      const req = { transactionId, amount: 500, reason: 'x', cancelId: 'dup' }
      await p.cancel(req)
      const second = await p.cancel(req).then(
        (r) => r.status,
        (err: PaymentError) => err.code,
      )
      return [second, sim.inspect(transactionId)!.cancelCount]
    }
    expect(await send(CREDS)).toEqual(['duplicate_request', 1])
    expect(await send(other)).toEqual(['cancelled', 2])
  })

  it('the setting is also the default for merchants that do not say, and can be turned on over HTTP', async () => {
    const sim = createNicePaySimulator()
    expect(sim.settings.cancelDuplicateGuard).toBe(false)
    const res = await sim.app.request('/__sim/settings', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ cancelDuplicateGuard: true }),
    })
    expect(((await res.json()) as { cancelDuplicateGuard: boolean }).cancelDuplicateGuard).toBe(true)
  })
})

// Nothing says NicePay checks the Moid guard before the balance: a replay may be refused with an ordinary code,
// which proves nothing about whether the first cancel executed. The simulator can answer either way.
describe('simulator: where the guard sits among the cancel checks (duplicateGuardOrder)', () => {
  async function replay(duplicateGuardOrder: 'before-balance' | 'after-balance', amount: number) {
    const { sim, provider } = rig(
      { cancelDuplicateGuard: true },
      { merchants: [{ ...CREDS, cancelDuplicateGuard: true }], duplicateGuardOrder },
    )
    const { transactionId } = sim.seedPayment({ amount: 10_000 })
    const req = { transactionId, amount, paymentAmount: 10_000, reason: '재전송', cancelId: 'lost-1' }
    await provider.cancel(req)
    const err = await failure(provider.cancel(req))
    return [err.code, err.providerCode, err.outcome, sim.inspect(transactionId)!.cancelCount]
  }

  it('after-balance: a replay that no longer fits is an ordinary refusal (2032), the money moved once', async () => {
    expect(await replay('after-balance', 6_000)).toEqual([
      'amount_exceeds_cancellable',
      '2032',
      'rejected',
      1,
    ])
  })

  it('after-balance: a replay of a full cancel is 2015 (already cancelled); one that fits still meets the guard', async () => {
    expect(await replay('after-balance', 10_000)).toEqual(['already_cancelled', '2015', 'rejected', 1])
    expect(await replay('after-balance', 1_000)).toEqual(['duplicate_request', 'A127', 'rejected', 1])
  })

  it('before-balance (default): the same replay meets the guard first', async () => {
    expect(await replay('before-balance', 6_000)).toEqual(['duplicate_request', 'A127', 'rejected', 1])
  })
})
