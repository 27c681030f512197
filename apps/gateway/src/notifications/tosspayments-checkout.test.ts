// A Toss virtual account opened in the payment window (checkout, method virtual account) has the same unsigned
// webhooks as one issued through the API: its events carry the Payment's `secret`. The gateway keeps it from the
// confirm's answer, or, when that answer was lost, from the reconciler's lookup; either way a DEPOSIT_CALLBACK
// with another secret is refused before any lookup and changes nothing, and the genuine one settles the deposit.
// The simulator's webhooks are held on their way, so each case posts exactly the event it is about.
import { type TossSimulator, WINDOW_PATH } from '@paymux/adapter-tosspayments/simulator'
import { beforeAll, describe, expect, it } from 'vitest'
import type { FlowGateway } from '../test-support/flows.js'
import { DB_TARGETS } from '../test-support/harness.js'
import { heldNotices } from '../test-support/held-notices.js'
import { reconcileOnce } from '../workers/reconciler.js'

const FORGED = 'ps_forgedSecret00000000'

interface TossEvent {
  eventType: string
  data: { paymentKey?: string; status?: string; secret?: string | null; [k: string]: unknown }
  [k: string]: unknown
}

describe.each(DB_TARGETS)('Toss virtual accounts opened at checkout, webhooks on %o', (target) => {
  const n = heldNotices<TossSimulator>(target, 'tosspayments')
  const ACCOUNT = n.account
  let t: FlowGateway
  let sim: TossSimulator
  let simUrl: string
  beforeAll(() => {
    ;({ t, sim, simUrl } = n)
  })
  const { post, payment, eventTypes } = n

  /**
   * A checkout with method virtual account, the customer through Toss's window (Approve), and the window's
   * success redirect brought to the gateway, which confirms: the payment id and Toss's paymentKey.
   */
  async function checkoutAccount(amount: number) {
    const created = await t.call('POST', '/v1/payments', {
      body: {
        account: ACCOUNT,
        orderId: `va-co-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`,
        amount,
        orderName: '가상계좌 주문',
        method: 'virtual_account',
        customer: { name: '홍길동' },
        successUrl: 'http://127.0.0.1:9/paid',
        failUrl: 'http://127.0.0.1:9/failed',
      },
    })
    expect(created.status, JSON.stringify(created.body)).toBe(201)
    const { id, checkoutUrl } = created.body as { id: string; checkoutUrl: string }
    // What the page's start script hands to TossPayments(clientKey).requestPayment(method, params).
    const page = await (await fetch(checkoutUrl)).text()
    const read = (name: string) => JSON.parse(new RegExp(`var ${name} = (.*);\\n`).exec(page)![1]!)
    const opened = await fetch(`${simUrl}${WINDOW_PATH}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        clientKey: read('clientKey'),
        method: read('method'),
        params: JSON.stringify(read('params')),
      }).toString(),
    })
    expect(opened.status).toBe(200)
    const paymentKey = /\/([A-Za-z0-9_-]+)\/approve/.exec(await opened.text())![1]!
    const approved = await fetch(`${simUrl}${WINDOW_PATH}/${paymentKey}/approve`, {
      method: 'POST',
      redirect: 'manual',
    })
    const success = approved.headers.get('location')!
    expect(new URL(success).searchParams.get('paymentKey')).toBe(paymentKey)
    await fetch(success, { redirect: 'manual' })
    return { id, paymentKey }
  }

  /** The customer deposits (the simulator's control route): the one DEPOSIT_CALLBACK Toss sent for it. */
  async function depositCallback(paymentKey: string): Promise<TossEvent> {
    expect((await fetch(`${simUrl}/__sim/deposit/${paymentKey}`, { method: 'POST' })).status).toBe(200)
    await sim.webhooks.settled()
    const sent = n
      .received<TossEvent>()
      .filter((e) => e.eventType === 'DEPOSIT_CALLBACK' && e.data.paymentKey === paymentKey)
      .filter((e) => e.data.status === 'DONE')
    expect(sent).toHaveLength(1)
    return sent[0]!
  }

  /** A forged callback is refused with no lookup and no change; the genuine one is looked up and settles it. */
  async function forgedRefusedGenuineSettles(id: string, paymentKey: string) {
    const callback = await depositCallback(paymentKey)
    expect(callback.data.secret).toMatch(/^ps_/)
    const before = sim.faults.calls
    const forged = await post({ ...callback, data: { ...callback.data, secret: FORGED } })
    expect(forged.status).toBe(400)
    expect(sim.faults.calls).toBe(before)
    expect((await payment(id)).status).toBe('waiting_for_deposit')
    expect(await eventTypes(id)).toEqual(['payment.virtual_account_issued'])
    expect(t.logs.some((l) => l.includes('notification refused') && l.includes('secret'))).toBe(true)
    // Kept sealed: not in the logs, the payment, or the database in clear.
    await n.expectSealedSecret(id, String(callback.data.secret))

    expect((await post(callback)).status).toBe(200)
    expect(sim.faults.calls).toBeGreaterThan(before)
    expect((await payment(id)).status).toBe('paid')
    expect(await eventTypes(id)).toEqual(['payment.paid', 'payment.virtual_account_issued'])
  }

  it('opened in the window: the secret from the confirm’s answer is kept and checked', async () => {
    const { id, paymentKey } = await checkoutAccount(13_000)
    expect(await payment(id)).toMatchObject({ status: 'waiting_for_deposit', amount: 13_000 })
    await forgedRefusedGenuineSettles(id, paymentKey)
  })

  it('the confirm’s answer lost: the reconciler’s lookup keeps the secret, and it is checked', async () => {
    // Toss executes the confirm (the account is issued) and the answer never arrives.
    sim.faults.inject({ fault: { kind: 'drop' }, path: '/v1/payments/confirm' })
    const { id, paymentKey } = await checkoutAccount(14_000)
    expect(sim.faults.log.map((f) => f.fault.kind)).toEqual(['drop'])
    await reconcileOnce(t.gateway.runtime, { ...t.gateway.runtime.config.workers.reconcile, minAgeMs: 0 })
    expect(await payment(id)).toMatchObject({ status: 'waiting_for_deposit', amount: 14_000 })
    // Where to deposit came with the lookup too: the account Toss issued, as Toss shows it.
    const shown = (await payment(id)).virtualAccount
    const atToss = sim.state.payments.get(paymentKey)?.virtualAccount
    expect(shown?.accountNumber).toBeTruthy()
    expect(shown?.accountNumber).toBe(atToss?.accountNumber)
    // Settled by the reconciler (this round or the background one), not by the lost answer.
    const issued = await t.db.kysely
      .selectFrom('events')
      .select('data')
      .where('object_id', '=', id)
      .where('type', '=', 'payment.virtual_account_issued')
      .executeTakeFirstOrThrow()
    expect(issued.data).toMatchObject({ resolvedBy: 'reconciliation' })
    await forgedRefusedGenuineSettles(id, paymentKey)
  })
})
