import type { NotificationResult } from '@paymux/core'
import { describe, expect, it } from 'vitest'
import { notiInput, pair } from './__fixtures__/harness.js'
import type { CookiePaySimulatorOptions } from './simulator/index.js'

const SUCCESS_BODY = '<html><body><RESULT>SUCCESS</RESULT></body></html>'

/** Captures what the simulator POSTs, so the exact bytes it sends are what the adapter parses. */
function capture() {
  const bodies: string[] = []
  return {
    bodies,
    notifyUrl: 'http://merchant.example/noti',
    notifyFetch: async (_url: string | URL | Request, init?: RequestInit) => {
      bodies.push(String(init?.body))
      return new Response('')
    },
  }
}

function hintOf(r: NotificationResult) {
  if (r.verified || !r.hint) throw new Error(`expected a hint, got ${JSON.stringify(r)}`)
  expect(r.reason).toMatch(/^unsigned: /)
  expect([r.reply.status, r.reply.body]).toEqual([200, SUCCESS_BODY])
  return r.hint
}

/** A simulator and an adapter whose every call CookiePay would see is counted. */
function counted(sim: CookiePaySimulatorOptions = {}) {
  const cap = capture()
  const p = pair({ sim: { ...cap, ...sim } })
  return { ...p, cap, pgCalls: () => p.calls.length }
}

describe('notifications are hints: read from the body, no call to CookiePay', () => {
  it('a card approval the simulator sends', async () => {
    const { sim, provider, cap, pgCalls } = counted()
    const { transactionId } = sim.seedPayment({ amount: 12_000, orderId: 'ORD-1' })
    await sim.sendApprovalNotification(transactionId)
    const hint = hintOf(await provider.parseNotification(notiInput(cap.bodies[0]!)))
    expect(hint).toEqual({
      transactionId,
      orderId: 'ORD-1',
      claimed: 'payment.paid',
      dedupKey: `cookiepay:payment.paid:${transactionId}`,
      evidence: { amount: '12000', payMethod: 'CARD' },
    })
    expect(pgCalls()).toBe(0)
  })

  it.each([
    'VACCOUNT',
    'VACCT',
  ] as const)('a virtual-account deposit with PAY_METHOD %s', async (vaPayMethod) => {
    const { sim, provider, cap, pgCalls } = counted({ vaPayMethod })
    const { transactionId } = sim.seedPayment({ amount: 33_000, method: 'virtual_account', deposited: false })
    await sim.depositVirtualAccount(transactionId)
    expect(JSON.parse(cap.bodies[0]!)).toMatchObject({ ACCEPT_NO: '00000000', PAY_METHOD: vaPayMethod })
    expect(hintOf(await provider.parseNotification(notiInput(cap.bodies[0]!)))).toMatchObject({
      transactionId,
      claimed: 'payment.paid',
      evidence: { amount: '33000', payMethod: vaPayMethod },
    })
    expect(pgCalls()).toBe(0)
  })

  it('a failure notice', async () => {
    const { provider, pgCalls } = counted()
    const hint = hintOf(
      await provider.parseNotification(
        notiInput({ RESULTCODE: '3011', RESULTMSG: '한도초과', TID: 'cTS26013114425399999', AMOUNT: '1000' }),
      ),
    )
    expect(hint).toMatchObject({
      transactionId: 'cTS26013114425399999',
      claimed: 'payment.failed',
      dedupKey: 'cookiepay:payment.failed:cTS26013114425399999',
      evidence: { resultCode: '3011' },
    })
    expect(pgCalls()).toBe(0)
  })

  it('a console cancel (noti_type cancel) the simulator sends', async () => {
    const { sim, provider, cap } = counted()
    const { transactionId } = sim.seedPayment({ amount: 10_000, orderId: 'ORD-C' })
    await provider.cancel({ transactionId, amount: 4000, reason: 'x', cancelId: 'c' })
    const before = provider.tokensIssued
    await sim.sendCancelNotification(transactionId)
    const calls = sim.faults.calls
    const hint = hintOf(await provider.parseNotification(notiInput(cap.bodies[0]!)))
    expect(hint).toMatchObject({
      transactionId,
      orderId: 'ORD-C',
      claimed: 'payment.cancelled',
      dedupKey: `cookiepay:payment.cancelled:${transactionId}`,
      evidence: { notiType: 'cancel', amount: '4000' },
    })
    expect([sim.faults.calls, provider.tokensIssued]).toEqual([calls, before])
  })

  it('a cancel response whose result code is not 0000 claims no cancel', async () => {
    const { provider } = pair()
    const hint = hintOf(
      await provider.parseNotification(
        notiInput({ cancel_code: '9031', cancel_msg: '입금 확인 불가', tid: 'cTS26013114425300001' }),
      ),
    )
    expect(hint).toMatchObject({ claimed: 'payment.other', evidence: { resultCode: '9031' } })
  })

  it('a TID CookiePay never issued is still only a hint (the lookup refuses it), at no cost', async () => {
    const { provider, pgCalls } = counted()
    const r = await provider.parseNotification(
      notiInput({ RESULTCODE: '0000', TID: 'cTS26013114425312345', AMOUNT: '1000', ORDERNO: 'A1' }),
    )
    expect(hintOf(r).transactionId).toBe('cTS26013114425312345')
    expect(pgCalls()).toBe(0)
  })
})

