import { type CheckoutRequest, type CheckoutResult, isPaymentError } from '@paymux/core'
import { afterEach, describe, expect, it } from 'vitest'
import { startReceiver } from './__fixtures__/harness.js'
import {
  asReturn,
  checkoutRequest,
  expectedOf,
  httpPair,
  press,
  resultPosts,
} from './__fixtures__/checkout.js'
import type { CookiePaySimulatorOptions } from './simulator/index.js'

const closers: Array<() => Promise<void>> = []
afterEach(async () => {
  while (closers.length) await closers.pop()!()
})

async function setup(sim: CookiePaySimulatorOptions = {}) {
  const pair = await httpPair({ sim })
  closers.push(pair.close)
  return pair
}

/** Start → the customer presses a button → what the browser posts to RETURNURL (each post, in order). */
async function throughWindow(
  pair: Awaited<ReturnType<typeof setup>>,
  req: CheckoutRequest,
  button: 'Approve' | 'Decline' = 'Approve',
) {
  const launch = await pair.provider.startCheckout(req)
  const page = await press(launch.html!, button)
  return { launch, page, posts: resultPosts(page) }
}

function authenticated(r: CheckoutResult) {
  if (r.outcome !== 'authenticated') throw new Error(`expected authenticated, got ${JSON.stringify(r)}`)
  return r.approval
}

