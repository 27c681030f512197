// How an approval's end is read into the ledger, on its own: the request path and the reconciler both use it.
import { expect, it } from 'vitest'
import { ApiError } from '../errors.js'
import { checkoutEndOf } from '../operations/approve-checkout.js'

const expected = { orderId: 'o-1', amount: 15_000, method: 'card' as const }
const refused = (code: 'duplicate_request' | 'card_declined') => ({
  kind: 'rejected' as const,
  failure: { code, message: 'x' },
  error: new ApiError(409, { type: 'provider_error', code, message: 'x' }),
})

it('an approval the PG calls a duplicate (already approved) is no refusal: pending, for the lookup to decide', () => {
  expect(checkoutEndOf({ approve: refused('duplicate_request') }, expected)).toMatchObject({
    status: 'pending',
    state: 'unknown',
  })
  expect(checkoutEndOf({ approve: refused('card_declined') }, expected)).toMatchObject({
    status: 'failed',
    state: 'rejected',
    event: 'payment.failed',
  })
})
