import type { FetchLike } from '@paymux/core'
import { inProcessFetch } from '@paymux/core/simulator'
import { describe, expect, it } from 'vitest'
import { answering, CREDS, failure, rig } from './__fixtures__/rig.js'
import { NicePay } from './nicepay.js'
import { defaultTidGenerator } from './tid.js'
import { cancelMoid } from './transformers/cancel.js'

/** 2025-11-29 10:30:00 KST. */
const FIXED = Date.parse('2025-11-29T10:30:00+09:00')

describe('invalid requests never reach NicePay', () => {
  const cases: Array<[string, Record<string, unknown>]> = [
    ['reason', { reason: '가'.repeat(51) }], // 102 EUC-KR bytes > 100
    ['reason', { reason: '환불 😀' }],
    ['reason', { reason: '똠 요청' }], // CP949-only: Java's EUC-KR encoder would send '?'
    [
      'refundAccount.holderName',
      { refundAccount: { bankCode: '004', accountNumber: '1234567890', holderName: '남궁길동님' + '이' } },
    ],
    [
      'refundAccount.holderName',
      { refundAccount: { bankCode: '004', accountNumber: '1234567890', holderName: '햏길동' } },
    ],
    [
      'refundAccount.accountNumber',
      { refundAccount: { bankCode: '004', accountNumber: '12345678901234567', holderName: '홍길동' } },
    ],
    ['transactionId', { transactionId: 'TID with spaces' }],
    ['transactionId', { transactionId: 'nicepay00m0101251129103000123456' }], // 32 > 30 bytes
  ]
  for (const [param, patch] of cases) {
    it(`${param}: ${JSON.stringify(patch).slice(0, 60)}`, async () => {
      const { sim, provider } = rig()
      const { transactionId } = sim.seedPayment({ amount: 10_000 })
      const err = await failure(
        provider.cancel({ transactionId, amount: 1000, reason: '취소', cancelId: 'c-1', ...patch } as never),
      )
      expect(err.code).toBe('invalid_request')
      expect(err.param).toBe(param)
      expect(sim.faults.calls).toBe(0)
    })
  }

  it('goodsName over 40 EUC-KR bytes, emoji in goodsName, bank without virtual accounts', async () => {
    const { provider, sim } = rig()
    const base = { orderId: 'o-1', amount: 1000, bankCode: '004', dueDate: '2099-12-31', goodsName: '상품' }
    for (const [patch, param] of [
      [{ goodsName: '가'.repeat(21) }, 'goodsName'],
      [{ goodsName: '상품🎁' }, 'goodsName'],
      [{ bankCode: '090' }, 'bankCode'],
      [{ bankCode: '999' }, 'bankCode'],
      [{ dueDate: '2020-01-01' }, 'dueDate'],
      [{ dueDate: 'tomorrow' }, 'dueDate'],
    ] as const) {
      const err = await failure(provider.issueVirtualAccount({ ...base, ...patch }))
      expect([err.code, err.param]).toEqual(['invalid_request', param])
    }
    const charge = {
      billingKey: 'BIKYnicepay00m2511291030000001',
      orderId: 'o',
      amount: 1000,
      goodsName: '가'.repeat(21),
    }
    expect((await failure(provider.chargeBillingKey(charge))).param).toBe('goodsName')
    expect(sim.faults.calls).toBe(0)
  })

  it('a full cancel with no amount known anywhere is refused, naming amount', async () => {
    const { provider, sim } = rig()
    const { transactionId } = sim.seedPayment({ amount: 10_000 })
    const err = await failure(provider.cancel({ transactionId, reason: '취소', cancelId: 'c-1' }))
    expect([err.code, err.param]).toEqual(['invalid_request', 'amount'])
    expect(sim.faults.calls).toBe(0)
  })

  it('card data is never echoed in validation errors', async () => {
    const { provider } = rig()
    const card = { number: '4111-1111-1111', expiryYear: '30', expiryMonth: '13', passwordPrefix: '1' }
    const err = await failure(provider.issueBillingKey({ card, requestId: 'r-1' }))
    expect(err.param).toBe('card.number')
    expect(JSON.stringify(err)).not.toContain('4111')
  })
})

