// Scenario 5, bad input: property-based fuzzing (fast-check) of every route the gateway publishes in
// /openapi.json — random JSON, wrong types, huge/negative/fractional amounts, text NicePay cannot carry
// (outside EUC-KR, or too many bytes), oversized bodies, bad headers, random ids — and, for the money routes,
// requests that are valid except for one to three fields. Every request is sent alone and the simulator's
// call counter is read before and after it: bad input must never reach the PG, never get a 5xx, and every
// error must have the documented shape. Then garbage notifications for each PG from allowed and disallowed
// senders (each must get that PG's own refusal), and a merchant webhook endpoint answering huge, slow,
// never-ending or no bodies (the gateway's memory must stay bounded and every attempt be recorded).
import { BOOTPAY_DEMO_CREDENTIALS, createBootpaySimulator } from '@paymux/adapter-bootpay/simulator'
import { COOKIEPAY_DEMO_CREDENTIALS, createCookiePaySimulator } from '@paymux/adapter-cookiepay/simulator'
import { memoryOf } from '@paymux/bench/procs'
import { type RunningServer, startServer } from '@paymux/core/simulator'
import fc from 'fast-check'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { type ChaosEnv, figure, isErrorShape, type Reply, sleep, startEnv } from '../env.js'
import { garbageNotification, HOSTILE_KINDS, type HostileEndpoint, startHostileEndpoint } from '../hostile.js'

let env: ChaosEnv
let tids: string[]
let paymentId: string
let hostile: HostileEndpoint
const pgSims: RunningServer[] = []
const CARD = '4111111111111111'
const WEBHOOK_SECRET = `whsec_${Buffer.from('chaos-fuzz-webhook-secret-32b!!!').toString('base64')}`
const DELIVERY_TIMEOUT_MS = 1_500

beforeAll(async () => {
  hostile = await startHostileEndpoint()
  // Bootpay and CookiePay verify a notification by asking the PG: their simulators answer those lookups.
  const boot = await startServer(createBootpaySimulator().app)
  const cookie = await startServer(createCookiePaySimulator().app)
  pgSims.push(boot, cookie)
  const bootpay = {
    provider: 'bootpay',
    applicationId: BOOTPAY_DEMO_CREDENTIALS.applicationId,
    privateKey: BOOTPAY_DEMO_CREDENTIALS.privateKey,
    baseUrl: boot.url,
    timeoutMs: 2_000,
  }
  env = await startEnv('5-fuzz', {
    gateways: 1,
    webhook: { url: hostile.url, secret: WEBHOOK_SECRET },
    accounts: [
      { id: 'boot-chaos', apiVersion: 'v2', ...bootpay },
      { id: 'boot-v1-chaos', apiVersion: 'v1', ...bootpay },
      {
        id: 'cookie-chaos',
        provider: 'cookiepay',
        environment: 'sandbox',
        ...COOKIEPAY_DEMO_CREDENTIALS,
        baseUrl: cookie.url,
        timeoutMs: 2_000,
        options: { notificationVerifyDelaysMs: [] },
      },
    ],
    extra: {
      // One trusted proxy: X-Forwarded-For plays the sender's address (allowed or not).
      server: { port: 0, host: '127.0.0.1', bodyLimitBytes: 64 * 1024, forwardedForHops: 1 },
      workers: {
        outbox: {
          intervalMs: 100,
          timeoutMs: DELIVERY_TIMEOUT_MS,
          retryScheduleSeconds: [0.2, 0.2, 0.2, 0.2, 0.2],
        },
      },
      // The limit is tested in the gateway's own suite; here every notification must get the PG's reply.
      notifications: { lookupRateLimit: { perMinute: 1_000_000, burst: 100_000 } },
    },
  })
  tids = await env.seed(3, 10_000)
  paymentId = (await env.db.pool.query('SELECT id FROM payments WHERE transaction_id = $1', [tids[0]]))
    .rows[0].id
  env.addSecrets(CARD, WEBHOOK_SECRET, BOOTPAY_DEMO_CREDENTIALS.privateKey, COOKIEPAY_DEMO_CREDENTIALS.apiKey)
})
afterAll(async () => {
  await env?.close()
  await Promise.all(pgSims.map((s) => s.close()))
  await hostile?.close()
})

interface Sent {
  method: string
  path: string
  raw?: string
  body?: unknown
  headers?: Record<string, string>
  key?: string | null
  idem?: string
}

