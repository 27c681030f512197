// Against the real Toss test API, when test keys are given (TOSS_SECRET_KEY / TOSS_CLIENT_KEY, `test_` keys
// only): the core conformance suite, its money cases included, on payments seeded through the key-in payment API
// (__fixtures__/live-harness.ts, the same harness live-harness.test.ts runs on the simulator), then the calls that
// need no paid payment and the per-code statuses of the spec checked through TossPayments-Test-Code.
import { type FetchLike, isPaymentError, type PaymentError } from '@paymux/core'
import { runConformanceSuite } from '@paymux/core/testing'
import { describe, expect, it } from 'vitest'
import { liveHarness, probeKeyIn, type TossApi } from './__fixtures__/live-harness.js'
import { TossPayments } from './tosspayments.js'

const secretKey = process.env.TOSS_SECRET_KEY
const clientKey = process.env.TOSS_CLIENT_KEY
/** Toss's API; another address (a simulator) only to try this file's wiring without Toss. */
const baseUrl = process.env.TOSS_API_URL ?? 'https://api.tosspayments.com'
const skipWhy =
  !secretKey || !clientKey
    ? 'set TOSS_SECRET_KEY and TOSS_CLIENT_KEY (test_sk_ / test_ck_ keys) to run these against the real Toss test API'
    : !secretKey.startsWith('test_')
      ? 'TOSS_SECRET_KEY is not a test key: these tests never run against live keys'
      : undefined

/** The adapter with every call carrying `TossPayments-Test-Code: code` (Toss answers that error). */
function forcing(code?: string) {
  const fetch: FetchLike = (input, init) => {
    const headers = new Headers(init?.headers)
    if (code) headers.set('TossPayments-Test-Code', code)
    return globalThis.fetch(input, { ...init, headers })
  }
  return new TossPayments({ secretKey: secretKey!, clientKey: clientKey!, baseUrl, fetch, timeoutMs: 20_000 })
}

async function failure(p: Promise<unknown>): Promise<PaymentError> {
  try {
    await p
  } catch (err) {
    if (isPaymentError(err)) return err
    throw err
  }
  throw new Error('expected a PaymentError')
}

if (skipWhy) {
  describe('tosspayments: the real test API', () => {
    it.skip(`skipped: ${skipWhy}`, () => {})
  })
  describe('conformance: tosspayments (the real test API)', () => {
    it.skip(`skipped: ${skipWhy}`, () => {})
  })
} else {
  const api: TossApi = { baseUrl, secretKey: secretKey!, clientKey: clientKey! }
  // One key-in payment (cancelled at once) tells whether these keys can seed the money cases: the spec says key-in
  // needs an extra contract. Without it the suite cannot run, and one failing test says why.
  const keyInRefused = await probeKeyIn(api)
  if (keyInRefused) {
    describe('conformance: tosspayments (the real test API)', () => {
      it('seeds paid payments through the key-in payment API', () => {
        throw new Error(keyInRefused)
      })
    })
  } else {
    // The real API is farther than a simulator on loopback: the same read timeout as the simulator's harness.
    runConformanceSuite(liveHarness('tosspayments (the real test API)', async () => api, 3_000))
  }

  describe('tosspayments: the real test API', () => {
    const orderId = () => `paymux-live-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`

    it('a payment that does not exist: lookup and cancel are transaction_not_found, the order lookup empty', async () => {
      const toss = forcing()
      expect((await failure(toss.getTransaction('tgen_nosuchpayment0000000'))).code).toBe(
        'transaction_not_found',
      )
      const err = await failure(
        toss.cancel({ transactionId: 'tgen_nosuchpayment0000000', reason: 'x', cancelId: orderId() }),
      )
      expect([err.code, err.outcome]).toEqual(['transaction_not_found', 'rejected'])
      expect(await toss.lookupOrder(orderId())).toEqual([])
    }, 60_000)

    it('a virtual account: issue, look up, close before deposit', async () => {
      const toss = forcing()
      const va = await toss.issueVirtualAccount({
        orderId: orderId(),
        amount: 12_000,
        goodsName: 'paymux live test',
        bankCode: '020',
        dueDate: new Date(Date.now() + 86_400_000).toISOString(),
        depositorName: '홍길동',
      })
      expect(va.amount).toBe(12_000)
      expect((await toss.getTransaction(va.transactionId)).status).toBe('waiting_for_deposit')
      const closed = await toss.cancel({
        transactionId: va.transactionId,
        reason: '발급 취소',
        cancelId: orderId(),
      })
      expect(closed.status).toBe('cancelled')
    }, 60_000)

    it('the per-code statuses decide rejected or unknown as the spec says', async () => {
      const cases: Array<[string, 'rejected' | 'unknown']> = [
        ['PROVIDER_ERROR', 'unknown'],
        ['NOT_CANCELABLE_AMOUNT', 'rejected'],
        ['ALREADY_CANCELED_PAYMENT', 'rejected'],
        ['FAILED_REFUND_PROCESS', 'unknown'],
        ['COMMON_ERROR', 'unknown'],
      ]
      for (const [code, outcome] of cases) {
        const err = await failure(
          forcing(code).cancel({
            transactionId: 'tgen_nosuchpayment0000000',
            reason: 'x',
            cancelId: orderId(),
          }),
        )
        expect([code, err.providerCode, err.outcome]).toEqual([code, code, outcome])
      }
    }, 120_000)
  })
}