describe('what NicePay answers', () => {
  it('a wrong MerchantKey is refused by the simulator with A101 → authentication_failed', async () => {
    const { sim, provider } = rig({ merchantKey: `${CREDS.merchantKey.slice(0, -4)}AAAA` })
    const { transactionId } = sim.seedPayment({ amount: 10_000 })
    const err = await failure(
      provider.cancel({ transactionId, amount: 10_000, reason: '취소', cancelId: 'c-1' }),
    )
    expect([err.code, err.providerCode, err.outcome]).toEqual(['authentication_failed', 'A101', 'rejected'])
    expect(sim.inspect(transactionId)!.cancelledAmount).toBe(0)
  })

  it('documented codes map through the table (2015, 2032, 2221, A124)', async () => {
    for (const [code, neutral] of [
      ['2015', 'already_cancelled'],
      ['2013', 'already_cancelled'],
      ['2032', 'amount_exceeds_cancellable'],
      ['2026', 'amount_exceeds_cancellable'],
      ['2221', 'refund_account_required'],
      ['A127', 'duplicate_request'],
    ]) {
      const provider = new NicePay({
        ...CREDS,
        baseUrl: 'http://x',
        fetch: answering(`{"ResultCode":"${code}","ResultMsg":"m"}`),
      })
      const err = await failure(
        provider.cancel({
          transactionId: 'nicepay00m01012511291030001234',
          amount: 100,
          reason: 'x',
          cancelId: 'c',
        }),
      )
      expect([code, err.code]).toEqual([code, neutral])
    }
  })

  it('reads an EUC-KR KV answer (what CharSet=euc-kr + EdiType=KV produce)', async () => {
    const { sim } = rig()
    const { transactionId } = sim.seedPayment({ amount: 5_000 })
    // Ask the simulator itself for KV + EUC-KR by rewriting CharSet/EdiType on the way out.
    const inner = inProcessFetch(sim.app)
    const fetch: FetchLike = (input, init) =>
      inner(input, {
        ...init,
        body: String(init?.body).replace('CharSet=utf-8&EdiType=JSON', 'CharSet=euc-kr&EdiType=KV'),
      })
    const provider = new NicePay({ ...CREDS, baseUrl: 'http://sim.test', fetch })
    const r = await provider.cancel({
      transactionId,
      amount: 5_000,
      paymentAmount: 5_000,
      reason: '취소',
      cancelId: 'kv-1',
    })
    expect(r).toMatchObject({
      status: 'cancelled',
      cancelledAmount: 5_000,
      remainingAmount: 0,
      providerMessage: '취소 성공',
    })
  })

  it('reads an EUC-KR JSON answer with a Korean message', async () => {
    const { sim } = rig()
    const inner = inProcessFetch(sim.app)
    const fetch: FetchLike = (input, init) =>
      inner(input, { ...init, body: String(init?.body).replace('CharSet=utf-8&', '') })
    const provider = new NicePay({ ...CREDS, baseUrl: 'http://sim.test', fetch })
    const err = await failure(
      provider.cancel({
        transactionId: 'nicepay00m01012511291030009999',
        amount: 1,
        reason: 'x',
        cancelId: 'c',
      }),
    )
    expect([err.code, err.providerMessage]).toEqual(['transaction_not_found', '취소 해당거래 없음'])
  })

  it('accepts the unpadded-amount Signature variant as well as the padded one', async () => {
    for (const signatureAmount of ['unpadded', 'as-returned'] as const) {
      const { sim, provider } = rig({}, { signatureAmount })
      const { transactionId } = sim.seedPayment({ amount: 1_004 })
      const r = await provider.cancel({
        transactionId,
        amount: 1_004,
        paymentAmount: 1_004,
        reason: '취소',
        cancelId: 's',
      })
      expect(r.status).toBe('cancelled')
    }
  })

  it('a 200 that reports another amount than asked is unknown, not success', async () => {
    const { signData } = await import('./crypto.js')
    const tid = 'nicepay00m01012511291030001234'
    const sig = signData.cancelResponse(tid, CREDS.mid, '000000000200', CREDS.merchantKey)
    const body = JSON.stringify({
      ResultCode: '2001',
      ResultMsg: 'ok',
      CancelAmt: '000000000200',
      TID: tid,
      Signature: sig,
    })
    const provider = new NicePay({ ...CREDS, baseUrl: 'http://x', fetch: answering(body) })
    const err = await failure(
      provider.cancel({ transactionId: tid, amount: 100, reason: 'x', cancelId: 'c' }),
    )
    expect([err.code, err.outcome]).toEqual(['invalid_response', 'unknown'])
  })

  it('the mis_encoded fault (EUC-KR bytes declared UTF-8) is read tolerantly', async () => {
    const { sim, provider } = rig()
    const { transactionId } = sim.seedPayment({ amount: 8_000 })
    sim.faults.inject({ kind: 'mis_encoded' })
    const r = await provider.cancel({
      transactionId,
      amount: 8_000,
      paymentAmount: 8_000,
      reason: '인코딩',
      cancelId: 'me',
    })
    expect(r).toMatchObject({ status: 'cancelled', cancelledAmount: 8_000, providerMessage: '취소 성공' })
  })

  it('a timed-out billing charge is unknown and never re-sent', async () => {
    const { sim, provider } = rig({ timeoutMs: 100 })
    const bk = await provider.issueBillingKey({
      card: { number: '4111111111111111', expiryYear: '30', expiryMonth: '12' },
      requestId: 'r-1',
    })
    const before = sim.faults.calls
    sim.faults.inject({ kind: 'delay', ms: 400 })
    const err = await failure(
      provider.chargeBillingKey({
        billingKey: bk.billingKey,
        orderId: 'o-1',
        amount: 1000,
        goodsName: '구독',
      }),
    )
    expect([err.code, err.outcome]).toEqual(['timeout', 'unknown'])
    expect(sim.faults.calls - before).toBe(1)
  })
})

