// The checkout against the simulator over real HTTP: the window opened the way goPay opens it, the buttons'
// posts, the auth result as the return URL receives it, then the approval and the network cancel.
import type { CheckoutApproval, CheckoutExpected, CheckoutRequest } from '@paymux/core'
import { type RunningServer, startServer } from '@paymux/core/simulator'
import { afterEach, describe, expect, it } from 'vitest'
import { CREDS, failure } from './__fixtures__/rig.js'
import { openWindow, postedForm, press, throughWindow } from './__fixtures__/window.js'
import { nicepayDescriptor } from './descriptor.js'
import { NicePay, type NicePayOptions } from './nicepay.js'
import { createNicePaySimulator, type NicePaySimulatorOptions } from './simulator/index.js'

const servers: RunningServer[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()))
})

let seq = 0
function order(over: Partial<CheckoutRequest> = {}): CheckoutRequest {
  seq++
  return {
    orderId: `ord-${Date.now()}-${seq}`,
    amount: 15_000,
    orderName: '테스트상품',
    method: 'card',
    customer: { name: '홍길동', email: 'buyer@example.com', phone: '010-1234-5678' },
    returnUrl: 'https://shop.example/checkout/tok/return',
    closeUrl: 'https://shop.example/checkout/tok/close',
    expiresAt: new Date(Date.now() + 30 * 60_000).toISOString(),
    ...over,
  }
}

const expectedOf = (r: CheckoutRequest): CheckoutExpected => ({
  orderId: r.orderId,
  amount: r.amount,
  method: r.method,
})

async function setup(opts: Partial<NicePayOptions> = {}, simOpts: NicePaySimulatorOptions = {}) {
  const sim = createNicePaySimulator(simOpts)
  const server = await startServer(sim.app)
  servers.push(server)
  const provider = new NicePay({ ...CREDS, baseUrl: server.url, timeoutMs: 1_000, ...opts })
  return { sim, provider, url: server.url }
}

/** Start → window → Approve → the return read: an authentication ready to approve. */
async function authenticate(env: Awaited<ReturnType<typeof setup>>, req = order()) {
  const launch = await env.provider.startCheckout(req)
  const result = await throughWindow(launch, 'Approve', env.url)
  const read = await env.provider.readCheckoutReturn(result.received(), expectedOf(req))
  if (read.outcome !== 'authenticated') throw new Error(`not authenticated: ${JSON.stringify(read)}`)
  return { req, launch, result, approval: read.approval, expected: expectedOf(req) }
}

describe('NicePay checkout: the launch', () => {
  it("in simulator mode the page loads the simulator's script and calls goPay on payForm", async () => {
    const { provider, url } = await setup()
    const req = order()
    const launch = await provider.startCheckout(req)
    expect(launch.scripts).toEqual([`${url}/v3/common/js/nicepay-pgweb.js`])
    expect(launch.origins).toContain(url)
    expect(launch.form).toMatchObject({ name: 'payForm', action: req.returnUrl, acceptCharset: 'euc-kr' })
    expect(launch.form!.fields).toMatchObject({
      PayMethod: 'CARD',
      GoodsName: '테스트상품',
      Amt: '15000',
      Moid: req.orderId,
      MID: CREDS.mid,
      BuyerName: '홍길동',
      BuyerEmail: 'buyer@example.com',
      BuyerTel: '01012345678',
      ReturnURL: req.returnUrl,
      CharSet: 'euc-kr',
    })
    expect(launch.start).toContain('window.nicepaySubmit')
    expect(launch.start).toContain(`window.location.href = ${JSON.stringify(req.closeUrl)}`)
    expect(launch.start).toContain('goPay(document.payForm)')
    const js = await (await fetch(launch.scripts[0]!)).text()
    expect(js).toContain('window.goPay = function (form)')
  })

  it('live mode loads pg-web.nicepay.co.kr; the descriptor’s demo account follows its simulator', async () => {
    const live = new NicePay({ ...CREDS, fetch: () => Promise.reject(new Error('no network')) })
    expect((await live.startCheckout(order())).scripts).toEqual([
      'https://pg-web.nicepay.co.kr/v3/common/js/nicepay-pgweb.js',
    ])
    const demo = await nicepayDescriptor.simulator!()
    const account = demo.demoAccount('http://127.0.0.1:4567')
    expect(account).toMatchObject({ provider: 'nicepay', mid: CREDS.mid, baseUrl: 'http://127.0.0.1:4567' })
    const viaConfig = nicepayDescriptor.create(
      { id: 'nice-demo', provider: 'nicepay', ...CREDS, baseUrl: String(account.baseUrl) },
      {},
    )
    expect(viaConfig.capabilities).toMatchObject({
      checkoutMethods: ['card', 'virtual_account'],
      checkoutNetCancel: true,
    })
    expect((await viaConfig.startCheckout(order())).scripts).toEqual([
      'http://127.0.0.1:4567/v3/common/js/nicepay-pgweb.js',
    ])
  })

  it('a form whose Amt was changed in the browser is refused by the window (W007): it cannot be re-signed', async () => {
    const { provider, sim } = await setup()
    const launch = await provider.startCheckout(order())
    const page = await openWindow(launch, { ...launch.form!.fields, Amt: '100' })
    expect(page).toContain('W007')
    expect(page).not.toContain('<button>Approve</button>')
    expect(sim.checkoutCounts.approvalCalls).toBe(0)
  })
})

