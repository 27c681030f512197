// When money may have moved: the HTTP status and the code table decide what an answer proves, an "already
// cancelled" is settled from the receipt, a full cancel's amount comes from the receipt, and nothing invalid is
// ever sent (not even a token request).
import type { FetchLike } from '@paymux/core'
import { inProcessFetch } from '@paymux/core/simulator'
import { describe, expect, it } from 'vitest'
import { Bootpay, type BootpayOptions } from './bootpay.js'
import {
  BOOTPAY_DEMO_CREDENTIALS,
  BOOTPAY_TEST_CARD,
  type BootpaySimulatorOptions,
  createBootpaySimulator,
} from './simulator/index.js'

const KEYS = {
  applicationId: BOOTPAY_DEMO_CREDENTIALS.applicationId,
  privateKey: BOOTPAY_DEMO_CREDENTIALS.privateKey,
}

function pair(version: 'v1' | 'v2', sim = createBootpaySimulator(), extra: Partial<BootpayOptions> = {}) {
  const urls: string[] = []
  const inner = inProcessFetch(sim.app)
  const fetch: FetchLike = (input, init) => {
    urls.push(new Request(input as string, init).url)
    return inner(input, init)
  }
  const provider = new Bootpay({
    apiVersion: version,
    ...KEYS,
    baseUrl: 'http://bootpay.sim',
    fetch,
    ...extra,
  } as BootpayOptions)
  return { sim, provider, urls }
}

const simWith = (o: BootpaySimulatorOptions) => createBootpaySimulator(o)

describe.each(['v1', 'v2'] as const)('%s: what an answer proves on a money-moving call', (version) => {
  it('an unmapped code is unknown at HTTP 200, 400 and 502, on a cancel and on a charge', async () => {
    const { sim, provider } = pair(version)
    await provider.warmUp()
    const bk = await provider.issueBillingKey({ card: { ...BOOTPAY_TEST_CARD }, requestId: 'bk-1' })
    for (const status of [200, 400, 502]) {
      const { transactionId } = sim.seedPayment({ amount: 10_000 })
      sim.faults.inject({ kind: 'unmapped_code', status })
      await expect(
        provider.cancel({ transactionId, amount: 2_000, reason: 'x', cancelId: `u-${status}` }),
      ).rejects.toMatchObject({ providerCode: 'X931', outcome: 'unknown' })
      sim.faults.inject({ kind: 'unmapped_code', status })
      await expect(
        provider.chargeBillingKey({
          billingKey: bk.billingKey,
          orderId: `o-${status}`,
          amount: 1_000,
          goodsName: 'g',
        }),
      ).rejects.toMatchObject({ providerCode: 'X931', outcome: 'unknown' })
    }
  })

  it('a documented refusal answered with a 5xx is unknown; below 500 it is a refusal', async () => {
    const { sim, provider } = pair(version)
    const { transactionId } = sim.seedPayment({ amount: 10_000 })
    const over = { transactionId, amount: 20_000, reason: 'x', cancelId: 'over-1' }
    await expect(provider.cancel(over)).rejects.toMatchObject({
      code: 'amount_exceeds_cancellable',
      outcome: 'rejected',
    })
    sim.settings.errors = {
      ...sim.settings.errors,
      price_over: { ...sim.settings.errors.price_over, http: 503 },
    }
    await expect(provider.cancel({ ...over, cancelId: 'over-2' })).rejects.toMatchObject({
      code: 'amount_exceeds_cancellable',
      outcome: 'unknown',
    })
  })

  it('a charge answer naming another amount than asked is unknown', async () => {
    const sim = createBootpaySimulator()
    const inner = inProcessFetch(sim.app)
    // The PG charged (or says it charged) 100 less than asked.
    const fetch: FetchLike = async (input, init) => {
      const res = await inner(input, init)
      if (!/subscribe\/(billing|payment)/.test(new Request(input as string, init).url)) return res
      const body = (await res.json()) as Record<string, unknown>
      const data = (version === 'v1' ? body.data : body) as Record<string, unknown>
      data.price = Number(data.price) - 100
      return Response.json(body, { status: res.status })
    }
    const provider = new Bootpay({ apiVersion: version, ...KEYS, baseUrl: 'http://bootpay.sim', fetch })
    const bk = await provider.issueBillingKey({ card: { ...BOOTPAY_TEST_CARD }, requestId: 'bk-2' })
    await expect(
      provider.chargeBillingKey({
        billingKey: bk.billingKey,
        orderId: 'o-amount',
        amount: 1_000,
        goodsName: 'g',
      }),
    ).rejects.toMatchObject({ code: 'invalid_response', outcome: 'unknown' })
  })
})

