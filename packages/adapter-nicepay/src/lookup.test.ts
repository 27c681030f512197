// getTransaction over inquery/trans_status.jsp: a signed status lookup that never reports amounts.
import { inProcessFetch } from '@paymux/core/simulator'
import { describe, expect, it } from 'vitest'
import { answering, CREDS, failure, field, rig } from './__fixtures__/rig.js'
import { NicePay } from './nicepay.js'
import { cancelMoid } from './transformers/cancel.js'
import { lookupExcludesFullCancel, lookupNamesCancel } from './transformers/lookup.js'

describe('getTransaction (trans_status)', () => {
  it('is declared, with a note that amounts are not reported', () => {
    const caps = new NicePay({ ...CREDS }).capabilities
    expect(caps.paymentLookup).toBe(true)
    expect(caps.notes?.paymentLookup).toMatch(/no amounts/)
  })

  it('a paid card payment: Status 0 rules out a full cancel, nothing more; signed; no amounts', async () => {
    const { sim, provider, bodies, urls } = rig()
    const { transactionId } = sim.seedPayment({ amount: 10_000 })
    const t = await provider.getTransaction(transactionId)
    // Not 'paid': whether a partial cancel leaves Status 0 is undocumented, and 'paid' would deny one.
    expect(t).toMatchObject({ transactionId, status: 'unknown', method: 'card', providerStatus: 'Status=0' })
    expect(lookupExcludesFullCancel(t)).toBe(true)
    expect(t.amount).toBeUndefined()
    expect(t.cancelledAmount).toBeUndefined()
    expect(t.cancellableAmount).toBeUndefined()
    expect(t.cancels).toBeUndefined()
    expect(t.evidence).toMatchObject({ ResultCode: '0000', TID: transactionId, Status: '0' })
    expect(urls[0]).toBe('http://sim.test/webapi/inquery/trans_status.jsp')
    expect(field(bodies[0], 'SignData')).toMatch(/^[0-9a-f]{64}$/)
  })

  it('after a full cancel: cancelled; with the cancel detail, the last cancel is named by its cancelId', async () => {
    for (const transStatusCancelDetail of [false, true]) {
      const { sim, provider } = rig({}, { transStatusCancelDetail })
      const { transactionId } = sim.seedPayment({ amount: 10_000 })
      await provider.cancel({ transactionId, paymentAmount: 10_000, reason: 'x', cancelId: 'full-1' })
      const t = await provider.getTransaction(transactionId)
      expect(t.status).toBe('cancelled')
      expect(lookupExcludesFullCancel(t)).toBe(false)
      if (transStatusCancelDetail) {
        expect(t.cancels).toEqual([
          { cancelId: 'full-1', cancelledAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) },
        ])
        expect(t.evidence?.CancelMOID).toBe('full-1')
        expect([lookupNamesCancel(t, 'full-1'), lookupNamesCancel(t, 'full-2')]).toEqual([true, false])
      } else {
        expect(t.cancels).toBeUndefined()
        expect(lookupNamesCancel(t, 'full-1')).toBe(false)
      }
    }
  })

  it('a long cancelId (hashed into the Moid) is matched with lookupNamesCancel, never read back', async () => {
    const { sim, provider } = rig({}, { transStatusCancelDetail: true })
    const { transactionId } = sim.seedPayment({ amount: 10_000 })
    const long = `refund for order 2025-11-29 #17 / ${'x'.repeat(50)}`
    await provider.cancel({
      transactionId,
      amount: 2_000,
      paymentAmount: 10_000,
      reason: 'x',
      cancelId: long,
    })
    const t = await provider.getTransaction(transactionId)
    expect(t.cancels).toHaveLength(1)
    expect(t.cancels![0]!.cancelId).toBeUndefined()
    expect(t.evidence?.CancelMOID).toBe(cancelMoid(long))
    expect(lookupNamesCancel(t, long)).toBe(true)
    expect(lookupNamesCancel(t, `${long}!`)).toBe(false)
  })

  it('a partial cancel: the Status NicePay gives (undocumented: a setting) is reported as is', async () => {
    for (const [after, status] of [
      ['0', 'unknown'],
      ['1', 'cancelled'],
    ] as const) {
      const { sim, provider } = rig({}, { transStatusAfterPartialCancel: after })
      const { transactionId } = sim.seedPayment({ amount: 10_000 })
      await provider.cancel({
        transactionId,
        amount: 3_000,
        paymentAmount: 10_000,
        reason: 'x',
        cancelId: 'p-1',
      })
      const t = await provider.getTransaction(transactionId)
      expect([after, t.status, t.cancelledAmount]).toEqual([after, status, undefined])
    }
  })

  // What trans_status answers before a deposit is undocumented: the simulator's setting picks one variant
  // (invented), and the adapter reads every one of them as waiting_for_deposit.
  for (const transStatusUnpaidVbank of ['4109', 'status9'] as const) {
    it(`an issued virtual account is waiting_for_deposit, and paid after its deposit (unpaid answer: ${transStatusUnpaidVbank})`, async () => {
      const { sim, provider } = rig({}, { transStatusUnpaidVbank })
      const { transactionId } = sim.seedPayment({ amount: 5_000, method: 'virtual_account' })
      const before = await provider.getTransaction(transactionId)
      expect(before).toMatchObject({
        transactionId,
        status: 'waiting_for_deposit',
        method: 'virtual_account',
        providerStatus: transStatusUnpaidVbank === '4109' ? 'ResultCode=4109' : 'Status=9',
      })
      expect(lookupExcludesFullCancel(before)).toBe(false)
      // The deposit through the simulator's control route, as a test host would make it.
      const control = await inProcessFetch(sim.app)(`http://sim.test/__sim/deposit/${transactionId}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      })
      expect(control.status).toBe(200)
      const after = await provider.getTransaction(transactionId)
      expect(after).toMatchObject({
        transactionId,
        status: 'paid',
        method: 'virtual_account',
        providerStatus: 'Status=0',
      })
      expect(after.amount).toBeUndefined()
    })
  }

  it('a card payment is read as before under either unpaid-account variant: Status 0 is unknown', async () => {
    for (const transStatusUnpaidVbank of ['4109', 'status9'] as const) {
      const { sim, provider } = rig({}, { transStatusUnpaidVbank })
      const { transactionId } = sim.seedPayment({ amount: 5_000 })
      const t = await provider.getTransaction(transactionId)
      expect([t.status, t.method, t.providerStatus]).toEqual(['unknown', 'card', 'Status=0'])
    }
  })

  it('a cancelled or refunded virtual account is cancelled; a partly refunded one that says so is unknown', async () => {
    const { sim, provider } = rig({}, { transStatusCancelDetail: true })
    const unpaid = sim.seedPayment({ amount: 5_000, method: 'virtual_account' })
    await provider.cancel({
      transactionId: unpaid.transactionId,
      paymentAmount: 5_000,
      reason: 'x',
      cancelId: 'va-issue-cancel',
    })
    expect((await provider.getTransaction(unpaid.transactionId)).status).toBe('cancelled')
    const paid = sim.seedPayment({ amount: 5_000, method: 'virtual_account', deposited: true })
    expect((await provider.getTransaction(paid.transactionId)).status).toBe('paid')
    await provider.cancel({
      transactionId: paid.transactionId,
      amount: 1_000,
      paymentAmount: 5_000,
      reason: 'x',
      cancelId: 'va-refund-1',
      refundAccount: { bankCode: '004', accountNumber: '12345678901234', holderName: '홍길동' },
    })
    const partly = await provider.getTransaction(paid.transactionId)
    expect([partly.status, partly.providerStatus]).toEqual(['unknown', 'Status=0/StateCd=1'])
  })

  it('a virtual account is known by PayMethod VBANK or by svcCd 03; 4109 about anything else stays a refusal', async () => {
    const card = 'nicepay00m01012511291030001234'
    const vbank = 'nicepay00m03012511291030001234'
    const read = (body: object, tid: string) =>
      new NicePay({ ...CREDS, baseUrl: 'http://x', fetch: answering(JSON.stringify(body)) }).getTransaction(
        tid,
      )
    const ok = { ResultCode: '0000', ResultMsg: '성공' }
    expect(await read({ ...ok, TID: card, Status: '0', PayMethod: 'VBANK' }, card)).toMatchObject({
      status: 'paid',
      method: 'virtual_account',
    })
    expect((await read({ ...ok, TID: vbank, Status: '5' }, vbank)).status).toBe('unknown')
    expect(
      (await read({ ResultCode: '4109', ResultMsg: '입금대기상태', PayMethod: 'VBANK' }, card)).status,
    ).toBe('waiting_for_deposit')
    const err = await failure(read({ ResultCode: '4109', ResultMsg: '입금대기상태' }, card))
    expect([err.code, err.outcome]).toEqual(['provider_rejected', 'rejected'])
    expect((await failure(read({ ...ok, TID: card, Status: '9' }, card))).code).toBe('transaction_not_found')
  })

  it('Status 9 (no approval for this MID) is transaction_not_found, also for another merchant’s TID', async () => {
    const other = { mid: 'nictest04m', merchantKey: 'a-second-simulated-merchant-key' }
    const { sim, provider } = rig({}, { merchants: [{ ...CREDS }, other] })
    const theirs = sim.seedPayment({ amount: 1_000, mid: other.mid })
    for (const tid of ['NOSUCHTX0000000000000000000000', theirs.transactionId]) {
      const err = await failure(provider.getTransaction(tid))
      expect([err.code, err.outcome]).toEqual(['transaction_not_found', 'rejected'])
    }
  })

  it('a wrong MerchantKey is refused by the simulator (A101); a malformed TID never leaves', async () => {
    const { sim, provider } = rig({ merchantKey: `${CREDS.merchantKey.slice(0, -4)}AAAA` })
    const { transactionId } = sim.seedPayment({ amount: 1_000 })
    const err = await failure(provider.getTransaction(transactionId))
    expect([err.code, err.providerCode]).toEqual(['authentication_failed', 'A101'])
    const calls = sim.faults.calls
    expect((await failure(provider.getTransaction('TID with spaces'))).param).toBe('transactionId')
    expect(sim.faults.calls).toBe(calls)
  })

  it('an unmapped ResultCode is a plain refusal (a lookup moves nothing); an odd Status is unknown', async () => {
    const tid = 'nicepay00m01012511291030001234'
    const z = new NicePay({
      ...CREDS,
      baseUrl: 'http://x',
      fetch: answering('{"ResultCode":"Z987","ResultMsg":"?"}'),
    })
    expect((await failure(z.getTransaction(tid))).outcome).toBe('rejected')
    const odd = new NicePay({
      ...CREDS,
      baseUrl: 'http://x',
      fetch: answering(`{"ResultCode":"0000","ResultMsg":"성공","TID":"${tid}","Status":"5"}`),
    })
    expect((await odd.getTransaction(tid)).status).toBe('unknown')
  })

  it('evidence never carries the merchant key, even when an answer does', async () => {
    const tid = 'nicepay00m01012511291030001234'
    const body = JSON.stringify({
      ResultCode: '0000',
      ResultMsg: '성공',
      TID: tid,
      Status: '1',
      MerchantKey: CREDS.merchantKey,
      MallReserved: `key=${CREDS.merchantKey}`,
    })
    const p = new NicePay({ ...CREDS, baseUrl: 'http://x', fetch: answering(body) })
    const t = await p.getTransaction(tid)
    expect(JSON.stringify(t)).not.toContain(CREDS.merchantKey)
    expect(JSON.stringify(t)).not.toContain(CREDS.merchantKey.slice(0, 16))
    expect(t.evidence).toMatchObject({ Status: '1', TID: tid })
  })
})

describe('lookup by order id', () => {
  it('is not offered: the legacy webapi has no lookup by Moid, and the capability note says so', async () => {
    const p = new NicePay({ ...CREDS })
    expect(p.capabilities.orderLookup).toBe(false)
    expect(p.capabilities.notes?.orderLookup).toMatch(/trans_status\.jsp takes a TID only/)
    const err = await failure(p.lookupOrder('order-1'))
    expect([err.code, err.outcome]).toEqual(['unsupported_operation', 'rejected'])
  })
})
