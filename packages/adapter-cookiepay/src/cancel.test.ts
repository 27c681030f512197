import { isPaymentError, type PaymentError } from '@paymux/core'
import { describe, expect, it } from 'vitest'
import { pair } from './__fixtures__/harness.js'
import { COOKIEPAY_REFUND_BANK_CODES, CookiePay } from './index.js'
import { COOKIEPAY_DEMO_CREDENTIALS } from './simulator/index.js'

async function failure(p: Promise<unknown>): Promise<PaymentError> {
  try {
    await p
  } catch (err) {
    if (isPaymentError(err)) return err
    throw err
  }
  throw new Error('expected a PaymentError')
}

const json = (body: unknown) => ({ kind: 'malformed' as const, body: JSON.stringify(body) })

describe('cancel: validation before any call', () => {
  it.each([
    ['reason', { reason: '가'.repeat(51) }],
    ['transactionId', { transactionId: 'has space' }],
    ['transactionId', { transactionId: 'T'.repeat(51) }],
    ['taxFreeAmount', { taxFreeAmount: 100, amount: 1000 }],
    [
      'refundAccount',
      { refundAccount: { bankCode: '999', accountNumber: '12345678', holderName: '홍길동' } },
    ],
  ])('%s is refused locally', async (param, patch) => {
    const { sim, provider, calls } = pair()
    const { transactionId } = sim.seedPayment({ amount: 1000 })
    const err = await failure(provider.cancel({ transactionId, reason: 'x', cancelId: 'c', ...patch }))
    expect(['invalid_request', 'unsupported_operation']).toContain(err.code)
    if (err.code === 'invalid_request') expect(err.param?.split('.')[0]).toBe(param)
    expect(calls).toHaveLength(0)
  })

  it('more than the payment amount (when the caller knows it) never reaches CookiePay', async () => {
    const { sim, provider, calls } = pair()
    const { transactionId } = sim.seedPayment({ amount: 1000 })
    const err = await failure(
      provider.cancel({ transactionId, amount: 2000, paymentAmount: 1000, reason: 'x', cancelId: 'c' }),
    )
    expect(err.code).toBe('amount_exceeds_cancellable')
    expect(calls).toHaveLength(0)
  })

  it('the constructor refuses missing credentials and unknown environments', () => {
    expect(() => new CookiePay({ apiId: '', apiKey: 'k', environment: 'sandbox' })).toThrow(/apiId/)
    expect(() => new CookiePay({ apiId: 'a', apiKey: 'k'.repeat(10), environment: 'prod' as never })).toThrow(
      /environment/,
    )
  })
})