describe.each(['v1', 'v2'] as const)('%s: "기취소된 건입니다" (seed 003)', (version) => {
  it('a payment the PG cancelled itself, not reflected in Bootpay: unknown, never a failed cancel', async () => {
    const { sim, provider } = pair(version)
    const { transactionId } = sim.seedPayment({ amount: 10_000 })
    sim.cancelAtPg(transactionId)
    const err = await provider
      .cancel({ transactionId, reason: '고객 요청', cancelId: 'pg-1' })
      .catch((e: unknown) => e)
    expect(err).toMatchObject({
      code: 'already_cancelled',
      outcome: 'unknown',
      providerMessage: expect.stringContaining('기취소된 건입니다'),
    })
    expect(String((err as Error).message)).toMatch(/outside Bootpay/)
    // Bootpay's receipt still shows the payment paid: what the adapter told the caller is all it can know.
    expect(sim.inspect(transactionId)).toMatchObject({ cancelledAmount: 0, pgCancelled: true })
  })

  it('recognised by message only under the generic PG-refusal code, never under an unknown one', async () => {
    const generic = version === 'v1' ? 1204 : 'RC_REQUEST_FAILED'
    for (const [code, expected] of [
      [generic, { code: 'already_cancelled', outcome: 'unknown' }],
      // An unknown code is not "the PG refused, see the message": it stays raw, and on a cancel unknown.
      [version === 'v1' ? -7777 : 'RC_SOMETHING_ELSE', { code: 'provider_rejected', outcome: 'unknown' }],
    ] as const) {
      const sim = simWith({})
      sim.settings.errors = {
        ...sim.settings.errors,
        pg_already_cancelled: {
          http: 400,
          v1: typeof code === 'number' ? code : -1204,
          v2: String(code),
          message: 'PG: 기취소된 건입니다.',
        },
      }
      const { provider } = pair(version, sim)
      const { transactionId } = sim.seedPayment({ amount: 10_000 })
      sim.cancelAtPg(transactionId)
      await expect(
        provider.cancel({ transactionId, amount: 3_000, reason: 'x', cancelId: 'pg-2' }),
      ).rejects.toMatchObject({ ...expected, providerCode: String(code) })
    }
  })

  it('a specific code is never overruled by its wording', async () => {
    for (const message of [
      '이미 취소된 금액을 더하면 결제금액을 넘습니다.',
      '기취소된 건을 빼면 남은 금액이 부족합니다.',
    ]) {
      const sim = simWith({})
      sim.settings.errors = {
        ...sim.settings.errors,
        price_over: { ...sim.settings.errors.price_over, message },
      }
      const { provider } = pair(version, sim)
      const { transactionId } = sim.seedPayment({ amount: 10_000 })
      await provider.cancel({ transactionId, amount: 6_000, reason: 'x', cancelId: 'po-1' })
      await expect(
        provider.cancel({ transactionId, amount: 5_000, reason: 'x', cancelId: 'po-2' }),
      ).rejects.toMatchObject({ code: 'amount_exceeds_cancellable', outcome: 'rejected' })
    }
  })

  it('under the generic code, only the documented wording means already cancelled', async () => {
    const sim = simWith({})
    sim.settings.errors = {
      ...sim.settings.errors,
      pg_already_cancelled: {
        ...sim.settings.errors.pg_already_cancelled,
        message: '이미 취소 요청된 거래입니다',
      },
    }
    const { provider } = pair(version, sim)
    const { transactionId } = sim.seedPayment({ amount: 10_000 })
    sim.cancelAtPg(transactionId)
    const err = await provider
      .cancel({ transactionId, reason: 'x', cancelId: 'pg-5' })
      .catch((e: unknown) => e)
    expect(err).not.toMatchObject({ code: 'already_cancelled' })
    expect(err).toMatchObject({ providerMessage: expect.stringContaining('이미 취소 요청된') })
  })

  it("recognised by Bootpay's own code too: settled from the receipt, not taken at its word", async () => {
    const sim = simWith({})
    sim.settings.errors = {
      ...sim.settings.errors,
      pg_already_cancelled: { ...sim.settings.errors.already_cancelled },
    }
    const { provider } = pair(version, sim)
    const { transactionId } = sim.seedPayment({ amount: 10_000 })
    sim.cancelAtPg(transactionId)
    await expect(provider.cancel({ transactionId, reason: 'x', cancelId: 'pg-3' })).rejects.toMatchObject({
      code: 'already_cancelled',
      outcome: 'unknown',
    })
  })

  it('when the receipt shows it cancelled, it is a plain refusal', async () => {
    const { sim, provider } = pair(version, simWith({ settings: { pgCancelReflected: true } }))
    const { transactionId } = sim.seedPayment({ amount: 10_000 })
    sim.cancelAtPg(transactionId)
    await expect(provider.cancel({ transactionId, reason: 'x', cancelId: 'pg-4' })).rejects.toMatchObject({
      code: 'already_cancelled',
      outcome: 'rejected',
    })
    expect(sim.inspect(transactionId)).toMatchObject({ cancelledAmount: 10_000, cancelCount: 1 })
  })
})