describe('the dedup key: the payment and the claimed state, nothing a sender varies', () => {
  it('forged cancel notices with varying cancel_tid, dates and amounts collapse onto one key', async () => {
    const { provider, pgCalls } = counted()
    const tid = 'cTS26013114425300002'
    const keys = new Set<string>()
    for (let i = 0; i < 20; i++) {
      const body =
        i % 2
          ? { noti_type: 'cancel', tid, cancel_amount: String(100 + i), cancel_date: `202601311442${10 + i}` }
          : {
              cancel_code: '0000',
              tid,
              cancel_tid: `cTS2601311442${String(i).padStart(6, '0')}`,
              cancel_amt: '1',
            }
      keys.add(hintOf(await provider.parseNotification(notiInput(body))).dedupKey)
    }
    expect([...keys]).toEqual([`cookiepay:payment.cancelled:${tid}`])
    expect(pgCalls()).toBe(0)
  })

  it('the same approval twice has one key; its cancel another', async () => {
    const { provider } = pair()
    const approval = notiInput({ TID: 'cTS1', AMOUNT: '1000', ACCEPT_DATE: '20260131144253' })
    const a = hintOf(await provider.parseNotification(approval))
    const b = hintOf(await provider.parseNotification(approval))
    const c = hintOf(await provider.parseNotification(notiInput({ noti_type: 'cancel', tid: 'cTS1' })))
    expect(a.dedupKey).toBe(b.dedupKey)
    expect(c.dedupKey).not.toBe(a.dedupKey)
  })
})