const stats = { requests: 0, byStatus: {} as Record<number, number>, pgCalls: 0 }
const violations: string[] = []

/** Sends one request and checks the three rules; returns the reply for further checks. */
async function probe(s: Sent, label: string): Promise<Reply> {
  const before = await env.simCalls()
  const reply = await env.call(0, s.method, s.path, {
    ...(s.raw !== undefined ? { raw: s.raw } : {}),
    ...(s.body !== undefined ? { body: s.body } : {}),
    ...(s.headers ? { headers: s.headers } : {}),
    ...(s.key !== undefined ? { key: s.key } : {}),
    ...(s.idem !== undefined ? { idem: s.idem } : {}),
  })
  const after = await env.simCalls()
  stats.requests++
  stats.byStatus[reply.status] = (stats.byStatus[reply.status] ?? 0) + 1
  const what = `${label}: ${s.method} ${s.path} ${(s.raw ?? JSON.stringify(s.body) ?? '').slice(0, 160)} → ${reply.status} ${reply.text.slice(0, 160)}`
  if (after !== before) {
    stats.pgCalls += after - before
    violations.push(`PG called (${after - before}) by ${what}`)
  }
  if (reply.status >= 500) violations.push(`5xx for ${what}`)
  const pgFacing = s.path.startsWith('/v1/notifications/')
  if (reply.status >= 400 && !pgFacing && !isErrorShape(reply.body))
    violations.push(`error shape broken: ${what}`)
  return reply
}

// ---------- arbitraries ----------

/** Text NicePay cannot carry: outside KS X 1001 (emoji, rare Hangul like 똠, accented Latin, CJK ext.), or too long in bytes. */
const nonEucKr = fc.oneof(
  fc.constantFrom(
    '😀 환불',
    '똠방각하',
    'café',
    '𠀀',
    'ｈａｌｆ\u{1F4A9}',
    'a\u0000b',
    '\u{FFFF}',
    '한'.repeat(60),
  ),
  fc.string({ unit: fc.constantFrom('😀', '똠', 'é', '\u{2F800}'), minLength: 1, maxLength: 20 }),
)
/** Never a valid amount anywhere: not a positive whole number of won within the API's limit. */
const invalidAmount = fc.oneof(
  fc.integer({ min: -1e12, max: 0 }),
  fc.constantFrom(1.5, 999.999, 1e16, 2 ** 53, Number.MAX_SAFE_INTEGER + 2),
  fc.double({ noNaN: false }).filter((d) => !Number.isInteger(d) || d <= 0 || d > 1e15),
  fc.string(),
  fc.constant(null),
  fc.boolean(),
)
/** Invalid for a cancel of a seeded 10,000 won payment: also more than it holds. */
const badAmount = fc.oneof(
  fc.integer({ min: -1e12, max: 0 }),
  fc.constantFrom(1.5, 999.999, 1e13, 2 ** 53, Number.MAX_SAFE_INTEGER + 2, 10_001, 20_000, 1e12),
  fc.double({ noNaN: false }).filter((d) => !Number.isInteger(d) || d <= 0 || d > 10_000),
  fc.string(),
  fc.constant(null),
  fc.boolean(),
)
const anyValue = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }),
)
const randomId = fc.oneof(
  fc.string({ minLength: 1, maxLength: 80 }),
  fc.constantFrom(
    'can_',
    'pay_',
    'bk_',
    'pay_../../etc',
    '%00',
    'pay_\u0000',
    'can_%F0%9F%98%80',
    'x'.repeat(300),
  ),
  fc.stringMatching(/^(can|pay|bk)_[A-Za-z0-9]{22}$/),
)
const badHeaders = fc.oneof(
  fc.constant({ 'content-type': 'text/plain' }),
  fc.constant({ 'content-type': 'application/x-www-form-urlencoded' }),
  fc.constant({ 'content-type': 'application/json; charset=euc-kr' }),
  fc.constant({}),
)