describe('checkout through the simulator over HTTP', () => {
  it('card: start → Approve → the posted result → approve by paycert → paid', async () => {
    const pair = await setup()
    const req = checkoutRequest()
    const { posts } = await throughWindow(pair, req)
    expect(posts).toHaveLength(1)
    expect(posts[0]!.action).toBe(req.returnUrl)
    expect(posts[0]!.fields).toMatchObject({ RESULTCODE: '0000', ORDERNO: req.orderId, AMOUNT: '15000' })
    const approval = authenticated(
      await pair.provider.readCheckoutReturn(asReturn(posts[0]!.fields), expectedOf(req)),
    )
    expect(approval).toMatchObject({ transactionId: posts[0]!.fields.TID, amount: 15_000 })
    expect(approval.data).toMatchObject({
      source: 'plain',
      claimedAmount: '15000',
      claimedOrderNo: req.orderId,
    })
    const approved = await pair.provider.approveCheckout(approval, expectedOf(req))
    expect(approved).toMatchObject({
      status: 'paid',
      method: 'card',
      transactionId: approval.transactionId,
      amount: 15_000,
      providerCode: '0000',
      cardName: '신한',
    })
    expect(approved.approvalNumber).toMatch(/^\d{8}$/)
    expect(approved.paidAt).toMatch(/\+09:00$/)
    const st = pair.sim.inspect(approval.transactionId)!
    expect(st).toMatchObject({ amount: 15_000, status: 'paid', cancelledAmount: 0 })
    expect(st.checkout).toMatchObject({ orderId: req.orderId, returnPosts: 1, paycertCalls: 1 })
  })

  it('Decline → declined with CookiePay’s code and message; no payment exists', async () => {
    const pair = await setup()
    const req = checkoutRequest()
    const { posts } = await throughWindow(pair, req, 'Decline')
    const r = await pair.provider.readCheckoutReturn(asReturn(posts[0]!.fields), expectedOf(req))
    expect(r).toEqual({ outcome: 'declined', code: 'C999', message: '사용자가 결제를 취소하였습니다' })
    expect(pair.sim.paymentsForOrder(req.orderId)).toEqual([])
    expect(pair.sim.checkoutStats).toMatchObject({ declines: 1, approvals: 0 })
  })

  it('CookiePay refusing the card (a setting) → declined, nothing charged', async () => {
    const pair = await setup({ approvalRefusal: { code: '8326', message: '한도초과' } })
    const req = checkoutRequest()
    const { posts } = await throughWindow(pair, req)
    const r = await pair.provider.readCheckoutReturn(asReturn(posts[0]!.fields), expectedOf(req))
    expect(r).toMatchObject({ outcome: 'declined', code: '8326', message: '한도초과' })
    expect(pair.sim.paymentsForOrder(req.orderId)).toEqual([])
  })

  it('a tampered window (charged less, the post showing the order amount) → paycert’s amount; undo cancels it: ledger net zero', async () => {
    const pair = await setup({ tamperedWindowAmount: 100 })
    const req = checkoutRequest()
    const { posts } = await throughWindow(pair, req)
    // The post claims the order's amount: only paycert tells otherwise.
    expect(posts[0]!.fields.AMOUNT).toBe('15000')
    const approval = authenticated(
      await pair.provider.readCheckoutReturn(asReturn(posts[0]!.fields), expectedOf(req)),
    )
    const approved = await pair.provider.approveCheckout(approval, expectedOf(req))
    expect(approved.amount).toBe(100)
    expect(approved.providerMessage).toContain('15000')
    // What the host does with an amount other than the stored one.
    expect(approved.amount).not.toBe(req.amount)
    const undone = await pair.provider.undoCheckout(approval, 'amount does not match the order')
    expect(undone).toMatchObject({ status: 'cancelled', providerCode: '0000' })
    const st = pair.sim.inspect(approval.transactionId)!
    expect(st).toMatchObject({ amount: 100, cancelledAmount: 100, status: 'cancelled' })
  })

  it('a forged lower AMOUNT in the plain post changes nothing: paycert’s amount (the order’s) decides', async () => {
    const pair = await setup({ forgedReturnAmount: 10 })
    const req = checkoutRequest()
    const { posts } = await throughWindow(pair, req)
    expect(posts[0]!.fields.AMOUNT).toBe('10')
    const approval = authenticated(
      await pair.provider.readCheckoutReturn(asReturn(posts[0]!.fields), expectedOf(req)),
    )
    expect(approval.amount).toBe(15_000)
    expect(approval.data.claimedAmount).toBe('10')
    const approved = await pair.provider.approveCheckout(approval, expectedOf(req))
    expect(approved).toMatchObject({ status: 'paid', amount: 15_000 })
  })

  it('ENC_DATA mode: the post carries only RESULTCODE, RESULTMSG, ENC_DATA; CookiePay decrypts it', async () => {
    const pair = await setup({ returnMode: 'enc' })
    const req = checkoutRequest()
    const { posts } = await throughWindow(pair, req)
    expect(Object.keys(posts[0]!.fields).sort()).toEqual(['ENC_DATA', 'RESULTCODE', 'RESULTMSG'])
    const approval = authenticated(
      await pair.provider.readCheckoutReturn(asReturn(posts[0]!.fields), expectedOf(req)),
    )
    expect(approval.data).toMatchObject({ source: 'decrypted', claimedOrderNo: req.orderId })
    const approved = await pair.provider.approveCheckout(approval, expectedOf(req))
    expect(approved).toMatchObject({ status: 'paid', amount: 15_000 })
    expect(pair.sim.inspect(approval.transactionId)!.checkout).toMatchObject({ decrypts: 1 })
  })

  it('ENC_DATA CookiePay cannot decrypt (forged) → an error, outcome unknown, never authenticated', async () => {
    const pair = await setup({ returnMode: 'enc' })
    const req = checkoutRequest()
    const fields = { RESULTCODE: '0000', RESULTMSG: '성공', ENC_DATA: 'forged-blob' }
    const err = await pair.provider.readCheckoutReturn(asReturn(fields), expectedOf(req)).catch((e) => e)
    expect(isPaymentError(err) && err.outcome).toBe('unknown')
  })

  it('the result posted twice → the same TID both times, one payment; a second Approve click pays nothing more', async () => {
    const pair = await setup({ returnPostedTwice: true })
    const req = checkoutRequest()
    const { launch, posts } = await throughWindow(pair, req)
    expect(posts).toHaveLength(2)
    const reads = await Promise.all(
      posts.map((p) => pair.provider.readCheckoutReturn(asReturn(p.fields), expectedOf(req))),
    )
    const [a, b] = reads.map(authenticated)
    expect(a!.transactionId).toBe(b!.transactionId)
    await press(launch.html!, 'Approve')
    expect(pair.sim.paymentsForOrder(req.orderId)).toEqual([a!.transactionId])
    expect(pair.sim.checkoutStats.approvals).toBe(1)
    expect(pair.sim.inspect(a!.transactionId)!.checkout!.returnPosts).toBe(4)
  })

  it('the window can be paid once: a second pay/ready of a paid order is refused (ORDER_NO_CHECK)', async () => {
    const pair = await setup()
    const req = checkoutRequest()
    await throughWindow(pair, req)
    const err = await pair.provider.startCheckout(req).catch((e) => e)
    expect(err).toMatchObject({ code: 'duplicate_request', param: 'orderId' })
  })

  it('virtual account: issued and waiting; the deposit Noti is a hint, and the lookup shows it paid', async () => {
    const pair = await setup()
    const receiver = await startReceiver(async (r) => {
      const result = await pair.provider.parseNotification({
        rawBody: r.body,
        headers: { 'content-type': 'application/json' },
      })
      notis.push(result)
      return result.reply
    })
    closers.push(receiver.close)
    const notis: Awaited<ReturnType<typeof pair.provider.parseNotification>>[] = []
    pair.sim.setNotifyUrl(receiver.url)
    const req = checkoutRequest({ method: 'virtual_account', amount: 33_000 })
    const { posts } = await throughWindow(pair, req)
    expect(posts[0]!.fields.ACCOUNTNO).toMatch(/^\d+$/)
    const approval = authenticated(
      await pair.provider.readCheckoutReturn(asReturn(posts[0]!.fields), expectedOf(req)),
    )
    const approved = await pair.provider.approveCheckout(approval, expectedOf(req))
    expect(approved).toMatchObject({
      status: 'waiting_for_deposit',
      method: 'virtual_account',
      amount: 33_000,
      virtualAccount: { bankName: '중소기업은행', bankCode: '003', holderName: '(주)페이먹스' },
    })
    expect(approved.virtualAccount!.accountNumber).toBe(posts[0]!.fields.ACCOUNTNO)
    expect(approved.virtualAccount!.dueDate).toMatch(/T23:59:59\+09:00$/)
    // No Noti at issue; the deposit sends one.
    expect(receiver.received).toHaveLength(0)
    await pair.sim.depositVirtualAccount(approval.transactionId)
    expect(notis).toHaveLength(1)
    expect(notis[0]).toMatchObject({
      verified: false,
      hint: { claimed: 'payment.paid', transactionId: approval.transactionId, evidence: { amount: '33000' } },
    })
    // The hint's lookup is what makes it paid.
    expect(await pair.provider.getTransaction(approval.transactionId)).toMatchObject({ status: 'paid' })
  })

  it('a card approval sends its Noti once; with the Noti lost (a setting) none arrives and the count says so', async () => {
    const pair = await setup()
    const receiver = await startReceiver(async () => ({ status: 200, headers: {}, body: '' }))
    closers.push(receiver.close)
    pair.sim.setNotifyUrl(receiver.url)
    const first = await throughWindow(pair, checkoutRequest())
    expect(receiver.received).toHaveLength(1)
    const tid1 = first.posts[0]!.fields.TID!
    expect(pair.sim.inspect(tid1)!.checkout).toMatchObject({ approvalNotisSent: 1, approvalNotisLost: 0 })
    pair.sim.updateCheckoutSettings({ approvalNotiLost: true })
    const second = await throughWindow(pair, checkoutRequest())
    expect(receiver.received).toHaveLength(1)
    const tid2 = second.posts[0]!.fields.TID!
    expect(pair.sim.inspect(tid2)!.checkout).toMatchObject({ approvalNotisSent: 0, approvalNotisLost: 1 })
  })

  it('the result lost (a setting): the page posts nothing', async () => {
    const pair = await setup({ returnLost: true })
    const { posts, page } = await throughWindow(pair, checkoutRequest())
    expect(posts).toEqual([])
    expect(page).toContain('lost')
  })
})

