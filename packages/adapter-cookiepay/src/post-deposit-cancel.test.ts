import { type CancelResult, isPaymentError, type NotificationResult, type PaymentError } from '@paymux/core'
import { startServer } from '@paymux/core/simulator'
import { afterEach, describe, expect, it } from 'vitest'
import { fakeClock, pair, startReceiver } from './__fixtures__/harness.js'
import { CookiePay } from './index.js'
import {
  COOKIEPAY_DEMO_CREDENTIALS,
  createCookiePaySimulator,
  type DepositResult,
} from './simulator/index.js'

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

function depositOf(r: CancelResult) {
  if (r.status !== 'deposit_required') throw new Error(`expected deposit_required, got ${JSON.stringify(r)}`)
  return r
}

describe('9029 post-deposit cancel: end to end over real HTTP', () => {
  it('cancel → deposit_required → deposit → one Noti at a real listener → a hint → the lookup shows it cancelled', async () => {
    const sim = createCookiePaySimulator()
    const server = await startServer(sim.app)
    closers.push(server.close)
    const provider = new CookiePay({
      ...COOKIEPAY_DEMO_CREDENTIALS,
      environment: 'sandbox',
      baseUrl: server.url,
      timeoutMs: 2000,
    })
    const verdicts: NotificationResult[] = []
    const receiver = await startReceiver(async (r) => {
      const v = await provider.parseNotification({
        rawBody: r.body,
        headers: r.headers as Record<string, string>,
      })
      verdicts.push(v)
      return v.reply
    })
    closers.push(receiver.close)
    // The notify URL is set through the control route, as the demo does.
    await fetch(`${server.url}/__sim/settings/notify-url`, {
      method: 'POST',
      body: JSON.stringify({ url: receiver.url }),
    })

    const { transactionId } = (await (
      await fetch(`${server.url}/__sim/seed/payment`, {
        method: 'POST',
        body: JSON.stringify({ amount: 30_000, settled: true }),
      })
    ).json()) as { transactionId: string }

    const r = depositOf(await provider.cancel({ transactionId, reason: '정산 후 취소', cancelId: 'pdc-1' }))
    expect(r.providerCode).toBe('9029')
    expect(r.deposit).toMatchObject({
      bankName: '기업은행',
      bankCode: '003',
      depositAmount: 30_000,
      cancelAmount: 30_000,
    })
    expect(r.deposit.accountNumber).toMatch(/^\d{14}$/)
    expect(r.deposit.deadline).toMatch(/T23:59:59\+09:00$/)
    expect(Date.parse(r.deposit.deadline!)).toBeGreaterThan(Date.now() + 6 * 86400_000)
    expect(sim.inspect(transactionId)).toMatchObject({ cancelledAmount: 0, status: 'deposit_cancel_pending' })
    expect(receiver.received).toHaveLength(0)

    const dep = (await (
      await fetch(`${server.url}/__sim/deposit/${transactionId}`, { method: 'POST' })
    ).json()) as DepositResult
    expect(dep.cancelledAmount).toBe(30_000)
    expect(dep.notification).toMatchObject({ delivered: true, attempts: 1, status: 200 })

    expect(receiver.received).toHaveLength(1)
    const noti = JSON.parse(new TextDecoder().decode(receiver.received[0]!.body)) as Record<string, string>
    // Seed 004: the Noti is the cancel response ("결제취소 응답전문"), which names the cancel, not the payment.
    expect(noti).toMatchObject({ cancel_code: '0000', cancel_amt: '30000' })
    expect(noti.cancel_tid).toMatch(/\S/)
    expect(verdicts).toHaveLength(1)
    const v = verdicts[0]!
    expect(v.verified).toBe(false)
    if (v.verified) return
    expect(v.hint).toMatchObject({
      claimed: 'payment.cancelled',
      evidence: { providerCancelId: noti.cancel_tid, amount: '30000' },
    })
    expect(v.reply.body).toBe('<html><body><RESULT>SUCCESS</RESULT></body></html>')

    const t = await provider.getTransaction(transactionId)
    expect(t).toMatchObject({ status: 'cancelled', cancelledAmount: 30_000, cancellableAmount: 0 })
    expect(sim.inspect(transactionId)).toMatchObject({
      cancelledAmount: 30_000,
      cancelCount: 1,
      status: 'cancelled',
    })

    // CookiePay sends it once; a second deposit is refused, and a new cancel says it is already cancelled.
    const again = await fetch(`${server.url}/__sim/deposit/${transactionId}`, { method: 'POST' })
    expect(again.status).toBe(409)
    expect(receiver.received).toHaveLength(1)
    expect((await failure(provider.cancel({ transactionId, reason: 'again', cancelId: 'pdc-2' }))).code).toBe(
      'already_cancelled',
    )
  })

  it('the Noti is sent once even when the merchant answers 500 (no retry by default)', async () => {
    const receiver = await startReceiver(async () => ({ status: 500, headers: {}, body: 'down' }))
    closers.push(receiver.close)
    const { sim, provider } = pair({ sim: { notifyUrl: receiver.url } })
    const { transactionId } = sim.seedPayment({ amount: 5000, settled: true })
    depositOf(await provider.cancel({ transactionId, reason: 'x', cancelId: 'c' }))
    const dep = await sim.deposit(transactionId)
    expect(dep.notification).toMatchObject({ delivered: false, attempts: 1, status: 500 })
    expect(receiver.received).toHaveLength(1)
    expect(sim.inspect(transactionId)?.cancelledAmount).toBe(5000)
  })
})

