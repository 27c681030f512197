// Scenario 8, checkout: 500 customers pay through NicePay's window (the simulator's) over two gateway processes,
// driven over plain HTTP the way a browser goes: the payment is created on one gateway, its checkout page opened
// on both (a load balancer), the window opened with the page's form, Approve (or Decline) pressed, and the
// window's auth result posted to the gateway's return URL — some twice at once, to both gateways. Meanwhile the
// simulator injects every fault kind on a third of the approval calls and of the network cancels. Then, with
// the faults gone and the reconcilers done: no order charged twice, no payment paid that NicePay has not, every
// payment NicePay charged paid, every payment's state NicePay's, and no customer sent to the shop's success page
// for a payment that is not paid.
import { fetchRetry } from '@paymux/bench/procs'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { type ChaosEnv, figure, type PgCheckout, pool, sleep, startEnv } from '../env.js'
import { FAULTS } from '../fault-load.js'
import { formBody, throughWindow } from '../nicepay-window.js'
import { FAST_WORKERS, reconcilerAvailable } from '../reconciler.js'

const CHECKOUTS = 500
const SHOP = 'https://shop.example'
const SUCCESS_URL = `${SHOP}/orders/paid`
const FAIL_URL = `${SHOP}/orders/failed`

type Landing = 'success' | 'fail' | 'processing' | `other: ${string}`

interface Customer {
  i: number
  orderId: string
  paymentId?: string
  checkoutUrl?: string
  txTid?: string
  button: 'Approve' | 'Decline'
  /** The result posted to both gateways at once (a double submit behind a load balancer). */
  double: boolean
  landings: Array<{ landing: Landing; paymentId?: string }>
  /** Where the processing page sends the customer once the reconciler is done. */
  later?: Landing
  error?: string
}

const withReconciler = reconcilerAvailable()
let env: ChaosEnv
const customers: Customer[] = []

beforeAll(async () => {
  env = await startEnv('8-checkout', {
    gateways: 2,
    // Below the 900 ms delay faults: a slow approval is an unknown one, and the gateway network-cancels it.
    timeoutMs: 400,
    poolSize: 20,
    ...(withReconciler ? { extra: FAST_WORKERS } : {}),
  })
})
afterAll(async () => {
  await env?.close()
})

const count = <T>(xs: T[], key: (x: T) => string) => {
  const out: Record<string, number> = {}
  for (const x of xs) out[key(x)] = (out[key(x)] ?? 0) + 1
  return out
}

/** Where a gateway's answer to the browser leaves the customer. */
async function landingOf(res: Response): Promise<{ landing: Landing; paymentId?: string }> {
  const text = await res.text()
  const location = res.headers.get('location') ?? ''
  if (res.status === 303 && location.startsWith(SUCCESS_URL))
    return { landing: 'success', paymentId: new URL(location).searchParams.get('paymentId') ?? '' }
  if (res.status === 303 && location.startsWith(FAIL_URL)) return { landing: 'fail' }
  if (res.status === 200 && text.includes('Processing your payment')) return { landing: 'processing' }
  return {
    landing: `other: ${res.status} ${location || (/<h1>([^<]*)/.exec(text)?.[1] ?? text.slice(0, 80))}`,
  }
}

const onGateway = (url: string, gw: number) => {
  const u = new URL(url)
  return `${env.gateways[gw]!.url}${u.pathname}${u.search}`
}

async function checkout(c: Customer): Promise<void> {
  const creator = c.i % 2
  const created = await env.call(creator, 'POST', '/v1/payments', {
    idem: `checkout-${c.orderId}`,
    body: {
      orderId: c.orderId,
      amount: 1_000 + c.i,
      orderName: `카오스 주문 ${c.i}`,
      method: 'card',
      customer: { name: '홍길동', email: 'buyer@example.com' },
      successUrl: SUCCESS_URL,
      failUrl: FAIL_URL,
      account: env.cfg.accountId,
    },
  })
  if (created.status !== 201) throw new Error(`create: ${created.status} ${created.text.slice(0, 200)}`)
  c.paymentId = created.body.id as string
  c.checkoutUrl = created.body.checkoutUrl as string
  // The link opened through a load balancer: the page from each gateway (each signs a fresh window form);
  // the customer goes on with one of them, so the result comes back to either gateway.
  const pages = await Promise.all(
    [0, 1].map(async (g) => {
      const res = await fetch(onGateway(c.checkoutUrl!, g), {
        signal: AbortSignal.timeout(30_000),
      })
      const html = await res.text()
      if (res.status !== 200) throw new Error(`checkout page on gateway ${g}: ${res.status}`)
      return html
    }),
  )
  const { txTid, result } = await throughWindow(pages[(c.i >> 1) % 2]!, c.button)
  c.txTid = txTid
  const body = formBody(result.fields, result.charset)
  const post = (url: string) =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(30_000),
    }).then(landingOf)
  const targets = c.double ? [onGateway(result.action, 0), onGateway(result.action, 1)] : [result.action]
  c.landings = await Promise.all(targets.map(post))
}