describe('the descriptor’s demo account', () => {
  it('checks out against the demo simulator: window, result, paycert', async () => {
    const { cookiepayDescriptor } = await import('./descriptor.js')
    const { startServer } = await import('@paymux/core/simulator')
    const demo = await cookiepayDescriptor.simulator!()
    const server = await startServer({ fetch: (r: Request) => demo.fetch(r) })
    closers.push(server.close)
    const { z } = await import('zod')
    const schema = cookiepayDescriptor.accountSchema({
      id: z.string(),
      baseUrl: z.string().optional(),
      options: z.record(z.string(), z.unknown()).optional(),
    })
    const config = schema.parse({ id: 'demo', ...demo.demoAccount(server.url) })
    const provider = cookiepayDescriptor.create(config as never, {})
    const req = checkoutRequest()
    const launch = await provider.startCheckout(req)
    expect(launch.origins).toEqual([server.url])
    const posts = resultPosts(await press(launch.html!, 'Approve'))
    const approval = authenticated(
      await provider.readCheckoutReturn(asReturn(posts[0]!.fields), expectedOf(req)),
    )
    expect(await provider.approveCheckout(approval, expectedOf(req))).toMatchObject({
      status: 'paid',
      amount: 15_000,
    })
  })
})

describe('one order paid twice in CookiePay’s window (the simulator’s double payment)', () => {
  /** A listener reading every Noti into a hint, as the host would. */
  async function hints(pair: Awaited<ReturnType<typeof setup>>) {
    const got: Array<{ transactionId?: string; orderId?: string; claimed: string }> = []
    const receiver = await startReceiver(async (r) => {
      const result = await pair.provider.parseNotification({ rawBody: r.body, headers: {} })
      if (!result.verified && result.hint) got.push(result.hint)
      return result.reply
    })
    closers.push(receiver.close)
    pair.sim.setNotifyUrl(receiver.url)
    return got
  }

  it('the setting: two TIDs, one ORDERNO, a Noti each; the host finds the second and undoes it', async () => {
    const pair = await setup({ doublePayment: true })
    const got = await hints(pair)
    const req = checkoutRequest()
    const { posts } = await throughWindow(pair, req)
    expect(posts).toHaveLength(1)
    const approval = authenticated(
      await pair.provider.readCheckoutReturn(asReturn(posts[0]!.fields), expectedOf(req)),
    )
    expect((await pair.provider.approveCheckout(approval, expectedOf(req))).status).toBe('paid')
    const tids = pair.sim.paymentsForOrder(req.orderId)
    expect(tids).toHaveLength(2)
    expect(tids[0]).toBe(approval.transactionId)
    expect(got.map((h) => [h.transactionId, h.orderId, h.claimed])).toEqual(
      tids.map((tid) => [tid, req.orderId, 'payment.paid']),
    )
    // The host looks the order up, sees a second charge, and undoes it.
    const found = await pair.provider.lookupOrder(req.orderId)
    expect(found.map((t) => [t.transactionId, t.status, t.amount])).toEqual(
      expect.arrayContaining(tids.map((tid) => [tid, 'paid', 15_000])),
    )
    const second = { ...approval, transactionId: tids[1]! }
    expect(await pair.provider.undoCheckout(second, 'duplicate payment')).toMatchObject({
      status: 'cancelled',
    })
    const after = await pair.provider.lookupOrder(req.orderId)
    expect(Object.fromEntries(after.map((t) => [t.transactionId, t.status]))).toEqual({
      [tids[0]!]: 'paid',
      [tids[1]!]: 'cancelled',
    })
  })

  it('the control route: POST /__sim/orders/:orderNo/pay-again charges a paid order once more', async () => {
    const pair = await setup()
    const got = await hints(pair)
    const req = checkoutRequest()
    await throughWindow(pair, req)
    const res = await fetch(`${pair.server.url}/__sim/orders/${encodeURIComponent(req.orderId)}/pay-again`, {
      method: 'POST',
    })
    expect(res.status).toBe(200)
    const again = (await res.json()) as { transactionId: string; notified?: boolean }
    expect(again.notified).toBe(true)
    expect(pair.sim.paymentsForOrder(req.orderId)).toEqual([expect.any(String), again.transactionId])
    expect(got.at(-1)).toMatchObject({ transactionId: again.transactionId, orderId: req.orderId })
    const missing = await fetch(`${pair.server.url}/__sim/orders/NO-SUCH/pay-again`, { method: 'POST' })
    expect(missing.status).toBe(404)
  })
})
