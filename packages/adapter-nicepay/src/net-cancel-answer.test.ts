// A network cancel undoes the approval whole: its 2001 answer (a cancel answer, seed 000) proves that only
// when it names our MID and the approval's whole amount, both 필수 there.
import { describe, expect, it } from 'vitest'
import { answering, CREDS, failure } from './__fixtures__/rig.js'
import { signData } from './crypto.js'
import { NicePay } from './nicepay.js'

const TX_TID = 'nicepay00m01012603150930124821'
const AMOUNT = 15_000
const pad = (n: number) => String(n).padStart(12, '0')
const sig = (amt: string) => signData.cancelResponse(TX_TID, CREDS.mid, amt, CREDS.merchantKey)

const approval = {
  transactionId: TX_TID,
  amount: AMOUNT,
  data: {
    authToken: 'NICETOKNCE4AE9CC80AF05CC567133168FB0CFAE',
    mid: CREDS.mid,
    payMethod: 'CARD',
    nextAppUrl: 'http://x/webapi/pay_process.jsp',
    netCancelUrl: 'http://x/webapi/cancel_process.jsp',
    ediDate: '20260315093142',
  },
}

function undo(answer: Record<string, string>) {
  const p = new NicePay({ ...CREDS, baseUrl: 'http://x', fetch: answering(JSON.stringify(answer)) })
  return p.undoCheckout(approval, 'approval answer lost')
}

/** A signed 2001 for `amount`, as NicePay's cancel answer carries it. */
const undone = (amount: number, extra: Record<string, string> = {}) => ({
  ResultCode: '2001',
  ResultMsg: '취소 성공',
  CancelAmt: pad(amount),
  MID: CREDS.mid,
  Moid: 'ord-1',
  TID: TX_TID,
  Signature: sig(pad(amount)),
  ...extra,
})

describe('the network cancel answer', () => {
  it('a signed 2001 for the whole approval is net_cancelled', async () => {
    expect(await undo(undone(AMOUNT))).toMatchObject({ status: 'net_cancelled', providerCode: '2001' })
  })

  it('a signed 2001 for LESS than the approval is not fully undone: unknown', async () => {
    for (const moved of [AMOUNT - 1, 10_000, 1]) {
      const err = await failure(undo(undone(moved)))
      expect([moved, err.code, err.outcome]).toEqual([moved, 'invalid_response', 'unknown'])
    }
  })

  it('a signed 2001 for more than the approval is unknown too', async () => {
    const err = await failure(undo(undone(AMOUNT + 1)))
    expect([err.code, err.outcome]).toEqual(['invalid_response', 'unknown'])
  })

  it('a 2001 without CancelAmt (필수 in seed 000) is unknown, signed over any amount or not', async () => {
    const { CancelAmt: _gone, ...rest } = undone(AMOUNT)
    for (const answer of [rest, { ...rest, Signature: sig('') }]) {
      expect((await failure(undo(answer))).outcome).toBe('unknown')
    }
  })

  it('a 2001 naming another MID, or none (필수 in seed 000), is unknown', async () => {
    const { MID: _gone, ...noMid } = undone(AMOUNT)
    for (const answer of [noMid, undone(AMOUNT, { MID: 'nictest04m' })]) {
      const err = await failure(undo(answer))
      expect([err.code, err.outcome]).toEqual(['invalid_response', 'unknown'])
    }
  })
})