/** A valid cancel of a seeded payment with one to three fields made invalid: it must stop before the PG. */
const nearValidCancel = fc
  .record({
    mutations: fc.uniqueArray(
      fc.constantFrom(
        'amount',
        'reason',
        'extraKey',
        'transactionIdType',
        'transactionIdTooLong',
        'transactionIdNul',
        'account',
        'refundAccount',
        'taxFree',
        'expected',
        'both',
      ),
      { minLength: 1, maxLength: 3 },
    ),
    amount: badAmount,
    reason: fc.oneof(
      nonEucKr,
      fc.constantFrom('', '   '),
      anyValue.filter((v) => typeof v !== 'string'),
    ),
    junk: anyValue,
    account: fc.oneof(
      fc.string({ minLength: 1, maxLength: 20 }).filter((s) => s !== 'nice-bench'),
      anyValue,
    ),
    refund: fc.oneof(
      fc.record({
        bankCode: fc.constantFrom('999', '000', '12', 'abc'),
        accountNumber: fc.constant('12345678901'),
        holderName: fc.constant('홍길동'),
      }),
      fc.record({
        bankCode: fc.constant('004'),
        accountNumber: fc.constantFrom('abc', '1', '1'.repeat(30)),
        holderName: fc.constant('홍길동'),
      }),
      fc.record({
        bankCode: fc.constant('004'),
        accountNumber: fc.constant('12345678901'),
        holderName: nonEucKr,
      }),
    ),
    which: fc.integer({ min: 0, max: 2 }),
  })
  .map((m) => {
    const body: Record<string, unknown> = {
      account: 'nice-bench',
      transactionId: tids[m.which],
      amount: 1_000,
      reason: '고객 요청',
    }
    for (const k of m.mutations) {
      if (k === 'amount') body.amount = m.amount
      if (k === 'reason') body.reason = m.reason
      if (k === 'extraKey') body.unexpected = m.junk
      if (k === 'transactionIdType') body.transactionId = typeof m.junk === 'string' ? 12345 : m.junk
      if (k === 'transactionIdTooLong') body.transactionId = `${tids[m.which]}${'9'.repeat(40)}`
      if (k === 'transactionIdNul') body.transactionId = `${tids[m.which]}\u0000`
      if (k === 'account') body.account = m.account
      if (k === 'refundAccount') body.refundAccount = m.refund
      if (k === 'taxFree') body.taxFreeAmount = 500
      if (k === 'expected') body.expectedCancellableAmount = 12_345
      if (k === 'both') body.paymentId = paymentId
    }
    return body
  })

const nearValidBillingKey = fc
  .record({
    // goodsName is not part of a NicePay key registration (it goes with each charge), so it is not fuzzed here.
    field: fc.constantFrom('number', 'expiryMonth', 'expiryYear', 'ownerId', 'buyerName', 'extra', 'account'),
    text: nonEucKr,
    junk: anyValue,
  })
  .map((m) => {
    const card: Record<string, unknown> = {
      number: CARD,
      expiryYear: '2030',
      expiryMonth: '12',
      ownerId: '800101',
    }
    const body: Record<string, unknown> = {
      account: 'nice-bench',
      card,
      goodsName: '정기결제',
      buyer: { name: '홍길동' },
    }
    if (m.field === 'number')
      card.number = typeof m.junk === 'string' && /^\d{14,16}$/.test(m.junk) ? '12' : m.junk
    if (m.field === 'expiryMonth') card.expiryMonth = '13'
    // Junk that happens to be a valid YY or YYYY ("65") is not junk: made invalid for sure.
    if (m.field === 'expiryYear')
      card.expiryYear = typeof m.junk === 'string' && /^(\d{2}|\d{4})$/.test(m.junk) ? 'YY' : m.junk
    if (m.field === 'ownerId') card.ownerId = 'abcdef'
    if (m.field === 'buyerName') body.buyer = { name: m.text }
    if (m.field === 'extra') card.cvc = '123'
    if (m.field === 'account') body.account = 'no-such-account'
    return body
  })

const nearValidVirtualAccount = fc
  .record({
    field: fc.constantFrom(
      'amount',
      'goodsName',
      'bankCode',
      'dueDate',
      'depositorName',
      'orderId',
      'buyerName',
    ),
    text: nonEucKr,
    amount: invalidAmount,
  })
  .map((m) => {
    const body: Record<string, unknown> = {
      account: 'nice-bench',
      amount: 10_000,
      goodsName: '상품',
      bankCode: '004',
      dueDate: '2099-12-31',
    }
    if (m.field === 'amount') body.amount = m.amount
    if (m.field === 'goodsName') body.goodsName = m.text
    if (m.field === 'bankCode') body.bankCode = '999'
    if (m.field === 'dueDate') body.dueDate = '2020-13-45'
    if (m.field === 'depositorName') body.depositorName = m.text
    if (m.field === 'orderId') body.orderId = '주문/1'
    if (m.field === 'buyerName') body.buyer = { name: m.text }
    return body
  })

// ---------- properties ----------

