// The adapter on Toss's own answers (the spec's quoted payloads and its error table): a recording fetch captures
// what the adapter puts on the wire and answers with the fixture.
import { type FetchLike, isPaymentError, type PaymentError } from '@paymux/core'
import { describe, expect, it } from 'vitest'
import {
  DONE_CARD,
  DONE_THEN_ABORTED,
  ESCROW_PARTIAL_REFUSAL,
  EXPIRED,
  PARTIAL_CANCELED_CARD,
  PAYPAL_CANCELED,
  WAITING_VA,
} from './__fixtures__/payments.js'
import { errorForAnswer, TOSS_CODES } from './codes.js'
import { TossPayments, type TossPaymentsOptions } from './tosspayments.js'

const SECRET = 'test_sk_zXLkKEypNArWmo50nX3lmeaxYG5R'
const CLIENT = 'test_ck_D5GePWvyJnrK0W0k6q8gLzN97Eoq'

interface Recorded {
  method: string
  path: string
  headers: Record<string, string>
  body: Record<string, unknown> | null
}

type Answer = { status: number; body: unknown }

/** A fetch answering each call with the next answer in line (the last one repeats). */
function recorder(...answers: Answer[]) {
  const calls: Recorded[] = []
  const fetch: FetchLike = async (input, init) => {
    const req = new Request(input as string, init)
    const url = new URL(req.url)
    const text = await req.text()
    const headers: Record<string, string> = {}
    req.headers.forEach((v, k) => {
      headers[k] = v
    })
    calls.push({ method: req.method, path: url.pathname, headers, body: text ? JSON.parse(text) : null })
    const a = answers[Math.min(calls.length - 1, answers.length - 1)]!
    return new Response(JSON.stringify(a.body), {
      status: a.status,
      headers: { 'content-type': 'application/json' },
    })
  }
  return { calls, fetch }
}

function toss(fetch: FetchLike, extra: Partial<TossPaymentsOptions> = {}) {
  return new TossPayments({
    secretKey: SECRET,
    clientKey: CLIENT,
    fetch,
    consecutiveCancelRetryMs: [10],
    cancelSpacingMs: 0,
    ...extra,
  })
}

async function failure(p: Promise<unknown>): Promise<PaymentError> {
  try {
    await p
  } catch (err) {
    if (isPaymentError(err)) return err
    throw err
  }
  throw new Error('expected a PaymentError')
}

describe('wire', () => {
  it('sends Basic base64("{secretKey}:") to api.tosspayments.com on every call', async () => {
    const r = recorder({ status: 200, body: DONE_CARD })
    await toss(r.fetch).getTransaction(DONE_CARD.paymentKey)
    expect(r.calls[0]!.headers.authorization).toBe(`Basic ${Buffer.from(`${SECRET}:`).toString('base64')}`)
    expect(r.calls[0]!.path).toBe(`/v1/payments/${DONE_CARD.paymentKey}`)
  })

  it('keeps the secret key out of errors, even when an answer echoes it', async () => {
    const r = recorder({ status: 401, body: { code: 'UNAUTHORIZED_KEY', message: `unknown key ${SECRET}` } })
    const err = await failure(toss(r.fetch).getTransaction('tgen_x'))
    expect(err.code).toBe('authentication_failed')
    expect(JSON.stringify(err.toJSON())).not.toContain(SECRET)
  })
})

