// Which success answers are this cancel's: the Signature when present, else the TID and CancelAmt asked for.
import { describe, expect, it } from 'vitest'
import { answering, CREDS, failure, rig } from './__fixtures__/rig.js'
import { signData } from './crypto.js'
import { NicePay, type NicePayOptions } from './nicepay.js'

const TID = 'nicepay00m01012511291030001234'
const OTHER_TID = 'nicepay00m01012511291030009999'
const pad = (n: number) => String(n).padStart(12, '0')
const sig = (tid: string, amt: string) => signData.cancelResponse(tid, CREDS.mid, amt, CREDS.merchantKey)

function cancelWith(answer: Record<string, string>, opts: Partial<NicePayOptions> = {}, amount = 100) {
  const p = new NicePay({ ...CREDS, baseUrl: 'http://x', fetch: answering(JSON.stringify(answer)), ...opts })
  return p.cancel({ transactionId: TID, amount, paymentAmount: 1_000, reason: 'x', cancelId: 'c' })
}

const ok = (amount: number, extra: Record<string, string> = {}) => ({
  ResultCode: '2001',
  ResultMsg: '취소 성공',
  CancelAmt: pad(amount),
  MID: CREDS.mid,
  Moid: 'c',
  TID,
  ...extra,
})

describe('an unsigned cancel answer (Signature is optional in seeds 000/001)', () => {
  it('against a simulator that leaves the Signature out, a cancel succeeds', async () => {
    const { sim, provider } = rig({}, { signCancelAnswers: false })
    const { transactionId } = sim.seedPayment({ amount: 10_000 })
    const r = await provider.cancel({
      transactionId,
      amount: 3_000,
      paymentAmount: 10_000,
      reason: '부분',
      cancelId: 'u-1',
    })
    expect(r).toMatchObject({ status: 'cancelled', cancelledAmount: 3_000, remainingAmount: 7_000 })
  })

  it('is accepted when it names the requested TID and CancelAmt', async () => {
    expect(await cancelWith(ok(100))).toMatchObject({ status: 'cancelled', cancelledAmount: 100 })
  })

  it('naming another TID, or no TID at all, is unknown', async () => {
    for (const answer of [ok(100, { TID: OTHER_TID }), { ResultCode: '2001', CancelAmt: pad(100) }]) {
      const err = await failure(cancelWith(answer))
      expect([err.code, err.outcome]).toEqual(['invalid_response', 'unknown'])
    }
  })

  it('a CancelAmt below or above the request is unknown (the PG moved another amount than asked)', async () => {
    for (const moved of [99, 50, 1, 101, 1_000]) {
      const err = await failure(cancelWith(ok(moved)))
      expect([moved, err.code, err.outcome]).toEqual([moved, 'invalid_response', 'unknown'])
    }
  })

  it('with requireCancelSignature: true, an unsigned success is signature_mismatch/unknown', async () => {
    const err = await failure(cancelWith(ok(100), { requireCancelSignature: true }))
    expect([err.code, err.outcome]).toEqual(['signature_mismatch', 'unknown'])
  })
})

describe('a signed cancel answer', () => {
  it('verifies over the 12-digit or the plain CancelAmt', async () => {
    for (const amt of [pad(100), '100']) {
      expect((await cancelWith(ok(100, { Signature: sig(TID, amt) }))).status).toBe('cancelled')
    }
  })

  it('a wrong Signature is signature_mismatch/unknown, also with requireCancelSignature off', async () => {
    for (const bad of ['ab'.repeat(32), sig(TID, pad(101)), sig(OTHER_TID, pad(100))]) {
      const err = await failure(cancelWith(ok(100, { Signature: bad })))
      expect([err.code, err.outcome]).toEqual(['signature_mismatch', 'unknown'])
    }
  })

  it('a correctly signed CancelAmt below or above the request is still unknown', async () => {
    for (const moved of [99, 50, 101]) {
      const err = await failure(cancelWith(ok(moved, { Signature: sig(TID, pad(moved)) })))
      expect([moved, err.code, err.outcome]).toEqual([moved, 'invalid_response', 'unknown'])
    }
  })

  it('an answer signed for another TID and naming it is unknown', async () => {
    const answer = ok(100, { TID: OTHER_TID, Signature: sig(OTHER_TID, pad(100)) })
    const err = await failure(cancelWith(answer))
    expect([err.code, err.outcome]).toEqual(['invalid_response', 'unknown'])
  })

  it('a success without a readable CancelAmt is unknown', async () => {
    for (const CancelAmt of ['', 'abc', '-100']) {
      const err = await failure(cancelWith({ ...ok(100), CancelAmt }))
      expect([err.code, err.outcome]).toEqual(['invalid_response', 'unknown'])
    }
  })
})

// Seeds 000/001 mark MID and Moid of the cancel answer 필수: they are compared, signed or not.
describe('MID and Moid of a cancel answer', () => {
  const withOrder = (answer: Record<string, string>) => {
    const fetch = answering(JSON.stringify(answer))
    const p = new NicePay({ ...CREDS, baseUrl: 'http://x', fetch })
    return p.cancel({ transactionId: TID, amount: 100, reason: 'x', cancelId: 'c', orderId: 'order-7' })
  }
  const signed = (extra: Record<string, string>) => ok(100, { Signature: sig(TID, pad(100)), ...extra })

  it('another MID or another Moid is unknown, with or without a Signature', async () => {
    for (const answer of [
      ok(100, { MID: 'nictest04m' }),
      ok(100, { Moid: 'another-cancel' }),
      signed({ MID: 'nictest04m' }),
      signed({ Moid: 'another-cancel' }),
    ]) {
      const err = await failure(cancelWith(answer))
      expect([err.code, err.outcome, err.providerCode]).toEqual(['invalid_response', 'unknown', '2001'])
    }
  })

  it('an answer omitting MID or Moid (필수 in the seed) is unknown, with or without a Signature', async () => {
    for (const field of ['MID', 'Moid']) {
      for (const answer of [ok(100), signed({})] as Record<string, string>[]) {
        const { [field]: _gone, ...rest } = answer
        const err = await failure(cancelWith(rest))
        expect([field, err.code, err.outcome]).toEqual([field, 'invalid_response', 'unknown'])
      }
    }
  })

  it("against a simulator answering the payment's order number as Moid, a cancel naming it succeeds", async () => {
    const { sim, provider } = rig({}, { cancelAnswerMoid: 'order' })
    const { transactionId } = sim.seedPayment({ amount: 5_000, orderId: 'order-42' })
    const req = { transactionId, amount: 1_000, paymentAmount: 5_000, reason: 'x', cancelId: 'm-1' }
    expect((await provider.cancel({ ...req, orderId: 'order-42' })).status).toBe('cancelled')
    // Without the order id the answer cannot be told from another cancel's: unknown, although it executed.
    const err = await failure(provider.cancel({ ...req, cancelId: 'm-2' }))
    expect([err.code, err.outcome]).toEqual(['invalid_response', 'unknown'])
    expect(sim.inspect(transactionId)?.cancelledAmount).toBe(2_000)
  })

  it("the Moid may be the one sent or the payment's order id (which one NicePay echoes is open)", async () => {
    expect((await withOrder(ok(100))).status).toBe('cancelled')
    expect((await withOrder(ok(100, { Moid: 'order-7' }))).status).toBe('cancelled')
    const err = await failure(withOrder(ok(100, { Moid: 'order-8' })))
    expect([err.code, err.outcome]).toEqual(['invalid_response', 'unknown'])
  })
})
