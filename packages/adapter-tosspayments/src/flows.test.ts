// Whole flows against the simulator over real HTTP: what a host does after an unknown outcome, a virtual account
// from issue to deposit webhook, and billing keys from the auth window.
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { isPaymentError, type NotificationResult } from '@paymux/core'
import { type RunningServer, startServer } from '@paymux/core/simulator'
import { afterEach, describe, expect, it } from 'vitest'
import { throughWindow } from './__fixtures__/window.js'
import { TOSS_CODES } from './codes.js'
import {
  createTossSimulator,
  SIM_ERRORS,
  TOSS_DEMO_CREDENTIALS,
  type TossSimulator,
  UNCERTAIN_STATUSES,
} from './simulator/index.js'
import { TossPayments, type TossPaymentsOptions } from './tosspayments.js'

let server: RunningServer | undefined
afterEach(async () => {
  await server?.close()
  server = undefined
})

async function setup(options: Partial<TossPaymentsOptions> = {}, sim: TossSimulator = createTossSimulator()) {
  server = await startServer(sim.app)
  const toss = new TossPayments({
    ...TOSS_DEMO_CREDENTIALS,
    baseUrl: server.url,
    // Generous: only the faults decide outcomes here, never how fast a busy machine answers.
    timeoutMs: 30_000,
    ...options,
  })
  return { sim, toss, url: server.url }
}

const checkout = (orderId: string, method: 'card' | 'virtual_account' = 'card') => ({
  orderId,
  amount: 15_000,
  orderName: '테스트 상품',
  method,
  customer: { name: '홍길동' },
  returnUrl: `http://127.0.0.1:9/shop/${orderId}/return`,
  closeUrl: `http://127.0.0.1:9/shop/${orderId}/closed`,
  expiresAt: new Date(Date.now() + 30 * 60_000).toISOString(),
})

describe('an approval whose answer was lost', () => {
  it('is unknown; the order lookup shows the payment; approving again reads it, and Toss charged once', async () => {
    const { sim, toss } = await setup()
    const req = checkout('order-lost-0001')
    const expected = { orderId: req.orderId, amount: req.amount, method: req.method }
    const back = await throughWindow(await toss.startCheckout(req), req.returnUrl, 'Approve')
    const read = await toss.readCheckoutReturn(back, expected)
    if (read.outcome !== 'authenticated') throw new Error(JSON.stringify(read))
    sim.faults.inject({ fault: { kind: 'drop' }, path: '/v1/payments/confirm' })
    const err = await toss.approveCheckout(read.approval, expected).catch((e: unknown) => e)
    expect(isPaymentError(err) && err.outcome).toBe('unknown')
    // The host settles from evidence: the order lookup.
    const [held] = await toss.lookupOrder(req.orderId)
    expect(held).toMatchObject({ status: 'paid', amount: 15_000, transactionId: read.approval.transactionId })
    // A host that approves again (same payment, same key) gets the payment read back, not a second charge.
    const again = await toss.approveCheckout(read.approval, expected)
    expect(again).toMatchObject({ status: 'paid', amount: 15_000 })
    expect(sim.inspect(read.approval.transactionId)?.confirms).toBe(1)
  })

  it('a customer who closes the window lands on the return URL as declined (PAY_PROCESS_CANCELED)', async () => {
    const { toss } = await setup()
    const req = checkout('order-close-0001')
    const back = await throughWindow(await toss.startCheckout(req), req.returnUrl, 'Close window')
    const read = await toss.readCheckoutReturn(back, {
      orderId: req.orderId,
      amount: req.amount,
      method: 'card',
    })
    expect(read).toMatchObject({ outcome: 'declined', code: 'PAY_PROCESS_CANCELED' })
  })
})