const RUNS = Number(process.env.CHAOS_FUZZ_RUNS ?? 60)

test('every published route: random input never gets a 5xx, never reaches the PG, errors have the documented shape', async () => {
  // A real billing key first (issued, charged, deleted), so the secrets scan has a card number and a PG
  // billing key that went through the gateway to look for.
  const issued = await probe(
    {
      method: 'POST',
      path: '/v1/billing-keys',
      body: {
        account: 'nice-bench',
        card: { number: CARD, expiryYear: '2030', expiryMonth: '12', ownerId: '800101' },
        goodsName: '정기결제',
      },
      idem: 'fuzz-bk',
    },
    'setup',
  )
  const callsAfterSetup = await env.simCalls()
  stats.pgCalls = 0
  violations.length = 0
  const bkId = issued.status === 200 ? (issued.body.id as string) : 'bk_0000000000000000000000'

  const doc = (await env.call(0, 'GET', '/openapi.json')).body as {
    paths: Record<string, Record<string, unknown>>
  }
  const routes = Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.keys(ops)
      .filter((m) => ['get', 'post', 'put', 'patch', 'delete'].includes(m))
      .map((m) => ({ method: m.toUpperCase(), path })),
  )
  expect(routes.length).toBeGreaterThan(5)

  for (const route of routes) {
    const concrete = (id: string) => route.path.replace(/\{[^}]+\}/g, encodeURIComponent(id))
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          // The real billing key only where using it moves nothing (a DELETE with it is a valid request).
          id: fc.oneof(
            randomId,
            fc.constantFrom(...(route.method === 'DELETE' ? [] : [bkId]), paymentId, 'nice-bench'),
          ),
          body: fc.oneof(
            fc.jsonValue({ maxDepth: 3 }).map((v) => ({ raw: JSON.stringify(v) })),
            fc.string({ maxLength: 200 }).map((raw) => ({ raw })),
            fc.constantFrom({ raw: '{"amount":' }, { raw: '\u00ff\u00fe{' }, { raw: '[]' }, { raw: 'null' }),
            fc.constant({ raw: `{"reason":"${'a'.repeat(70 * 1024)}"}` }),
          ),
          headers: badHeaders,
          auth: fc.oneof(
            fc.constant(undefined),
            fc.constant(null),
            fc.constantFrom('sk_wrong', 'Basic abc', '', 'x'.repeat(600)),
          ),
          idem: fc.oneof(
            fc.constant(undefined),
            fc.constantFrom('', ' ', 'á', 'a b', 'k'.repeat(300)),
            fc.string({ minLength: 1, maxLength: 40 }),
          ),
        }),
        async (g) => {
          const s: Sent = {
            method: route.method,
            path: concrete(g.id),
            ...(route.method === 'GET' || route.method === 'DELETE' ? {} : { raw: g.body.raw }),
            headers: g.headers,
            ...(g.auth === undefined ? {} : { key: g.auth }),
            ...(g.idem === undefined ? {} : { idem: g.idem }),
          }
          // Authenticated and well-typed except for the body: random JSON is never a valid request.
          await probe(s, 'random')
        },
      ),
      { numRuns: RUNS },
    )
  }

  const money = [
    { path: '/v1/cancellations', arb: nearValidCancel },
    { path: '/v1/billing-keys', arb: nearValidBillingKey },
    { path: '/v1/virtual-accounts', arb: nearValidVirtualAccount },
    {
      path: `/v1/billing-keys/${bkId}/charges`,
      arb: fc.record({ amount: invalidAmount, orderId: fc.constantFrom('주문', 'a/b', 'x'.repeat(80)) }),
    },
  ]
  for (const m of money) {
    await fc.assert(
      fc.asyncProperty(
        m.arb as fc.Arbitrary<Record<string, unknown>>,
        fc.boolean(),
        async (body, withKey) => {
          const r = await probe(
            { method: 'POST', path: m.path, body, ...(withKey ? { idem: `fz-${Math.random()}` } : {}) },
            'near-valid',
          )
          if (r.status < 400)
            violations.push(
              `accepted invalid input: POST ${m.path} ${JSON.stringify(body).slice(0, 200)} → ${r.status}`,
            )
        },
      ),
      { numRuns: RUNS * 3 },
    )
  }

  // Nothing moved at the PG: the seeded payments are untouched.
  const ledger = await env.ledger(tids)
  const moved = tids.filter((t) => ledger[t]!.cancelledAmount !== 0)
  const calls = (await env.simCalls()) - callsAfterSetup
  figure(
    '5 bad input',
    `${stats.requests} fuzzed requests over ${routes.length} routes (${RUNS} random each, ${RUNS * 3} near-valid per money route): statuses ${JSON.stringify(stats.byStatus)}, 5xx ${Object.entries(
      stats.byStatus,
    )
      .filter(([k]) => Number(k) >= 500)
      .reduce(
        (n, [, v]) => n + v,
        0,
      )}, PG calls ${stats.pgCalls}, shape violations ${violations.filter((v) => v.startsWith('error shape')).length}`,
  )
  expect(violations.slice(0, 40)).toEqual([])
  expect(moved).toEqual([])
  expect(calls).toBe(0)
})

