// 2225 "환불 접수 성공": accepted, executed later — neither a finished cancel nor an unknown one.
import { describe, expect, it } from 'vitest'
import { answering, CREDS, failure, rig } from './__fixtures__/rig.js'
import { signData } from './crypto.js'
import { NicePay } from './nicepay.js'

const REFUND = { bankCode: '004', accountNumber: '1234567890', holderName: '홍길동' }
const TID = 'nicepay00m03012511291030001234'

describe('2225: a refund NicePay accepted and executes later', () => {
  it('is status accepted with the accepted amount, not cancelled', async () => {
    const { sim, provider } = rig({}, { vbankRefundCode: '2225' })
    const { transactionId } = sim.seedPayment({ amount: 20_000, method: 'virtual_account', deposited: true })
    const r = await provider.cancel({
      transactionId,
      amount: 20_000,
      paymentAmount: 20_000,
      reason: '환불',
      cancelId: 'acc-1',
      refundAccount: REFUND,
    })
    expect(r).toMatchObject({
      status: 'accepted',
      acceptedAmount: 20_000,
      providerCode: '2225',
      providerMessage: '환불 접수 성공',
    })
    expect(r.status === 'accepted' && r.providerCancelId).toMatch(/^\d{8}$/)
    expect(r).not.toHaveProperty('cancelledAmount')
  })

  it('2211 on the same refund is cancelled (the simulator default)', async () => {
    const { sim, provider } = rig()
    const { transactionId } = sim.seedPayment({ amount: 20_000, method: 'virtual_account', deposited: true })
    const r = await provider.cancel({
      transactionId,
      paymentAmount: 20_000,
      reason: '환불',
      cancelId: 'acc-2',
      refundAccount: REFUND,
    })
    expect([r.status, r.providerCode]).toEqual(['cancelled', '2211'])
  })

  it('an accepted answer for another amount, or with a wrong Signature, is unknown', async () => {
    const answer = (amt: string, signature: string) =>
      JSON.stringify({
        ResultCode: '2225',
        ResultMsg: '환불 접수 성공',
        TID,
        CancelAmt: amt,
        Signature: signature,
      })
    const good = signData.cancelResponse(TID, CREDS.mid, '000000000050', CREDS.merchantKey)
    for (const body of [answer('000000000050', good), answer('000000000100', 'ab'.repeat(32))]) {
      const p = new NicePay({ ...CREDS, baseUrl: 'http://x', fetch: answering(body) })
      const err = await failure(
        p.cancel({ transactionId: TID, amount: 100, reason: 'x', cancelId: 'c', refundAccount: REFUND }),
      )
      expect(err.outcome).toBe('unknown')
    }
  })
})
