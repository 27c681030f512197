import { type CheckoutApproval, isPaymentError, type PaymentError } from '@paymux/core'
import { afterEach, describe, expect, it } from 'vitest'
import {
  asReturn,
  checkoutRequest,
  expectedOf,
  httpPair,
  press,
  resultPosts,
} from './__fixtures__/checkout.js'
import { fakeClock } from './__fixtures__/harness.js'
import type { CookiePayOptions } from './index.js'
import type { CookiePaySimulatorOptions } from './simulator/index.js'
import { parseFormBytes } from './transformers/checkout-return.js'

const closers: Array<() => Promise<void>> = []
afterEach(async () => {
  while (closers.length) await closers.pop()!()
})

async function failure(p: Promise<unknown>): Promise<PaymentError> {
  try {
    await p
  } catch (err) {
    if (isPaymentError(err)) return err
    throw err
  }
  throw new Error('expected a PaymentError')
}

/** A payment made in the window and its authenticated result, ready for approveCheckout. */
async function paidInWindow(sim: CookiePaySimulatorOptions = {}, adapter: Partial<CookiePayOptions> = {}) {
  const pair = await httpPair({ sim, adapter })
  closers.push(pair.close)
  const req = checkoutRequest()
  const launch = await pair.provider.startCheckout(req)
  const posts = resultPosts(await press(launch.html!, 'Approve'))
  const r = await pair.provider.readCheckoutReturn(asReturn(posts[0]!.fields), expectedOf(req))
  if (r.outcome !== 'authenticated') throw new Error('not authenticated')
  return { ...pair, req, approval: r.approval, expected: expectedOf(req) }
}

describe('approveCheckout: paycert lagging the window', () => {
  it('asks again after each configured delay and is paid once paycert shows the payment', async () => {
    const t = await paidInWindow({ paycertLagCalls: 2 }, { checkoutVerifyDelaysMs: [5, 5] })
    const approved = await t.provider.approveCheckout(t.approval, t.expected)
    expect(approved.status).toBe('paid')
    expect(t.sim.inspect(t.approval.transactionId)!.checkout!.paycertCalls).toBe(3)
  })

  it('still lagging after the last delay → outcome unknown (never a refusal: CookiePay has charged)', async () => {
    const t = await paidInWindow({ paycertLagCalls: 5 }, { checkoutVerifyDelaysMs: [5] })
    const err = await failure(t.provider.approveCheckout(t.approval, t.expected))
    expect(err).toMatchObject({ code: 'transaction_not_found', outcome: 'unknown' })
    expect(t.sim.inspect(t.approval.transactionId)!.checkout!.paycertCalls).toBe(2)
    // Verified again later, once paycert caught up.
    t.sim.updateCheckoutSettings({ paycertLagCalls: 0 })
    expect((await t.provider.approveCheckout(t.approval, t.expected)).status).toBe('paid')
  })

  it('a TID CookiePay still does not know long after the window → rejected', async () => {
    const clock = fakeClock(Date.now())
    const t = await paidInWindow({}, { clock: clock.clock, checkoutUnknownTidGraceMs: 60_000 })
    const forged: CheckoutApproval = { ...t.approval, transactionId: 'cTS26013100000099999' }
    expect(await failure(t.provider.approveCheckout(forged, t.expected))).toMatchObject({
      outcome: 'unknown',
    })
    clock.advance(60_000)
    expect(await failure(t.provider.approveCheckout(forged, t.expected))).toMatchObject({
      code: 'transaction_not_found',
      outcome: 'rejected',
    })
  })
})