// ---------- notifications no PG would send ----------

interface PgReplies {
  /** The refusal (its adapter's failure reply) and the statuses it comes with. */
  refusal: { body: string; statuses: number[] }
  /** The success reply: only for what the adapter verified (CookiePay takes a failure notice for a TID it does not know). */
  success: string
  allowedSender: string
}

/** Each PG's own replies, by account. */
const REPLIES: Record<string, PgReplies> = {
  'nice-bench': {
    refusal: { body: 'FAIL', statuses: [200, 403] },
    success: 'OK',
    allowedSender: '121.133.126.10',
  },
  'boot-chaos': {
    refusal: { body: '{"success":false}', statuses: [400, 403] },
    success: '{"success":true}',
    allowedSender: '223.130.82.7',
  },
  'boot-v1-chaos': {
    refusal: { body: 'FAIL', statuses: [400, 403] },
    success: 'OK',
    allowedSender: '223.130.82.7',
  },
  // CookiePay publishes no sender addresses: every sender is "allowed", and the PG's lookup decides.
  'cookie-chaos': {
    refusal: { body: '', statuses: [200] },
    success: '<html><body><RESULT>SUCCESS</RESULT></body></html>',
    allowedSender: '203.0.113.9',
  },
}

test("garbage notifications for each PG, from allowed and disallowed senders: that PG's own refusal, never a 5xx", async () => {
  const gw = env.gateways[0]!
  const answers: Record<string, number> = {}
  const bad: string[] = []
  let sent = 0
  let accepted = 0
  for (const [account, replies] of Object.entries(REPLIES)) {
    const { refusal } = replies
    for (const sender of [replies.allowedSender, '6.6.6.6']) {
      await fc.assert(
        fc.asyncProperty(garbageNotification, async (g) => {
          const res = await fetch(`${gw.url}/v1/notifications/${account}`, {
            method: 'POST',
            headers: {
              'x-forwarded-for': sender,
              ...(g.contentType ? { 'content-type': g.contentType } : {}),
            },
            body: g.body,
            signal: AbortSignal.timeout(20_000),
          })
          const text = await res.text()
          sent++
          const key = `${account}:${res.status}`
          answers[key] = (answers[key] ?? 0) + 1
          const refused = refusal.statuses.includes(res.status) && text === refusal.body
          if (res.status === 200 && text === replies.success) accepted++
          else if (!refused)
            bad.push(
              `${account} from ${sender}: ${Buffer.from(g.body).toString('latin1').slice(0, 120)} → ${res.status} ${text.slice(0, 80)}`,
            )
        }),
        {
          numRuns: RUNS,
          // Once answered 503 (a CookiePay result code holding U+0000; an over-long Bootpay receipt id): every run.
          examples: [
            [
              {
                body: new TextEncoder().encode('TID=%zz&private_key=%E0%80&AMOUNT=%&RESULTCODE=%00abc'),
                contentType: 'application/x-www-form-urlencoded',
              },
            ],
            // Bootpay's lookup refused a receipt id this long before it was sent, and the answer was 503.
            [
              {
                body: new TextEncoder().encode(JSON.stringify({ receipt_id: 'r'.repeat(80), price: 1000 })),
                contentType: 'application/json',
              },
            ],
          ],
        },
      )
    }
  }
  // Whatever an adapter accepted found no payment of ours to change.
  const effects = (await env.db.pool.query('SELECT effect FROM notifications')).rows.map(
    (r) => r.effect as string,
  )
  const changed = effects.filter((e) => !/^(ignored|no change|recorded)/.test(e))
  figure(
    '5 garbage notifications',
    `${sent} over ${Object.keys(REPLIES).length} accounts (NicePay, Bootpay v2 and v1, CookiePay) from allowed and disallowed senders: answers ${JSON.stringify(answers)}, 5xx ${Object.entries(
      answers,
    )
      .filter(([k]) => Number(k.split(':')[1]) >= 500)
      .reduce(
        (n, [, v]) => n + v,
        0,
      )}, not one of the PG's own replies ${bad.length}, accepted by an adapter ${accepted} (effects: ${JSON.stringify([...new Set(effects)])}), payments changed ${changed.length}`,
  )
  expect(bad.slice(0, 20)).toEqual([])
  expect(changed).toEqual([])
})

