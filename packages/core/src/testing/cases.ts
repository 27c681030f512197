import assert from 'node:assert/strict'
import type { PaymentProvider } from '../contract.js'
import { isPaymentError } from '../errors.js'
import type { Fault } from '../simulator/faults.js'
import type { ConformanceCase, ConformanceSetup } from './harness.js'
import {
  assertCancelled,
  cancelId,
  DEFAULT_REFUND,
  expectCode,
  expectError,
  faultOnCancel,
  needs,
  sleep,
} from './helpers.js'
import { checkoutCases } from './checkout-cases.js'
import { moneyCases } from './money-cases.js'

/** An unknown-outcome fault on a cancel: never a rejection, and the PG did execute it. */
async function unknownAfterExecute(s: ConformanceSetup, fault: Fault, waitMs = 0) {
  const { transactionId } = await s.seedCardPayment({ amount: 10_000 })
  faultOnCancel(s, fault)
  const err = await expectError(
    s.provider.cancel({ transactionId, reason: 'conformance', cancelId: cancelId('unk'), amount: 10_000 }),
    'cancel with a spoiled answer',
  )
  assert.equal(
    err.outcome,
    'unknown',
    `a spoiled answer after execution must be unknown, got ${err.code}/${err.outcome}`,
  )
  if (waitMs) await sleep(waitMs)
  const st = await s.inspect(transactionId)
  assert.equal(st.cancelledAmount, 10_000, 'the simulator executed the cancel')
  return err
}