describe('the secret key', () => {
  const basic = Buffer.from(`${SECRET}:`).toString('base64')

  it('appears in no log line, error message or error JSON, in any form, whatever Toss echoes', async () => {
    const lines: string[] = []
    const log = (level: string) => (fields: object, message?: string) =>
      lines.push(`${level} ${message ?? ''} ${JSON.stringify(fields)}`)
    const logger = { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') }
    const echo = `key ${SECRET} / Basic ${basic} / ${encodeURIComponent(SECRET)}`
    const answers: Answer[] = [
      { status: 401, body: { code: 'UNAUTHORIZED_KEY', message: echo } },
      { status: 400, body: { code: 'SOMETHING_NEW', message: echo } },
      { status: 500, body: { code: 'COMMON_ERROR', message: echo } },
      // An answer shaped like an error under HTTP 200, its code being the echo.
      { status: 200, body: { code: `ECHO_${SECRET}`, message: echo } },
    ]
    const errors: PaymentError[] = []
    for (const a of answers) {
      const t = toss(recorder(a).fetch, { logger })
      errors.push(await failure(t.getTransaction('tgen_secret')))
      errors.push(
        await failure(
          t.cancel({ transactionId: 'tgen_secret', reason: 'x', cancelId: 'c-secret', amount: 100 }),
        ),
      )
    }
    const seen = [
      ...lines,
      ...errors.flatMap((e) => [e.message, JSON.stringify(e.toJSON()), String(e.providerMessage)]),
    ].join('\n')
    expect(lines.length).toBeGreaterThan(0)
    for (const form of [SECRET, basic, encodeURIComponent(SECRET)]) expect(seen).not.toContain(form)
  })
})

describe('cancel', () => {
  it('books the amount from cancels[] and carries an Idempotency-Key made from the cancelId', async () => {
    const r = recorder({ status: 200, body: PARTIAL_CANCELED_CARD })
    const t = toss(r.fetch)
    const req = { transactionId: DONE_CARD.paymentKey, amount: 5_000, reason: '고객 변심', cancelId: 'c-1' }
    const res = await t.cancel(req)
    expect(res).toMatchObject({
      status: 'cancelled',
      cancelledAmount: 5_000,
      remainingAmount: 10_000,
      providerCancelId: 'B7A1A7A8F7C6C5E1A1D1C1B1A1F1E1D1',
    })
    await t.cancel(req)
    await t.cancel({ ...req, cancelId: 'c-2' })
    const keys = r.calls.map((c) => c.headers['idempotency-key']!)
    expect(keys[0]).toBe(keys[1])
    expect(keys[2]).not.toBe(keys[0])
    expect(keys[0]!.length).toBeLessThanOrEqual(300)
    expect(r.calls[0]).toMatchObject({
      method: 'POST',
      path: `/v1/payments/${DONE_CARD.paymentKey}/cancel`,
      body: { cancelReason: '고객 변심', cancelAmount: 5_000 },
    })
  })

  it('an answer booking another amount than asked is unknown, never a success', async () => {
    const r = recorder({ status: 200, body: PARTIAL_CANCELED_CARD })
    const err = await failure(
      toss(r.fetch).cancel({
        transactionId: DONE_CARD.paymentKey,
        amount: 4_000,
        reason: 'x',
        cancelId: 'c',
      }),
    )
    expect([err.code, err.outcome]).toEqual(['invalid_response', 'unknown'])
  })

  it('a full cancel whose cancels[] do not add up to the balance is unknown', async () => {
    const misstated = {
      ...PARTIAL_CANCELED_CARD,
      cancels: [{ ...PARTIAL_CANCELED_CARD.cancels[0], cancelAmount: 4_000 }],
    }
    const err = await failure(
      toss(recorder({ status: 200, body: misstated }).fetch).cancel({
        transactionId: DONE_CARD.paymentKey,
        reason: 'x',
        cancelId: 'c-full',
      }),
    )
    expect([err.code, err.outcome]).toEqual(['invalid_response', 'unknown'])
  })

  it('sends a refund account as refundReceiveAccount with Toss bank code and digits only', async () => {
    const r = recorder({ status: 200, body: { ...PARTIAL_CANCELED_CARD } })
    await toss(r.fetch)
      .cancel({
        transactionId: DONE_CARD.paymentKey,
        reason: '환불',
        cancelId: 'c-ra',
        refundAccount: { bankCode: '004', accountNumber: '123-456-7890', holderName: '홍길동' },
      })
      .catch(() => undefined)
    expect(r.calls[0]!.body).toEqual({
      cancelReason: '환불',
      refundReceiveAccount: { bank: '06', accountNumber: '1234567890', holderName: '홍길동' },
    })
  })

  it('waits out FORBIDDEN_CONSECUTIVE_REQUEST and sends the same cancel with the same key', async () => {
    const refused = { status: 403, body: { code: 'FORBIDDEN_CONSECUTIVE_REQUEST', message: '반복적인 요청' } }
    const r = recorder(refused, { status: 200, body: PARTIAL_CANCELED_CARD })
    const req = { transactionId: DONE_CARD.paymentKey, amount: 5_000, reason: 'x', cancelId: 'c-1s' }
    expect((await toss(r.fetch).cancel(req)).status).toBe('cancelled')
    expect(r.calls).toHaveLength(2)
    expect(r.calls[1]!.headers['idempotency-key']).toBe(r.calls[0]!.headers['idempotency-key'])
    const never = recorder(refused)
    const err = await failure(toss(never.fetch, { consecutiveCancelRetryMs: [] }).cancel(req))
    expect([err.code, err.outcome, err.retryable, err.providerCode]).toEqual([
      'duplicate_request',
      'rejected',
      true,
      'FORBIDDEN_CONSECUTIVE_REQUEST',
    ])
  })

  it('the escrow refusal ([ES12], FAILED_INTERNAL_SYSTEM_PROCESSING) answered with 500 is unknown', async () => {
    const r = recorder({ status: 500, body: ESCROW_PARTIAL_REFUSAL })
    const err = await failure(
      toss(r.fetch).cancel({
        transactionId: DONE_CARD.paymentKey,
        amount: 1_000,
        reason: 'x',
        cancelId: 'c',
      }),
    )
    expect([err.outcome, err.providerCode]).toEqual(['unknown', 'FAILED_INTERNAL_SYSTEM_PROCESSING'])
  })
})

describe('the error table: HTTP status and code together', () => {
  const statusOf = (row: (typeof TOSS_CODES)[string]) => (row.statuses === '4xx' ? 400 : row.statuses[0]!)

  it('reads every listed code with its listed status as the table says', () => {
    for (const [code, row] of Object.entries(TOSS_CODES)) {
      const err = errorForAnswer(statusOf(row), code, 'm', true)
      expect([code, err.code, err.outcome, err.providerCode]).toEqual([
        code,
        row.mapping.code,
        row.mapping.outcome ?? (row.mapping.code === 'provider_unavailable' ? 'unknown' : 'rejected'),
        code,
      ])
    }
  })

  it('follows the spec: 5xx and PROVIDER_ERROR unknown, 403 state refusals and 400 validation rejected', () => {
    expect(errorForAnswer(400, 'PROVIDER_ERROR', 'm', true).outcome).toBe('unknown')
    for (const code of ['FAILED_REFUND_PROCESS', 'COMMON_ERROR', 'UNKNOWN_PAYMENT_ERROR'])
      expect(errorForAnswer(500, code, 'm', true).outcome).toBe('unknown')
    for (const code of ['NOT_CANCELABLE_AMOUNT', 'NOT_CANCELABLE_PAYMENT', 'NOT_ALLOWED_PARTIAL_REFUND']) {
      const err = errorForAnswer(403, code, 'm', true)
      expect([err.outcome, err.providerCode]).toEqual(['rejected', code])
    }
    expect(errorForAnswer(400, 'INVALID_REQUEST', 'm', true)).toMatchObject({
      code: 'invalid_request',
      outcome: 'rejected',
    })
  })

  it('a code with a status its row does not list proves nothing on a money-moving call', () => {
    expect(errorForAnswer(500, 'NOT_CANCELABLE_AMOUNT', 'm', true).outcome).toBe('unknown')
    expect(errorForAnswer(502, 'ALREADY_CANCELED_PAYMENT', 'm', true).outcome).toBe('unknown')
    expect(errorForAnswer(400, 'SOMETHING_NEW', 'm', true).outcome).toBe('unknown')
    expect(errorForAnswer(400, 'SOMETHING_NEW', 'm', false).outcome).toBe('rejected')
  })
})

describe('lookups', () => {
  it('reads a DONE, a partially cancelled, an expired and a waiting payment', async () => {
    const read = async (body: unknown, key: string) =>
      toss(recorder({ status: 200, body }).fetch).getTransaction(key)
    expect(await read(DONE_CARD, DONE_CARD.paymentKey)).toMatchObject({
      status: 'paid',
      amount: 15_000,
      cancelledAmount: 0,
      cancellableAmount: 15_000,
      method: 'card',
      orderId: DONE_CARD.orderId,
    })
    const partial = await read(PARTIAL_CANCELED_CARD, DONE_CARD.paymentKey)
    expect(partial).toMatchObject({
      status: 'partial_cancelled',
      cancelledAmount: 5_000,
      cancellableAmount: 10_000,
    })
    expect(partial.cancels).toEqual([
      {
        amount: 5_000,
        cancelledAt: '2024-02-13T13:00:00+09:00',
        providerCancelId: 'B7A1A7A8F7C6C5E1A1D1C1B1A1F1E1D1',
      },
    ])
    const expired = await read(EXPIRED, EXPIRED.paymentKey)
    expect(expired).toMatchObject({ status: 'expired', evidence: { failure: 'EXPIRED_PAYMENT' } })
    const waiting = await read(WAITING_VA, WAITING_VA.paymentKey)
    expect(waiting).toMatchObject({
      status: 'waiting_for_deposit',
      method: 'virtual_account',
      notificationSecret: WAITING_VA.secret,
    })
    // The secret is for the host to keep sealed, never evidence a person reads.
    expect(JSON.stringify(waiting.evidence)).not.toContain(WAITING_VA.secret)
    expect((await read(DONE_CARD, DONE_CARD.paymentKey)).notificationSecret).toBeUndefined()
  })

  it('refuses to settle from decimal (foreign-currency) amounts', async () => {
    const err = await failure(
      toss(recorder({ status: 200, body: PAYPAL_CANCELED }).fetch).getTransaction(PAYPAL_CANCELED.paymentKey),
    )
    expect(err.code).toBe('invalid_response')
  })

  it('a "not found" answered with a 5xx proves nothing: the lookups fail, never say "no payment"', async () => {
    const broken = recorder({ status: 500, body: { code: 'NOT_FOUND_PAYMENT', message: '없음' } })
    const t = toss(broken.fetch)
    const byOrder = await failure(t.lookupOrder('order-5xx-01'))
    expect([byOrder.code, byOrder.retryable]).toEqual(['provider_unavailable', true])
    const byKey = await failure(t.getTransaction('tgen_5xx'))
    expect([byKey.code, byKey.retryable]).toEqual(['provider_unavailable', true])
    // Reading the window's result: a 5xx lookup is no licence to trust the browser's claims.
    const back = {
      method: 'GET' as const,
      rawBody: new Uint8Array(),
      query: { paymentKey: 'tgen_5xx', orderId: 'order-5xx-01', amount: '15000' },
      headers: {},
    }
    const expected = { orderId: 'order-5xx-01', amount: 15_000, method: 'card' as const }
    expect((await failure(t.readCheckoutReturn(back, expected))).code).toBe('provider_unavailable')
  })

  it('looks an order up at /v1/payments/orders/{orderId}; NOT_FOUND_PAYMENT is none', async () => {
    const r = recorder({ status: 200, body: DONE_CARD })
    const found = await toss(r.fetch).lookupOrder(DONE_CARD.orderId)
    expect(r.calls[0]!.path).toBe(`/v1/payments/orders/${DONE_CARD.orderId}`)
    expect(found.map((t) => t.transactionId)).toEqual([DONE_CARD.paymentKey])
    const none = recorder({ status: 404, body: { code: 'NOT_FOUND_PAYMENT', message: '없음' } })
    expect(await toss(none.fetch).lookupOrder('order-none-1')).toEqual([])
  })
})

describe('checkout', () => {
  const expected = { orderId: DONE_CARD.orderId, amount: 15_000, method: 'card' as const }
  const approval = {
    transactionId: DONE_CARD.paymentKey,
    amount: 15_000,
    data: { paymentKey: DONE_CARD.paymentKey, orderId: DONE_CARD.orderId },
  }

  it('confirms with the stored amount and a per-payment key; ALREADY_PROCESSED is settled by a lookup', async () => {
    const r = recorder(
      { status: 400, body: { code: 'ALREADY_PROCESSED_PAYMENT', message: '이미 처리된 결제 입니다.' } },
      { status: 200, body: DONE_CARD },
    )
    const done = await toss(r.fetch).approveCheckout(approval, expected)
    expect(done).toMatchObject({ status: 'paid', amount: 15_000, transactionId: DONE_CARD.paymentKey })
    expect(r.calls.map((c) => `${c.method} ${c.path}`)).toEqual([
      'POST /v1/payments/confirm',
      `GET /v1/payments/${DONE_CARD.paymentKey}`,
    ])
    expect(r.calls[0]!.body).toEqual({
      paymentKey: DONE_CARD.paymentKey,
      orderId: DONE_CARD.orderId,
      amount: 15_000,
    })
    const other = recorder({ status: 200, body: DONE_CARD })
    await toss(other.fetch)
      .approveCheckout(
        { ...approval, transactionId: 'tgen_other', data: { paymentKey: 'tgen_other' } },
        expected,
      )
      .catch(() => undefined)
    expect(other.calls[0]!.headers['idempotency-key']).not.toBe(r.calls[0]!.headers['idempotency-key'])
  })

  it('a virtual account opened in the window: the confirm answers its webhook secret', async () => {
    const va = await toss(recorder({ status: 200, body: WAITING_VA }).fetch).approveCheckout(
      {
        transactionId: WAITING_VA.paymentKey,
        amount: 12_000,
        data: { paymentKey: WAITING_VA.paymentKey, orderId: WAITING_VA.orderId },
      },
      { orderId: WAITING_VA.orderId, amount: 12_000, method: 'virtual_account' },
    )
    expect(va).toMatchObject({ status: 'waiting_for_deposit', notificationSecret: WAITING_VA.secret })
  })

  it('a confirm answered NOT_FOUND_PAYMENT(_SESSION) is unknown: the lookup decides (spec §1.6)', async () => {
    for (const [status, code] of [
      [404, 'NOT_FOUND_PAYMENT_SESSION'],
      [400, 'NOT_FOUND_PAYMENT_SESSION'],
      [404, 'NOT_FOUND_PAYMENT'],
    ] as const) {
      const r = recorder({ status, body: { code, message: '결제 시간이 만료되었습니다.' } })
      const err = await failure(toss(r.fetch).approveCheckout(approval, expected))
      expect([code, err.outcome, err.providerCode]).toEqual([code, 'unknown', code])
      expect(r.calls).toHaveLength(1) // never a second confirm
    }
    // Elsewhere the same code is a plain rejection.
    const r = recorder({ status: 404, body: { code: 'NOT_FOUND_PAYMENT', message: '없음' } })
    expect((await failure(toss(r.fetch).getTransaction('tgen_none'))).outcome).toBe('rejected')
  })

  it("an answer for another payment (a reused key's replay) is unknown, never approved", async () => {
    const r = recorder({ status: 200, body: { ...DONE_CARD, paymentKey: 'tgen_someoneElse' } })
    const err = await failure(toss(r.fetch).approveCheckout(approval, expected))
    expect(err.outcome).toBe('unknown')
  })

  it('reads the fail URL as declined and a changed amount as refused', async () => {
    const t = toss(recorder({ status: 200, body: DONE_CARD }).fetch, { checkoutReadLookup: false })
    const get = (query: Record<string, string>) => ({
      method: 'GET' as const,
      rawBody: new Uint8Array(),
      query,
      headers: {},
    })
    expect(
      await t.readCheckoutReturn(
        get({ code: 'PAY_PROCESS_CANCELED', message: '취소', orderId: expected.orderId }),
        expected,
      ),
    ).toEqual({ outcome: 'declined', code: 'PAY_PROCESS_CANCELED', message: '취소' })
    const ok = { paymentKey: DONE_CARD.paymentKey, orderId: expected.orderId, amount: '15000' }
    expect((await t.readCheckoutReturn(get(ok), expected)).outcome).toBe('authenticated')
    expect((await t.readCheckoutReturn(get({ ...ok, amount: '5000' }), expected)).outcome).toBe('refused')
    expect((await t.readCheckoutReturn(get({ ...ok, orderId: 'order-other-1' }), expected)).outcome).toBe(
      'refused',
    )
  })
})

describe('billing keys', () => {
  const issued = {
    billingKey: 'Z_t5vOvQxrj4499PeiJcjen28-V_',
    customerKey: 'cust-1',
    card: { number: '43301234****123*' },
  }

  it('hands out {customerKey}:{billingKey} and charges with the same customerKey', async () => {
    const r = recorder(
      { status: 200, body: issued },
      {
        status: 200,
        body: {
          ...DONE_CARD,
          type: 'BILLING',
          orderId: 'order-bill-01',
          totalAmount: 1_004,
          balanceAmount: 1_004,
        },
      },
    )
    const t = toss(r.fetch)
    const key = await t.issueBillingKeyFromAuth({ authKey: 'bln_x', customerKey: 'cust-1' })
    expect(key.billingKey).toBe('cust-1:Z_t5vOvQxrj4499PeiJcjen28-V_')
    const paid = await t.chargeBillingKey({
      billingKey: key.billingKey,
      orderId: 'order-bill-01',
      amount: 1_004,
      goodsName: '구독',
    })
    expect(paid.amount).toBe(1_004)
    expect(r.calls[1]).toMatchObject({
      path: '/v1/billing/Z_t5vOvQxrj4499PeiJcjen28-V_',
      body: { customerKey: 'cust-1', amount: 1_004, orderId: 'order-bill-01', orderName: '구독' },
    })
  })

  it('a charge on a key Toss no longer knows is billing_key_invalid', async () => {
    const r = recorder({
      status: 404,
      body: { code: 'NOT_FOUND_PAYMENT', message: '존재하지 않는 빌링키 입니다.' },
    })
    const err = await failure(
      toss(r.fetch).chargeBillingKey({
        billingKey: 'cust-1:bk',
        orderId: 'order-bill-02',
        amount: 1_004,
        goodsName: 'x',
      }),
    )
    expect([err.code, err.outcome]).toEqual(['billing_key_invalid', 'rejected'])
  })
})

describe('webhooks', () => {
  const body = (v: unknown) => new TextEncoder().encode(JSON.stringify(v))

  it('reads DONE then ABORTED 46 ms apart as two hints to look up, applying neither', async () => {
    const t = toss(recorder().fetch)
    const [a, b] = await Promise.all(
      DONE_THEN_ABORTED.map((e) => t.parseNotification({ rawBody: body(e), headers: {} })),
    )
    for (const r of [a!, b!]) {
      expect(r.verified).toBe(false)
      expect(r.reply.status).toBe(200)
    }
    if (a!.verified || b!.verified) throw new Error('unreachable')
    expect(a!.hint).toMatchObject({ transactionId: 'tgen_lateDone00000001', claimed: 'payment.paid' })
    expect(b!.hint).toMatchObject({ transactionId: 'tgen_lateDone00000001', claimed: 'payment.failed' })
    expect(a!.hint!.dedupKey).not.toBe(b!.hint!.dedupKey)
  })

  it('two partial cancels made at Toss are two hints; a redelivery and the two events of one deposit are one', async () => {
    const t = toss(recorder().fetch)
    const hintOf = async (event: unknown) => {
      const r = await t.parseNotification({ rawBody: body(event), headers: {} })
      if (r.verified || !r.hint) throw new Error(JSON.stringify(r))
      return r.hint.dedupKey
    }
    const partial = (transactionKey: string, balanceAmount: number) => ({
      eventType: 'PAYMENT_STATUS_CHANGED',
      createdAt: '2024-02-13T13:00:00.000',
      data: { ...PARTIAL_CANCELED_CARD, balanceAmount, lastTransactionKey: transactionKey },
    })
    const first = await hintOf(partial('TK00000000000000000000000000000A', 10_000))
    expect(await hintOf(partial('TK00000000000000000000000000000B', 5_000))).not.toBe(first)
    expect(await hintOf(partial('TK00000000000000000000000000000A', 10_000))).toBe(first)
    const deposit = { ...WAITING_VA, status: 'DONE', lastTransactionKey: 'TK0000000000000000000000000000DP' }
    const statusChanged = await hintOf({
      eventType: 'PAYMENT_STATUS_CHANGED',
      createdAt: '2024-02-13T12:30:00.000',
      data: deposit,
    })
    const callback = await hintOf({
      eventType: 'DEPOSIT_CALLBACK',
      createdAt: '2024-02-13T12:30:00.000',
      data: {
        createdAt: '2024-02-13T12:30:00.000',
        secret: WAITING_VA.secret,
        status: 'DONE',
        transactionKey: deposit.lastTransactionKey,
        orderId: WAITING_VA.orderId,
        paymentKey: WAITING_VA.paymentKey,
      },
    })
    expect(callback).toBe(statusChanged)
  })

  it('refuses a DEPOSIT_CALLBACK whose secret differs from the stored one; a matching one is still a hint', async () => {
    const callback = {
      createdAt: '2024-02-13T12:30:00.000',
      secret: WAITING_VA.secret,
      status: 'DONE',
      transactionKey: 'k',
      orderId: WAITING_VA.orderId,
    }
    const t = toss(recorder().fetch, {
      virtualAccountSecret: async ({ orderId }) =>
        orderId === WAITING_VA.orderId ? WAITING_VA.secret : undefined,
    })
    const good = await t.parseNotification({ rawBody: body(callback), headers: {} })
    expect(good).toMatchObject({
      verified: false,
      hint: { orderId: WAITING_VA.orderId, claimed: 'payment.paid' },
    })
    const forged = await t.parseNotification({
      rawBody: body({ ...callback, secret: 'ps_forged000000000000' }),
      headers: {},
    })
    expect(forged.verified).toBe(false)
    expect(forged.reply.status).toBe(400)
    expect('hint' in forged && forged.hint).toBeFalsy()
    const junk = await t.parseNotification({ rawBody: new TextEncoder().encode('hello'), headers: {} })
    expect(junk.reply.status).toBe(400)
  })

  it("takes the stored secret from the host's expected record: another or none on a DEPOSIT_CALLBACK is refused", async () => {
    const callback = {
      eventType: 'DEPOSIT_CALLBACK',
      createdAt: '2024-02-13T12:30:00.000',
      data: {
        secret: WAITING_VA.secret,
        status: 'DONE',
        transactionKey: 'k',
        orderId: WAITING_VA.orderId,
        paymentKey: WAITING_VA.paymentKey,
      },
    }
    const asked: unknown[] = []
    const expected = async (ref: { transactionId?: string; orderId?: string }) => {
      asked.push(ref)
      return ref.transactionId === WAITING_VA.paymentKey
        ? { transactionId: WAITING_VA.paymentKey, amount: 12_000, notificationSecret: WAITING_VA.secret }
        : undefined
    }
    const t = toss(recorder().fetch)
    const parse = (b: unknown) => t.parseNotification({ rawBody: body(b), headers: {}, expected })
    expect(await parse(callback)).toMatchObject({
      verified: false,
      hint: { transactionId: WAITING_VA.paymentKey, claimed: 'payment.paid' },
      reply: { status: 200 },
    })
    expect(asked[0]).toMatchObject({ transactionId: WAITING_VA.paymentKey })
    for (const secret of ['ps_forged000000000000', undefined]) {
      const forged = await parse({ ...callback, data: { ...callback.data, secret } })
      expect(forged.reply.status).toBe(400)
      expect('hint' in forged && forged.hint).toBeFalsy()
    }
    // A status change carries the whole Payment, secret included: another one is refused the same way.
    const changed = {
      eventType: 'PAYMENT_STATUS_CHANGED',
      createdAt: '2024-02-13T12:30:00.000',
      data: WAITING_VA,
    }
    expect((await parse(changed)).reply.status).toBe(200)
    expect((await parse({ ...changed, data: { ...WAITING_VA, secret: 'ps_other' } })).reply.status).toBe(400)
    // A payment with no stored secret (a card payment) is a hint as before.
    const card = {
      eventType: 'PAYMENT_STATUS_CHANGED',
      createdAt: '2024-02-13T12:30:00.000',
      data: DONE_CARD,
    }
    expect(await parse(card)).toMatchObject({
      verified: false,
      hint: { transactionId: DONE_CARD.paymentKey },
    })
  })
})