// ---------- a merchant endpoint that answers huge, slow, never-ending or no bodies ----------

test('a webhook endpoint answering 600 MB, a trickle, a body without end or nothing: memory bounded, every attempt recorded with its status', async () => {
  const gw = env.gateways[0]!
  const events = 12
  const now = new Date()
  for (let i = 0; i < events; i++) {
    await env.db.pool.query(
      `INSERT INTO events (id, merchant_id, type, object_type, object_id, data, created_at, delivered_at, next_attempt_at)
       VALUES ($1, $2, 'payment.paid', 'payment', $3, $4, $5, NULL, $5)`,
      [
        `evt_hostile${String(i).padStart(13, '0')}`,
        env.cfg.merchantId,
        `pay_hostile${i}`,
        JSON.stringify({ paymentId: `pay_hostile${i}` }),
        now,
      ],
    )
  }
  const start = memoryOf(gw.pid)!
  let peakRss = start.rssMb
  let slowestHealth = 0
  const until = Date.now() + 120_000
  for (;;) {
    peakRss = Math.max(peakRss, memoryOf(gw.pid)?.rssMb ?? 0)
    const t0 = performance.now()
    const health = await fetch(`${gw.url}/healthz`, { signal: AbortSignal.timeout(5_000) })
    slowestHealth = Math.max(slowestHealth, performance.now() - t0)
    expect(health.status).toBe(200)
    const open = (await env.db.pool.query(`SELECT count(*)::int AS n FROM events WHERE status = 'pending'`))
      .rows[0].n
    if (open === 0 || Date.now() > until) break
    await sleep(50)
  }
  const rows = (
    await env.db.pool.query('SELECT status_code, outcome, error FROM webhook_deliveries ORDER BY created_at')
  ).rows as Array<{ status_code: number | null; outcome: string; error: string | null }>
  const finals = (await env.db.pool.query(`SELECT status, count(*)::int AS n FROM events GROUP BY status`))
    .rows as Array<{ status: string; n: number }>
  const count = (f: (r: (typeof rows)[number]) => boolean) => rows.filter(f).length
  const served = hostile.served
  const growth = peakRss - start.rssMb
  figure(
    '5 hostile webhook endpoint',
    `${events} events, ${rows.length} attempts answered {huge 600 MB 500: ${served.huge}, endless 200: ${served.endless}, trickling 503: ${served.trickle}, silent: ${served.silent}}; recorded {500: ${count((r) => r.status_code === 500)}, 200: ${count((r) => r.status_code === 200)}, 503: ${count((r) => r.status_code === 503)}, timeout: ${count((r) => r.status_code === null)}}; events ${JSON.stringify(Object.fromEntries(finals.map((f) => [f.status, f.n])))}; gateway RSS ${start.rssMb.toFixed(0)} → peak ${peakRss.toFixed(0)} MB (+${growth.toFixed(1)}); slowest /healthz meanwhile ${slowestHealth.toFixed(0)} ms`,
  )
  expect(finals.filter((f) => f.status === 'pending')).toEqual([])
  for (const k of HOSTILE_KINDS) expect(served[k], k).toBeGreaterThan(0)
  expect(rows.length).toBe(HOSTILE_KINDS.reduce((n, k) => n + served[k], 0))
  expect(count((r) => r.status_code === 500 && r.error === 'HTTP 500')).toBe(served.huge)
  expect(count((r) => r.status_code === 200 && r.outcome === 'delivered')).toBe(served.endless)
  expect(count((r) => r.status_code === 503 && r.error === 'HTTP 503')).toBe(served.trickle)
  expect(count((r) => r.status_code === null && r.error === `timeout after ${DELIVERY_TIMEOUT_MS} ms`)).toBe(
    served.silent,
  )
  expect(growth).toBeLessThan(50)
  // Two shared cores: the point is that the gateway keeps answering while it deals with the endpoint.
  expect(slowestHealth).toBeLessThan(3_000)
})
