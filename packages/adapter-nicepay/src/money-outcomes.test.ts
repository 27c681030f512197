// On a call that moves money, only a well-formed answer whose code maps to a definite refusal is a refusal.
import { describe, expect, it } from 'vitest'
import { answering, CREDS, failure } from './__fixtures__/rig.js'
import { NicePay } from './nicepay.js'

const TID = 'nicepay00m01012511291030001234'
const BID = 'BIKYnicepay00m2511291030000001'

/** Every money-moving operation, each fed the same canned answer. */
function calls(p: NicePay): Array<[string, () => Promise<unknown>]> {
  return [
    ['cancel', () => p.cancel({ transactionId: TID, amount: 100, reason: 'x', cancelId: 'c-1' })],
    [
      'chargeBillingKey',
      () => p.chargeBillingKey({ billingKey: BID, orderId: 'o-1', amount: 1_000, goodsName: 'g' }),
    ],
    [
      'issueVirtualAccount',
      () =>
        p.issueVirtualAccount({
          orderId: 'o-1',
          amount: 1_000,
          goodsName: 'g',
          bankCode: '004',
          dueDate: '2099-12-31',
        }),
    ],
    [
      'issueBillingKey',
      () =>
        p.issueBillingKey({
          card: { number: '4111111111111111', expiryYear: '30', expiryMonth: '12' },
          requestId: 'r-1',
        }),
    ],
    ['deleteBillingKey', () => p.deleteBillingKey({ billingKey: BID, requestId: 'd-1' })],
  ]
}

const provider = (body: string, status = 200) =>
  new NicePay({ ...CREDS, baseUrl: 'http://x', fetch: answering(body, status) })

describe('HTTP status and unmapped codes on money-moving calls', () => {
  for (const status of [500, 502, 503, 404, 302]) {
    it(`HTTP ${status} carrying a refusal code the table knows (2015) is unknown on every call`, async () => {
      const p = provider('{"ResultCode":"2015","ResultMsg":"기취소"}', status)
      for (const [name, call] of calls(p)) {
        const err = await failure(call())
        expect([name, err.outcome, err.retryable]).toEqual([name, 'unknown', false])
        expect(err.providerCode).toBe('2015')
      }
    })
  }

  it('HTTP 500 with an empty body or an HTML page is unknown', async () => {
    for (const body of ['', '<html><body>Internal Server Error</body></html>']) {
      for (const [name, call] of calls(provider(body, 500))) {
        expect([name, (await failure(call())).outcome]).toEqual([name, 'unknown'])
      }
    }
  })

  it('HTTP 200 with a code the table does not map is unknown, keeping the raw code and message', async () => {
    for (const [name, call] of calls(provider('{"ResultCode":"Z987","ResultMsg":"새 오류"}'))) {
      const err = await failure(call())
      expect([name, err.code, err.outcome, err.retryable, err.providerCode, err.providerMessage]).toEqual([
        name,
        'invalid_response',
        'unknown',
        false,
        'Z987',
        '새 오류',
      ])
    }
  })

  it('HTTP 200 without a ResultCode, or with a malformed one, is unknown', async () => {
    for (const body of ['{"ResultMsg":"x"}', '{"ResultCode":"","ResultMsg":"x"}', '{"ResultCode":"20"}']) {
      for (const [name, call] of calls(provider(body))) {
        expect([name, (await failure(call())).outcome]).toEqual([name, 'unknown'])
      }
    }
  })

  it('HTTP 200 with a mapped refusal stays a refusal (rejected): the only answer that is', async () => {
    const err = await failure(
      provider('{"ResultCode":"2015","ResultMsg":"기취소"}').cancel({
        transactionId: TID,
        amount: 100,
        reason: 'x',
        cancelId: 'c',
      }),
    )
    expect([err.code, err.outcome]).toEqual(['already_cancelled', 'rejected'])
  })
})
