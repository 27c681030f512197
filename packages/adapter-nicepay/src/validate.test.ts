// validate() is the whole pre-flight check: pure, and the operations refuse exactly what it refuses.
import type { FetchLike, PaymentError, ProviderOperation } from '@paymux/core'
import { describe, expect, it } from 'vitest'
import { CREDS, failure, rig } from './__fixtures__/rig.js'
import { NicePay } from './nicepay.js'

const TID = 'nicepay00m01012511291030001234'
const BID = 'BIKYnicepay00m2511291030000001'
const CARD = { number: '4111111111111111', expiryYear: '30', expiryMonth: '12' }
const CANCEL = { transactionId: TID, amount: 1_000, reason: '취소', cancelId: 'c-1' }
const VA = { orderId: 'va-1', amount: 1_000, goodsName: '상품', bankCode: '004', dueDate: '2099-12-31' }
const CHARGE = { billingKey: BID, orderId: 'o-1', amount: 1_000, goodsName: '구독' }
const CHECKOUT = {
  orderId: 'ord-1',
  amount: 15_000,
  orderName: '테스트상품',
  method: 'card',
  returnUrl: 'https://shop.example/checkout/t/return',
  closeUrl: 'https://shop.example/checkout/t/close',
  expiresAt: '2099-01-01T00:00:00+09:00',
} as const

/** Requests each operation refuses before sending, with the field the error must name. */
const REFUSED: Array<[ProviderOperation, string]> = [
  [{ operation: 'cancel', request: { ...CANCEL, reason: '가'.repeat(51) } }, 'reason'],
  [{ operation: 'cancel', request: { ...CANCEL, transactionId: 'TID with spaces' } }, 'transactionId'],
  [{ operation: 'cancel', request: { ...CANCEL, cancelId: '' } }, 'cancelId'],
  [
    {
      operation: 'cancel',
      request: {
        ...CANCEL,
        refundAccount: { bankCode: '004', accountNumber: '1234567890', holderName: '남궁길동님이' },
      },
    },
    'refundAccount.holderName',
  ],
  [{ operation: 'cancel', request: { ...CANCEL, amount: undefined } }, 'amount'],
  [{ operation: 'issueVirtualAccount', request: { ...VA, dueDate: '2020-01-01' } }, 'dueDate'],
  [{ operation: 'issueVirtualAccount', request: { ...VA, goodsName: '가'.repeat(21) } }, 'goodsName'],
  [{ operation: 'issueVirtualAccount', request: { ...VA, bankCode: '090' } }, 'bankCode'],
  [
    {
      operation: 'issueVirtualAccount',
      request: { ...VA, cashReceipt: { type: 'income_deduction', identifier: '12' } },
    },
    'cashReceipt.identifier',
  ],
  [{ operation: 'issueVirtualAccount', request: { ...VA, depositorName: '😀' } }, 'depositorName'],
  [{ operation: 'issueBillingKey', request: { card: CARD, requestId: 'r 1' } }, 'requestId'],
  [
    { operation: 'issueBillingKey', request: { card: CARD, requestId: 'r-1', customerId: ' ' } },
    'customerId',
  ],
  [
    { operation: 'issueBillingKey', request: { card: { ...CARD, expiryMonth: '13' }, requestId: 'r' } },
    'card.expiryMonth',
  ],
  [
    { operation: 'issueBillingKey', request: { card: CARD, requestId: 'r-1', buyer: { phone: 'abc' } } },
    'buyer.phone',
  ],
  [{ operation: 'chargeBillingKey', request: { ...CHARGE, amount: 0 } }, 'amount'],
  [{ operation: 'chargeBillingKey', request: { ...CHARGE, billingKey: '' } }, 'billingKey'],
  [{ operation: 'chargeBillingKey', request: { ...CHARGE, installmentMonths: 1.5 } }, 'installmentMonths'],
  [{ operation: 'chargeBillingKey', request: { ...CHARGE, buyer: { email: 'no-at' } } }, 'buyer.email'],
  [{ operation: 'deleteBillingKey', request: { billingKey: 'BIKY with space' } }, 'billingKey'],
  [{ operation: 'deleteBillingKey', request: { billingKey: BID, requestId: 'x'.repeat(65) } }, 'requestId'],
  // GoodsName is 40 bytes of EUC-KR: 21 syllables are 42.
  [{ operation: 'checkout', request: { ...CHECKOUT, orderName: '가'.repeat(21) } }, 'orderName'],
  [{ operation: 'checkout', request: { ...CHECKOUT, orderName: '😀 상품' } }, 'orderName'],
  [{ operation: 'checkout', request: { ...CHECKOUT, orderId: '주문-1' } }, 'orderId'],
  [{ operation: 'checkout', request: { ...CHECKOUT, customer: { name: '가'.repeat(16) } } }, 'customer.name'],
  [{ operation: 'checkout', request: { ...CHECKOUT, customer: { email: 'no-at' } } }, 'customer.email'],
  [{ operation: 'checkout', request: { ...CHECKOUT, customer: { phone: 'call me' } } }, 'customer.phone'],
  [{ operation: 'checkout', request: { ...CHECKOUT, amount: 0 } }, 'amount'],
  [{ operation: 'checkout', request: { ...CHECKOUT, expiresAt: '2020-01-01T00:00:00+09:00' } }, 'expiresAt'],
  [{ operation: 'checkout', request: { ...CHECKOUT, expiresAt: '2099-01-01 00:00' } }, 'expiresAt'],
  [{ operation: 'checkout', request: { ...CHECKOUT, returnUrl: 'not a url' } }, 'returnUrl'],
  [
    { operation: 'checkout', request: { ...CHECKOUT, returnUrl: `https://shop.example/${'r'.repeat(500)}` } },
    'returnUrl',
  ],
]