test('500 checkouts over two gateways, faults on a third of the approvals and network cancels: nothing doubled, no success page for an unpaid payment', async () => {
  const res = await fetchRetry(`${env.sim.url}/__sim/faults/random`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    // `process.jsp`: pay_process.jsp (the approval) and cancel_process.jsp (the network cancel), nothing else.
    body: JSON.stringify({ rate: 0.33, faults: FAULTS, path: 'process.jsp', seed: 20260815 }),
  })
  expect(res.ok).toBe(true)
  const tag = Date.now().toString(36)
  for (let i = 0; i < CHECKOUTS; i++)
    customers.push({
      i,
      orderId: `chaos-${tag}-${i}`,
      button: i % 10 === 9 ? 'Decline' : 'Approve',
      double: i % 8 === 3,
      landings: [],
    })
  const started = performance.now()
  await pool(customers, 16, async (c) => {
    try {
      await checkout(c)
    } catch (err) {
      c.error = (err as Error).message
    }
  })
  const loadS = (performance.now() - started) / 1000
  await fetchRetry(`${env.sim.url}/__sim/faults`, { method: 'DELETE' })
  const faultLog = (await (await fetchRetry(`${env.sim.url}/__sim/faults/log`)).json()) as {
    log: Array<{ path: string; fault: { kind: string; phase?: string; status?: number } }>
  }
  const kind = (f: { kind: string; phase?: string; status?: number }) =>
    f.kind + (f.phase ? `-${f.phase}` : '') + (f.status ? `-${f.status}` : '')
  const onApproval = faultLog.log.filter((f) => f.path.includes('pay_process'))
  const onNetCancel = faultLog.log.filter((f) => f.path.includes('cancel_process'))

  const landings = customers.flatMap((c) => c.landings.map((l) => ({ ...l, c })))

  const pg = await env.checkouts(customers.map((c) => c.txTid!))
  const pgs = Object.values(pg).filter((x): x is PgCheckout => x !== null)
  // The gateway's claim: one approval call per TxTid, never a second (the reconciler never approves).
  const approvedAgain = Object.entries(pg).filter(([, p]) => (p?.approvalCalls ?? 0) > 1)
  const perOrder = new Map<string, number>()
  for (const p of pgs) perOrder.set(p.orderId, (perOrder.get(p.orderId) ?? 0) + p.approvals - p.netCancels)
  const doubled = [...perOrder].filter(([, n]) => n > 1)

  const pendingAfterLoad = (
    await env.db.pool.query(`SELECT count(*)::int AS n FROM payments WHERE status = 'pending'`)
  ).rows[0].n as number
  // The figure first, so that a failing run shows it too.
  figure(
    '8 checkout',
    `${CHECKOUTS} checkouts (${customers.filter((c) => c.button === 'Approve').length} approved at the window, ` +
      `${customers.filter((c) => c.button === 'Decline').length} declined; ${customers.filter((c) => c.double).length} results posted twice at once, to both gateways) ` +
      `over 2 gateways in ${loadS.toFixed(1)} s; faults injected on ${onApproval.length} approval calls ${JSON.stringify(count(onApproval, (f) => kind(f.fault)))} ` +
      `and ${onNetCancel.length} network cancels ${JSON.stringify(count(onNetCancel, (f) => kind(f.fault)))}: ` +
      `customers landed ${JSON.stringify(count(landings, (l) => l.landing))}; PG windows ${JSON.stringify(count(pgs, (p) => p.state))}, ` +
      `approval calls ${pgs.reduce((n, p) => n + p.approvalCalls, 0)} (TxTids approved twice ${approvedAgain.length}), network cancels executed ${pgs.reduce((n, p) => n + p.netCancels, 0)} of ${pgs.reduce((n, p) => n + p.netCancelCalls, 0)} calls; ` +
      `orders charged twice ${doubled.length}; pending when the load ended ${pendingAfterLoad}`,
  )
  expect(customers.filter((c) => c.error).map((c) => `${c.orderId}: ${c.error}`)).toEqual([])
  const odd = landings.filter((l) => l.landing.startsWith('other'))
  expect(odd.map((l) => `${l.c.orderId}: ${l.landing}`)).toEqual([])
  // A success page names the payment it is for.
  expect(landings.filter((l) => l.landing === 'success' && l.paymentId !== l.c.paymentId)).toEqual([])
  // Decline never reaches NicePay's approval, so nothing of it can be pending or paid.
  expect(
    landings.filter((l) => l.c.button === 'Decline' && l.landing !== 'fail').map((l) => l.c.orderId),
  ).toEqual([])
  expect(approvedAgain.map(([t, p]) => `${t}: ${p!.approvalCalls} approval calls`)).toEqual([])
  expect(doubled).toEqual([])
  if (!withReconciler)
    figure(
      '8 checkout (reconciled)',
      'NOT RUN: this gateway build has no reconciler (workers.reconcile in the config)',
    )
})

