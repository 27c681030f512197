import { createServer, request } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Hono } from 'hono'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { reconcileOnce } from '../workers/reconciler.js'
import { BOOTPAY_DEMO_CREDENTIALS } from '@paymux/adapter-bootpay/simulator'
import { COOKIEPAY_DEMO_CREDENTIALS } from '@paymux/adapter-cookiepay/simulator'
import { NICEPAY_DEMO_CREDENTIALS } from '@paymux/adapter-nicepay/simulator'
import { DB_TARGETS, findLeaks } from '../test-support/harness.js'
import { eventually, type FlowGateway, sleep, startFlowGateway } from '../test-support/flows.js'
import { independentVerify } from '../test-support/standard-webhooks.js'
import { verifyWebhook } from '@paymux/webhooks'
import { sourceIpOf } from './route.js'

const tomorrow = () => new Date(Date.now() + 86_400_000).toISOString().slice(0, 10)

const eventsOf = (t: FlowGateway, objectId: string) =>
  t
    .call('GET', `/v1/events?objectId=${objectId}`)
    .then((r) => r.body.data as Array<{ type: string; id: string }>)

describe.each(DB_TARGETS)('PG notifications on %o', (target) => {
  let t: FlowGateway
  let relay: Awaited<ReturnType<typeof startRelay>>
  beforeAll(async () => {
    t = await startFlowGateway(target)
    relay = await startRelay(() => `${t.url}/v1/notifications/a-nice`)
    t.sims.nicepay.settings.notifyUrl = relay.url
  })
  afterAll(async () => {
    await relay?.close()
    await t?.close()
  })

  describe('NicePay deposit notification (EUC-KR form)', () => {
    it('marks the virtual account paid once; a re-sent notification changes nothing; the merchant gets payment.paid', async () => {
      const va = await t.call('POST', '/v1/virtual-accounts', {
        body: {
          account: 'a-nice',
          amount: 50_000,
          goodsName: '주문 17',
          bankCode: '004',
          dueDate: tomorrow(),
          depositorName: '홍길동',
        },
      })
      expect(va.status, JSON.stringify(va.body)).toBe(200)
      const tid = va.body.transactionId as string
      const dep = await t.sims.nicepay.deposit(tid, { depositorName: '홍길동' })
      // NicePay stops re-sending only when it reads exactly OK.
      expect(dep.notification).toMatchObject({
        delivered: true,
        attempts: 1,
        lastStatus: 200,
        lastBody: 'OK',
      })
      const pay = await t.call('GET', `/v1/payments/${va.body.id}`)
      expect(pay.body.status).toBe('paid')

      // NicePay re-sends the same bytes (as it does when it missed our OK): applied once.
      const again = await fetch(`${t.url}/v1/notifications/a-nice`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: relay.bodies.at(-1)!,
      })
      expect(again.status).toBe(200)
      expect(await again.text()).toBe('OK')
      const events = await eventsOf(t, va.body.id)
      expect(events.filter((e) => e.type === 'payment.paid')).toHaveLength(1)

      const workers = t.gateway.startWorkers({ reconcile: false })
      const mine = () =>
        t.hooks.received.filter((r) => JSON.parse(r.raw.toString()).data.paymentId === va.body.id)
      await eventually(() => mine().length >= 2)
      await workers.stop()
      // Per object, in order: issued, then paid.
      expect(mine().map((r) => JSON.parse(r.raw.toString()).type)).toEqual([
        'payment.virtual_account_issued',
        'payment.paid',
      ])
      const got = mine()[1]!
      expect(JSON.parse(got.raw.toString())).toMatchObject({
        type: 'payment.paid',
        data: { paymentId: va.body.id, transactionId: tid },
      })
      expect(verifyWebhook(t.secrets[0]!, got.headers, got.raw)).toMatchObject({ type: 'payment.paid' })
      expect(independentVerify(t.secrets[0]!, got)).toBe(true)
    })

    it('refuses spoofed notifications (wrong amount, unknown TID, sender outside the allow-list) and changes nothing', async () => {
      const va = await t.call('POST', '/v1/virtual-accounts', {
        body: { account: 'a-nice', amount: 30_000, goodsName: 'x', bankCode: '004', dueDate: tomorrow() },
      })
      const tid = va.body.transactionId as string
      // The genuine bytes of this payment's notification, taken from the wire without letting them through.
      const bodies: Buffer[] = []
      const hold = await startRelay(() => `${t.url}/v1/notifications/none`)
      t.sims.nicepay.settings.notifyUrl = hold.url
      t.sims.nicepay.settings.notifyAttempts = 1
      await t.sims.nicepay.deposit(tid)
      t.sims.nicepay.settings.notifyUrl = relay.url
      t.sims.nicepay.settings.notifyAttempts = 3
      await hold.close()
      bodies.push(...hold.bodies)
      const genuine = bodies[0]!.toString('latin1')
      const forged = genuine.replace('Amt=30000', 'Amt=3000')
      expect(forged).not.toBe(genuine)
      const post = (account: string, body: string) =>
        fetch(`${t.url}/v1/notifications/${account}`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: Buffer.from(body, 'latin1'),
        })
      const wrongAmount = await post('a-nice', forged)
      expect(await wrongAmount.text()).toBe('FAIL')
      // A TID no payment here has: answered (it is only a hint) and forgotten.
      const unknownTid = await post('a-nice', genuine.replace(tid, `${tid.slice(0, -4)}9999`))
      expect(await unknownTid.text()).toBe('OK')
      // The same genuine bytes from loopback to an account that trusts only NicePay's sender addresses.
      const wrongIp = await post('a-nice-ip', genuine)
      expect(wrongIp.status).toBe(403)
      expect(await wrongIp.text()).toBe('FAIL')
      // Spoofing the forwarded-for header does not help: no proxy is trusted by default.
      const xff = await fetch(`${t.url}/v1/notifications/a-nice-ip`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': '121.133.126.10' },
        body: Buffer.from(genuine, 'latin1'),
      })
      expect(xff.status).toBe(403)
      const unknownAccount = await post('nope', genuine)
      expect(unknownAccount.status).toBe(404)
      // 64 KiB at most, announced or streamed without a length (own connections: the server closes them).
      expect(await rawPost(`${t.url}/v1/notifications/a-nice`, 70_000, true)).toBe(413)
      expect([413, 'closed']).toContain(await rawPost(`${t.url}/v1/notifications/a-nice`, 160_000, false))
      expect((await t.call('GET', `/v1/payments/${va.body.id}`)).body.status).toBe('waiting_for_deposit')
      // The genuine one is accepted: the refusals above were about the forgery, not the shape.
      const ok = await post('a-nice', genuine)
      expect(await ok.text()).toBe('OK')
      expect((await t.call('GET', `/v1/payments/${va.body.id}`)).body.status).toBe('paid')
      expect((await eventsOf(t, va.body.id)).map((e) => e.type).sort()).toEqual([
        'payment.paid',
        'payment.virtual_account_issued',
      ])
      expect(t.logs.some((l) => l.includes('notification refused'))).toBe(true)

      // From an allowed sender, every field right (TID, amount, account number), but no deposit at NicePay: the
      // notification is a hint, the signed lookup shows the account still waiting, and nothing changes.
      const other = await t.call('POST', '/v1/virtual-accounts', {
        body: { account: 'a-nice', amount: 30_000, goodsName: 'x', bankCode: '004', dueDate: tomorrow() },
      })
      const forgedDeposit = genuine
        .replace(tid, other.body.transactionId)
        .replace(va.body.virtualAccount.accountNumber, other.body.virtualAccount.accountNumber)
      const fake = await post('a-nice', forgedDeposit)
      expect(await fake.text()).toBe('OK')
      expect((await t.call('GET', `/v1/payments/${other.body.id}`)).body.status).toBe('waiting_for_deposit')
      expect((await eventsOf(t, other.body.id)).map((e) => e.type)).toEqual([
        'payment.virtual_account_issued',
      ])
    })
  })

  describe('CookiePay', () => {
    it('the 9029 story: cancel → deposit_required → deposit → notification → succeeded → signed merchant webhooks in order', async () => {
      const { transactionId } = t.sims.cookiepay.seedPayment({ amount: 30_000, settled: true })
      const cancel = await t.call('POST', '/v1/cancellations', {
        body: { account: 'a-cookie', transactionId, reason: '정산 후 취소' },
      })
      expect(cancel.status, JSON.stringify(cancel.body)).toBe(200)
      expect(cancel.body.status).toBe('deposit_required')
      expect(cancel.body.depositInstructions).toMatchObject({ cancelAmount: 30_000 })
      const before = await t.call('GET', `/v1/payments/${cancel.body.paymentId}`)
      expect(before.body).toMatchObject({ reservedAmount: 30_000, cancellableAmount: 0, cancelledAmount: 0 })

      const dep = await t.sims.cookiepay.deposit(transactionId)
      expect(dep.notification).toMatchObject({ delivered: true, status: 200 })
      const after = await t.call('GET', `/v1/cancellations/${cancel.body.id}`)
      expect(after.body.status).toBe('succeeded')
      const pay = await t.call('GET', `/v1/payments/${cancel.body.paymentId}`)
      expect(pay.body).toMatchObject({ status: 'cancelled', cancelledAmount: 30_000, reservedAmount: 0 })

      // CookiePay sends it again: nothing changes.
      const resent = await t.sims.cookiepay.sendCancelNotification(transactionId)
      expect(resent).toMatchObject({ delivered: true })
      expect((await eventsOf(t, cancel.body.id)).map((e) => e.type).sort()).toEqual([
        'cancellation.deposit_required',
        'cancellation.succeeded',
      ])

      const workers = t.gateway.startWorkers({ reconcile: false })
      const mine = () =>
        t.hooks.received.filter((r) => JSON.parse(r.raw.toString()).data.cancellationId === cancel.body.id)
      await eventually(() => mine().length >= 2)
      await workers.stop()
      const bodies = mine().map((r) => JSON.parse(r.raw.toString()))
      expect(bodies.map((b) => b.type)).toEqual(['cancellation.deposit_required', 'cancellation.succeeded'])
      expect(bodies[1]).toMatchObject({
        data: { cancellationId: cancel.body.id, paymentId: cancel.body.paymentId, transactionId },
      })
      for (const r of mine()) {
        expect(verifyWebhook(t.secrets[0]!, r.headers, r.raw).type).toMatch(/^cancellation\./)
        expect(independentVerify(t.secrets[0]!, r)).toBe(true)
      }
    })

    it("the 9029 notice arrives before CookiePay's lookup shows the cancel: nothing kept, the reconciler's lookup finishes it once", async () => {
      const { transactionId } = t.sims.cookiepay.seedPayment({ amount: 20_000, settled: true })
      const cancel = await t.call('POST', '/v1/cancellations', {
        body: { account: 'a-cookie', transactionId, reason: '정산 후 취소' },
      })
      expect(cancel.body.status).toBe('deposit_required')
      const rows = async () =>
        Number(
          (
            await t.db.kysely
              .selectFrom('notifications')
              .select((eb) => eb.fn.countAll().as('n'))
              .executeTakeFirstOrThrow()
          ).n,
        )
      const before = await rows()
      // CookiePay sends this notice once; its lookups show the cancel only a moment later.
      t.sims.cookiepay.settings.cancelLookupLagMs = 1_500
      try {
        await t.sims.cookiepay.deposit(transactionId)
        const waiting = await t.call('GET', `/v1/cancellations/${cancel.body.id}`)
        expect(waiting.body.status).toBe('deposit_required')
        expect(await rows()).toBe(before)
        await sleep(1_600)
      } finally {
        t.sims.cookiepay.settings.cancelLookupLagMs = 0
      }
      const cfg = { ...t.gateway.runtime.config.workers.reconcile, minAgeMs: 0 }
      await reconcileOnce(t.gateway.runtime, cfg)
      const done = await t.call('GET', `/v1/cancellations/${cancel.body.id}`)
      expect(done.body).toMatchObject({ status: 'succeeded', amount: 20_000 })
      const pay = await t.call('GET', `/v1/payments/${cancel.body.paymentId}`)
      expect(pay.body).toMatchObject({ status: 'cancelled', cancelledAmount: 20_000, reservedAmount: 0 })
      await reconcileOnce(t.gateway.runtime, cfg)
      expect((await eventsOf(t, cancel.body.id)).map((e) => e.type).sort()).toEqual([
        'cancellation.deposit_required',
        'cancellation.succeeded',
      ])
    })

    // A failure notice is a hint too: while paycert lags behind the window (it does not show the charge yet), a
    // failure notice for a payment whose approval is in flight changes nothing; the approval's own settle step
    // decides from the PG's record.
    it('a failure notice while paycert lags does not fail a payment whose approval is in flight', async () => {
      const { transactionId } = t.sims.cookiepay.seedPayment({ amount: 7_000 })
      const c = await t.call('POST', '/v1/cancellations', {
        body: { account: 'a-cookie', transactionId, amount: 1_000, reason: 'r' },
      })
      expect(c.body.status).toBe('succeeded')
      // As an approval in flight leaves its payment.
      await t.db.kysely
        .updateTable('payments')
        .set({ status: 'pending', approval_state: 'approving', updated_at: new Date() })
        .where('id', '=', c.body.paymentId)
        .execute()
      t.sims.cookiepay.settings.paycertLagCalls = 5
      try {
        const res = await fetch(`${t.url}/v1/notifications/a-cookie`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            TID: transactionId,
            RESULTCODE: '9999',
            RESULTMSG: 'failed',
            AMOUNT: '7000',
          }),
        })
        expect(res.status).toBe(200)
      } finally {
        t.sims.cookiepay.settings.paycertLagCalls = 0
      }
      const pay = await t.call('GET', `/v1/payments/${c.body.paymentId}`)
      expect(pay.body.status).toBe('pending')
      expect((await eventsOf(t, c.body.paymentId)).map((e) => e.type)).not.toContain('payment.failed')
    })

    // A forged cancel notice is a hint: looked up, CookiePay shows no such cancel, nothing changes and nothing is
    // stored, however many arrive with varying cancel ids (they once cost 60 KB each, re-checked every minute).
    it('forged cancel notices with varying cancel ids change nothing and store nothing', async () => {
      const { transactionId } = t.sims.cookiepay.seedPayment({ amount: 10_000 })
      const cancel = await t.call('POST', '/v1/cancellations', {
        body: { account: 'a-cookie', transactionId, amount: 1_000, reason: 'part' },
      })
      expect(cancel.body.status).toBe('succeeded')
      const rows = async () =>
        Number(
          (
            await t.db.kysely
              .selectFrom('notifications')
              .select((eb) => eb.fn.countAll().as('n'))
              .executeTakeFirstOrThrow()
          ).n,
        )
      const before = await rows()
      for (let i = 0; i < 5; i++) {
        const res = await fetch(`${t.url}/v1/notifications/a-cookie`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            noti_type: 'cancel',
            tid: transactionId,
            cancel_tid: `forged${i}`,
            cancel_amount: '9000',
            cancel_date: '20260101120000',
          }),
        })
        await res.text()
      }
      expect(await rows()).toBe(before)
      const pay = await t.call('GET', `/v1/payments/${cancel.body.paymentId}`)
      expect(pay.body).toMatchObject({ cancelledAmount: 1_000, cancellableAmount: 9_000 })
      expect(t.sims.cookiepay.inspect(transactionId)).toMatchObject({ cancelledAmount: 1_000 })
    })
  })

  describe('Bootpay webhooks', () => {
    it('v2: a cancel made at Bootpay itself is recorded once; the reply is {"success":true}', async () => {
      const { transactionId } = t.sims.bootpay.seedPayment({ amount: 20_000 })
      // A cancel through paymux makes the payment known (and notifies: already recorded, no change).
      const first = await t.call('POST', '/v1/cancellations', {
        body: { account: 'a-boot', transactionId, amount: 2_000, reason: 'part' },
      })
      expect(first.body.status).toBe('succeeded')
      await t.sims.bootpay.webhooksSettled()
      // Someone cancels 5,000 in Bootpay's admin: the simulator state changes and its webhook follows.
      const receipt = t.sims.bootpay.state.receipts.get(transactionId)!
      receipt.cancelledPrice += 5_000
      const d = await t.sims.bootpay.sendWebhook(transactionId, { version: 'v2' })
      expect(d.delivered).toBe(true)
      expect(d.attempts.at(-1)).toMatchObject({ status: 200, body: '{"success":true}' })
      const again = await t.sims.bootpay.sendWebhook(transactionId, { version: 'v2' })
      expect(again.delivered).toBe(true)
      const pay = await t.call('GET', `/v1/payments/${first.body.paymentId}`)
      expect(pay.body).toMatchObject({ cancelledAmount: 7_000, cancellableAmount: 13_000 })
      const external = pay.body.cancellations.filter((c: { id: string }) => c.id !== first.body.id)
      expect(external).toHaveLength(1)
      expect(external[0]).toMatchObject({ status: 'succeeded', amount: 5_000 })
    })

    // Bootpay signs no webhook: a well-formed one is a hint, answered (so Bootpay stops re-sending) and looked up;
    // what it claims never changes anything by itself, and one naming no payment here stores nothing.
    it('forged webhooks change nothing: a receipt unknown here, a claimed cancel Bootpay does not show; a foreign private key is refused', async () => {
      const { transactionId } = t.sims.bootpay.seedPayment({ amount: 8_000 })
      const post = (account: string, body: unknown) =>
        fetch(`${t.url}/v1/notifications/${account}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        })
      const notificationRows = async () =>
        Number(
          (
            await t.db.kysely
              .selectFrom('notifications')
              .select((eb) => eb.fn.countAll().as('n'))
              .executeTakeFirstOrThrow()
          ).n,
        )
      const before = await notificationRows()
      const unknown = await post('a-boot', {
        receipt_id: '65f0000000000000000000ff',
        status: 20,
        price: 8_000,
      })
      expect(unknown.status).toBe(200)
      const key = await post('a-boot-v1', {
        receipt_id: transactionId,
        status: 1,
        price: 8_000,
        private_key: 'not-ours-at-all',
      })
      expect(key.status).toBe(403)
      expect(await key.text()).toBe('FAIL')
      expect(await notificationRows()).toBe(before)
      expect(
        await t.db.kysely
          .selectFrom('payments')
          .select('id')
          .where('transaction_id', '=', transactionId)
          .execute(),
      ).toEqual([])
      // A payment the gateway holds: a forged "cancelled" for it is looked up, and Bootpay shows no cancel.
      const c = await t.call('POST', '/v1/cancellations', {
        body: { account: 'a-boot', transactionId, amount: 2_000, reason: 'r' },
      })
      expect(c.body.status).toBe('succeeded')
      const forged = await post('a-boot', {
        receipt_id: transactionId,
        status: 20,
        cancelled_price: 8_000,
        price: 8_000,
      })
      expect(forged.status).toBe(200)
      const pay = await t.call('GET', `/v1/payments/${c.body.paymentId}`)
      expect(pay.body).toMatchObject({ status: 'partial_cancelled', cancelledAmount: 2_000 })
      expect(t.sims.bootpay.inspect(transactionId)).toMatchObject({ cancelledAmount: 2_000 })
    })

    // A v1 body carrying our private key is verified (only Bootpay and the merchant know the key): applied once,
    // and the same notification again is a duplicate that changes nothing.
    it('v1 with our private key: verified, applied once; the same notification again is counted a duplicate and changes nothing', async () => {
      t.sims.bootpay.settings.v1WebhookIncludesKeys = true
      try {
        const { transactionId } = t.sims.bootpay.seedPayment({ amount: 20_000 })
        const c = await t.call('POST', '/v1/cancellations', {
          body: { account: 'a-boot-v1', transactionId, amount: 3_000, reason: 'part' },
        })
        expect(c.body.status).toBe('succeeded')
        // Cancelled at Bootpay itself, outside paymux.
        const provider = t.gateway.runtime.merchants.get('shop-a')!.accounts.get('a-boot-v1')!.provider
        await provider.cancel({
          transactionId,
          amount: 2_000,
          reason: 'admin',
          cancelId: `adm-${transactionId}`,
        })
        const url = `${t.url}/v1/notifications/a-boot-v1`
        const first = await t.sims.bootpay.sendWebhook(transactionId, { version: 'v1', url })
        expect(first.delivered).toBe(true)
        const once = await t.call('GET', `/v1/payments/${c.body.paymentId}`)
        expect(once.body).toMatchObject({ cancelledAmount: 5_000, reservedAmount: 0 })
        const eventsAfterFirst = (await t.call('GET', `/v1/events?limit=100`)).body.data.length
        const again = await t.sims.bootpay.sendWebhook(transactionId, { version: 'v1', url })
        expect(again.delivered).toBe(true)
        const twice = await t.call('GET', `/v1/payments/${c.body.paymentId}`)
        expect(twice.body).toMatchObject({ cancelledAmount: 5_000, reservedAmount: 0 })
        expect((await t.call('GET', `/v1/events?limit=100`)).body.data.length).toBe(eventsAfterFirst)
        const metrics = await (await fetch(`${t.url}/metrics`)).text()
        expect(metrics).toMatch(/paymux_notifications_total\{provider="bootpay",result="duplicate"\} [1-9]/)
      } finally {
        t.sims.bootpay.settings.v1WebhookIncludesKeys = false
      }
    })

    it('v1 feedback: answered OK; a pending cancel whose answer was dropped is finished by the webhook once its request is over', async () => {
      const { transactionId } = t.sims.bootpay.seedPayment({ amount: 20_000 })
      t.sims.bootpay.settings.webhookUrl = `${t.url}/v1/notifications/a-boot-v1`
      t.sims.bootpay.settings.webhookVersion = 'v1'
      try {
        t.sims.bootpay.faults.inject({ fault: { kind: 'drop' }, path: '/cancel' })
        const cancel = await t.call('POST', '/v1/cancellations', {
          body: { account: 'a-boot-v1', transactionId, amount: 3_000, reason: 'part' },
        })
        expect(cancel.status).toBe(202)
        expect(cancel.body.status).toBe('pending')
        // The simulator's webhook is a hint: it may arrive while the request is still ours (then the request's
        // own answer, or the reconciler after it, settles the cancel from the lookup).
        await t.sims.bootpay.webhooksSettled()
        const rt = t.gateway.runtime
        await reconcileOnce(rt, { ...rt.config.workers.reconcile, minAgeMs: 0 })
        const done = await t.call('GET', `/v1/cancellations/${cancel.body.id}`)
        expect(done.body.status).toBe('succeeded')
        const log = t.sims.bootpay.webhookLog.filter((w) => w.receiptId === transactionId)
        const last = log.at(-1)!
        expect(last.delivered).toBe(true)
        expect(last.attempts.at(-1)).toMatchObject({ body: 'OK' })
        const pay = await t.call('GET', `/v1/payments/${cancel.body.paymentId}`)
        expect(pay.body).toMatchObject({ cancelledAmount: 3_000, reservedAmount: 0 })
        expect(t.sims.bootpay.inspect(transactionId)).toMatchObject({
          cancelledAmount: 3_000,
          cancelCount: 1,
        })
        const evs = await eventsOf(t, cancel.body.id)
        expect(evs.map((e) => e.type)).toEqual(['cancellation.succeeded'])
      } finally {
        t.sims.bootpay.settings.webhookUrl = `${t.url}/v1/notifications/a-boot`
        t.sims.bootpay.settings.webhookVersion = 'v2'
      }
    })
  })
})

describe.each(DB_TARGETS)('notification logs on %o', (target) => {
  it('hold no PG credential, API key or webhook secret, even for Bootpay v1 bodies carrying the private key', async () => {
    const t = await startFlowGateway(target)
    try {
      t.sims.bootpay.settings.v1WebhookIncludesKeys = true
      const { transactionId } = t.sims.bootpay.seedPayment({ amount: 9_000 })
      const c = await t.call('POST', '/v1/cancellations', {
        body: { account: 'a-boot-v1', transactionId, amount: 2_000, reason: 'r' },
      })
      expect(c.body.status).toBe('succeeded')
      const d = await t.sims.bootpay.sendWebhook(transactionId, {
        version: 'v1',
        url: `${t.url}/v1/notifications/a-boot-v1`,
      })
      expect(d.delivered).toBe(true)
      // A forged one is logged as refused: its body (with a key in it) is not.
      await fetch(`${t.url}/v1/notifications/a-boot-v1`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ receipt_id: transactionId, private_key: 'forged-private-key-value' }),
      })
      const workers = t.gateway.startWorkers()
      await eventually(() => t.hooks.received.length > 0)
      await workers.stop()
      const secrets = [
        t.keyA,
        t.keyB,
        ...t.secrets,
        'forged-private-key-value',
        NICEPAY_DEMO_CREDENTIALS.merchantKey,
        BOOTPAY_DEMO_CREDENTIALS.privateKey,
        COOKIEPAY_DEMO_CREDENTIALS.apiKey,
      ]
      expect(t.logs.some((l) => l.includes('notification refused'))).toBe(true)
      expect(findLeaks(t.logs, secrets)).toEqual([])
    } finally {
      await t.close()
    }
  })
})

describe('source IP', () => {
  const app = (hops: number) => new Hono().get('/', (c) => c.text(sourceIpOf(c, hops) ?? 'none'))
  it('ignores X-Forwarded-For unless proxies are configured; then takes the entry the outermost trusted proxy wrote', async () => {
    const h = { 'x-forwarded-for': '6.6.6.6, 121.133.126.10, 10.0.0.1' }
    expect(await (await app(0).request('/', { headers: h })).text()).toBe('none')
    expect(await (await app(1).request('/', { headers: h })).text()).toBe('10.0.0.1')
    expect(await (await app(2).request('/', { headers: h })).text()).toBe('121.133.126.10')
  })
})

/**
 * Sits between the NicePay simulator and the gateway: keeps the exact bytes NicePay posted (to re-send and
 * to forge from) and forwards them unchanged.
 */
async function startRelay(target: () => string) {
  const bodies: Buffer[] = []
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', async () => {
      const raw = Buffer.concat(chunks)
      bodies.push(raw)
      const r = await fetch(target(), {
        method: 'POST',
        headers: { 'content-type': String(req.headers['content-type'] ?? '') },
        body: raw,
      })
      res.writeHead(r.status, Object.fromEntries(r.headers)).end(Buffer.from(await r.arrayBuffer()))
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    bodies,
    close: () => new Promise<void>((r) => server.close(() => r())),
  }
}

/** POSTs `size` bytes on a connection of its own, with or without Content-Length; the status or 'closed'. */
function rawPost(url: string, size: number, withLength: boolean): Promise<number | 'closed'> {
  return new Promise((resolve) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent: false,
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          ...(withLength ? { 'content-length': String(size) } : { 'transfer-encoding': 'chunked' }),
        },
      },
      (res) => {
        res.resume()
        resolve(res.statusCode ?? 0)
      },
    )
    req.on('error', () => resolve('closed'))
    for (let sent = 0; sent < size; sent += 8192) req.write(Buffer.alloc(Math.min(8192, size - sent), 0x78))
    req.end()
  })
}
