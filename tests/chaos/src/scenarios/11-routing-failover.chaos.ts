// Scenario 11, routing failover: a merchant with three accounts — two NicePay contracts on two NicePay hosts
// (each simulator a process of its own) and one CookiePay — splits new payments across all three by weight
// (routing.payments, POST /v1/payments without `account`), over two gateway processes sharing one database.
// Customers keep paying through the chosen PG's window while one NicePay host goes out of reach for 30 s (its
// port closed) and CookiePay answers 503 to everything for 20 s. Afterwards, from the database, the simulators'
// own records and what each gateway's GET /v1/accounts said along the way: new payments stop going to a failing
// account once it is ejected, no payment ever leaves the account it was created on (its window was opened
// there, its approval sent there), both processes route alike within one probe interval, and each account
// comes back (probation, then healthy) and takes new payments again.
import { COOKIEPAY_DEMO_CREDENTIALS } from '@paymux/adapter-cookiepay/simulator'
import { NICEPAY_DEMO_CREDENTIALS } from '@paymux/adapter-nicepay/simulator'
import { fetchRetry, type Proc, startSimulator } from '@paymux/bench/procs'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { throughCookieWindow } from '../cookiepay-window.js'
import { type ChaosEnv, figure, type PgCheckout, sleep, startEnv } from '../env.js'
import { formBody, throughWindow } from '../nicepay-window.js'
import { type SimProcess, scenarioDir, startSimProcess } from '../sim-process.js'

const NAME = '11-routing-failover'
const NICE_B = 'nice-b'
const COOKIE = 'cookie-route'
const SHOP = 'https://shop.example'
const SUCCESS_URL = `${SHOP}/orders/paid`
const FAIL_URL = `${SHOP}/orders/failed`
/** Short health settings, so that ejection and return fit in a scenario of about a minute. */
const HEALTH = {
  probeIntervalSeconds: 2,
  ejectAfterFailures: 3,
  restoreAfterSuccesses: 2,
  probationShare: 0.5,
  probationSeconds: 6,
}
const INTERVAL_MS = HEALTH.probeIntervalSeconds * 1000
/** Customers paying at once, the whole time. */
const CUSTOMERS_AT_ONCE = 6
const OUTAGE_MS = 30_000
const FIVE_XX_MS = 20_000
/** What a health round's read of the database may take on a loaded machine, on top of its interval. */
const READ_SLACK_MS = 1_000
/** A failing account must be ejected within this long of its first failure (probes alone: 3 × 2 s). */
const EJECT_BOUND_MS = 15_000
/** …and be healthy again within this long of coming back (2 probes, 6 s of probation, a round to see it). */
const RETURN_BOUND_MS = 30_000

let env: ChaosEnv
let niceB: Proc
let cookie: SimProcess

beforeAll(async () => {
  const dir = scenarioDir(NAME)
  niceB = await startSimulator({ logFile: `${dir}/nicepay-b-simulator.log` })
  cookie = await startSimProcess('cookiepay-sim.mjs', dir)
  env = await startEnv(NAME, {
    gateways: 2,
    poolSize: 10,
    timeoutMs: 2_000,
    // Both NicePay hosts model the same contract (no Moid guard): cancels are not what this scenario is about.
    cancelDuplicateGuard: false,
    accounts: [
      {
        id: NICE_B,
        provider: 'nicepay',
        mid: NICEPAY_DEMO_CREDENTIALS.mid,
        // biome-ignore lint/suspicious/noTemplateCurlyInString: the config's reference to an environment variable
        merchantKey: '${NICE_MERCHANT_KEY}',
        baseUrl: niceB.url,
        timeoutMs: 2_000,
      },
      {
        id: COOKIE,
        provider: 'cookiepay',
        environment: 'sandbox',
        ...COOKIEPAY_DEMO_CREDENTIALS,
        baseUrl: cookie.url,
        timeoutMs: 2_000,
      },
    ],
    merchant: {
      routing: {
        payments: [
          {
            split: [
              { account: 'nice-bench', weight: 40 },
              { account: NICE_B, weight: 30 },
              { account: COOKIE, weight: 30 },
            ],
            // Reached only if all three were ejected at once, which this scenario never does.
            fallback: [NICE_B],
          },
        ],
      },
      health: HEALTH,
    },
  })
  env.addSecrets(COOKIEPAY_DEMO_CREDENTIALS.apiKey)
}, 120_000)
afterAll(async () => {
  await env?.close()
  await niceB?.stop(5_000).catch(() => {})
  await cookie?.stop()
})