describe('NicePay checkout: unhappy paths', () => {
  it('Decline posts a failure code: declined, nothing approved', async () => {
    const env = await setup()
    const req = order()
    const result = await throughWindow(await env.provider.startCheckout(req), 'Decline', env.url)
    expect(result.action).toBe(req.returnUrl)
    const read = await env.provider.readCheckoutReturn(result.received(), expectedOf(req))
    expect(read).toMatchObject({ outcome: 'declined', code: '9993', message: '사용자 결제 취소' })
    const tid = result.fields.TxTid!
    expect(read.outcome === 'declined' && read.transactionId).toBe(tid)
    expect(env.sim.inspect(tid)).toMatchObject({ status: 'declined', cancelledAmount: 0 })
    expect(env.sim.checkoutCounts.approvalCalls).toBe(0)
  })

  it('a result whose Amt was lowered is refused, and no approval call is made', async () => {
    const env = await setup()
    const req = order()
    const result = await throughWindow(await env.provider.startCheckout(req), 'Approve', env.url)
    const forged = result.received({ ...result.fields, Amt: '1500' })
    expect(await env.provider.readCheckoutReturn(forged, expectedOf(req))).toMatchObject({
      outcome: 'refused',
      reason: expect.stringContaining('amount'),
    })
    // Lowering the stored order too does not help: NicePay signed 15000.
    expect(await env.provider.readCheckoutReturn(forged, { ...expectedOf(req), amount: 1500 })).toMatchObject(
      {
        outcome: 'refused',
        reason: expect.stringContaining('Signature'),
      },
    )
    expect(env.sim.checkoutCounts.approvalCalls).toBe(0)
  })

  it('a result without its Signature, for another order or another MID is refused', async () => {
    const env = await setup()
    const req = order()
    const result = await throughWindow(await env.provider.startCheckout(req), 'Approve', env.url)
    const { Signature: _, ...unsigned } = result.fields
    const cases: Array<[Record<string, string>, CheckoutExpected, string]> = [
      [unsigned, expectedOf(req), 'Signature'],
      [result.fields, { ...expectedOf(req), orderId: 'another-order' }, 'Moid'],
      [{ ...result.fields, MID: 'nicepay01m' }, expectedOf(req), 'MID'],
      [result.fields, { ...expectedOf(req), method: 'virtual_account' }, 'PayMethod'],
    ]
    for (const [fields, expected, word] of cases) {
      const read = await env.provider.readCheckoutReturn(result.received(fields), expected)
      expect(read).toMatchObject({ outcome: 'refused', reason: expect.stringContaining(word) })
    }
    expect(
      await env.provider.readCheckoutReturn(
        { method: 'POST', rawBody: new Uint8Array(), query: {}, headers: {} },
        expectedOf(req),
      ),
    ).toMatchObject({ outcome: 'refused', reason: expect.stringContaining('AuthResultCode') })
    expect(env.sim.checkoutCounts.approvalCalls).toBe(0)
  })

  it('a NextAppURL or NetCancelURL off the allowed hosts is refused (the AuthToken never leaves)', async () => {
    const env = await setup()
    const req = order()
    const result = await throughWindow(await env.provider.startCheckout(req), 'Approve', env.url)
    const sim = new URL(env.url)
    const spoofs: Array<[string, string]> = [
      ['NextAppURL', 'https://evil.example/webapi/pay_process.jsp'],
      ['NextAppURL', 'https://dc1-api.nicepay.co.kr/webapi/pay_process.jsp'], // live host: not this account's
      ['NextAppURL', `http://${sim.hostname}:${Number(sim.port) + 1}/webapi/pay_process.jsp`],
      ['NextAppURL', `${env.url}/webapi/pay_process.jsp?next=https://evil.example`],
      ['NextAppURL', `http://user:pw@${sim.host}/webapi/pay_process.jsp`],
      ['NextAppURL', `${env.url}/webapi/cancel_process.jsp`],
      ['NextAppURL', ''],
      ['NetCancelURL', 'https://evil.example/webapi/cancel_process.jsp'],
      ['NetCancelURL', `${env.url}/webapi/cancel_process.jsp#x`],
    ]
    for (const [field, value] of spoofs) {
      const read = await env.provider.readCheckoutReturn(
        result.received({ ...result.fields, [field]: value }),
        expectedOf(req),
      )
      expect(read, `${field}=${value}`).toMatchObject({
        outcome: 'refused',
        reason: expect.stringContaining(field),
      })
    }
    expect(env.sim.checkoutCounts.approvalCalls).toBe(0)
    // Stored approval data pointing elsewhere is refused before any call, too.
    const { approval, expected } = await authenticate(env)
    const elsewhere: CheckoutApproval = {
      ...approval,
      data: { ...approval.data, nextAppUrl: 'https://evil.example/webapi/pay_process.jsp' },
    }
    const err = await failure(env.provider.approveCheckout(elsewhere, expected))
    expect([err.code, err.param]).toEqual(['invalid_request', 'approval.data.nextAppUrl'])
    expect(env.sim.checkoutCounts.approvalCalls).toBe(0)
  })

  it('a second approval of the same TxTid is refused by the simulator (1651) and answered as a duplicate', async () => {
    const env = await setup()
    const { approval, expected } = await authenticate(env)
    expect((await env.provider.approveCheckout(approval, expected)).status).toBe('paid')
    const again = await failure(env.provider.approveCheckout(approval, expected))
    expect([again.code, again.outcome, again.providerCode]).toEqual(['duplicate_request', 'rejected', '1651'])
    expect(env.sim.inspect(approval.transactionId)).toMatchObject({
      status: 'paid',
      cancelledAmount: 0,
      checkout: { approvalCalls: 2, approvals: 1 },
    })
  })

  it('answer dropped after the approval executed: unknown; the network cancel undoes it and nothing stays charged', async () => {
    const env = await setup({}, { approvalAnswerLost: true })
    const { approval, expected } = await authenticate(env)
    const err = await failure(env.provider.approveCheckout(approval, expected))
    expect([err.code, err.outcome]).toEqual(['invalid_response', 'unknown'])
    // NicePay did approve: the money is taken until the network cancel.
    expect(env.sim.inspect(approval.transactionId)).toMatchObject({ status: 'paid', cancelledAmount: 0 })
    const undone = await env.provider.undoCheckout(approval, 'approval answer lost')
    expect(undone).toMatchObject({ status: 'net_cancelled', providerCode: '2001' })
    expect(env.sim.inspect(approval.transactionId)).toMatchObject({
      amount: 15_000,
      cancelledAmount: 15_000,
      status: 'net_cancelled',
      checkout: { state: 'net_cancelled', approvalCalls: 1, approvals: 1, netCancelCalls: 1, netCancels: 1 },
    })
    expect(env.sim.checkoutCounts).toEqual({
      approvalCalls: 1,
      approvals: 1,
      netCancelCalls: 1,
      netCancels: 1,
    })
    // Undoing again (its answer lost, say): 2015 is no proof of anything, so it is unknown, settled by a lookup.
    const again = await failure(env.provider.undoCheckout(approval, 'again'))
    expect([again.outcome, again.providerCode]).toEqual(['unknown', '2015'])
    expect(env.sim.inspect(approval.transactionId)?.checkout?.netCancels).toBe(1)
    // The ledger agrees from NicePay's side: the TID is cancelled, a cancel finds nothing to cancel.
    expect((await env.provider.getTransaction(approval.transactionId)).status).toBe('cancelled')
  })

  it('the same drop, set live through /__sim/settings', async () => {
    const env = await setup()
    await fetch(`${env.url}/__sim/settings`, {
      method: 'POST',
      body: JSON.stringify({ approvalAnswerLost: true }),
    })
    const { approval, expected } = await authenticate(env)
    expect((await failure(env.provider.approveCheckout(approval, expected))).outcome).toBe('unknown')
    expect((await env.provider.undoCheckout(approval, 'lost')).status).toBe('net_cancelled')
  })

  it('a slow answer past the read timeout is unknown, and is net-cancelled', async () => {
    const env = await setup({ timeoutMs: 150 }, { approvalDelayMs: 600 })
    const { approval, expected } = await authenticate(env)
    const err = await failure(env.provider.approveCheckout(approval, expected))
    expect([err.code, err.outcome]).toEqual(['timeout', 'unknown'])
    expect((await env.provider.undoCheckout(approval, 'timeout')).status).toBe('net_cancelled')
    expect(env.sim.inspect(approval.transactionId)?.status).toBe('net_cancelled')
  })

  it('garbage with HTTP 200 after executing, or an HTTP 500, is unknown', async () => {
    const env = await setup()
    const a = await authenticate(env)
    env.sim.faults.inject({ fault: { kind: 'malformed', body: '<html>oops' }, path: 'pay_process' })
    const garbage = await failure(env.provider.approveCheckout(a.approval, a.expected))
    expect([garbage.code, garbage.outcome]).toEqual(['invalid_response', 'unknown'])
    expect((await env.provider.undoCheckout(a.approval, 'garbage')).status).toBe('net_cancelled')

    const b = await authenticate(env)
    env.sim.faults.inject({ fault: { kind: 'status', status: 500 }, path: 'pay_process' })
    const http500 = await failure(env.provider.approveCheckout(b.approval, b.expected))
    expect([http500.code, http500.outcome]).toEqual(['invalid_response', 'unknown'])
    // The 500 came before NicePay executed: the network cancel finds no approval (the simulator's invented
    // 2012), which the adapter cannot tell from a lost approval: unknown. The AuthToken is spent.
    const none = await failure(env.provider.undoCheckout(b.approval, '500'))
    expect([none.outcome, none.providerCode]).toEqual(['unknown', '2012'])
    const late = await failure(env.provider.approveCheckout(b.approval, b.expected))
    expect([late.code, late.outcome]).toEqual(['transaction_not_found', 'rejected'])
    expect(env.sim.inspect(b.approval.transactionId)).toMatchObject({
      status: 'net_cancelled',
      cancelledAmount: 0,
    })
  })

  // checkout.md §5 reads 2012 as "never approved" ([inferred]); nothing backs it, and a wrong guess leaves
  // the customer charged with nobody undoing it. So 2012, 2013 and 2015 keep the outcome open.
  for (const code of ['2012', '2013', '2015']) {
    it(`a network cancel answered ${code} is unknown (code kept), never "nothing to undo"`, async () => {
      const env = await setup({}, { approvalAnswerLost: true, netCancelFailureCode: code })
      const { approval, expected } = await authenticate(env)
      expect((await failure(env.provider.approveCheckout(approval, expected))).outcome).toBe('unknown')
      // NicePay did approve; the answer alone could not have told.
      expect(env.sim.inspect(approval.transactionId)).toMatchObject({ status: 'paid', cancelledAmount: 0 })
      const err = await failure(env.provider.undoCheckout(approval, 'lost'))
      expect([err.outcome, err.retryable, err.providerCode]).toEqual(['unknown', false, code])
    })
  }

  it('an approval answer signed wrongly is unknown and is undone', async () => {
    const env = await setup()
    const { approval, expected } = await authenticate(env)
    env.sim.faults.inject({ fault: { kind: 'bad_signature' }, path: 'pay_process' })
    const err = await failure(env.provider.approveCheckout(approval, expected))
    expect([err.code, err.outcome]).toEqual(['signature_mismatch', 'unknown'])
    expect((await env.provider.undoCheckout(approval, 'bad signature')).status).toBe('net_cancelled')
  })

  it('a refusal code is a refusal: nothing charged, no network cancel needed', async () => {
    const env = await setup({}, { approvalRefusalCode: '3095' })
    const { approval, expected } = await authenticate(env)
    const err = await failure(env.provider.approveCheckout(approval, expected))
    expect([err.code, err.outcome, err.providerCode]).toEqual(['card_declined', 'rejected', '3095'])
    expect(env.sim.inspect(approval.transactionId)).toMatchObject({ status: 'failed', cancelledAmount: 0 })
  })

  it('an approval for another amount than authenticated is refused by NicePay (A123)', async () => {
    const env = await setup()
    const { approval, expected } = await authenticate(env)
    const err = await failure(env.provider.approveCheckout(approval, { ...expected, amount: 14_000 }))
    expect([err.code, err.outcome, err.providerCode]).toEqual(['provider_rejected', 'rejected', 'A123'])
  })

  it('an authentication approved too late is refused (A245)', async () => {
    let now = Date.now()
    const env = await setup({}, { clock: () => now, authValidityMs: 60_000 })
    const { approval, expected } = await authenticate(env)
    now += 61_000
    const err = await failure(env.provider.approveCheckout(approval, expected))
    expect([err.code, err.outcome, err.providerCode]).toEqual(['provider_rejected', 'rejected', 'A245'])
  })

  it('a failing network cancel is a refusal the host must follow up (2020: the window has passed)', async () => {
    const env = await setup({}, { approvalAnswerLost: true, netCancelFailureCode: '2020' })
    const { approval, expected } = await authenticate(env)
    expect((await failure(env.provider.approveCheckout(approval, expected))).outcome).toBe('unknown')
    const err = await failure(env.provider.undoCheckout(approval, 'lost'))
    expect([err.code, err.outcome, err.providerCode]).toEqual(['provider_rejected', 'rejected', '2020'])
    expect(env.sim.inspect(approval.transactionId)).toMatchObject({ status: 'paid', cancelledAmount: 0 })
    // An ordinary cancel still works there.
    const cancelled = await env.provider.cancel({
      transactionId: approval.transactionId,
      reason: '망취소 실패',
      cancelId: 'undo-1',
      paymentAmount: 15_000,
    })
    expect(cancelled.status).toBe('cancelled')
  })

  it('with resultPostedTwice the window posts the same result twice; the adapter reads both the same', async () => {
    const env = await setup({}, { resultPostedTwice: true })
    const req = order()
    const page = await openWindow(await env.provider.startCheckout(req))
    const { html } = await press(page, 'Approve', env.url)
    expect(html).toContain("f.target='first'")
    const result = postedForm(html, 'result')
    const first = await env.provider.readCheckoutReturn(result.received(), expectedOf(req))
    const second = await env.provider.readCheckoutReturn(result.received(), expectedOf(req))
    expect(first.outcome).toBe('authenticated')
    expect(second.outcome).toBe('authenticated')
    // Pressing Approve again does not authenticate twice.
    expect((await press(page, 'Approve', env.url)).status).toBe(409)
  })
})