test.skipIf(!withReconciler)(
  'after reconciliation every payment is in NicePay’s state: paid exactly when NicePay charged it',
  async () => {
    const started = performance.now()
    let left = Number.NaN
    while (performance.now() - started < 45_000) {
      left = (
        await env.db.pool.query(
          `SELECT count(*)::int AS n FROM payments WHERE status IN ('pending', 'requires_authentication')`,
        )
      ).rows[0].n
      if (left === 0) break
      await sleep(250)
    }
    const tookS = (performance.now() - started) / 1000
    const rows = (
      await env.db.pool.query(
        `SELECT id, order_id, status, approval_state, transaction_id, amount::int AS amount, failure, review_reason
         FROM payments`,
      )
    ).rows as Array<{
      id: string
      order_id: string
      status: string
      approval_state: string | null
      transaction_id: string | null
      amount: number
      failure: unknown
      review_reason: unknown
    }>
    const byId = new Map(rows.map((r) => [r.id, r]))
    const pg = await env.checkouts(customers.map((c) => c.txTid!))
    // NicePay's view: charged when its one approval stands (not network-cancelled).
    const charged = (p: PgCheckout | null | undefined) => !!p && p.approvals - p.netCancels === 1
    const paidNotAtPg: string[] = []
    const chargedNotPaid: string[] = []
    const differs: string[] = []
    const review: string[] = []
    const successUnpaid: string[] = []
    const failCharged: string[] = []
    for (const c of customers) {
      const row = byId.get(c.paymentId!)
      const p = pg[c.txTid!]
      const at = `${c.orderId} (${c.txTid}: PG ${p?.state ?? 'none'} ${p?.approvals ?? 0}/${p?.netCancels ?? 0}, gateway ${row?.status} ${row?.approval_state})`
      if (!row) {
        differs.push(`${at}: no payment row`)
        continue
      }
      if (row.transaction_id !== c.txTid && c.button === 'Approve')
        differs.push(`${at}: TID ${row.transaction_id}`)
      if (row.status === 'needs_review') {
        review.push(`${at}: ${JSON.stringify(row.review_reason ?? row.failure)}`)
        continue
      }
      if (row.status === 'paid' && !charged(p)) paidNotAtPg.push(at)
      if (charged(p) && row.status !== 'paid') chargedNotPaid.push(at)
      if (charged(p) && p!.amount !== row.amount)
        differs.push(`${at}: PG amount ${p!.amount}, gateway ${row.amount}`)
      if (row.status !== (charged(p) ? 'paid' : 'failed')) differs.push(at)
      for (const l of c.landings) {
        if (l.landing === 'success' && row.status !== 'paid') successUnpaid.push(at)
        if (l.landing === 'fail' && charged(p)) failCharged.push(at)
      }
    }
    // The processing page refreshes itself: once settled it sends the customer on, to the page the state says.
    const waiting = customers.filter((c) => c.landings.some((l) => l.landing === 'processing'))
    await pool(waiting, 8, async (c) => {
      const row = byId.get(c.paymentId!)!
      const res = await fetch(onGateway(`${c.checkoutUrl}/status`, c.i % 2), { redirect: 'manual' })
      c.later = (await landingOf(res)).landing
      if (c.later === 'success' && row.status !== 'paid') successUnpaid.push(`${c.orderId}: status page`)
      if (c.later !== (row.status === 'paid' ? 'success' : 'fail'))
        differs.push(`${c.orderId}: status page sends to ${c.later} for ${row.status}`)
    })
    figure(
      '8 checkout (reconciled)',
      `${Number.isNaN(left) || left > 0 ? `STILL ${left} pending after` : 'nothing pending after'} ${tookS.toFixed(1)} s → payments ${JSON.stringify(count(rows, (r) => r.status))} ` +
        `(${JSON.stringify(count(rows, (r) => r.approval_state ?? 'none'))}); NicePay charged ${customers.filter((c) => charged(pg[c.txTid!])).length}; ` +
        `paid without NicePay's approval ${paidNotAtPg.length}, charged but not paid ${chargedNotPaid.length}, state differing from NicePay's ${differs.length}, ` +
        `needs_review ${review.length}${review.length ? ` ${JSON.stringify(review.slice(0, 3))}` : ''}; success page for an unpaid payment ${successUnpaid.length}, fail page for a charged one ${failCharged.length}; ` +
        `${waiting.length} customers on the processing page then sent to ${JSON.stringify(count(waiting, (c) => c.later ?? 'nowhere'))}`,
    )
    expect(left).toBe(0)
    expect(paidNotAtPg).toEqual([])
    expect(chargedNotPaid).toEqual([])
    expect(successUnpaid).toEqual([])
    expect(failCharged).toEqual([])
    expect(differs.slice(0, 10)).toEqual([])
    expect(review).toEqual([])
  },
)
