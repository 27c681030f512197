// A success answer is this call's only if what the manual marks 필수 in it is what was sent (seeds 001, 002).
import { describe, expect, it } from 'vitest'
import { answering, CREDS, failure } from './__fixtures__/rig.js'
import { NicePay } from './nicepay.js'

const VA_TID = 'nicepay00m03012511291030001234'
const CHARGE_TID = 'nicepay00m01162511291030001234'
const BID = 'BIKYnicepay00m2511291030000001'
const pad = (n: number) => String(n).padStart(12, '0')

function provider(answer: Record<string, string>, tid: string) {
  const fetch = answering(JSON.stringify(answer))
  return new NicePay({ ...CREDS, baseUrl: 'http://x', fetch, tidGenerator: () => tid })
}

const issue = (answer: Record<string, string>) =>
  provider(answer, VA_TID).issueVirtualAccount({
    orderId: 'o-1',
    amount: 1_000,
    goodsName: 'g',
    bankCode: '004',
    dueDate: '2099-12-31',
  })

const charge = (answer: Record<string, string>) =>
  provider(answer, CHARGE_TID).chargeBillingKey({
    billingKey: BID,
    orderId: 'o-1',
    amount: 1_000,
    goodsName: 'g',
  })

const issued = (extra: Record<string, string> = {}) => ({
  ResultCode: '4100',
  ResultMsg: '가상계좌 발급 성공',
  TID: VA_TID,
  Moid: 'o-1',
  Amt: pad(1_000),
  VbankBankCode: '004',
  VbankNum: '04190000000001',
  ...extra,
})

const charged = (extra: Record<string, string> = {}) => ({
  ResultCode: '3001',
  ResultMsg: '카드 결제 성공',
  TID: CHARGE_TID,
  Moid: 'o-1',
  Amt: pad(1_000),
  ...extra,
})

function without(answer: Record<string, string>, field: string) {
  const { [field]: _gone, ...rest } = answer
  return rest
}

describe('get_vacount answer: TID, Moid and Amt are 필수 (seed 001) and must be what was sent', () => {
  it('the answer as asked is an issued account', async () => {
    expect(await issue(issued())).toMatchObject({ transactionId: VA_TID, amount: 1_000 })
  })

  it('another Amt, TID or Moid — or none — is unknown, never an issued account', async () => {
    const answers = [
      issued({ Amt: pad(100) }),
      issued({ Amt: pad(10_000) }),
      issued({ TID: 'nicepay00m03012511291030009999' }),
      issued({ Moid: 'o-2' }),
      without(issued(), 'TID'),
      without(issued(), 'Moid'),
      without(issued(), 'Amt'),
    ]
    for (const answer of answers) {
      const err = await failure(issue(answer))
      expect([err.code, err.outcome, err.providerCode]).toEqual(['invalid_response', 'unknown', '4100'])
    }
  })
})

describe('billing_approve answer: TID, Moid and Amt are 필수 (seed 002) and must be what was sent', () => {
  it('the answer as asked is a charge under the TID sent', async () => {
    expect(await charge(charged())).toMatchObject({
      status: 'paid',
      transactionId: CHARGE_TID,
      amount: 1_000,
    })
  })

  it('another TID or Moid — or none — is unknown, never a charge', async () => {
    const answers = [
      charged({ TID: 'nicepay00m01162511291030009999' }),
      charged({ Moid: 'o-2' }),
      without(charged(), 'TID'),
      without(charged(), 'Moid'),
    ]
    for (const answer of answers) {
      const err = await failure(charge(answer))
      expect([err.code, err.outcome, err.providerCode]).toEqual(['invalid_response', 'unknown', '3001'])
    }
  })
})