describe('NicePay checkout: approved payments', () => {
  it('card: start → Approve → read → approve → paid; then partial cancel and lookup like any payment', async () => {
    const env = await setup()
    const { approval, expected, result } = await authenticate(env)
    expect(result.fields.AuthResultMsg).toBe('인증 성공')
    const approved = await env.provider.approveCheckout(approval, expected)
    expect(approved).toMatchObject({
      status: 'paid',
      transactionId: approval.transactionId,
      amount: 15_000,
      method: 'card',
      cardName: '신한',
      providerCode: '3001',
    })
    expect(approved.approvalNumber).toMatch(/^\d{8}$/)
    expect(env.sim.inspect(approval.transactionId)).toMatchObject({
      status: 'paid',
      checkout: { state: 'approved', approvalCalls: 1, approvals: 1, netCancelCalls: 0 },
    })
    // The adapter remembers what it approved: a cancel without amount knows the total.
    const partial = await env.provider.cancel({
      transactionId: approval.transactionId,
      amount: 5_000,
      reason: '부분 취소',
      cancelId: 'c-1',
    })
    expect(partial).toMatchObject({ status: 'cancelled', cancelledAmount: 5_000, remainingAmount: 10_000 })
    expect(env.sim.inspect(approval.transactionId)).toMatchObject({
      status: 'partial_cancelled',
      cancelledAmount: 5_000,
    })
    expect((await env.provider.getTransaction(approval.transactionId)).transactionId).toBe(
      approval.transactionId,
    )
    const rest = await env.provider.cancel({
      transactionId: approval.transactionId,
      amount: 10_000,
      reason: '나머지',
      cancelId: 'c-2',
    })
    expect(rest).toMatchObject({ status: 'cancelled', cancelledAmount: 10_000 })
  })

  it('an answer signed over the plain Amt is accepted (the doubt of checkout.md §7.1)', async () => {
    const env = await setup({}, { approvalSignatureAmount: 'unpadded' })
    const { approval, expected } = await authenticate(env)
    expect((await env.provider.approveCheckout(approval, expected)).status).toBe('paid')
  })

  it('virtual account: VbankExpDate from expiresAt, an issued account waiting for deposit, then the deposit', async () => {
    const env = await setup()
    const expiresAt = '2099-03-15T18:30:00+09:00'
    const req = order({ method: 'virtual_account', expiresAt })
    const launch = await env.provider.startCheckout(req)
    expect(launch.form!.fields).toMatchObject({ PayMethod: 'VBANK', VbankExpDate: '209903151830' })
    const result = await throughWindow(launch, 'Approve', env.url)
    expect(result.fields.TxTid!.slice(10, 12)).toBe('03')
    const read = await env.provider.readCheckoutReturn(result.received(), expectedOf(req))
    if (read.outcome !== 'authenticated') throw new Error(JSON.stringify(read))
    const approved = await env.provider.approveCheckout(read.approval, expectedOf(req))
    expect(approved).toMatchObject({
      status: 'waiting_for_deposit',
      method: 'virtual_account',
      amount: 15_000,
      providerCode: '4100',
      virtualAccount: { bankCode: '004', bankName: '국민은행', dueDate: '2099-03-15T18:30:00+09:00' },
    })
    expect(approved.virtualAccount?.accountNumber).toMatch(/^\d+$/)
    expect(env.sim.inspect(read.approval.transactionId)?.status).toBe('waiting_for_deposit')
    await env.sim.deposit(read.approval.transactionId)
    expect(env.sim.inspect(read.approval.transactionId)?.status).toBe('deposited')
  })

  it('a result posted in UTF-8 (CharSet utf-8, which SignData does not cover) reads the same', async () => {
    const env = await setup()
    const req = order()
    const launch = await env.provider.startCheckout(req)
    const page = await openWindow(launch, { ...launch.form!.fields, CharSet: 'utf-8' })
    const result = postedForm((await press(page, 'Approve', env.url)).html, 'result')
    expect(result.charset).toBe('utf-8')
    const body = result.received()
    expect(new TextDecoder().decode(body.rawBody)).toContain(
      'AuthResultMsg=%EC%9D%B8%EC%A6%9D+%EC%84%B1%EA%B3%B5',
    )
    expect((await env.provider.readCheckoutReturn(body, expectedOf(req))).outcome).toBe('authenticated')
  })
})