describe('approveCheckout: what paycert says', () => {
  const unreadable: Array<[string, Parameters<import('@paymux/core/simulator').FaultInjector['inject']>[0]]> =
    [
      [
        'HTTP 500',
        { path: '/api/paycert', fault: { kind: 'status', status: 500, body: '{"RESULTCODE":"0000"}' } },
      ],
      ['an HTML error page', { path: '/api/paycert', fault: { kind: 'html' } }],
      ['a truncated body', { path: '/api/paycert', fault: { kind: 'malformed', body: '{"RESULTCODE":"00' } }],
      ['a dropped connection', { path: '/api/paycert', fault: { kind: 'drop' } }],
      ['no answer in time', { path: '/api/paycert', fault: { kind: 'delay', ms: 3_000, phase: 'before' } }],
      ['a code nobody maps', { path: '/api/paycert', fault: { kind: 'unmapped_code', status: 200 } }],
    ]
  for (const [what, fault] of unreadable) {
    it(`${what} → outcome unknown`, async () => {
      const t = await paidInWindow({}, { timeoutMs: 300 })
      await t.provider.warmUp()
      t.sim.faults.inject(fault)
      const err = await failure(t.provider.approveCheckout(t.approval, t.expected))
      expect(err.outcome).toBe('unknown')
    })
  }

  it('a payment of another order (a TID brought from elsewhere) → rejected, and nothing is cancelled', async () => {
    const t = await paidInWindow()
    const other = t.sim.seedPayment({ amount: 15_000, orderId: 'SOMEONE-ELSES' })
    const err = await failure(
      t.provider.approveCheckout({ ...t.approval, transactionId: other.transactionId }, t.expected),
    )
    expect(err).toMatchObject({ code: 'transaction_not_found', outcome: 'rejected' })
    expect(t.sim.inspect(other.transactionId)!.cancelledAmount).toBe(0)
  })

  it('a payment CookiePay shows as cancelled → rejected (not paid)', async () => {
    const t = await paidInWindow()
    await t.provider.cancel({ transactionId: t.approval.transactionId, reason: '고객 취소', cancelId: 'c1' })
    const err = await failure(t.provider.approveCheckout(t.approval, t.expected))
    expect(err).toMatchObject({ code: 'provider_rejected', outcome: 'rejected' })
  })

  it('a TID that is no CookiePay TID → rejected without asking', async () => {
    const t = await paidInWindow()
    const calls = t.sim.faults.calls
    const err = await failure(t.provider.approveCheckout({ ...t.approval, transactionId: 'a b' }, t.expected))
    expect(err.outcome).toBe('rejected')
    expect(t.sim.faults.calls).toBe(calls)
  })
})

describe('undoCheckout', () => {
  it('cancels the whole payment; a second undo finds nothing to undo', async () => {
    const t = await paidInWindow()
    expect(await t.provider.undoCheckout(t.approval, 'x'.repeat(80))).toMatchObject({ status: 'cancelled' })
    expect(await t.provider.undoCheckout(t.approval, 'again')).toMatchObject({ status: 'nothing_to_undo' })
    expect(t.sim.inspect(t.approval.transactionId)).toMatchObject({ cancelledAmount: 15_000, cancelCount: 1 })
  })

  it('a cancel whose answer is lost stays unknown (never reported as undone)', async () => {
    const t = await paidInWindow({}, { timeoutMs: 300 })
    await t.provider.warmUp()
    t.sim.faults.inject({ path: '/api/cancel', fault: { kind: 'drop' } })
    expect((await failure(t.provider.undoCheckout(t.approval, 'refused'))).outcome).toBe('unknown')
  })
})

