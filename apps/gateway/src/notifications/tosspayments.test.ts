// Toss Payments webhooks through the gateway's notification route, from the Toss simulator over HTTP. Toss signs
// no payment webhook: a virtual account's events carry the `secret` Toss answered at issue, which the gateway keeps
// sealed; everything else is a reason to look the payment up. The simulator's webhooks are held on their way (a
// listener takes them), so each case posts exactly the event it is about, as Toss sent it.
import type { TossSimulator } from '@paymux/adapter-tosspayments/simulator'
import { beforeAll, describe, expect, it } from 'vitest'
import type { FlowGateway } from '../test-support/flows.js'
import { DB_TARGETS } from '../test-support/harness.js'
import { heldNotices } from '../test-support/held-notices.js'

interface TossEvent {
  eventType: string
  data: { paymentKey?: string; status?: string; secret?: string | null; [k: string]: unknown }
  [k: string]: unknown
}

const tomorrow = () => new Date(Date.now() + 86_400_000).toISOString().slice(0, 10)

describe.each(DB_TARGETS)('Toss Payments webhooks through the notification route on %o', (target) => {
  const n = heldNotices<TossSimulator>(target, 'tosspayments')
  const ACCOUNT = n.account
  let t: FlowGateway
  let sim: TossSimulator
  let simUrl: string
  beforeAll(() => {
    ;({ t, sim, simUrl } = n)
  })
  const { post, payment, eventTypes } = n

  /** The held webhooks of a payment in a status, by type. */
  const eventsFor = (paymentKey: string, status: string) =>
    Object.fromEntries(
      n
        .received<TossEvent>()
        .filter((e) => e.data.paymentKey === paymentKey && e.data.status === status)
        .map((e) => [e.eventType, e]),
    ) as Record<string, TossEvent>

  /** The customer deposits (the simulator's control route); the events Toss sent for it, as sent. */
  async function deposit(paymentKey: string) {
    expect((await fetch(`${simUrl}/__sim/deposit/${paymentKey}`, { method: 'POST' })).status).toBe(200)
    await sim.webhooks.settled()
    return eventsFor(paymentKey, 'DONE')
  }

  /** A virtual account issued through the gateway: the payment id and Toss's paymentKey. */
  async function issue(amount: number) {
    const va = await t.call('POST', '/v1/virtual-accounts', {
      body: {
        account: ACCOUNT,
        amount,
        goodsName: '가상계좌 주문',
        bankCode: '004',
        dueDate: tomorrow(),
        depositorName: '홍길동',
      },
    })
    expect(va.status, JSON.stringify(va.body)).toBe(200)
    expect(va.body.status).toBe('waiting_for_deposit')
    return { id: va.body.id as string, paymentKey: va.body.transactionId as string }
  }

  /** Calls that reached the simulated Toss API (its control routes aside): the gateway's lookups among them. */
  const apiCalls = () => sim.faults.calls

  it('DEPOSIT_CALLBACK with the right secret: looked up, paid; the same notice again is applied once', async () => {
    const { id, paymentKey } = await issue(12_000)
    const { DEPOSIT_CALLBACK: callback } = await deposit(paymentKey)
    expect(callback?.data.secret).toMatch(/^ps_/)
    const before = apiCalls()
    const res = await post(callback)
    expect(res.status).toBe(200)
    expect(apiCalls()).toBeGreaterThan(before)
    expect(await payment(id)).toMatchObject({ status: 'paid', amount: 12_000, cancellableAmount: 12_000 })

    const again = await post(callback)
    expect(again.status).toBe(200)
    expect((await eventTypes(id)).sort()).toEqual(['payment.paid', 'payment.virtual_account_issued'])
  })

  it('a forged or missing secret: refused before any lookup, and nothing changes although Toss shows the deposit', async () => {
    const { id, paymentKey } = await issue(15_000)
    // Toss has the deposit: a lookup now would make the payment paid. Only the secret stands in the way.
    const events = await deposit(paymentKey)
    const callback = events.DEPOSIT_CALLBACK!
    const changed = events.PAYMENT_STATUS_CHANGED!
    const before = apiCalls()
    for (const forged of [
      { ...callback, data: { ...callback.data, secret: 'ps_forgedSecret00000000' } },
      { ...callback, data: { ...callback.data, secret: undefined } },
      { ...changed, data: { ...changed.data, secret: 'ps_forgedSecret00000000' } },
    ]) {
      const res = await post(forged)
      expect(res.status, JSON.stringify(forged.data)).toBe(400)
    }
    expect(apiCalls()).toBe(before)
    expect((await payment(id)).status).toBe('waiting_for_deposit')
    expect(await eventTypes(id)).toEqual(['payment.virtual_account_issued'])
    expect(t.logs.some((l) => l.includes('notification refused') && l.includes('secret'))).toBe(true)
    // Nor is the secret in the logs, the payment, or the database in clear.
    await n.expectSealedSecret(id, String(callback.data.secret))

    // The genuine notice is taken: the refusals were about the secret.
    expect((await post(callback)).status).toBe(200)
    expect((await payment(id)).status).toBe('paid')
  })

  it('PAYMENT_STATUS_CHANGED: looked up and settled; the deposit’s second event and a cancel made at Toss too', async () => {
    const { id, paymentKey } = await issue(20_000)
    const events = await deposit(paymentKey)
    const before = apiCalls()
    expect((await post(events.PAYMENT_STATUS_CHANGED)).status).toBe(200)
    expect(apiCalls()).toBeGreaterThan(before)
    expect((await payment(id)).status).toBe('paid')
    // Toss sends both events for one deposit: the second changes nothing.
    expect((await post(events.DEPOSIT_CALLBACK)).status).toBe(200)
    expect((await eventTypes(id)).filter((e) => e === 'payment.paid')).toHaveLength(1)

    // A partial refund made at Toss, outside paymux: its status change is looked up and booked.
    const refund = await fetch(`${simUrl}/v1/payments/${paymentKey}/cancel`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${sim.credentials.secretKey}:`).toString('base64')}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({
        cancelReason: '관리자 환불',
        cancelAmount: 5_000,
        refundReceiveAccount: { bank: '국민', accountNumber: '12345678901234', holderName: '홍길동' },
      }),
    })
    expect(refund.status, await refund.clone().text()).toBe(200)
    await sim.webhooks.settled()
    const partial = eventsFor(paymentKey, 'PARTIAL_CANCELED').PAYMENT_STATUS_CHANGED
    expect((await post(partial)).status).toBe(200)
    expect(await payment(id)).toMatchObject({
      status: 'partial_cancelled',
      cancelledAmount: 5_000,
      cancellableAmount: 15_000,
    })
    // Sent again (Toss retries until it reads 200): booked once.
    expect((await post(partial)).status).toBe(200)
    expect((await payment(id)).cancelledAmount).toBe(5_000)
  })
})