describe('v2 full cancel: the amount comes from the receipt', () => {
  it('after a partial cancel made elsewhere, a full cancel reports only what it moved', async () => {
    const { sim, provider } = pair('v2')
    const { transactionId } = sim.seedPayment({ amount: 10_000 })
    // This instance has seen the receipt with nothing cancelled ...
    expect((await provider.getTransaction(transactionId)).cancelledAmount).toBe(0)
    // ... then another process (or Bootpay's console) cancels 3,000.
    await pair('v2', sim).provider.cancel({ transactionId, amount: 3_000, reason: 'x', cancelId: 'else-1' })
    const r = await provider.cancel({ transactionId, reason: 'rest', cancelId: 'full-1' })
    expect(r).toMatchObject({ status: 'cancelled', cancelledAmount: 7_000, remainingAmount: 0 })
    expect(sim.inspect(transactionId)).toMatchObject({ cancelledAmount: 10_000, cancelCount: 2 })
    // What a reviewer sees of the receipt: Bootpay's own fields, verbatim.
    expect((await provider.getTransaction(transactionId)).evidence).toMatchObject({
      receipt_id: transactionId,
      price: '10000',
      cancelled_price: '10000',
      status: '20',
    })
  })

  it('a full cancel whose answer leaves something uncancelled is unknown', async () => {
    const { sim, provider } = pair('v2')
    const { transactionId } = sim.seedPayment({ amount: 10_000 })
    sim.faults.inject({ fault: { kind: 'other_amount', delta: -1_000 }, path: '/cancel' })
    await expect(provider.cancel({ transactionId, reason: 'x', cancelId: 'f-1' })).rejects.toMatchObject({
      code: 'invalid_response',
      outcome: 'unknown',
    })
  })
})

describe('validate(): the whole pre-flight, with no I/O', () => {
  const invalid = [
    { operation: 'cancel' as const, request: { transactionId: 'r'.repeat(65), reason: 'x', cancelId: 'c' } },
    {
      operation: 'cancel' as const,
      request: {
        transactionId: 'r1',
        reason: 'x',
        cancelId: 'c',
        refundAccount: { bankCode: '999', accountNumber: '1234567', holderName: 'a' },
      },
    },
    {
      operation: 'issueBillingKey' as const,
      request: { card: { ...BOOTPAY_TEST_CARD, expiryMonth: '13' }, requestId: 'b' },
    },
    {
      operation: 'chargeBillingKey' as const,
      request: { billingKey: 'k', orderId: 'o', amount: 1_000, goodsName: 'g', installmentMonths: 40 },
    },
    { operation: 'deleteBillingKey' as const, request: { billingKey: '' } },
  ]

  it.each(
    invalid,
  )('$operation: validate() throws what the operation throws, and nothing is sent', async (op) => {
    const { provider, urls } = pair('v2')
    let thrown: unknown
    try {
      provider.validate(op)
    } catch (err) {
      thrown = err
    }
    expect(thrown).toMatchObject({ code: 'invalid_request' })
    const call = {
      cancel: () => provider.cancel(op.request as never),
      issueBillingKey: () => provider.issueBillingKey(op.request as never),
      chargeBillingKey: () => provider.chargeBillingKey(op.request as never),
      deleteBillingKey: () => provider.deleteBillingKey(op.request as never),
    }[op.operation]
    const err = await call().catch((e: unknown) => e)
    expect(err).toMatchObject({
      code: 'invalid_request',
      param: (thrown as { param: string }).param,
    })
    // Not even a token request.
    expect(urls).toEqual([])
  })

  it('virtual-account issue is refused by validate() as by the operation', () => {
    const { provider, urls } = pair('v2')
    expect(() =>
      provider.validate({
        operation: 'issueVirtualAccount',
        request: { orderId: 'o', amount: 1_000, goodsName: 'g', bankCode: '004', dueDate: '2099-01-01' },
      }),
    ).toThrow(expect.objectContaining({ code: 'unsupported_operation' }))
    expect(urls).toEqual([])
  })

  it('a valid request passes without any call', () => {
    const { provider, urls } = pair('v1')
    provider.validate({ operation: 'cancel', request: { transactionId: 'r1', reason: 'x', cancelId: 'c' } })
    expect(urls).toEqual([])
  })
})
