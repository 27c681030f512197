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
    [
      'approveCheckout',
      () => p.approveCheckout(WINDOW_APPROVAL, { orderId: 'o-1', amount: 1_000, method: 'card' }),
    ],
    ['undoCheckout', () => p.undoCheckout(WINDOW_APPROVAL, 'lost')],
  ]
}

/** An authentication as readCheckoutReturn hands it over, on the canned host's origin. */
const WINDOW_APPROVAL = {
  transactionId: TID,
  amount: 1_000,
  data: {
    authToken: 'NICETOKNCE4AE9CC80AF05CC567133168FB0CFAE',
    mid: CREDS.mid,
    payMethod: 'CARD',
    nextAppUrl: 'http://x/webapi/pay_process.jsp',
    netCancelUrl: 'http://x/webapi/cancel_process.jsp',
    ediDate: '20260315093142',
  },
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

  // 2056 "카드사 타임아웃 … 재취소처리 요망", 1101 통신 연결 실패, 1102 통신 지연, A299 API 지연처리, X001
  // socket error: the PG says it did not finish, not that nothing moved. Read as a refusal (2056/1101 were
  // retryable provider_unavailable), the gateway released the Idempotency-Key and the retry cancelled again.
  for (const code of ['2056', '1101', '1102', 'A299', 'X001']) {
    it(`${code} (the PG did not finish) is unknown and not retryable on every money-moving call`, async () => {
      for (const [name, call] of calls(provider(`{"ResultCode":"${code}","ResultMsg":"x"}`))) {
        const err = await failure(call())
        expect([name, err.outcome, err.retryable, err.providerCode]).toEqual([name, 'unknown', false, code])
      }
    })
  }

  it('on the lookup (a read) the same codes are a plain retryable failure', async () => {
    for (const code of ['2056', '1101']) {
      const err = await failure(provider(`{"ResultCode":"${code}","ResultMsg":"x"}`).getTransaction(TID))
      expect([err.code, err.outcome, err.retryable]).toEqual(['provider_unavailable', 'rejected', true])
    }
  })
})
