// NicePay's deposit notification is unsigned: a well-formed one is a hint to look the payment up, never an event.
import { inProcessFetch } from '@paymux/core/simulator'
import { describe, expect, it } from 'vitest'
import { CREDS } from './__fixtures__/rig.js'
import { NicePay, type NicePayOptions } from './nicepay.js'
import { createNicePaySimulator } from './simulator/index.js'

const NICEPAY_IP = '::ffff:121.133.126.10'

/** A virtual account issued through the simulator, deposited, and the notification it posted. */
async function deposited(extra: Partial<NicePayOptions> = {}) {
  const received: Uint8Array[] = []
  const sim = createNicePaySimulator({
    notifyUrl: 'http://merchant.test/nicepay/noti',
    notifyFetch: async (_url, init) => {
      received.push(new TextEncoder().encode(String(init?.body)))
      return new Response('OK')
    },
  })
  const inner = inProcessFetch(sim.app)
  const calls = { count: 0 }
  const provider = new NicePay({
    ...CREDS,
    baseUrl: 'http://sim.test',
    fetch: (url, init) => {
      calls.count++
      return inner(url, init)
    },
    ...extra,
  })
  const va = await provider.issueVirtualAccount({
    orderId: 'n-1',
    amount: 30_000,
    goodsName: '나이스상품',
    bankCode: '004',
    dueDate: '2099-01-01',
  })
  const dep = await sim.deposit(va.transactionId, { depositorName: '홍길동' })
  expect(dep.notification).toMatchObject({ delivered: true, attempts: 1 })
  return { sim, va, body: received[0]!, provider, calls }
}

/** The manual's example notification with our values: anyone who knows them can write it. */
function forged(tid: string, account: string, amount: number): Uint8Array {
  const fields = `PG=NICE&PayMethod=VBANK&MID=${CREDS.mid}&Amt=${amount}&MOID=n-1&TID=${tid}&AuthDate=251129103000&StateCd=0&VbankNum=${account}&ResultCode=4110&ResultMsg=%BD%C2%C0%CE`
  return new TextEncoder().encode(fields)
}

describe('a deposit notification is a hint, never an event', () => {
  it('the genuine EUC-KR form: a hint to look the TID up, reply OK, and no call to NicePay while reading', async () => {
    const { va, body, provider, calls } = await deposited()
    expect(new TextDecoder().decode(body)).toContain('VbankInputName=%C8%AB%B1%E6%B5%BF')
    const before = calls.count
    const r = await provider.parseNotification({ rawBody: body, headers: {}, sourceIp: NICEPAY_IP })
    expect(calls.count).toBe(before)
    expect(r).toEqual({
      verified: false,
      reason: expect.stringMatching(/^unsigned: /),
      hint: {
        transactionId: va.transactionId,
        orderId: 'n-1',
        claimed: 'payment.paid',
        dedupKey: `nicepay:${va.transactionId}:4110:0`,
      },
      reply: { status: 200, headers: expect.any(Object), body: 'OK' },
    })
  })

  it('a forged one from an allowed address, matching TID, amount and account, no longer marks it paid', async () => {
    const { va, provider } = await deposited()
    const r = await provider.parseNotification({
      rawBody: forged(va.transactionId, va.accountNumber, 30_000),
      headers: {},
      sourceIp: NICEPAY_IP,
      expected: async () => ({
        transactionId: va.transactionId,
        amount: 30_000,
        accountNumber: va.accountNumber,
      }),
    })
    expect(r.verified).toBe(false)
    expect(r).toMatchObject({ hint: { claimed: 'payment.paid', transactionId: va.transactionId } })
  })

  it('the dedupKey is built from what NicePay names (TID, ResultCode, StateCd), so repeats collapse', async () => {
    const { va, body, provider } = await deposited()
    const twice = await Promise.all(
      [body, body].map((rawBody) =>
        provider.parseNotification({ rawBody, headers: {}, sourceIp: NICEPAY_IP }),
      ),
    )
    const keys = twice.map((r) => (r.verified ? undefined : r.hint?.dedupKey))
    expect(keys).toEqual([`nicepay:${va.transactionId}:4110:0`, `nicepay:${va.transactionId}:4110:0`])
  })

  it('StateCd 1/2 (전취소/후취소) claims a cancel; another code claims nothing in particular', async () => {
    const { va, provider } = await deposited()
    const read = async (body: string) => {
      const r = await provider.parseNotification({
        rawBody: new TextEncoder().encode(body),
        headers: {},
        sourceIp: NICEPAY_IP,
      })
      return r.verified ? undefined : r.hint?.claimed
    }
    const base = `MID=${CREDS.mid}&TID=${va.transactionId}&Amt=30000`
    expect(await read(`${base}&ResultCode=4110&StateCd=2`)).toBe('payment.cancelled')
    expect(await read(`${base}&ResultCode=2001&StateCd=1`)).toBe('payment.cancelled')
    expect(await read(`${base}&ResultCode=4117&StateCd=0`)).toBe('payment.other')
  })
})