interface Customer {
  i: number
  gw: number
  orderId: string
  amount: number
  createStatus?: number
  /** The account and routing the create answered. */
  account?: string
  via?: string
  paymentId?: string
  /** Where the customer's window was (the simulator's origin) and the PG's id there. */
  windowAt?: string
  tid?: string
  landing?: string
  /** Why the customer gave up (the window out of reach, a 502 page, …). */
  gaveUp?: string
}

const count = <T>(xs: T[], key: (x: T) => string) => {
  const out: Record<string, number> = {}
  for (const x of xs) out[key(x)] = (out[key(x)] ?? 0) + 1
  return out
}
const short = (err: unknown) =>
  String((err as { cause?: { code?: string } })?.cause?.code ?? (err as Error)?.message ?? err).slice(0, 60)

async function pay(c: Customer): Promise<void> {
  const created = await env.call(c.gw, 'POST', '/v1/payments', {
    idem: `route-${c.orderId}`,
    body: {
      orderId: c.orderId,
      amount: c.amount,
      orderName: `라우팅 주문 ${c.i}`,
      method: 'card',
      customer: { name: '홍길동', email: 'buyer@example.com' },
      successUrl: SUCCESS_URL,
      failUrl: FAIL_URL,
    },
  })
  c.createStatus = created.status
  if (created.status !== 201) return
  c.account = created.body.account as string
  c.via = created.body.routing?.via as string | undefined
  c.paymentId = created.body.id as string
  const checkoutUrl = created.body.checkoutUrl as string
  // The page is opened behind the load balancer: on the other gateway.
  const onOther = (url: string) => {
    const u = new URL(url)
    return `${env.gateways[1 - c.gw]!.url}${u.pathname}${u.search}`
  }
  try {
    const page = await fetch(onOther(checkoutUrl), { signal: AbortSignal.timeout(15_000) })
    const html = await page.text()
    if (page.status !== 200) {
      c.gaveUp = `checkout page ${page.status}`
      return
    }
    let result: { fields: Record<string, string>; charset: string }
    if (c.account === COOKIE) {
      c.windowAt = cookie.url
      const w = await throughCookieWindow(html)
      c.tid = w.tid
      result = w.result
    } else {
      const script = /src="([^"]+)\/nicepay-pgweb\.js"/.exec(html)?.[1]
      c.windowAt = script ? new URL(script).origin : undefined
      const w = await throughWindow(html, 'Approve')
      c.tid = w.txTid
      result = w.result
    }
    const res = await fetch(onOther(`${checkoutUrl}/return`), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: formBody(result.fields, result.charset),
      redirect: 'manual',
      signal: AbortSignal.timeout(15_000),
    })
    await res.arrayBuffer()
    const location = res.headers.get('location') ?? ''
    c.landing = location.startsWith(SUCCESS_URL)
      ? 'success'
      : location.startsWith(FAIL_URL)
        ? 'fail'
        : `other ${res.status}`
  } catch (err) {
    c.gaveUp = `window: ${short(err)}`
  }
}

/** What one gateway's GET /v1/accounts said, each time the status of an account changed. */
type Seen = Record<string, Array<{ at: number; status: string }>>

