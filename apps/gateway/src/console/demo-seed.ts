import { settlePayment } from '../ledger/payments.js'
import { importPayment } from '../operations/payment-ref.js'
import type { AccountRuntime, Runtime } from '../runtime.js'

/**
 * The demo's needs-review example, so the console's queue has something to resolve: a payment made at the PG
 * (seeded in its simulator), recorded from its lookup like any payment made elsewhere, then put in needs_review
 * through the ledger with a reason that says it is the demo's invention, not evidence the gateway gathered.
 */
export async function seedNeedsReview(
  rt: Runtime,
  merchantId: string,
  account: AccountRuntime,
  transactionId: string,
): Promise<string> {
  const ref = await importPayment(rt, merchantId, account, transactionId)
  await settlePayment(rt, rt.db, {
    payment: { id: ref.id, merchantId, transactionId },
    from: ['paid'],
    status: 'needs_review',
    patch: {
      review_reason: JSON.stringify({
        code: 'demo_example',
        message:
          'A demo example: the PG holds it as paid, so "check again now" in the console settles it; or resolve it with a note.',
      }),
    },
    event: 'payment.needs_review',
    now: rt.now(),
  })
  return ref.id
}