describe('cancel: answers CookiePay documents nothing about', () => {
  it('an unknown code keeps its raw values as provider_rejected, with an unknown outcome', async () => {
    const { sim, provider } = pair()
    const { transactionId } = sim.seedPayment({ amount: 1000 })
    await provider.warmUp()
    sim.faults.inject({
      path: '/api/cancel',
      fault: {
        kind: 'status',
        status: 200,
        contentType: 'application/json',
        body: JSON.stringify({
          cancel_code: 'Q123',
          cancel_msg: '처음 보는 오류',
          cancel_tid: '',
          cancel_date: '',
          cancel_amt: '0',
        }),
      },
    })
    const err = await failure(provider.cancel({ transactionId, reason: 'x', cancelId: 'c' }))
    expect([err.code, err.outcome, err.providerCode, err.providerMessage]).toEqual([
      'provider_rejected',
      // Nothing says CookiePay did nothing: a code no table knows proves no refusal.
      'unknown',
      'Q123',
      '처음 보는 오류',
    ])
  })

  it.each([
    ['이미 취소된 거래입니다', '9013'],
    ['원거래 기취소 건입니다', 'X001'],
  ])('"%s" (code %s) is already_cancelled', async (message, code) => {
    const { sim, provider } = pair({ sim: { codes: { alreadyCancelled: { code, message } } } })
    const { transactionId } = sim.seedPayment({ amount: 1000 })
    await provider.cancel({ transactionId, reason: 'x', cancelId: 'c1' })
    const err = await failure(provider.cancel({ transactionId, reason: 'x', cancelId: 'c2' }))
    expect([err.code, err.providerCode]).toEqual(['already_cancelled', code])
  })

  it('"already cancelled" answered with code 0000 and nothing moved is still already_cancelled', async () => {
    const { sim, provider } = pair({
      sim: { codes: { alreadyCancelled: { code: '0000', message: '원거래 기취소' } } },
    })
    const { transactionId } = sim.seedPayment({ amount: 1000 })
    await provider.cancel({ transactionId, reason: 'x', cancelId: 'c1' })
    const err = await failure(provider.cancel({ transactionId, reason: 'x', cancelId: 'c2' }))
    expect(err.code).toBe('already_cancelled')
  })

  it('errors carried in RESULTCODE instead of cancel_code are read the same', async () => {
    const { sim, provider } = pair({ sim: { cancelErrorShape: 'upper' } })
    const { transactionId } = sim.seedPayment({ amount: 1000 })
    const err = await failure(provider.cancel({ transactionId, amount: 5000, reason: 'x', cancelId: 'c' }))
    expect(err.code).toBe('amount_exceeds_cancellable')
  })

  it("a cancel with another payment type's pair does not find the payment (use the original pair)", async () => {
    const other = { apiId: 'sandbox_keyin', apiKey: 'keyin-pair-secret-0001' }
    const { sim, provider } = pair({ sim: { accounts: [{ ...COOKIEPAY_DEMO_CREDENTIALS }, other] } })
    const { transactionId } = sim.seedPayment({ amount: 1000, apiId: other.apiId })
    expect((await failure(provider.cancel({ transactionId, reason: 'x', cancelId: 'c' }))).code).toBe(
      'transaction_not_found',
    )
    const right = pair({ sim: { accounts: [other] }, adapter: other })
    const t2 = right.sim.seedPayment({ amount: 1000 }).transactionId
    expect((await right.provider.cancel({ transactionId: t2, reason: 'x', cancelId: 'c' })).status).toBe(
      'cancelled',
    )
  })
})

describe('cancel: malformed answers after a cancel may have run are unknown', () => {
  it.each([
    ['JSON without any code', { hello: 'world' }],
    ['a JSON array', [{ cancel_code: '0000' }]],
    ['0000 without cancel_amt on a full cancel', { cancel_code: '0000', cancel_msg: '정상취소' }],
  ])('%s', async (_what, body) => {
    const { sim, provider } = pair()
    const { transactionId } = sim.seedPayment({ amount: 1000 })
    await provider.warmUp()
    sim.faults.inject({ path: '/api/cancel', fault: json(body) })
    const err = await failure(provider.cancel({ transactionId, reason: 'x', cancelId: 'c' }))
    expect([err.code, err.outcome]).toEqual(['invalid_response', 'unknown'])
  })

  it('0000 without cancel_amt on a partial cancel reports the requested amount', async () => {
    const { sim, provider } = pair()
    const { transactionId } = sim.seedPayment({ amount: 1000 })
    await provider.warmUp()
    sim.faults.inject({
      path: '/api/cancel',
      fault: json({ cancel_code: '0000', cancel_msg: '정상취소', cancel_date: '20260131144253' }),
    })
    const r = await provider.cancel({ transactionId, amount: 300, reason: 'x', cancelId: 'c' })
    expect(r).toMatchObject({
      status: 'cancelled',
      cancelledAmount: 300,
      cancelledAt: '2026-01-31T14:42:53+09:00',
    })
  })

  it('a 503 carrying 0000 is not believed', async () => {
    const { sim, provider } = pair()
    const { transactionId } = sim.seedPayment({ amount: 1000 })
    await provider.warmUp()
    sim.faults.inject({
      path: '/api/cancel',
      fault: {
        kind: 'status',
        status: 503,
        contentType: 'application/json',
        body: '{"cancel_code":"0000","cancel_amt":"1000"}',
      },
    })
    const err = await failure(provider.cancel({ transactionId, reason: 'x', cancelId: 'c' }))
    expect([err.code, err.outcome]).toEqual(['invalid_response', 'unknown'])
  })

  it('a mis-encoded error answer is unknown rather than a guessed rejection', async () => {
    const { sim, provider } = pair()
    const { transactionId } = sim.seedPayment({ amount: 1000 })
    await provider.cancel({ transactionId, reason: 'x', cancelId: 'c1' })
    sim.faults.inject({ path: '/api/cancel', fault: { kind: 'mis_encoded' } })
    const err = await failure(provider.cancel({ transactionId, reason: 'x', cancelId: 'c2' }))
    expect(err.outcome).toBe('unknown')
  })
})