test('failover: new payments leave a failing account once it is ejected, none is moved after its PG call, both processes agree, the account comes back', async () => {
  const accounts = [env.cfg.accountId, NICE_B, COOKIE]
  const simOf: Record<string, string> = { [env.cfg.accountId]: env.sim.url, [NICE_B]: niceB.url }
  const customers: Customer[] = []
  const seen: Seen[] = [{}, {}]
  let loadOver = false
  let watchOver = false

  // Both processes' view, every 250 ms.
  const watch = (async () => {
    while (!watchOver) {
      await Promise.all(
        [0, 1].map(async (g) => {
          try {
            const r = await env.call(g, 'GET', '/v1/accounts', { timeoutMs: 5_000 })
            if (r.status !== 200) return
            for (const a of r.body.data as Array<{ id: string; health: { status: string } }>) {
              const list = seen[g]![a.id] ?? []
              seen[g]![a.id] = list
              if (list.at(-1)?.status !== a.health.status)
                list.push({ at: Date.now(), status: a.health.status })
            }
          } catch {}
        }),
      )
      await sleep(250)
    }
  })()
  const statusOf = (g: number, a: string) => seen[g]![a]?.at(-1)?.status ?? 'healthy'

  let next = 0
  const tag = Date.now().toString(36)
  const load = Promise.all(
    Array.from({ length: CUSTOMERS_AT_ONCE }, async () => {
      while (!loadOver) {
        const i = next++
        const c: Customer = { i, gw: i % 2, orderId: `route-${tag}-${i}`, amount: 1_000 + (i % 50) * 10 }
        customers.push(c)
        await pay(c).catch((err) => {
          c.gaveUp = `create: ${short(err)}`
        })
      }
    }),
  )

  const control = (url: string, path: string, body?: unknown) =>
    fetchRetry(`${url}${path}`, {
      method: body === undefined ? 'DELETE' : 'POST',
      headers: { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })

  // The faults, one after the other, overlapping: nice-bench out of reach, then CookiePay answering 503.
  const faults: Record<string, { from: number; to: number }> = {}
  await sleep(4_000)
  expect((await control(env.sim.url, '/__bench/outage', { ms: OUTAGE_MS })).status).toBe(200)
  faults[env.cfg.accountId] = { from: Date.now() + 20, to: Number.POSITIVE_INFINITY }
  await sleep(8_000)
  expect(
    (
      await control(cookie.url, '/__sim/faults/random', {
        rate: 1,
        faults: [{ kind: 'status', status: 503 }],
      })
    ).status,
  ).toBe(200)
  faults[COOKIE] = { from: Date.now(), to: Number.POSITIVE_INFINITY }
  await sleep(FIVE_XX_MS)
  expect((await control(cookie.url, '/__sim/faults')).status).toBe(200)
  faults[COOKIE]!.to = Date.now()
  // The NicePay host is back once its port answers again.
  for (;;) {
    try {
      if ((await fetch(`${env.sim.url}/__bench/ready`)).ok) break
    } catch {}
    await sleep(100)
  }
  faults[env.cfg.accountId]!.to = Date.now()

  // Load goes on until both processes show every account healthy again, then a few seconds more.
  const backBy = Date.now() + RETURN_BOUND_MS
  while (Date.now() < backBy && accounts.some((a) => [0, 1].some((g) => statusOf(g, a) !== 'healthy')))
    await sleep(250)
  await sleep(4_000)
  loadOver = true
  await load
  watchOver = true
  await watch

  // ---- what the database holds ----
  const rows = (
    await env.db.pool.query(
      `SELECT id, account_id, order_id, transaction_id, status, routing, created_at FROM payments`,
    )
  ).rows as Array<{
    id: string
    account_id: string
    order_id: string
    transaction_id: string | null
    status: string
    routing: { via: string } | null
    created_at: Date
  }>
  const rowOf = new Map(rows.map((r) => [r.id, r]))
  const events = (
    await env.db.pool.query(
      `SELECT type, object_id, created_at FROM events WHERE type IN ('account.ejected', 'account.restored') ORDER BY created_at`,
    )
  ).rows as Array<{ type: string; object_id: string; created_at: Date }>
  const ejectedAt = (a: string) =>
    events
      .find((e) => e.type === 'account.ejected' && e.object_id === a && +e.created_at >= faults[a]!.from)
      ?.created_at.getTime()
  const faulted = (a: string, at: number) => {
    const f = faults[a]
    return !!f && at >= f.from && at <= f.to
  }

  // 1. New payments after the ejection window land on accounts that work. A payment counts when it was created
  // while some account was failing, after that account's ejection window (its failure until one probe interval
  // after its ejection: what the other process may take to see it), and outside every other account's own
  // ejection window (the faults overlap); it fails the check when its account was failing at that moment.
  const lag: Record<string, Record<number, number>> = {}
  const windows = Object.keys(faults).map((a) => {
    const out = ejectedAt(a)
    expect(out, `${a} was never ejected`).toBeDefined()
    expect(out! - faults[a]!.from, `${a} ejected too late`).toBeLessThanOrEqual(EJECT_BOUND_MS)
    return { a, from: faults[a]!.from, ejected: out!, to: faults[a]!.to }
  })
  const after = new Map<string, { c: Customer; at: number }>()
  for (const c of customers) {
    const r = c.paymentId ? rowOf.get(c.paymentId) : undefined
    if (!r) continue
    const at = r.created_at.getTime()
    for (const w of windows) {
      // How long after the ejection each process still gave this account a new payment.
      if (r.account_id === w.a && at >= w.ejected && at <= w.to) {
        const byGw = lag[w.a] ?? {}
        lag[w.a] = byGw
        byGw[c.gw] = Math.max(byGw[c.gw] ?? 0, at - w.ejected)
      }
    }
    const settled = windows.some((w) => at >= w.ejected + INTERVAL_MS && at <= w.to)
    const ejecting = windows.some((w) => at >= w.from && at < w.ejected + INTERVAL_MS)
    if (settled && !ejecting) after.set(r.id, { c, at })
  }
  const onFailing = [...after.values()].filter(({ c, at }) => faulted(c.account!, at))
  const healthyShare = after.size ? 1 - onFailing.length / after.size : Number.NaN

  // 2. No payment moved: the account the create answered is the row's for good, and every window and PG id is
  // at that account's own PG (the simulators' records).
  const moved: string[] = []
  for (const c of customers.filter((x) => x.paymentId)) {
    const r = rowOf.get(c.paymentId!)
    if (!r || r.account_id !== c.account)
      moved.push(`${c.orderId}: created on ${c.account}, now ${r?.account_id}`)
    if (c.windowAt && c.account !== COOKIE && c.windowAt !== simOf[c.account!])
      moved.push(`${c.orderId}: on ${c.account}, window at ${c.windowAt}`)
  }
  const niceRows = rows.filter((r) => r.account_id !== COOKIE)
  const txTids = [
    ...new Set([
      ...niceRows.flatMap((r) => (r.transaction_id ? [r.transaction_id] : [])),
      ...customers.filter((c) => c.tid && c.account !== COOKIE).map((c) => c.tid!),
    ]),
  ]
  const held: Record<string, Record<string, PgCheckout | null>> = {}
  for (const [a, url] of Object.entries(simOf)) {
    const res = await fetchRetry(`${url}/__bench/checkouts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ tids: txTids }),
    })
    held[a] = (await res.json()) as Record<string, PgCheckout | null>
  }
  const orderRow = new Map(rows.map((r) => [r.order_id, r]))
  let niceCalled = 0
  for (const tid of txTids) {
    // Both hosts simulate one MID, and a TxTid is the MID, the second and four random digits: the two hosts can
    // each issue the same TxTid for two different orders (one PG never would). So each host's checkout is
    // judged by its own order: the order's payment must be on that host's account.
    const at = Object.keys(simOf).filter((a) => held[a]![tid])
    if (at.length === 0) {
      moved.push(`TxTid ${tid} held by no NicePay host`)
      continue
    }
    for (const a of at) {
      const checkout = held[a]![tid]!
      const r = orderRow.get(checkout.orderId)
      if (!r) moved.push(`TxTid ${tid} at ${a}: order ${checkout.orderId} has no payment here`)
      else if (r.account_id !== a) moved.push(`${r.order_id}: on ${r.account_id}, its TxTid at ${a}`)
      else niceCalled++
    }
  }
  const cookieOrders = (await (
    await fetchRetry(`${cookie.url}/__sim/bench/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ orders: rows.map((r) => r.order_id) }),
    })
  ).json()) as Record<string, Array<{ tid: string; status: string }>>
  let cookieCalled = 0
  for (const r of rows) {
    const there = cookieOrders[r.order_id] ?? []
    if (there.length === 0) continue
    cookieCalled++
    if (r.account_id !== COOKIE) moved.push(`${r.order_id}: on ${r.account_id}, paid at CookiePay`)
  }

  // 3. Both processes: GET /v1/accounts shows each move on both within one probe interval.
  const firstSeen = (g: number, a: string, status: string, from: number) =>
    seen[g]![a]?.find((s) => s.status === status && s.at >= from)?.at
  const disagreements: string[] = []
  const moves: string[] = []
  for (const a of Object.keys(faults)) {
    for (const status of ['ejected', 'probation', 'healthy']) {
      const from = status === 'ejected' ? faults[a]!.from : faults[a]!.to
      const t = [0, 1].map((g) => firstSeen(g, a, status, from))
      if (t.some((x) => x === undefined)) {
        disagreements.push(`${a} never seen ${status} by gateway ${t.indexOf(undefined)}`)
        continue
      }
      const gap = Math.abs(t[0]! - t[1]!)
      if (gap > INTERVAL_MS) disagreements.push(`${a} ${status}: gateways ${gap} ms apart`)
      moves.push(`${a} ${status} +${((Math.min(...(t as number[])) - from) / 1000).toFixed(1)} s`)
    }
  }
  // Routing itself (each process's own view, which GET /v1/accounts does not show: it reads the database): no
  // process gave a failing account a new payment later than one probe interval after its ejection, plus the
  // time the round's read of the database takes on a loaded machine.
  const routedLate = Object.entries(lag).flatMap(([a, byGw]) =>
    Object.entries(byGw)
      .filter(([, ms]) => ms > INTERVAL_MS + READ_SLACK_MS)
      .map(([g, ms]) => `${a} on gateway ${g}: ${ms} ms after ejection`),
  )

  // 4. Back: each failing account restored (event), healthy on both, and taking new payments again.
  const restored = Object.keys(faults).map((a) => ({
    a,
    event: events.find(
      (e) => e.type === 'account.restored' && e.object_id === a && +e.created_at >= faults[a]!.to,
    ),
    healthyAt: Math.max(...[0, 1].map((g) => firstSeen(g, a, 'healthy', faults[a]!.to) ?? Number.NaN)),
  }))
  const takenAgain = Object.fromEntries(
    restored.map(({ a, healthyAt }) => [
      a,
      rows.filter((r) => r.account_id === a && r.created_at.getTime() > healthyAt).length,
    ]),
  )

  const created = customers.filter((c) => c.createStatus === 201)
  figure(
    '11 routing failover',
    `${customers.length} new payments over 2 gateways (creates ${JSON.stringify(count(customers, (c) => String(c.createStatus ?? 'died')))}), ` +
      `split ${JSON.stringify(count(created, (c) => c.account!))} (${JSON.stringify(count(created, (c) => c.via ?? 'none'))}); ` +
      `nice-bench out of reach ${((faults[env.cfg.accountId]!.to - faults[env.cfg.accountId]!.from) / 1000).toFixed(1)} s, ` +
      `CookiePay 503 ${((faults[COOKIE]!.to - faults[COOKIE]!.from) / 1000).toFixed(1)} s; ` +
      `ejected after ${Object.keys(faults)
        .map((a) => `${a} ${((ejectedAt(a)! - faults[a]!.from) / 1000).toFixed(1)} s`)
        .join(', ')}; ` +
      `after the ejection window ${after.size - onFailing.length} of ${after.size} on working accounts (${(healthyShare * 100).toFixed(2)}%); ` +
      `latest new payment on an ejected account, per gateway: ${JSON.stringify(lag)} ms; ` +
      `moves seen on both gateways: ${moves.join('; ')}; disagreements ${disagreements.length}; ` +
      `PG called for ${niceCalled} NicePay + ${cookieCalled} CookiePay payments, re-routed ${moved.length}${moved.length ? ` (${moved.slice(0, 5).join('; ')})` : ''}; ` +
      `customers ${JSON.stringify(count(customers, (c) => c.landing ?? c.gaveUp?.replace(/:.*/, '') ?? '?'))}; ` +
      `new payments after return ${JSON.stringify(takenAgain)}`,
  )

  expect(
    customers
      .filter((c) => c.createStatus !== 201)
      .map((c) => `${c.orderId} ${c.createStatus} ${c.gaveUp ?? ''}`),
  ).toEqual([])
  // Enough payments fell inside the windows for the share to mean something.
  expect(after.size).toBeGreaterThanOrEqual(100)
  expect(healthyShare).toBeGreaterThanOrEqual(0.99)
  expect(moved).toEqual([])
  expect(niceCalled + cookieCalled).toBeGreaterThan(100)
  expect(disagreements).toEqual([])
  expect(routedLate).toEqual([])
  for (const r of restored) {
    expect(r.event, `${r.a} restored (event)`).toBeDefined()
    expect(r.healthyAt - faults[r.a]!.to, `${r.a} healthy again in time`).toBeLessThanOrEqual(RETURN_BOUND_MS)
    expect(takenAgain[r.a], `${r.a} takes new payments again`).toBeGreaterThan(0)
  }
  // Every account was on probation between ejected and healthy, on both processes.
  for (const a of Object.keys(faults))
    for (const g of [0, 1])
      expect((seen[g]![a] ?? []).map((s) => s.status).join(' → '), `${a} on gateway ${g}`).toContain(
        'ejected → probation → healthy',
      )
}, 240_000)