export const conformanceCases: ConformanceCase[] = [
  {
    name: 'full cancel',
    skip: (c) => needs(c.fullCancel, 'no full cancel'),
    async run(s) {
      const { transactionId } = await s.seedCardPayment({ amount: 10_000 })
      const r = await s.provider.cancel({ transactionId, reason: '고객 요청', cancelId: cancelId('full') })
      assertCancelled(r, 10_000, 'full cancel')
      if (r.status === 'cancelled' && r.remainingAmount !== undefined) assert.equal(r.remainingAmount, 0)
      assert.equal((await s.inspect(transactionId)).cancelledAmount, 10_000)
    },
  },
  {
    name: 'partial cancels until the balance is exhausted',
    skip: (c) => needs(c.partialCancel, 'no partial cancel'),
    async run(s) {
      const { transactionId } = await s.seedCardPayment({ amount: 10_000 })
      let remaining = 10_000
      for (const amount of [3_000, 3_000, 4_000]) {
        const r = await s.provider.cancel({
          transactionId,
          amount,
          reason: '부분 취소',
          cancelId: cancelId('part'),
          paymentAmount: 10_000,
        })
        remaining -= amount
        assertCancelled(r, amount, `partial cancel of ${amount}`)
        if (r.status === 'cancelled' && r.remainingAmount !== undefined)
          assert.equal(r.remainingAmount, remaining, 'remainingAmount')
      }
      const st = await s.inspect(transactionId)
      assert.equal(st.cancelledAmount, 10_000)
      assert.equal(st.cancelCount, 3)
      await expectCode(
        s.provider.cancel({ transactionId, amount: 2_000, reason: 'more', cancelId: cancelId('part') }),
        ['amount_exceeds_cancellable', 'already_cancelled'],
        'a cancel on an exhausted payment',
      )
      assert.equal((await s.inspect(transactionId)).cancelledAmount, 10_000)
    },
  },
  {
    name: 'over-cancel is rejected and moves nothing',
    skip: (c) => needs(c.partialCancel, 'no partial cancel'),
    async run(s) {
      const { transactionId } = await s.seedCardPayment({ amount: 5_000 })
      const err = await expectCode(
        s.provider.cancel({ transactionId, amount: 6_000, reason: 'too much', cancelId: cancelId('over') }),
        'amount_exceeds_cancellable',
        'cancelling more than was paid',
      )
      assert.equal(err.outcome, 'rejected')
      assert.equal((await s.inspect(transactionId)).cancelledAmount, 0)
    },
  },
  {
    name: 'cancel of an already cancelled payment',
    skip: (c) => needs(c.fullCancel, 'no full cancel'),
    async run(s) {
      const { transactionId } = await s.seedCardPayment({ amount: 7_000 })
      await s.provider.cancel({ transactionId, reason: 'first', cancelId: cancelId('dup1') })
      const err = await expectCode(
        s.provider.cancel({ transactionId, reason: 'second', cancelId: cancelId('dup2') }),
        ['already_cancelled', 'amount_exceeds_cancellable'],
        'cancelling a cancelled payment',
      )
      assert.equal(err.outcome, 'rejected')
      const st = await s.inspect(transactionId)
      assert.equal(st.cancelledAmount, 7_000)
      assert.equal(st.cancelCount, 1)
    },
  },
  {
    name: 'the same cancelId never cancels twice',
    skip: (c) => needs(c.cancelDedup && c.partialCancel, 'the PG has no duplicate guard for cancels'),
    async run(s) {
      const { transactionId } = await s.seedCardPayment({ amount: 10_000 })
      const id = cancelId('same')
      const req = { transactionId, amount: 2_000, reason: '중복 방지', cancelId: id }
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
      const st = await s.inspect(transactionId)
      assert.equal(st.cancelledAmount, 2_000, 'the PG moved the money once')
      assert.equal(st.cancelCount, 1)
    },
  },
  {
    name: 'a deposited virtual account needs a refund account',
    skip: (c, s) => needs(c.refundAccount && !!s.seedVirtualAccountPayment, 'no refunds to bank accounts'),
    async run(s) {
      const { transactionId } = await s.seedVirtualAccountPayment!({ amount: 20_000, deposited: true })
      const err = await expectCode(
        s.provider.cancel({ transactionId, reason: '환불', cancelId: cancelId('va') }),
        'refund_account_required',
        'refund without an account',
      )
      assert.equal(err.outcome, 'rejected')
      assert.equal((await s.inspect(transactionId)).cancelledAmount, 0)
      const r = await s.provider.cancel({
        transactionId,
        reason: '환불',
        cancelId: cancelId('va'),
        refundAccount: s.refundAccount ?? DEFAULT_REFUND,
      })
      assertCancelled(r, 20_000, 'refund to an account')
      assert.equal((await s.inspect(transactionId)).cancelledAmount, 20_000)
    },
  },
  {
    name: 'a waiting virtual account is cancelled without a refund account',
    skip: (_c, s) => needs(!!s.seedVirtualAccountPayment, 'no virtual-account payments in the simulator'),
    async run(s) {
      const { transactionId } = await s.seedVirtualAccountPayment!({ amount: 15_000, deposited: false })
      const r = await s.provider.cancel({ transactionId, reason: '미입금 취소', cancelId: cancelId('va0') })
      assert.equal(r.status, 'cancelled')
    },
  },
  {
    name: 'billing key: issue, charge, delete, then charging fails',
    skip: (c, s) => needs(c.billingKeys && !!s.testCard, 'no billing keys'),
    async run(s) {
      const card = s.testCard!
      const issued = await s.provider.issueBillingKey({
        card,
        requestId: cancelId('bk'),
        buyer: { name: '홍길동' },
      })
      assert.ok(issued.billingKey.length > 0, 'billing key')
      const text = JSON.stringify(issued)
      assert.ok(!text.includes(card.number), 'the result never carries the card number')
      if (card.passwordPrefix) assert.ok(!/"passwordPrefix"/.test(text))
      const charge = await s.provider.chargeBillingKey({
        billingKey: issued.billingKey,
        orderId: cancelId('order'),
        amount: 1_004,
        goodsName: '정기구독',
      })
      assert.equal(charge.status, 'paid')
      assert.equal(charge.amount, 1_004)
      assert.ok(charge.transactionId.length > 0)
      await s.provider.deleteBillingKey({ billingKey: issued.billingKey, requestId: cancelId('del') })
      await expectCode(
        s.provider.chargeBillingKey({
          billingKey: issued.billingKey,
          orderId: cancelId('order'),
          amount: 1_004,
          goodsName: '정기구독',
        }),
        'billing_key_invalid',
        'charging a deleted key',
      )
    },
  },
  {
    name: 'virtual account: issue, then cancel before deposit',
    skip: (c) => needs(c.virtualAccounts, 'no virtual-account issue'),
    async run(s) {
      const due = new Date(Date.now() + 3 * 86400_000).toISOString().slice(0, 10)
      const va = await s.provider.issueVirtualAccount({
        orderId: cancelId('vaorder'),
        amount: 12_000,
        goodsName: '가상계좌 상품',
        bankCode: '004',
        dueDate: due,
        depositorName: '홍길동',
      })
      assert.ok(va.accountNumber.length >= 6, 'account number')
      assert.equal(va.amount, 12_000)
      assert.equal(va.bankCode, '004')
      const r = await s.provider.cancel({
        transactionId: va.transactionId,
        reason: '발급 취소',
        cancelId: cancelId('vac'),
      })
      assert.equal(r.status, 'cancelled')
    },
  },
  {
    name: 'a timeout after the PG executed is unknown, never rejected',
    async run(s, h) {
      const err = await unknownAfterExecute(s, { kind: 'delay', ms: h.timeoutMs * 3 }, h.timeoutMs * 3)
      assert.equal(err.code, 'timeout')
    },
  },
  {
    name: 'a connection dropped after the PG executed is unknown',
    async run(s) {
      await unknownAfterExecute(s, { kind: 'drop' })
    },
  },
  {
    name: 'an unreadable answer after the PG executed is unknown',
    async run(s) {
      const err = await unknownAfterExecute(s, { kind: 'malformed' })
      assert.equal(err.code, 'invalid_response')
    },
  },
  {
    name: 'a 5xx without a PG answer is unknown, not a rejection',
    async run(s) {
      const { transactionId } = await s.seedCardPayment({ amount: 3_000 })
      faultOnCancel(s, { kind: 'status', status: 500, body: 'Internal Server Error' })
      const err = await expectError(
        s.provider.cancel({ transactionId, reason: 'x', cancelId: cancelId('5xx') }),
        '5xx',
      )
      assert.equal(err.outcome, 'unknown', `got ${err.code}/${err.outcome}`)
    },
  },
  {
    name: 'an HTML error page instead of the protocol is unknown',
    async run(s) {
      const { transactionId } = await s.seedCardPayment({ amount: 3_000 })
      faultOnCancel(s, { kind: 'html' })
      const err = await expectError(
        s.provider.cancel({ transactionId, reason: 'x', cancelId: cancelId('html') }),
        'html',
      )
      assert.equal(err.code, 'invalid_response')
      assert.equal(err.outcome, 'unknown')
    },
  },
  {
    name: 'a badly signed answer is signature_mismatch with an unknown outcome',
    skip: (c) => needs(c.signedResponses, 'the PG does not sign its answers'),
    async run(s) {
      const err = await unknownAfterExecute(s, { kind: 'bad_signature' })
      assert.equal(err.code, 'signature_mismatch')
    },
  },
  {
    name: 'a mis-encoded answer is read correctly or reported unknown, never as a rejection',
    async run(s) {
      const { transactionId } = await s.seedCardPayment({ amount: 8_000 })
      faultOnCancel(s, { kind: 'mis_encoded' })
      try {
        const r = await s.provider.cancel({ transactionId, reason: '인코딩', cancelId: cancelId('enc') })
        assertCancelled(r, 8_000, 'a tolerant read')
      } catch (err) {
        assert.ok(isPaymentError(err), String(err))
        assert.equal(err.outcome, 'unknown', `got ${err.code}/${err.outcome}`)
      }
      assert.equal((await s.inspect(transactionId)).cancelledAmount, 8_000)
    },
  },
  {
    name: 'an unreachable PG is provider_unavailable and rejected',
    skip: (_c, s) => needs(!!s.unreachableProvider, 'the harness gives no unreachable provider'),
    async run(s) {
      const err = await expectCode(
        s.unreachableProvider!.cancel({
          transactionId: 'T0000000000',
          reason: 'x',
          cancelId: cancelId('down'),
        }),
        'provider_unavailable',
        'nothing listens',
      )
      assert.equal(err.outcome, 'rejected')
    },
  },
  {
    name: 'invalid requests fail before any call to the PG',
    async run(s) {
      const { transactionId } = await s.seedCardPayment({ amount: 5_000 })
      const before = s.faults.calls
      const bad: Array<[string, Parameters<PaymentProvider['cancel']>[0]]> = [
        ['amount', { transactionId, amount: -1, reason: 'x', cancelId: cancelId('bad') }],
        ['amount', { transactionId, amount: 1.5, reason: 'x', cancelId: cancelId('bad') }],
        ['amount', { transactionId, amount: 10 ** 13, reason: 'x', cancelId: cancelId('bad') }],
        ['cancelId', { transactionId, amount: 100, reason: 'x', cancelId: '' }],
        ['reason', { transactionId, amount: 100, reason: '', cancelId: cancelId('bad') }],
        ['transactionId', { transactionId: '', amount: 100, reason: 'x', cancelId: cancelId('bad') }],
      ]
      for (const [param, req] of bad) {
        const err = await expectCode(s.provider.cancel(req), 'invalid_request', `bad ${param}`)
        assert.equal(err.param?.split('.')[0], param, `the error names ${param}`)
      }
      assert.equal(s.faults.calls, before, 'no call reached the PG')
      assert.equal((await s.inspect(transactionId)).cancelledAmount, 0)
    },
  },
  {
    name: 'cancel of an unknown transaction is transaction_not_found',
    async run(s) {
      const err = await expectCode(
        s.provider.cancel({
          transactionId: 'NOSUCHTX0000000000000000000000',
          amount: 2_000,
          reason: 'x',
          cancelId: cancelId('nf'),
        }),
        'transaction_not_found',
        'unknown transaction',
      )
      assert.equal(err.outcome, 'rejected')
    },
  },
  {
    name: 'lookup reports amounts after a cancel',
    skip: (c) => needs(c.paymentLookup, 'no payment lookup'),
    async run(s) {
      const { transactionId } = await s.seedCardPayment({ amount: 10_000 })
      const partial = s.provider.capabilities.partialCancel
      await s.provider.cancel({
        transactionId,
        reason: 'x',
        cancelId: cancelId('lk'),
        ...(partial ? { amount: 4_000 } : {}),
      })
      const t = await s.provider.getTransaction(transactionId)
      assert.equal(t.transactionId, transactionId)
      assert.equal(t.amount, 10_000)
      assert.equal(t.cancelledAmount, partial ? 4_000 : 10_000)
      assert.equal(t.cancellableAmount, partial ? 6_000 : 0)
      assert.equal(t.status, partial ? 'partial_cancelled' : 'cancelled')
      await expectCode(
        s.provider.getTransaction('NOSUCHTX0000000000000000000000'),
        'transaction_not_found',
        'lookup of nothing',
      )
    },
  },
  {
    name: 'post-deposit cancel: deposit_required, then cancelled after the deposit',
    skip: (c, s) =>
      needs(c.postDepositCancel && !!s.seedSettledPayment && !!s.completeDeposit, 'no post-deposit cancel'),
    async run(s) {
      const { transactionId } = await s.seedSettledPayment!({ amount: 30_000 })
      const r = await s.provider.cancel({ transactionId, reason: '정산 후 취소', cancelId: cancelId('pdc') })
      assert.equal(r.status, 'deposit_required')
      if (r.status !== 'deposit_required') return
      assert.equal(r.deposit.cancelAmount, 30_000)
      assert.ok(r.deposit.depositAmount > 0)
      assert.ok(r.deposit.accountNumber.length > 0)
      assert.equal(
        (await s.inspect(transactionId)).cancelledAmount,
        0,
        'nothing is cancelled before the deposit',
      )
      await s.completeDeposit!(transactionId)
      assert.equal((await s.inspect(transactionId)).cancelledAmount, 30_000)
    },
  },
  {
    name: 'operations outside the capabilities fail with unsupported_operation',
    async run(s) {
      const c = s.provider.capabilities
      if (!c.billingKeys) {
        await expectCode(
          s.provider.deleteBillingKey({ billingKey: 'x' }),
          'unsupported_operation',
          'billing keys are declared unsupported',
        )
      }
      if (!c.virtualAccounts) {
        await expectCode(
          s.provider.issueVirtualAccount({
            orderId: 'o',
            amount: 1000,
            goodsName: 'g',
            bankCode: '004',
            dueDate: '2099-01-01',
          }),
          'unsupported_operation',
          'virtual accounts are declared unsupported',
        )
      }
      if (!c.paymentLookup) {
        await expectCode(
          s.provider.getTransaction('x'),
          'unsupported_operation',
          'lookup is declared unsupported',
        )
      }
    },
  },
  ...moneyCases,
  ...checkoutCases,
]
