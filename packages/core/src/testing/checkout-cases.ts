// Conformance of the checkout methods (startCheckout, readCheckoutReturn, approveCheckout, undoCheckout): the
// promises a host relies on to approve once, on the stored order, and never call a lost answer a refusal.
import assert from 'node:assert/strict'
import type {
  ApprovedCheckout,
  CheckoutApproval,
  CheckoutExpected,
  CheckoutMethod,
  CheckoutRequest,
  CheckoutReturn,
} from '../checkout.js'
import type { ProviderCapabilities } from '../contract.js'
import { isPaymentError } from '../errors.js'
import { rewriteFields } from '../simulator/faults.js'
import type { CheckoutConformance, ConformanceCase, ConformanceSetup } from './harness.js'
import { expectCode, expectError, needs } from './helpers.js'

let seq = 0
/** Nothing listens here: the window's result is captured by the hook, never delivered. */
const HOST = 'http://127.0.0.1:9/checkout/cf'

function checkoutRequest(caps: ProviderCapabilities, amount = 15_000): CheckoutRequest {
  const orderId = `cf${Date.now().toString(36)}${(seq++).toString(36)}`
  return {
    orderId,
    amount,
    orderName: '테스트 상품',
    method: caps.checkoutMethods.includes('card') ? 'card' : caps.checkoutMethods[0]!,
    customer: { name: '홍길동', email: 'buyer@example.com', phone: '010-1234-5678' },
    returnUrl: `${HOST}/${orderId}/return`,
    closeUrl: `${HOST}/${orderId}/closed`,
    expiresAt: new Date(Date.now() + 30 * 60_000).toISOString(),
  }
}

const expectedOf = (r: CheckoutRequest): CheckoutExpected => ({
  orderId: r.orderId,
  amount: r.amount,
  method: r.method,
})

const skipUnlessCheckout = (c: ProviderCapabilities, s: ConformanceSetup) =>
  needs(c.checkoutMethods.length > 0, 'no checkout') ??
  needs(s.checkout !== undefined, 'the harness has no checkout hook')

/** The result is checked at read time only where nothing has been charged yet: the approval is still to come. */
const skipUnlessReadRefuses = (c: ProviderCapabilities, s: ConformanceSetup) =>
  skipUnlessCheckout(c, s) ??
  needs(!c.checkoutChargesInWindow, 'the window charges: the approval verifies the result (next case)')

/** A checkout the customer authenticated at the window, read back and verified. */
async function authenticated(
  s: ConformanceSetup,
  amount?: number,
): Promise<{ request: CheckoutRequest; approval: CheckoutApproval; hook: CheckoutConformance }> {
  const hook = s.checkout!
  const request = checkoutRequest(s.provider.capabilities, amount)
  const launch = await s.provider.startCheckout(request)
  const back = await hook.press(launch, request, 'Approve')
  const result = await s.provider.readCheckoutReturn(back, expectedOf(request))
  assert.equal(
    result.outcome,
    'authenticated',
    `Approve reads as authenticated, got ${JSON.stringify(result)}`,
  )
  if (result.outcome !== 'authenticated') throw new Error('unreachable')
  assert.equal(result.approval.amount, request.amount, 'the approval is for the stored amount')
  return { request, approval: result.approval, hook }
}

/** The window's result with every amount-like field changed, as a customer's browser could. */
function tampered(back: CheckoutReturn, delta: number): CheckoutReturn | undefined {
  const names = new Set(['amount', 'amt', 'price', 'totalprice', 'payprice', 'goodsamt'])
  const bump = (v: string) => (/^\d+$/.test(v) ? String(Number(v) + delta) : v)
  const key = (k: string) => k.toLowerCase().replace(/[_\s-]/g, '')
  const query = Object.fromEntries(
    Object.entries(back.query).map(([k, v]) => [k, names.has(key(k)) ? bump(v) : v]),
  )
  const rawBody = rewriteFields(back.rawBody, names, bump)
  const changed =
    JSON.stringify(query) !== JSON.stringify(back.query) ||
    Buffer.compare(Buffer.from(rawBody), Buffer.from(back.rawBody)) !== 0
  return changed ? { ...back, query, rawBody } : undefined
}