describe('cancel on the wire', () => {
  it('a partial cancel with a Korean reason is byte for byte what Java’s URLEncoder.encode(v, "euc-kr") sends', async () => {
    const { sim, provider, bodies } = rig({ clock: () => FIXED })
    const transactionId = 'nicepay00m01012511291030001234'
    sim.seedPayment({ amount: 10_000, transactionId })
    await provider.cancel({
      transactionId,
      amount: 3_000,
      paymentAmount: 10_000,
      reason: '부분 취소: 고객 요청(사이즈 교환) 50%',
      cancelId: 'cancel-2025-0001',
    })
    // Produced by a Java 17 program calling URLEncoder.encode(value, "euc-kr") on each value, same field order.
    expect(bodies[0]).toBe(
      'TID=nicepay00m01012511291030001234&MID=nicepay00m&Moid=cancel-2025-0001&CancelAmt=3000' +
        '&CancelMsg=%BA%CE%BA%D0+%C3%EB%BC%D2%3A+%B0%ED%B0%B4+%BF%E4%C3%BB%28%BB%E7%C0%CC%C1%EE+%B1%B3%C8%AF%29+50%25' +
        '&PartialCancelCode=1&EdiDate=20251129103000&CharSet=utf-8&EdiType=JSON' +
        '&SignData=c2029e6ac4c73504933437050dba576b4bfd379afbf3384a3caa6118a5e0aeb1',
    )
    expect(sim.inspect(transactionId)).toMatchObject({ cancelledAmount: 3_000, status: 'partial_cancelled' })
  })

  it('full vs partial: PartialCancelCode follows the known payment total; RemainAmt becomes remainingAmount', async () => {
    const { sim, provider, bodies } = rig()
    const { transactionId } = sim.seedPayment({ amount: 10_000 })
    const r1 = await provider.cancel({
      transactionId,
      amount: 4_000,
      paymentAmount: 10_000,
      reason: '부분',
      cancelId: 'p-1',
    })
    expect(bodies[0]).toContain('&PartialCancelCode=1&')
    expect(r1).toMatchObject({ cancelledAmount: 4_000, remainingAmount: 6_000, providerCode: '2001' })
    expect(r1.status === 'cancelled' && r1.providerCancelId).toMatch(/^\d{8}$/)
    const r2 = await provider.cancel({
      transactionId,
      amount: 6_000,
      paymentAmount: 6_000,
      reason: '나머지',
      cancelId: 'p-2',
    })
    expect(bodies[1]).toContain('&PartialCancelCode=0&')
    expect(r2).toMatchObject({ cancelledAmount: 6_000, remainingAmount: 0 })
  })

  it('a retry of the same cancelId reuses its Moid, and a MID with the guard refuses the replay', async () => {
    const { sim, provider, bodies } = rig(
      { cancelDuplicateGuard: true },
      { merchants: [{ ...CREDS, cancelDuplicateGuard: true }] },
    )
    const { transactionId } = sim.seedPayment({ amount: 10_000 })
    const req = { transactionId, amount: 1_000, reason: '중복', cancelId: 'order 17 / refund #2 (고객)' }
    await provider.cancel(req)
    const err = await failure(provider.cancel(req))
    expect(err.code).toBe('duplicate_request')
    const moids = bodies.map((b) => /&Moid=([^&]*)/.exec(b)![1])
    expect(moids[0]).toBe(moids[1])
    expect(moids[0]).toBe(cancelMoid(req.cancelId))
    expect(moids[0]!.length).toBeLessThanOrEqual(64)
    expect(cancelMoid('x'.repeat(100))).toHaveLength(51)
    expect(sim.inspect(transactionId)).toMatchObject({ cancelledAmount: 1_000, cancelCount: 1 })
  })

  it('a virtual-account refund maps the KFTC bank code and goes to the webapi host', async () => {
    const { sim, provider, bodies, urls } = rig({
      baseUrl: 'http://webapi.test',
      cancelBaseUrl: 'http://pg-api.test',
    })
    const inner = inProcessFetch(sim.app)
    void inner
    const { transactionId } = sim.seedPayment({ amount: 20_000, method: 'virtual_account', deposited: true })
    const r = await provider.cancel({
      transactionId,
      reason: '환불',
      cancelId: 'refund-1',
      paymentAmount: 20_000,
      refundAccount: { bankCode: '088', accountNumber: '110-123-456789', holderName: '홍길동' },
    })
    expect(r).toMatchObject({ status: 'cancelled', providerCode: '2211', cancelledAmount: 20_000 })
    expect(bodies[0]).toContain('&RefundAcctNo=110123456789&RefundBankCd=088&RefundAcctNm=%C8%AB%B1%E6%B5%BF')
    expect(urls[0]).toBe('http://webapi.test/webapi/cancel_process.jsp')
    expect(sim.inspect(transactionId)).toMatchObject({
      status: 'refunded',
      cancels: [{ refundBankCode: '088' }],
    })
  })

  it('without any URL option: card cancels on pg-api, virtual-account cancels and the rest on webapi', async () => {
    const urls: string[] = []
    const fetch: FetchLike = async (input) => {
      urls.push(String(input))
      return new Response('{"ResultCode":"2012","ResultMsg":"x"}')
    }
    const provider = new NicePay({ ...CREDS, fetch })
    const base = { amount: 100, reason: 'x', cancelId: 'c' }
    await failure(provider.cancel({ ...base, transactionId: 'nicepay00m01012511291030001234' }))
    await failure(provider.cancel({ ...base, transactionId: 'nicepay00m03012511291030001234' }))
    await failure(provider.deleteBillingKey({ billingKey: 'BIKYnicepay00m2511291030001234' }))
    expect(urls).toEqual([
      'https://pg-api.nicepay.co.kr/webapi/cancel_process.jsp',
      'https://webapi.nicepay.co.kr/webapi/cancel_process.jsp',
      'https://webapi.nicepay.co.kr/webapi/billing/billkey_remove.jsp',
    ])
  })

  it('card cancels go to the cancel host; a virtual-account refund goes to webapi', async () => {
    const { sim, provider, urls } = rig(
      { baseUrl: 'http://webapi.test', cancelBaseUrl: 'http://pg-api.test' },
      { vbankRefundCode: '2225' },
    )
    const card = sim.seedPayment({ amount: 1_000 })
    await provider.cancel({
      transactionId: card.transactionId,
      amount: 1_000,
      paymentAmount: 1_000,
      reason: 'x',
      cancelId: 'a',
    })
    expect(urls[0]).toBe('http://pg-api.test/webapi/cancel_process.jsp')
    const va = sim.seedPayment({ amount: 2_000, method: 'virtual_account', deposited: true })
    const r = await provider.cancel({
      transactionId: va.transactionId,
      amount: 2_000,
      reason: 'x',
      cancelId: 'b',
      refundAccount: { bankCode: '004', accountNumber: '1234567890', holderName: '홍길동' },
    })
    expect([r.status, r.providerCode]).toEqual(['accepted', '2225'])
    expect(urls[1]).toBe('http://webapi.test/webapi/cancel_process.jsp')
  })
})