function run(p: NicePay, op: ProviderOperation): Promise<unknown> {
  switch (op.operation) {
    case 'cancel':
      return p.cancel(op.request)
    case 'issueVirtualAccount':
      return p.issueVirtualAccount(op.request)
    case 'issueBillingKey':
      return p.issueBillingKey(op.request)
    case 'chargeBillingKey':
      return p.chargeBillingKey(op.request)
    case 'deleteBillingKey':
      return p.deleteBillingKey(op.request)
    case 'checkout':
      return p.startCheckout(op.request)
  }
}

function thrown(fn: () => void): PaymentError | undefined {
  try {
    fn()
  } catch (err) {
    return err as PaymentError
  }
  return undefined
}

const noNetwork: FetchLike = () => {
  throw new Error('validate() must not touch the network')
}

describe('validate(): the whole pre-flight check', () => {
  for (const [op, param] of REFUSED) {
    it(`${op.operation} refuses ${param}; the operation throws the same and sends nothing`, async () => {
      const offline = new NicePay({ ...CREDS, baseUrl: 'http://x', fetch: noNetwork })
      const byValidate = thrown(() => offline.validate(op))
      expect([byValidate?.code, byValidate?.param]).toEqual(['invalid_request', param])
      const { provider, sim } = rig()
      const byOperation = await failure(run(provider, op))
      expect([byOperation.code, byOperation.param, byOperation.message]).toEqual([
        byValidate!.code,
        byValidate!.param,
        byValidate!.message,
      ])
      expect(sim.faults.calls).toBe(0)
    })
  }

  it('a valid request of every operation passes without any I/O', () => {
    const offline = new NicePay({
      ...CREDS,
      baseUrl: 'http://x',
      fetch: noNetwork,
      paymentAmountOf: () => {
        throw new Error('validate() must not ask the merchant records')
      },
    })
    const ok: ProviderOperation[] = [
      { operation: 'cancel', request: CANCEL },
      { operation: 'cancel', request: { ...CANCEL, amount: undefined } },
      { operation: 'issueVirtualAccount', request: VA },
      { operation: 'issueBillingKey', request: { card: CARD, requestId: 'r-1', customerId: 'u-1' } },
      { operation: 'chargeBillingKey', request: CHARGE },
      { operation: 'deleteBillingKey', request: { billingKey: BID } },
      { operation: 'checkout', request: CHECKOUT },
      { operation: 'checkout', request: { ...CHECKOUT, method: 'virtual_account' } },
      {
        operation: 'checkout',
        request: { ...CHECKOUT, orderName: '가'.repeat(20), customer: { name: '홍길동' } },
      },
    ]
    for (const op of ok) expect(thrown(() => offline.validate(op))).toBeUndefined()
  })

  it('a tax-free amount NicePay cannot carry is unsupported before sending, not silently dropped', async () => {
    const { provider, sim } = rig()
    for (const op of [
      { operation: 'chargeBillingKey', request: { ...CHARGE, taxFreeAmount: 100 } },
      { operation: 'issueVirtualAccount', request: { ...VA, taxFreeAmount: 100 } },
      { operation: 'cancel', request: { ...CANCEL, taxFreeAmount: 100 } },
      { operation: 'checkout', request: { ...CHECKOUT, taxFreeAmount: 100 } },
    ] as ProviderOperation[]) {
      expect(thrown(() => provider.validate(op))?.code).toBe('unsupported_operation')
      expect((await failure(run(provider, op))).code).toBe('unsupported_operation')
    }
    expect(sim.faults.calls).toBe(0)
  })
})