describe('readCheckoutReturn: what reached the return URL', () => {
  const expected = { orderId: 'ORD-1', amount: 1000, method: 'card' as const }
  const offline = async () => {
    const pair = await httpPair()
    closers.push(pair.close)
    return pair.provider
  }

  it('nothing CookiePay would post (a bare navigation) → refused', async () => {
    const p = await offline()
    expect(
      await p.readCheckoutReturn(
        { method: 'GET', rawBody: new Uint8Array(), query: {}, headers: {} },
        expected,
      ),
    ).toMatchObject({ outcome: 'refused' })
  })

  it('a stray return with no result fields, or a result code alone, never ends a checkout → refused', async () => {
    const p = await offline()
    const get = (query: Record<string, string>) => ({
      method: 'GET' as const,
      rawBody: new Uint8Array(),
      query,
      headers: {},
    })
    for (const input of [
      get({}),
      get({ RESULTCODE: '' }),
      get({ RESULTCODE: 'C999' }),
      get({ RESULTCODE: '9999', utm_source: 'mail' }),
      asReturn({ RESULTCODE: 'C999' }),
    ]) {
      expect(await p.readCheckoutReturn(input, expected), JSON.stringify(input.query)).toMatchObject({
        outcome: 'refused',
      })
    }
    // What CookiePay posts on a failure carries its message too: that is a decline.
    expect(
      await p.readCheckoutReturn(asReturn({ RESULTCODE: 'C999', RESULTMSG: '', TID: '' }), expected),
    ).toMatchObject({ outcome: 'declined', code: 'C999' })
  })

  it('a result for another order (ORDERNO) is refused, a success or a failure', async () => {
    const p = await offline()
    for (const fields of [
      { RESULTCODE: '0000', RESULTMSG: '성공', ORDERNO: 'ORD-2', TID: 'cTS1', AMOUNT: '1000' },
      { RESULTCODE: 'C999', RESULTMSG: '사용자 취소', ORDERNO: 'ORD-2', TID: '' },
    ] as Array<Record<string, string>>) {
      expect(await p.readCheckoutReturn(asReturn(fields), expected), fields.RESULTCODE).toMatchObject({
        outcome: 'refused',
        reason: expect.stringMatching(/order/),
      })
    }
    expect(
      await p.readCheckoutReturn(
        asReturn({ RESULTCODE: '0000', RESULTMSG: '성공', ORDERNO: 'ORD-1', TID: 'cTS1' }),
        expected,
      ),
    ).toMatchObject({ outcome: 'authenticated' })
  })

  it('an ENC_DATA result CookiePay decrypts to another order is refused', async () => {
    const pair = await httpPair({ sim: { returnMode: 'enc' } })
    closers.push(pair.close)
    const req = checkoutRequest()
    const launch = await pair.provider.startCheckout(req)
    const posts = resultPosts(await press(launch.html!, 'Approve'))
    expect(Object.keys(posts[0]!.fields).sort()).toEqual(['ENC_DATA', 'RESULTCODE', 'RESULTMSG'])
    const other = { ...expectedOf(req), orderId: `${req.orderId}-B` }
    expect(await pair.provider.readCheckoutReturn(asReturn(posts[0]!.fields), other)).toMatchObject({
      outcome: 'refused',
    })
    expect(await pair.provider.readCheckoutReturn(asReturn(posts[0]!.fields), expectedOf(req))).toMatchObject(
      {
        outcome: 'authenticated',
      },
    )
  })

  it('0000 without a TID, or with a TID that is no TID → refused', async () => {
    const p = await offline()
    expect(
      await p.readCheckoutReturn(asReturn({ RESULTCODE: '0000', ORDERNO: 'ORD-1' }), expected),
    ).toMatchObject({
      outcome: 'refused',
    })
    expect(
      await p.readCheckoutReturn(asReturn({ RESULTCODE: '0000', TID: 'x\u0000y' }), expected),
    ).toMatchObject({
      outcome: 'refused',
    })
  })

  it('a GET carrying the result in its query is read too (CookiePay’s plugin reads $_REQUEST)', async () => {
    const p = await offline()
    const r = await p.readCheckoutReturn(
      {
        method: 'GET',
        rawBody: new Uint8Array(),
        query: { RESULTCODE: '0000', RESULTMSG: '성공', TID: 'cTS1' },
        headers: {},
      },
      expected,
    )
    expect(r).toMatchObject({ outcome: 'authenticated', approval: { transactionId: 'cTS1', amount: 1000 } })
  })

  it('an EUC-KR form body garbles nothing: the message reads right, the fields are ASCII', () => {
    // RESULTMSG=결제 실패 in EUC-KR percent-encoding.
    const body = new TextEncoder().encode('RESULTCODE=C999&RESULTMSG=%B0%E1%C1%A6+%BD%C7%C6%D0&TID=')
    expect(parseFormBytes(body)).toEqual({ RESULTCODE: 'C999', RESULTMSG: '결제 실패', TID: '' })
  })
})