describe('virtual accounts, billing, TIDs', () => {
  it('issues a virtual account with an 8- or 12-digit VbankExpDate and cancels it before deposit', async () => {
    const { provider, bodies, sim } = rig()
    const va = await provider.issueVirtualAccount({
      orderId: 'va-1',
      amount: 12_000,
      goodsName: '테스트상품',
      bankCode: '004',
      dueDate: '2099-12-31',
      depositorName: '홍길동',
      cashReceipt: { type: 'income_deduction', identifier: '010-1234-5678' },
      buyer: { name: '김철수', email: 'a@b.kr', phone: '010-0000-0000' },
    })
    expect(va).toMatchObject({
      amount: 12_000,
      bankCode: '004',
      bankName: '국민은행',
      dueDate: '2099-12-31T23:59:59+09:00',
    })
    expect(va.transactionId).toMatch(/^nicepay00m0301\d{16}$/)
    expect(bodies[0]).toContain('&VbankExpDate=20991231&')
    expect(bodies[0]).toContain('&CashReceiptType=1&ReceiptTypeNo=01012345678&')
    await provider.issueVirtualAccount({
      orderId: 'va-2',
      amount: 1_000,
      goodsName: 'g',
      bankCode: '088',
      dueDate: '2099-12-31T15:00:00+09:00',
    })
    expect(bodies[1]).toContain('&VbankExpDate=209912311500&')
    // The amount the adapter issued is remembered, so a cancel without amount still works.
    await provider.cancel({ transactionId: va.transactionId, reason: '발급 취소', cancelId: 'vc-1' })
    expect(sim.inspect(va.transactionId)!.status).toBe('cancelled')
  })

  it('billing: issue with EncData, charge with a fresh 01/16 TID each time, delete', async () => {
    const { provider, bodies } = rig()
    const card = {
      number: '4111111111111111',
      expiryYear: '2030',
      expiryMonth: '1',
      ownerId: '800101',
      passwordPrefix: '12',
    }
    const logs: string[] = []
    const logged = new NicePay({
      ...CREDS,
      baseUrl: 'http://sim.test',
      fetch: async () => new Response('x'),
      logger: { debug: (f, m) => logs.push(JSON.stringify(f) + m), info() {}, warn() {}, error() {} },
    })
    // The answer is not NicePay's ('x'): a registration that may have happened, so unknown — and logged.
    const unreadable = await failure(logged.issueBillingKey({ card, requestId: 'r-0' }))
    expect([unreadable.code, unreadable.outcome]).toEqual(['invalid_response', 'unknown'])
    expect(JSON.stringify(unreadable)).not.toContain('4111')
    expect(logs.length).toBeGreaterThan(0)
    expect(logs.join('')).not.toContain('4111')
    const bk = await provider.issueBillingKey({ card, requestId: 'r-1', buyer: { name: '홍길동' } })
    expect(bodies[0]).toMatch(/&EncData=[0-9a-f]{160}&/)
    expect(bodies[0]).not.toContain('4111')
    expect(JSON.stringify(bk)).not.toContain('4111')
    const c1 = await provider.chargeBillingKey({
      billingKey: bk.billingKey,
      orderId: 'o-1',
      amount: 1_004,
      goodsName: '정기구독',
      installmentMonths: 3,
      interestFree: true,
    })
    const c2 = await provider.chargeBillingKey({
      billingKey: bk.billingKey,
      orderId: 'o-2',
      amount: 1_004,
      goodsName: '정기구독',
    })
    expect(c1.transactionId).not.toBe(c2.transactionId)
    expect(c1.transactionId).toMatch(/^nicepay00m0116\d{16}$/)
    expect(bodies[1]).toContain('&CardInterest=1&CardQuota=03&')
    const dup = await failure(
      provider.chargeBillingKey({ billingKey: bk.billingKey, orderId: 'o-2', amount: 1_004, goodsName: 'g' }),
    )
    expect(dup.code).toBe('duplicate_request')
    await provider.deleteBillingKey({ billingKey: bk.billingKey, requestId: 'd-1' })
    const again = await failure(provider.deleteBillingKey({ billingKey: bk.billingKey, requestId: 'd-2' }))
    expect(again.code).toBe('billing_key_invalid')
  })

  it('a declined or invalid card at registration is card_declined', async () => {
    const { provider } = rig()
    for (const number of ['4111111111111112', '4000000000000002']) {
      const err = await failure(
        provider.issueBillingKey({
          card: { number, expiryYear: '30', expiryMonth: '12' },
          requestId: `r-${number}`,
        }),
      )
      expect(err.code).toBe('card_declined')
      expect(err.message).not.toContain(number)
    }
  })

  it('TIDs stay unique at 25,000 per second for one MID, across instances', () => {
    const seen = new Set<string>()
    const lengths = new Set<number>()
    for (let i = 0; i < 25_000; i++) {
      const tid = defaultTidGenerator('tidtest00m', '01', '16', FIXED + (i % 7))
      lengths.add(tid.length)
      seen.add(tid)
    }
    expect([...lengths]).toEqual([30])
    expect(seen.size).toBe(25_000)
    expect([...seen][0]).toMatch(/^tidtest00m0116251129103000\d{4}$/)
  })
})