describe('cancel: results', () => {
  it("carries cancel_tid, cancel_date and this cancel's amount (not a running total)", async () => {
    const { sim, provider } = pair()
    const { transactionId } = sim.seedPayment({ amount: 10_000 })
    const a = await provider.cancel({ transactionId, amount: 3000, reason: 'x', cancelId: 'a' })
    const b = await provider.cancel({ transactionId, amount: 2000, reason: 'x', cancelId: 'b' })
    expect(a.status === 'cancelled' && b.status === 'cancelled').toBe(true)
    if (a.status !== 'cancelled' || b.status !== 'cancelled') return
    expect([a.cancelledAmount, b.cancelledAmount]).toEqual([3000, 2000])
    expect(a.providerCancelId).toBeTruthy()
    expect(a.providerCancelId).not.toBe(b.providerCancelId)
    expect(a.cancelledAt).toMatch(/\+09:00$/)
    expect(a.remainingAmount).toBeUndefined()
  })

  it("VA refunds send CookiePay's two-digit bank code and a dash-free account number", async () => {
    const { sim, provider } = pair()
    const { transactionId } = sim.seedPayment({ amount: 20_000, method: 'virtual_account', deposited: true })
    const r = await provider.cancel({
      transactionId,
      reason: '환불',
      cancelId: 'c',
      refundAccount: { bankCode: '088', accountNumber: '110-123-456789', holderName: '홍길동' },
    })
    expect(r.status).toBe('cancelled')
  })

  it('a three-digit bank code CookiePay refuses with a code no table knows is unknown; the mapping can be overridden', async () => {
    const refund = { bankCode: '004', accountNumber: '12345678901234', holderName: '홍길동' }
    const strict = pair({ sim: { refundBankCodeDigits: 3 } })
    const t1 = strict.sim.seedPayment({
      amount: 20_000,
      method: 'virtual_account',
      deposited: true,
    }).transactionId
    const err = await failure(
      strict.provider.cancel({ transactionId: t1, reason: 'x', cancelId: 'c', refundAccount: refund }),
    )
    expect([err.code, err.outcome]).toEqual(['provider_rejected', 'unknown'])
    expect(strict.sim.inspect(t1)?.cancelledAmount).toBe(0)
    const kftc = Object.fromEntries(Object.keys(COOKIEPAY_REFUND_BANK_CODES).map((k) => [k, k]))
    const fixed = pair({ sim: { refundBankCodeDigits: 3 }, adapter: { refundBankCodes: kftc } })
    const t2 = fixed.sim.seedPayment({
      amount: 20_000,
      method: 'virtual_account',
      deposited: true,
    }).transactionId
    expect(
      (await fixed.provider.cancel({ transactionId: t2, reason: 'x', cancelId: 'c', refundAccount: refund }))
        .status,
    ).toBe('cancelled')
  })

  it('no secret reaches a log line or an error', async () => {
    const lines: string[] = []
    const log = (f: object, m?: string) => void lines.push(JSON.stringify(f) + (m ?? ''))
    const { sim, provider } = pair({ adapter: { logger: { debug: log, info: log, warn: log, error: log } } })
    const { transactionId } = sim.seedPayment({ amount: 1000 })
    sim.faults.inject({ path: '/api/cancel', fault: { kind: 'drop' } })
    const err = await failure(provider.cancel({ transactionId, reason: 'x', cancelId: 'c' }))
    const text = lines.join('\n') + JSON.stringify(err) + err.message
    expect(lines.length).toBeGreaterThan(0)
    expect(text).not.toContain(COOKIEPAY_DEMO_CREDENTIALS.apiKey)
    expect(text).not.toMatch(/eyJ[\w-]+\.[\w-]+\.[\w-]+/)
  })
})