describe('9029 post-deposit cancel: variants', () => {
  it('a partial post-deposit cancel asks for that amount; a fee shows as DEPOSITAMT > CANCELAMT', async () => {
    const { sim, provider } = pair({ sim: { depositFee: 500 } })
    const { transactionId } = sim.seedPayment({ amount: 30_000, settled: true })
    const r = depositOf(
      await provider.cancel({ transactionId, amount: 10_000, reason: '부분', cancelId: 'p1' }),
    )
    expect(r.deposit).toMatchObject({ cancelAmount: 10_000, depositAmount: 10_500 })
    await sim.deposit(transactionId)
    expect(sim.inspect(transactionId)).toMatchObject({ cancelledAmount: 10_000, status: 'partial_cancelled' })
    // The rest: the adapter takes the cancellable amount from the lookup.
    const rest = depositOf(await provider.cancel({ transactionId, reason: '나머지', cancelId: 'p2' }))
    expect(rest.deposit.cancelAmount).toBe(20_000)
  })

  it.each([
    [8, 'T23:59:59+09:00'],
    [10, 'T23:00:00+09:00'],
    [12, 'T23:59:00+09:00'],
    [14, 'T23:59:59+09:00'],
  ] as const)('DEPOSITENDDATE with %i digits is read as a deadline', async (digits, suffix) => {
    const c = fakeClock(Date.parse('2026-01-31T05:42:53Z'))
    const { sim, provider } = pair({
      sim: { clock: c.clock, depositEndDateDigits: digits },
      adapter: { clock: c.clock },
    })
    const { transactionId } = sim.seedPayment({ amount: 20_000, settled: true })
    const r = depositOf(await provider.cancel({ transactionId, reason: 'x', cancelId: 'c' }))
    expect(r.deposit.deadline).toBe(`2026-02-07${suffix}`)
  })

  it('without a cumulative cancel figure the adapter refuses to guess a full amount (asks for one)', async () => {
    const { sim, provider, count } = pair({ sim: { paysearch: false } })
    const { transactionId } = sim.seedPayment({ amount: 30_000, settled: true })
    depositOf(await provider.cancel({ transactionId, amount: 10_000, reason: 'x', cancelId: 'c1' }))
    await sim.deposit(transactionId)
    const before = count('get_cancel_bank_account')
    const err = await failure(provider.cancel({ transactionId, reason: 'rest', cancelId: 'c2' }))
    expect(err.code).toBe('invalid_request')
    expect(err.param).toBe('amount')
    expect(count('get_cancel_bank_account')).toBe(before)
    // With the amount given it works.
    const r = depositOf(
      await provider.cancel({ transactionId, amount: 20_000, reason: 'rest', cancelId: 'c3' }),
    )
    expect(r.deposit.cancelAmount).toBe(20_000)
  })

  it('a garbled deposit-account answer is unknown (an account may have been reserved)', async () => {
    const { sim, provider } = pair()
    const { transactionId } = sim.seedPayment({ amount: 30_000, settled: true })
    sim.faults.inject({
      path: '/api/get_cancel_bank_account',
      fault: { kind: 'malformed', body: '{"RESULTCODE":"0000","RESULTMSG":"성공"}' },
    })
    const err = await failure(provider.cancel({ transactionId, reason: 'x', cancelId: 'c' }))
    expect(err.code).toBe('invalid_response')
    expect(err.outcome).toBe('unknown')
  })

  it('a deposit-account error keeps its raw code', async () => {
    const { sim, provider } = pair({
      sim: { codes: { overCancel: { code: '8123', message: '처리할 수 없는 요청' } } },
    })
    const { transactionId } = sim.seedPayment({ amount: 30_000, settled: true })
    // amount > paymentAmount is caught locally; without paymentAmount the simulator refuses it.
    const err = await failure(provider.cancel({ transactionId, amount: 40_000, reason: 'x', cancelId: 'c' }))
    expect([err.code, err.providerCode, err.providerMessage]).toEqual([
      'provider_rejected',
      '8123',
      '처리할 수 없는 요청',
    ])
  })

  it.each([
    ['noti_type', { NOTI_TYPE: 'deposit_cancel', CANCEL_AMOUNT: '7000' }],
    ['cancel_response', { RESULTCODE: '0000', CANCELAMT: '7000' }],
  ] as const)('upper-case cancel Noti keys are accepted too (%s shape)', async (shape, keys) => {
    const deliveries: Array<{ url: string; body: string }> = []
    const { sim, provider } = pair({
      sim: {
        depositCancelNotiShape: shape,
        depositCancelNotiNamesPayment: true,
        cancelNotiSpelling: 'upper',
        notifyUrl: 'http://merchant.example/noti',
        notifyFetch: async (url, init) => {
          deliveries.push({ url: String(url), body: String(init?.body) })
          return new Response('ok')
        },
      },
    })
    const { transactionId } = sim.seedPayment({ amount: 7000, settled: true })
    depositOf(await provider.cancel({ transactionId, reason: 'x', cancelId: 'c' }))
    await sim.deposit(transactionId)
    expect(deliveries).toHaveLength(1)
    expect(JSON.parse(deliveries[0]!.body)).toMatchObject({ TID: transactionId, ...keys })
    const v = await provider.parseNotification({
      rawBody: new TextEncoder().encode(deliveries[0]!.body),
      headers: {},
    })
    expect(!v.verified && v.hint).toMatchObject({
      transactionId,
      claimed: 'payment.cancelled',
      evidence: { amount: '7000' },
    })
  })
})