describe('virtual accounts', () => {
  it('a virtual-account checkout waits for the deposit; the webhook is a hint, the lookup says paid', async () => {
    const received: NotificationResult[] = []
    let toss: TossPayments | undefined
    let secret: string | undefined
    const hook = createServer((req, res) => {
      const chunks: Buffer[] = []
      req.on('data', (c: Buffer) => chunks.push(c))
      req.on('end', async () => {
        const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]))
        const r = await toss!.parseNotification({ rawBody: new Uint8Array(Buffer.concat(chunks)), headers })
        received.push(r)
        res.writeHead(r.reply.status).end(r.reply.body)
      })
    })
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r))
    try {
      const sim = createTossSimulator({
        webhookUrl: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/toss`,
      })
      const s = await setup({ virtualAccountSecret: async () => secret }, sim)
      toss = s.toss
      const req = checkout('order-vacheck-01', 'virtual_account')
      const expected = { orderId: req.orderId, amount: req.amount, method: req.method }
      const back = await throughWindow(await toss.startCheckout(req), req.returnUrl, 'Approve')
      const read = await toss.readCheckoutReturn(back, expected)
      if (read.outcome !== 'authenticated') throw new Error(JSON.stringify(read))
      const issued = await toss.approveCheckout(read.approval, expected)
      expect(issued.status).toBe('waiting_for_deposit')
      expect(issued.virtualAccount?.accountNumber).toMatch(/^X/)
      secret = sim.payment(issued.transactionId)?.secret ?? undefined
      sim.deposit(issued.transactionId)
      await sim.webhooks.settled()
      const deposit = received.at(-1)!
      expect(deposit.verified).toBe(false)
      if (deposit.verified) throw new Error('unreachable')
      expect(deposit.reason).toContain('secret matched')
      expect(deposit.hint).toMatchObject({ transactionId: issued.transactionId, claimed: 'payment.paid' })
      expect(await toss.getTransaction(issued.transactionId)).toMatchObject({
        status: 'paid',
        amount: 15_000,
      })
      expect(sim.webhooks.deliveries.every((d) => d.status === 'delivered')).toBe(true)
    } finally {
      hook.close()
    }
  })

  it('issues by server call with the Toss bank code, returns its secret, and closes before deposit', async () => {
    const { sim, toss } = await setup()
    const due = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10)
    const va = await toss.issueVirtualAccount({
      orderId: 'order-vaissue-01',
      amount: 12_000,
      goodsName: '가상계좌 상품',
      bankCode: '004',
      dueDate: due,
      depositorName: '홍길동',
    })
    expect(va).toMatchObject({ bankCode: '004', bankName: 'KB국민은행', amount: 12_000 })
    expect(va.secret).toBe(sim.payment(va.transactionId)?.secret)
    expect((sim.payment(va.transactionId)?.virtualAccount as { bankCode: string }).bankCode).toBe('06')
    // The lookups say where to deposit too (a host that lost this answer still can), bank in KFTC code.
    const shown = { bankCode: '004', bankName: 'KB국민은행', accountNumber: va.accountNumber }
    expect((await toss.getTransaction(va.transactionId)).virtualAccount).toMatchObject(shown)
    expect((await toss.lookupOrder('order-vaissue-01'))[0]?.virtualAccount).toMatchObject(shown)
    const closed = await toss.cancel({
      transactionId: va.transactionId,
      reason: '발급 취소',
      cancelId: 'va-close-1',
    })
    expect(closed).toMatchObject({ status: 'cancelled', cancelledAmount: 12_000 })
    expect(sim.inspect(va.transactionId)?.status).toBe('CANCELED')
  })
})

describe('two cancels of one payment in quick succession', () => {
  // Whether Toss stores an error answer under its Idempotency-Key is not known. If it does, a cancel refused by the
  // 1-second rule could never go through under its key (every re-send replays the refusal), and the key must not
  // change: so the adapter spaces its own cancels of one payment instead of running into the rule.
  for (const idempotencyStoresErrors of [false, true]) {
    it(`both go through, each under its own key, once (idempotencyStoresErrors: ${idempotencyStoresErrors})`, async () => {
      const sim = createTossSimulator({ settings: { idempotencyStoresErrors } })
      const { toss } = await setup({}, sim)
      const { transactionId } = sim.seedPayment({ amount: 10_000 })
      const [a, b] = await Promise.all(
        ['quick-1', 'quick-2'].map((cancelId) =>
          toss.cancel({ transactionId, amount: 1_000, reason: '연속 취소', cancelId }),
        ),
      )
      expect([a?.status, b?.status]).toEqual(['cancelled', 'cancelled'])
      const next = await toss.cancel({
        transactionId,
        amount: 1_000,
        reason: '연속 취소',
        cancelId: 'quick-3',
      })
      expect(next).toMatchObject({ status: 'cancelled', remainingAmount: 7_000 })
      expect(sim.inspect(transactionId)).toMatchObject({ cancelCount: 3, balanceAmount: 7_000 })
      expect(new Set(sim.state.cancelLog.map((c) => c.idempotencyKey)).size).toBe(3)
    })
  }
})

describe('closing a virtual account before its deposit', () => {
  // The spec does not say whether Toss zeroes balanceAmount when a waiting account is closed: both are read.
  for (const waitingAccountClose of ['booked', 'balanceKept'] as const) {
    it(`is a cancel of the whole amount, whichever way Toss books it (${waitingAccountClose})`, async () => {
      const { sim, toss } = await setup({}, createTossSimulator({ settings: { waitingAccountClose } }))
      const va = await toss.issueVirtualAccount({
        orderId: `order-vaclose-${waitingAccountClose}`,
        amount: 12_000,
        goodsName: '가상계좌 상품',
        bankCode: '004',
        dueDate: new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10),
        depositorName: '홍길동',
      })
      const closed = await toss.cancel({
        transactionId: va.transactionId,
        reason: '발급 취소',
        cancelId: 'c',
      })
      expect(closed).toMatchObject({ status: 'cancelled', cancelledAmount: 12_000, remainingAmount: 0 })
      expect(sim.payment(va.transactionId)?.balanceAmount).toBe(waitingAccountClose === 'booked' ? 0 : 12_000)
      expect(await toss.getTransaction(va.transactionId)).toMatchObject({
        status: 'cancelled',
        cancelledAmount: 12_000,
        cancellableAmount: 0,
      })
    })
  }
})

describe('billing keys from the auth window', () => {
  it('issues from authKey + customerKey and charges; a re-sent charge (same orderId) does not charge twice', async () => {
    const { sim, toss } = await setup()
    const key = await toss.issueBillingKeyFromAuth({
      authKey: sim.billingAuthKey('cust-flow-1'),
      customerKey: 'cust-flow-1',
    })
    const req = {
      billingKey: key.billingKey,
      orderId: 'order-bk-flow-01',
      amount: 9_900,
      goodsName: '월 구독',
    }
    sim.faults.inject({ fault: { kind: 'drop' }, path: '/v1/billing/' })
    const lost = await toss.chargeBillingKey(req).catch((e: unknown) => e)
    expect(isPaymentError(lost) && lost.outcome).toBe('unknown')
    const again = await toss.chargeBillingKey(req)
    expect(again.amount).toBe(9_900)
    const [held] = await toss.lookupOrder(req.orderId)
    expect(sim.inspect(held!.transactionId)?.confirms).toBe(1)
  })
})

describe('cancels whose answers are lost', () => {
  it('re-sent until answered: one execution per logical cancel, every re-send with its original key', async () => {
    const sim = createTossSimulator({ settings: { consecutiveCancelMs: 0 } })
    const { toss } = await setup({}, sim)
    const payments = [0, 1, 2].map(() => sim.seedPayment({ amount: 10_000 }).transactionId)
    const cancels = payments.flatMap((transactionId, i) =>
      [1_000, 2_000].map((amount, j) => ({
        transactionId,
        amount,
        reason: '유실',
        cancelId: `lost-${i}-${j}`,
      })),
    )
    for (const req of cancels) {
      // The first two answers are lost (the cancel executed), the third gets through.
      sim.faults.inject({ fault: { kind: 'drop' }, path: '/cancel', times: 2 })
      let result: Awaited<ReturnType<typeof toss.cancel>> | undefined
      for (let tries = 0; !result && tries < 5; tries++) {
        result = await toss.cancel(req).catch((err: unknown) => {
          if (isPaymentError(err) && err.outcome === 'unknown') return undefined
          throw err
        })
      }
      expect(result).toMatchObject({ status: 'cancelled', cancelledAmount: req.amount })
    }
    for (const paymentKey of payments)
      expect(sim.inspect(paymentKey)).toMatchObject({ cancelCount: 2, balanceAmount: 7_000 })
    // Each logical cancel: one key across all its requests, executed once; no two logical cancels share a key.
    const keysOf = (paymentKey: string) => sim.state.cancelRequests.filter((r) => r.paymentKey === paymentKey)
    for (const paymentKey of payments) {
      const executed = sim.state.cancelLog
        .filter((c) => c.paymentKey === paymentKey)
        .map((c) => c.idempotencyKey)
      expect(new Set(executed).size).toBe(2)
      const sent = keysOf(paymentKey).map((r) => r.idempotencyKey)
      expect(sent).toHaveLength(6)
      expect(new Set(sent)).toEqual(new Set(executed))
    }
  })
})

describe('the adapter reads every code the simulator can be forced to answer', () => {
  // Where the spec is unsure of a status (400/401, 400/404, "5xx", none), the other variants: the adapter must read
  // them the same way.
  const variants: Record<string, number> = {
    UNAUTHORIZED_KEY: 400,
    INVALID_API_KEY: 401,
    NOT_FOUND_PAYMENT: 400,
    NOT_FOUND_PAYMENT_SESSION: 400,
    FAILED_PAYMENT_INTERNAL_SYSTEM_PROCESSING: 503,
    FAILED_INTERNAL_SYSTEM_PROCESSING: 502,
    UNKNOWN_PAYMENT_ERROR: 504,
    DUPLICATED_ORDER_ID: 409,
    NOT_MATCHES_CUSTOMER_KEY: 403,
    FAILED_DB_PROCESSING: 422,
    IDEMPOTENT_REQUEST_PROCESSING: 429,
    INVALID_IDEMPOTENCY_KEY: 422,
  }

  for (const [name, errorStatuses] of [
    ['the simulator defaults', UNCERTAIN_STATUSES],
    ['the other variants of the uncertain statuses', variants],
  ] as const) {
    it(`as its own table says, for the status the simulator answers it with (${name})`, async () => {
      const sim = createTossSimulator({ settings: { errorStatuses } })
      server = await startServer(sim.app)
      const url = server.url
      for (const [code, row] of Object.entries(TOSS_CODES)) {
        const forced = new TossPayments({
          ...TOSS_DEMO_CREDENTIALS,
          baseUrl: url,
          consecutiveCancelRetryMs: [],
          fetch: (input, init) => {
            const headers = new Headers(init?.headers)
            headers.set('TossPayments-Test-Code', code)
            return fetch(input, { ...init, headers })
          },
        })
        const err = await forced
          .cancel({ transactionId: 'tgen_any', reason: 'x', cancelId: `forced-${code}` })
          .catch((e: unknown) => e)
        if (!isPaymentError(err)) throw new Error(`${code}: ${String(err)}`)
        const probe = await fetch(`${url}/v1/payments/tgen_any`, {
          headers: {
            authorization: `Basic ${Buffer.from(`${TOSS_DEMO_CREDENTIALS.secretKey}:`).toString('base64')}`,
            'TossPayments-Test-Code': code,
          },
        })
        const status = errorStatuses[code] ?? SIM_ERRORS[code]!.status
        const listed = row.statuses === '4xx' ? status >= 400 && status < 500 : row.statuses.includes(status)
        // The simulator answers the status set, and the adapter reads it as its table says.
        expect([code, probe.status, listed, err.code, err.providerCode]).toEqual([
          code,
          status,
          true,
          row.mapping.code,
          code,
        ])
      }
    })
  }

  it('an order lookup reads NOT_FOUND_PAYMENT as "none" with either status the spec names (400, 404)', async () => {
    for (const status of [400, 404]) {
      const sim = createTossSimulator({ settings: { errorStatuses: { NOT_FOUND_PAYMENT: status } } })
      const { toss } = await setup({}, sim)
      expect(await toss.lookupOrder('order-none-0001')).toEqual([])
      await server?.close()
      server = undefined
    }
  })
})
