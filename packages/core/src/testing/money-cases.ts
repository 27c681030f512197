// Cases about the moment money may already have moved: what an adapter may conclude from an answer, and
// when it may send a money-moving call again.
import assert from 'node:assert/strict'
import type { CancelRequest } from '../contract.js'
import { isPaymentError } from '../errors.js'
import type { ConformanceCase, ConformanceSetup } from './harness.js'
import { assertCancelled, cancelId, expectError, faultOnCancel, needs } from './helpers.js'

/** Error statuses the unmapped-code cases answer with: a client-error status and a gateway-error one. */
const ERROR_STATUSES = [400, 502] as const

/**
 * A cancel that touches only the cancel call: partial where the adapter can (a full cancel may be preceded by a
 * lookup, which would take the fault meant for the cancel), full otherwise.
 */
function cancelOf(s: ConformanceSetup, transactionId: string, tag: string, amount: number): CancelRequest {
  const partial = s.provider.capabilities.partialCancel
  return {
    transactionId,
    reason: 'conformance',
    cancelId: cancelId(tag),
    paymentAmount: 10_000,
    ...(partial ? { amount } : {}),
  }
}

const expectedMove = (s: ConformanceSetup, amount: number) =>
  s.provider.capabilities.partialCancel ? amount : 10_000

async function expectUnknown(p: Promise<unknown>, what: string) {
  const err = await expectError(p, what)
  assert.equal(
    err.outcome,
    'unknown',
    `${what}: must be unknown, got ${err.code}/${err.outcome} (${err.message})`,
  )
}

export const moneyCases: ConformanceCase[] = [
  {
    name: 'a cancel answered with an error status and an unmapped code is unknown, never rejected',
    async run(s) {
      for (const status of ERROR_STATUSES) {
        const { transactionId } = await s.seedCardPayment({ amount: 10_000 })
        faultOnCancel(s, { kind: 'unmapped_code', status })
        await expectUnknown(
          s.provider.cancel(cancelOf(s, transactionId, `unm${status}`, 3_000)),
          `a cancel answered HTTP ${status} with an unmapped code`,
        )
        s.faults.clear()
      }
    },
  },
  {
    name: 'a billing-key charge answered with an error status and an unmapped code is unknown, never rejected',
    skip: (c, s) => needs(c.billingKeys && !!s.testCard, 'no billing keys'),
    async run(s) {
      const issued = await s.provider.issueBillingKey({ card: s.testCard!, requestId: cancelId('bku') })
      for (const status of ERROR_STATUSES) {
        s.faults.inject({ kind: 'unmapped_code', status })
        await expectUnknown(
          s.provider.chargeBillingKey({
            billingKey: issued.billingKey,
            orderId: cancelId('unmorder'),
            amount: 1_004,
            goodsName: '정기구독',
          }),
          `a charge answered HTTP ${status} with an unmapped code`,
        )
        s.faults.clear()
      }
    },
  },
  {
    name: 'a cancel is sent again only where the PG dedups it: after broken connections the money moved once',
    async run(s) {
      const { transactionId } = await s.seedCardPayment({ amount: 10_000 })
      const req = cancelOf(s, transactionId, 'resend', 3_000)
      const moved = expectedMove(s, 3_000)
      // Every connection breaks after the PG executed: an adapter that re-sends on its own executes again.
      faultOnCancel(s, { kind: 'drop' }, 3)
      let outcome: 'cancelled' | 'unknown' | 'rejected'
      try {
        assertCancelled(await s.provider.cancel(req), moved, 'a cancel settled by the adapter itself')
        outcome = 'cancelled'
      } catch (err) {
        if (!isPaymentError(err)) throw err
        outcome = err.outcome
      }
      s.faults.clear()
      const st = await s.inspect(transactionId)
      if (outcome === 'rejected') {
        assert.equal(st.cancelCount, 0, 'a rejected cancel must have moved nothing')
        return
      }
      assert.equal(st.cancelCount, 1, 'the PG executed the cancel exactly once')
      assert.equal(st.cancelledAmount, moved, 'the PG moved the money once')
      if (!s.provider.capabilities.cancelDedup) return
      // Where the PG dedups, sending the same cancel again (what a reconciler does) must not move it again.
      try {
        const again = await s.provider.cancel(req)
        assert.equal(again.status, 'cancelled', 'a re-send may only report the same cancel')
      } catch (err) {
        assert.ok(isPaymentError(err), String(err))
      }
      const after = await s.inspect(transactionId)
      assert.equal(after.cancelCount, 1, 'the re-sent cancel was not executed again')
      assert.equal(after.cancelledAmount, moved)
    },
  },
  {
    name: 'an answer that moved another amount than asked is unknown',
    skip: (c) => needs(c.partialCancel || c.fullCancel, 'no cancel'),
    async run(s) {
      const { transactionId } = await s.seedCardPayment({ amount: 10_000 })
      faultOnCancel(s, { kind: 'other_amount', delta: -1_000 })
      await expectUnknown(
        s.provider.cancel(cancelOf(s, transactionId, 'amt', 4_000)),
        'a cancel whose answer names 1,000 less than was asked',
      )
    },
  },
  {
    name: 'the same long cancelId never cancels twice, and two long ids are two cancels',
    skip: (c) => needs(c.cancelDedup && c.partialCancel, 'the PG has no duplicate guard for cancels'),
    async run(s) {
      const { transactionId } = await s.seedCardPayment({ amount: 10_000 })
      // Longer than PGs take as is (adapters hash or shorten such ids), differing only in the last character.
      const stem = `${cancelId('long')}-${'x'.repeat(100)}`.slice(0, 99)
      const req = { transactionId, amount: 2_000, reason: '중복 방지', cancelId: `${stem}a` }
      assertCancelled(await s.provider.cancel(req), 2_000, 'first send')
      try {
        const again = await s.provider.cancel(req)
        assert.equal(again.status, 'cancelled', 'a replay may only report the same cancel')
      } catch (err) {
        assert.ok(isPaymentError(err), String(err))
        assert.ok(
          ['duplicate_request', 'already_cancelled'].includes(err.code),
          `a replay must be refused as a duplicate, got ${err.code}`,
        )
      }
      assert.equal((await s.inspect(transactionId)).cancelCount, 1, 'the replay moved nothing')
      assertCancelled(
        await s.provider.cancel({ ...req, cancelId: `${stem}b` }),
        2_000,
        'another long id with the same beginning',
      )
      const st = await s.inspect(transactionId)
      assert.equal(st.cancelledAmount, 4_000, 'two cancels, each once')
      assert.equal(st.cancelCount, 2)
    },
  },
]