describe('what is refused, without a hint', () => {
  it('another sender, an unknown sender, another MID, a body that is not a notification', async () => {
    const { va, body, provider } = await deposited()
    const otherMid = new TextDecoder()
      .decode(forged(va.transactionId, va.accountNumber, 30_000))
      .replace(`MID=${CREDS.mid}`, 'MID=nictest04m')
    const enc = (text: string) => new TextEncoder().encode(text)
    const tries = [
      { rawBody: body, sourceIp: '10.0.0.1' },
      { rawBody: body },
      { rawBody: enc(otherMid), sourceIp: NICEPAY_IP },
      { rawBody: enc('hello=world'), sourceIp: NICEPAY_IP },
      { rawBody: enc('TID=short&ResultCode=4110'), sourceIp: NICEPAY_IP },
    ]
    for (const t of tries) {
      const r = await provider.parseNotification({ headers: {}, ...t })
      expect(r.verified).toBe(false)
      expect(r.reply.body).toBe('FAIL')
      expect('hint' in r).toBe(false)
    }
  })

  it('where the host still says what it issued, another amount or account is refused (nicepay.md §6)', async () => {
    const { va, body, provider } = await deposited()
    const good = { transactionId: va.transactionId, amount: 30_000, accountNumber: va.accountNumber }
    for (const issued of [
      { ...good, amount: 29_000 },
      { ...good, accountNumber: '000' },
    ]) {
      const r = await provider.parseNotification({
        rawBody: body,
        headers: {},
        sourceIp: NICEPAY_IP,
        expected: async () => issued,
      })
      expect([r.verified, r.reply.body, 'hint' in r]).toEqual([false, 'FAIL', false])
    }
    // A TID the host does not know is no reason to refuse: the lookup decides.
    const unknown = await provider.parseNotification({
      rawBody: body,
      headers: {},
      sourceIp: NICEPAY_IP,
      expected: async () => undefined,
    })
    expect(unknown).toMatchObject({ verified: false, hint: { transactionId: va.transactionId } })
  })

  it('the allow-list is configurable and can be turned off', async () => {
    const { va, body, provider } = await deposited({ notificationIpAllowList: false })
    const r = await provider.parseNotification({ rawBody: body, headers: {} })
    expect(r).toMatchObject({
      verified: false,
      hint: { transactionId: va.transactionId },
      reply: { body: 'OK' },
    })
  })
})

// manual-status documents Status 0 승인 / 1 취소 / 9 승인 거래 없음 and no deposit state; a VBANK transaction is
// approved at its deposit. Before it the simulator answers its (invented) unpaid-account setting, 4109
// 입금대기상태 by default: the lookup a hint leads to tells the two apart (see the README).
describe('the lookup a hint leads to', () => {
  it('trans_status tells an account waiting for its deposit from a deposited one', async () => {
    const sim = createNicePaySimulator()
    const provider = new NicePay({ ...CREDS, baseUrl: 'http://sim.test', fetch: inProcessFetch(sim.app) })
    const { transactionId } = sim.seedPayment({ amount: 30_000, method: 'virtual_account' })
    const before = await provider.getTransaction(transactionId)
    expect(before).toMatchObject({ status: 'waiting_for_deposit', method: 'virtual_account' })
    await sim.deposit(transactionId)
    const after = await provider.getTransaction(transactionId)
    expect(after).toMatchObject({ status: 'paid', method: 'virtual_account', providerStatus: 'Status=0' })
  })
})