export const checkoutCases: ConformanceCase[] = [
  {
    name: 'checkout: a request the adapter cannot take fails before any call to the PG, naming the field',
    skip: (c) => needs(c.checkoutMethods.length > 0, 'no checkout'),
    async run(s) {
      const caps = s.provider.capabilities
      const good = checkoutRequest(caps)
      const before = s.faults.calls
      const bad: Array<[string, CheckoutRequest]> = [
        ['amount', { ...good, amount: 0 }],
        ['amount', { ...good, amount: 10.5 }],
        ['orderId', { ...good, orderId: '' }],
        ['orderName', { ...good, orderName: ' ' }],
        ['returnUrl', { ...good, returnUrl: 'not a url' }],
      ]
      const other = (['card', 'virtual_account'] as CheckoutMethod[]).find(
        (m) => !caps.checkoutMethods.includes(m),
      )
      if (other) bad.push(['method', { ...good, method: other }])
      for (const [param, request] of bad) {
        const err = await expectCode(s.provider.startCheckout(request), 'invalid_request', `bad ${param}`)
        assert.equal(err.param, param, `the error names ${param}`)
        assert.throws(
          () => s.provider.validate({ operation: 'checkout', request }),
          `validate refuses bad ${param}`,
        )
      }
      assert.equal(s.faults.calls, before, 'no call reached the PG')
    },
  },
  {
    name: 'checkout: the launch loads only from the origins it declares',
    skip: skipUnlessCheckout,
    async run(s) {
      const launch = await s.provider.startCheckout(checkoutRequest(s.provider.capabilities))
      assert.ok(launch.origins.length > 0, 'origins are declared')
      for (const o of launch.origins) assert.equal(new URL(o).origin, o, `${o} is an origin`)
      const allowed = new Set(launch.origins)
      for (const src of launch.scripts) assert.ok(allowed.has(new URL(src).origin), `${src} is allowed`)
      if (launch.form)
        assert.ok(allowed.has(new URL(launch.form.action).origin), 'the form posts to an allowed origin')
    },
  },
  {
    name: 'checkout: Approve reads back as authenticated for the stored order, and the approval charges once',
    skip: skipUnlessCheckout,
    async run(s) {
      const { request, approval, hook } = await authenticated(s)
      const done = await s.provider.approveCheckout(approval, expectedOf(request))
      assert.ok(done.status === 'paid' || done.status === 'waiting_for_deposit', `status ${done.status}`)
      assert.equal(done.amount, request.amount, 'the approved amount')
      assert.ok(done.transactionId, 'a transaction id')
      assert.equal((await hook.approvals(done.transactionId)).approvals, 1, 'one approval at the PG')
    },
  },
  {
    name: 'checkout: Decline reads back as declined and nothing can be approved',
    skip: skipUnlessCheckout,
    async run(s) {
      const hook = s.checkout!
      const request = checkoutRequest(s.provider.capabilities)
      const launch = await s.provider.startCheckout(request)
      const result = await s.provider.readCheckoutReturn(
        await hook.press(launch, request, 'Decline'),
        expectedOf(request),
      )
      assert.equal(result.outcome, 'declined', `Decline reads as declined, got ${JSON.stringify(result)}`)
      if (result.outcome === 'declined') assert.ok(result.code, 'a code for the fail URL')
    },
  },
  {
    name: 'checkout: a result read against another amount or another order is refused',
    skip: skipUnlessReadRefuses,
    async run(s) {
      const hook = s.checkout!
      const request = checkoutRequest(s.provider.capabilities)
      const back = await hook.press(await s.provider.startCheckout(request), request, 'Approve')
      for (const expected of [
        { ...expectedOf(request), amount: request.amount + 1_000 },
        { ...expectedOf(request), amount: request.amount - 1_000 },
        { ...expectedOf(request), orderId: `${request.orderId}x` },
      ]) {
        const r = await s.provider.readCheckoutReturn(back, expected)
        const ok =
          r.outcome === 'refused' || (r.outcome === 'authenticated' && r.approval.amount === expected.amount)
        assert.ok(ok, `read against ${JSON.stringify(expected)}: ${JSON.stringify(r)}`)
        assert.notEqual(
          r.outcome === 'authenticated' && expected.orderId !== request.orderId,
          true,
          'another order',
        )
      }
    },
  },
  {
    name: 'checkout: a result whose amount was changed in the browser never authenticates that amount',
    skip: skipUnlessReadRefuses,
    async run(s) {
      const hook = s.checkout!
      const request = checkoutRequest(s.provider.capabilities)
      const back = await hook.press(await s.provider.startCheckout(request), request, 'Approve')
      const spoiled = tampered(back, -10_000)
      if (!spoiled) return // the result names no amount: the approval's own check is what counts (next cases)
      for (const expected of [
        expectedOf(request),
        { ...expectedOf(request), amount: request.amount - 10_000 },
      ]) {
        const r = await s.provider.readCheckoutReturn(spoiled, expected)
        assert.ok(
          r.outcome === 'refused' || (r.outcome === 'authenticated' && r.approval.amount === request.amount),
          `a tampered result read against ${expected.amount}: ${JSON.stringify(r)}`,
        )
      }
    },
  },
  {
    name: 'checkout: where the window charges, a result for another amount or order is never approved as the stored order',
    skip: (c, s) =>
      skipUnlessCheckout(c, s) ??
      needs(c.checkoutChargesInWindow, 'the result is refused at read (cases above)'),
    async run(s) {
      const hook = s.checkout!
      const request = checkoutRequest(s.provider.capabilities)
      const back = await hook.press(await s.provider.startCheckout(request), request, 'Approve')
      const spoiled = tampered(back, -10_000)
      const reads: Array<[CheckoutReturn, CheckoutExpected]> = [
        [back, { ...expectedOf(request), amount: request.amount + 1_000 }],
        [back, { ...expectedOf(request), amount: request.amount - 1_000 }],
        [back, { ...expectedOf(request), orderId: `${request.orderId}x` }],
        ...(spoiled
          ? ([
              [spoiled, expectedOf(request)],
              [spoiled, { ...expectedOf(request), amount: request.amount - 10_000 }],
            ] as Array<[CheckoutReturn, CheckoutExpected]>)
          : []),
      ]
      const tids = new Set<string>()
      for (const [input, expected] of reads) {
        const what = `read and approved against ${JSON.stringify(expected)}`
        const r = await s.provider.readCheckoutReturn(input, expected)
        if (r.outcome !== 'authenticated') {
          assert.equal(r.outcome, 'refused', `${what}: ${JSON.stringify(r)}`)
          continue
        }
        tids.add(r.approval.transactionId)
        let done: ApprovedCheckout
        try {
          done = await s.provider.approveCheckout(r.approval, expected)
        } catch (err) {
          assert.ok(isPaymentError(err), `${what}: ${String(err)}`)
          assert.equal(err.outcome, 'rejected', `${what}: ${err.code}/${err.outcome}`)
          continue
        }
        // Approved: only as what the PG really charged, so the host sees the mismatch and undoes it.
        assert.equal(expected.orderId, request.orderId, `${what}: another order's payment approved`)
        assert.equal(done.amount, request.amount, `${what}: the PG's own amount is reported`)
      }
      for (const tid of tids)
        assert.ok((await hook.approvals(tid)).approvals <= 1, `${tid} charged at most once`)
    },
  },
  {
    name: 'checkout: an approval whose answer is lost is unknown, and the PG executed it once',
    skip: skipUnlessCheckout,
    async run(s) {
      const { request, approval, hook } = await authenticated(s)
      s.faults.inject({ fault: { kind: 'drop' }, path: hook.approvePath })
      const err = await expectError(
        s.provider.approveCheckout(approval, expectedOf(request)),
        'lost approval',
      )
      assert.equal(err.outcome, 'unknown', `a lost approval is unknown, got ${err.code}/${err.outcome}`)
      assert.equal((await hook.approvals(approval.transactionId)).approvals, 1, 'the PG approved it once')
    },
  },
  {
    name: 'checkout: an approval answered with a proxy error page is unknown, never rejected',
    skip: skipUnlessCheckout,
    async run(s) {
      const { request, approval, hook } = await authenticated(s)
      s.faults.inject({ fault: { kind: 'html', status: 502 }, path: hook.approvePath })
      const err = await expectError(s.provider.approveCheckout(approval, expectedOf(request)), 'HTML 502')
      assert.equal(err.outcome, 'unknown', `an error page is unknown, got ${err.code}/${err.outcome}`)
    },
  },
  {
    name: 'checkout: an approval answered with an unreadable body after executing is unknown',
    skip: skipUnlessCheckout,
    async run(s) {
      const { request, approval, hook } = await authenticated(s)
      s.faults.inject({ fault: { kind: 'malformed' }, path: hook.approvePath })
      const err = await expectError(s.provider.approveCheckout(approval, expectedOf(request)), 'malformed')
      assert.equal(err.outcome, 'unknown', `an unreadable answer is unknown, got ${err.code}/${err.outcome}`)
    },
  },
  {
    name: 'checkout: an approval undone afterwards is net-cancelled or cancelled, and charged once',
    skip: skipUnlessCheckout,
    async run(s) {
      const { request, approval, hook } = await authenticated(s)
      await s.provider.approveCheckout(approval, expectedOf(request))
      const undone = await s.provider.undoCheckout(approval, 'conformance')
      assert.ok(undone.status === 'net_cancelled' || undone.status === 'cancelled', `undo: ${undone.status}`)
      const seen = await hook.approvals(approval.transactionId)
      assert.equal(seen.approvals, 1, 'one approval')
      assert.ok(seen.undos >= 1, 'the undo reached the PG')
    },
  },
  {
    name: 'checkout: with a network cancel, an approval whose answer was lost is undone',
    skip: (c, s) => skipUnlessCheckout(c, s) ?? needs(c.checkoutNetCancel, 'no network cancel'),
    async run(s) {
      const { request, approval, hook } = await authenticated(s)
      s.faults.inject({ fault: { kind: 'drop' }, path: hook.approvePath })
      await expectError(s.provider.approveCheckout(approval, expectedOf(request)), 'lost approval')
      const undone = await s.provider.undoCheckout(approval, 'approval answer lost')
      assert.equal(undone.status, 'net_cancelled', 'the executed approval was network-cancelled')
      assert.equal((await hook.approvals(approval.transactionId)).approvals, 1, 'one approval')
    },
  },
  {
    name: 'checkout: with a network cancel, an authentication undone before approval can no longer charge',
    skip: (c, s) => skipUnlessCheckout(c, s) ?? needs(c.checkoutNetCancel, 'no network cancel'),
    async run(s) {
      const { request, approval, hook } = await authenticated(s)
      // An answer that does not prove what the PG holds may stay unknown (the host then looks it up).
      const undone = await s.provider.undoCheckout(approval, 'never approved').then(
        (u) => u.status,
        (err) => (isPaymentError(err) && err.outcome === 'unknown' ? 'unknown' : Promise.reject(err)),
      )
      assert.ok(['nothing_to_undo', 'net_cancelled', 'unknown'].includes(undone), undone)
      await s.provider.approveCheckout(approval, expectedOf(request)).catch(() => undefined)
      assert.equal((await hook.approvals(approval.transactionId)).approvals, 0, 'nothing approved')
    },
  },
]