describe('the post-deposit cancel notice in the cancel-response shape (seed 004), without the payment’s tid', () => {
  it('the simulator’s one notice after a deposit is a hint naming the cancel’s TID and amount', async () => {
    const { sim, provider, cap, pgCalls } = counted()
    const { transactionId } = sim.seedPayment({ amount: 30_000, settled: true })
    await provider.cancel({ transactionId, reason: '정산 후 취소', cancelId: 'c' })
    await sim.deposit(transactionId)
    const sent = JSON.parse(cap.bodies[0]!) as Record<string, string>
    expect(Object.keys(sent).sort()).toEqual([
      'cancel_amt',
      'cancel_code',
      'cancel_date',
      'cancel_msg',
      'cancel_tid',
    ])
    const calls = pgCalls()
    const hint = hintOf(await provider.parseNotification(notiInput(cap.bodies[0]!)))
    expect(hint).toEqual({
      claimed: 'payment.cancelled',
      dedupKey: 'cookiepay:payment.cancelled:unnamed',
      evidence: {
        resultCode: '0000',
        providerCancelId: sent.cancel_tid,
        amount: '30000',
        cancelledAt: expect.stringMatching(/\+09:00$/),
      },
    })
    expect(pgCalls()).toBe(calls)
  })

  it('naming only an order number: orderId and no transactionId', async () => {
    const { provider } = pair()
    const hint = hintOf(
      await provider.parseNotification(
        notiInput({ CANCEL_CODE: '0000', ORDERNO: 'ORD-77', CANCEL_TID: 'K2602051030', CANCELAMT: '7000' }),
      ),
    )
    expect(hint).toEqual({
      orderId: 'ORD-77',
      claimed: 'payment.cancelled',
      dedupKey: 'cookiepay:payment.cancelled:order:ORD-77',
      evidence: { resultCode: '0000', providerCancelId: 'K2602051030', amount: '7000' },
    })
    expect('transactionId' in hint).toBe(false)
  })

  it('when the simulator is set to add the payment’s tid, the hint names it', async () => {
    const { sim, provider, cap } = counted({ depositCancelNotiNamesPayment: true })
    const { transactionId } = sim.seedPayment({ amount: 30_000, settled: true })
    await provider.cancel({ transactionId, reason: 'x', cancelId: 'c' })
    await sim.deposit(transactionId)
    expect(hintOf(await provider.parseNotification(notiInput(cap.bodies[0]!)))).toMatchObject({
      transactionId,
      claimed: 'payment.cancelled',
    })
  })
})

describe('junk is refused without a hint, and without a call', () => {
  it.each([
    ['not JSON', 'hello'],
    ['a JSON array', '[1,2]'],
    ['no TID', '{"AMOUNT":"1000"}'],
    ['no amount', '{"TID":"cTS26013114425312345"}'],
    ['an amount of 11 digits', '{"TID":"cTS1","AMOUNT":"10000000000"}'],
    ['a TID with spaces', '{"TID":"a b","AMOUNT":"1"}'],
    ['a TID longer than CookiePay documents (50)', `{"TID":"${'T'.repeat(51)}","AMOUNT":"1"}`],
    ['an ORDERNO longer than 50', `{"TID":"cTS1","AMOUNT":"1","ORDERNO":"${'O'.repeat(51)}"}`],
    ['a cancel TID longer than 50', `{"cancel_code":"0000","cancel_tid":"${'C'.repeat(51)}"}`],
    ['a cancel amount that is no amount', '{"noti_type":"cancel","tid":"cTS1","cancel_amount":"1e9"}'],
    ['a cancel naming no payment', '{"cancel_code":"0000","cancel_amt":"1000"}'],
    ['a result code that is no code', `{"RESULTCODE":"${'x'.repeat(300)}","TID":"cTS1"}`],
    [
      'a cancel code with a control character',
      '{"noti_type":"cancel","cancel_code":"\\u0000ab","tid":"cTS1"}',
    ],
    ['a body of 20 kB', `{"TID":"cTS1","AMOUNT":"1","ETC1":"${'x'.repeat(20_000)}"}`],
  ])('%s', async (_what, body) => {
    const { provider, calls } = pair()
    const r = await provider.parseNotification(notiInput(body))
    expect(r.verified).toBe(false)
    expect(!r.verified && r.hint).toBeUndefined()
    expect([r.reply.status, r.reply.body]).toEqual([200, ''])
    expect(calls).toHaveLength(0)
  })

  it('a form-encoded approval is read as well', async () => {
    const { provider } = pair()
    const r = await provider.parseNotification(
      notiInput('TID=cTS1&AMOUNT=1000&PAY_METHOD=CARD&ACCEPT_DATE=20260131144253'),
    )
    expect(hintOf(r)).toMatchObject({ transactionId: 'cTS1', claimed: 'payment.paid' })
  })
})
