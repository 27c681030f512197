// A Toss virtual-account issue whose answer was lost: the reconciler settles it from Toss's lookup by order id
// (GET /v1/payments/orders/{orderId}), not by asking a person. Toss over HTTP (its simulator), both databases.
import type { TossSimulator } from '@paymux/adapter-tosspayments/simulator'
import { beforeAll, describe, expect, it } from 'vitest'
import { type FlowGateway, sleep } from '../test-support/flows.js'
import { DB_TARGETS } from '../test-support/harness.js'
import { heldNotices } from '../test-support/held-notices.js'
import { reconcileOnce } from '../workers/reconciler.js'

const tomorrow = () => new Date(Date.now() + 86_400_000).toISOString().slice(0, 10)

describe.each(DB_TARGETS)('a lost Toss issue settled from the order lookup on %o', (target) => {
  const n = heldNotices<TossSimulator>(target, 'tosspayments')
  const ACCOUNT = n.account
  let t: FlowGateway
  let sim: TossSimulator
  let simUrl: string
  beforeAll(() => {
    ;({ t, sim, simUrl } = n)
  })
  const { payment } = n

  const cfg = () => t.gateway.runtime.config.workers.reconcile
  /** One reconciler pass past the in-flight window (and past the backoff since the last). */
  const pass = async () => {
    await sleep(cfg().minAgeMs! + 150)
    await reconcileOnce(t.gateway.runtime, cfg())
  }
  const issue = (amount: number) =>
    t.call('POST', '/v1/virtual-accounts', {
      body: { account: ACCOUNT, amount, goodsName: '가상계좌 주문', bankCode: '004', dueDate: tomorrow() },
    })

  it('issued at Toss, answer lost: waiting_for_deposit with Toss’s account number and paymentKey, its secret kept', async () => {
    sim.faults.inject({ fault: { kind: 'drop' }, path: '/v1/virtual-accounts' })
    const r = await issue(31_000)
    expect([202, 502]).toContain(r.status)
    const id = r.body.id ?? r.body.error?.paymentId
    expect((await payment(id)).status).toBe('pending')
    await pass()
    const p = await payment(id)
    expect(p.status).toBe('waiting_for_deposit')
    // What Toss holds for this order, as Toss shows it.
    const held = (await (
      await fetch(`${simUrl}/v1/payments/orders/${p.orderId}`, { headers: auth() })
    ).json()) as {
      paymentKey: string
      virtualAccount: { accountNumber: string }
      secret: string
    }
    expect(p.transactionId).toBe(held.paymentKey)
    expect(p.virtualAccount).toMatchObject({
      accountNumber: held.virtualAccount.accountNumber,
      bankCode: '004',
    })
    const types = (await t.call('GET', `/v1/events?objectId=${id}`)).body.data.map(
      (e: { type: string }) => e.type,
    )
    expect(types).toContain('payment.virtual_account_issued')
    // The secret came with the lookup: kept sealed, so the account's notices are checked against it.
    await n.expectSealedSecret(id, held.secret)
  })

  it('never reached Toss: no payment of the order, failed after the bound of lookups (nothing was issued)', async () => {
    sim.faults.inject({ fault: { kind: 'reset' }, path: '/v1/virtual-accounts' })
    const r = await issue(32_000)
    const id = r.body.id ?? r.body.error?.paymentId
    expect((await payment(id)).status).toBe('pending')
    await pass()
    // One lookup showing nothing is not yet proof (failAfterNoChangeLookups: 2).
    expect((await payment(id)).status).toBe('pending')
    await pass()
    const p = await payment(id)
    expect(p.status).toBe('failed')
    expect(p.failure.code).toBe('not_executed')
  })

  function auth() {
    const account = t.gateway.runtime.merchants.values().next().value!.accounts.get(ACCOUNT)!
    const key = (account.config as unknown as { secretKey: string }).secretKey
    return { authorization: `Basic ${Buffer.from(`${key}:`).toString('base64')}` }
  }
})
