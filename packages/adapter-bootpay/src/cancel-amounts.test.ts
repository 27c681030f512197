// Seed 003: a partial cancel must be MORE than 1,000 won, and a cancel without a price is a full one. What goes
// on the wire depends on the CancelRequest alone: the gateway re-sends a cancel byte for byte.
import type { CancelRequest, FetchLike } from '@paymux/core'
import { inProcessFetch } from '@paymux/core/simulator'
import { describe, expect, it } from 'vitest'
import { Bootpay } from './bootpay.js'
import { BOOTPAY_DEMO_CREDENTIALS, createBootpaySimulator } from './simulator/index.js'

function rig(version: 'v1' | 'v2', sim = createBootpaySimulator()) {
  const cancels: string[] = []
  const urls: string[] = []
  const inner = inProcessFetch(sim.app)
  const fetch: FetchLike = async (input, init) => {
    const req = new Request(input as string, init)
    urls.push(req.url)
    if (/\/cancel$/.test(new URL(req.url).pathname)) cancels.push(await req.clone().text())
    return inner(input, init)
  }
  const provider = new Bootpay({
    apiVersion: version,
    applicationId: BOOTPAY_DEMO_CREDENTIALS.applicationId,
    privateKey: BOOTPAY_DEMO_CREDENTIALS.privateKey,
    baseUrl: 'http://bootpay.sim',
    fetch,
  })
  return { sim, provider, cancels, urls }
}

describe.each(['v1', 'v2'] as const)('%s: partial cancels of 1,000 won or less', (version) => {
  it('are refused by validate() naming amount, and by cancel() before anything is sent', async () => {
    // The simulator would take them: the refusal is the adapter's own, from the seed.
    const sim = createBootpaySimulator({ settings: { partialCancelMinExclusive: { v1: null, v2: null } } })
    const { provider, urls } = rig(version, sim)
    const { transactionId } = sim.seedPayment({ amount: 10_000 })
    for (const request of [
      { transactionId, amount: 1_000, reason: 'x', cancelId: 'small-1' },
      { transactionId, amount: 1, reason: 'x', cancelId: 'small-2' },
      { transactionId, amount: 1_000, paymentAmount: 10_000, reason: 'x', cancelId: 'small-3' },
    ]) {
      expect(() => provider.validate({ operation: 'cancel', request })).toThrow(
        expect.objectContaining({ code: 'invalid_request', param: 'amount' }),
      )
      await expect(provider.cancel(request)).rejects.toMatchObject({
        code: 'invalid_request',
        param: 'amount',
        outcome: 'rejected',
      })
    }
    expect(urls).toEqual([])
    expect(sim.inspect(transactionId)).toMatchObject({ cancelledAmount: 0, cancelCount: 0 })
  })

  it('a full cancel is not partial: no amount, or the whole payment of 1,000 won or less', async () => {
    const { sim, provider } = rig(version)
    const small = sim.seedPayment({ amount: 1_000 })
    const whole = { transactionId: small.transactionId, amount: 1_000, paymentAmount: 1_000 }
    provider.validate({ operation: 'cancel', request: { ...whole, reason: 'x', cancelId: 'w-1' } })
    await expect(provider.cancel({ ...whole, reason: 'x', cancelId: 'w-1' })).resolves.toMatchObject({
      cancelledAmount: 1_000,
    })
    const other = sim.seedPayment({ amount: 800 })
    await expect(
      provider.cancel({ transactionId: other.transactionId, reason: 'x', cancelId: 'w-2' }),
    ).resolves.toMatchObject({ cancelledAmount: 800 })
    const big = sim.seedPayment({ amount: 10_000 })
    await expect(
      provider.cancel({ transactionId: big.transactionId, amount: 1_001, reason: 'x', cancelId: 'w-3' }),
    ).resolves.toMatchObject({ cancelledAmount: 1_001 })
  })
})

describe.each(['v1', 'v2'] as const)('%s: the same CancelRequest, the same bytes', (version) => {
  const priceField = version === 'v1' ? 'price' : 'cancel_price'

  it('a full cancel sent, re-sent from another instance after a cancel made elsewhere: identical, priceless', async () => {
    const { sim, provider, cancels } = rig(version)
    const { transactionId } = sim.seedPayment({ amount: 10_000 })
    const full: CancelRequest = { transactionId, reason: '고객 요청', cancelId: 'same-full' }
    const partial: CancelRequest = { transactionId, amount: 2_000, reason: '부분', cancelId: 'same-part' }
    await provider.cancel(partial)
    // Another process cancels 3,000 in between: nothing of it may leak into the re-sent bytes.
    await rig(version, sim).provider.cancel({ transactionId, amount: 3_000, reason: 'y', cancelId: 'else' })
    await provider.cancel(full)
    const again = rig(version, sim)
    await again.provider.cancel(full).catch(() => undefined)
    await again.provider.cancel(partial).catch(() => undefined)
    const [firstPartial, firstFull] = cancels
    expect(again.cancels).toEqual([firstFull, firstPartial])
    expect(JSON.parse(firstFull!)).not.toHaveProperty(priceField)
    expect(JSON.parse(firstPartial!)).toMatchObject({ [priceField]: 2_000 })
    // Nothing moved twice.
    expect(sim.inspect(transactionId)).toMatchObject({ cancelledAmount: 10_000, cancelCount: 3 })
  })
})

describe.each(['v1', 'v2'] as const)('%s: a re-sent cancel refused by an ordinary rule', (version) => {
  // Bootpay does not document checking its cancel_id guard first: with the simulator checking it last, a re-sent
  // cancel whose first send went through is refused with the code of whichever rule it now breaks. The adapter
  // reports that refusal as it is, never a second cancel, and the money moves once.
  const rules = createBootpaySimulator({ settings: { duplicateCancelIdOrder: 'after_rules' } })

  it('a full cancel re-sent: already cancelled, the receipt agreeing', async () => {
    const { sim, provider } = rig(version, rules)
    const { transactionId } = sim.seedPayment({ amount: 10_000 })
    const full: CancelRequest = { transactionId, reason: 'x', cancelId: 'rs-full' }
    await expect(provider.cancel(full)).resolves.toMatchObject({ cancelledAmount: 10_000 })
    await expect(rig(version, sim).provider.cancel(full)).rejects.toMatchObject({
      code: 'already_cancelled',
      providerCode: version === 'v1' ? '-3708' : 'RC_ALREADY_CANCELLED',
    })
    expect(sim.inspect(transactionId)).toMatchObject({ cancelledAmount: 10_000, cancelCount: 1 })
  })

  it('a partial cancel re-sent: over the remainder, or the guard once every rule passes', async () => {
    const { sim, provider } = rig(version, rules)
    const { transactionId } = sim.seedPayment({ amount: 10_000 })
    const big: CancelRequest = { transactionId, amount: 7_000, reason: 'x', cancelId: 'rs-big' }
    const small: CancelRequest = { transactionId, amount: 1_500, reason: 'x', cancelId: 'rs-small' }
    await provider.cancel(big)
    await provider.cancel(small)
    const again = rig(version, sim).provider
    await expect(again.cancel(big)).rejects.toMatchObject({ code: 'amount_exceeds_cancellable' })
    await expect(again.cancel(small)).rejects.toMatchObject({ code: 'duplicate_request' })
    expect(sim.inspect(transactionId)).toMatchObject({ cancelledAmount: 8_500, cancelCount: 2 })
  })
})
