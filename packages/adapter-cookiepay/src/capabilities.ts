import type { ProviderCapabilities } from '@paymux/core'

/** What CookiePay can do through this adapter, and why the rest is off. */
export const COOKIEPAY_CAPABILITIES: ProviderCapabilities = {
  fullCancel: true,
  partialCancel: true,
  refundAccount: true,
  taxFreeAmount: false,
  billingKeys: false,
  virtualAccounts: false,
  paymentLookup: true,
  notifications: true,
  postDepositCancel: true,
  cancelDedup: false,
  chargeDedup: false,
  signedResponses: false,
  checkoutMethods: ['card', 'virtual_account'],
  checkoutNetCancel: false,
  checkoutChargesInWindow: true,
  orderLookup: true,
  notes: {
    refundAccount:
      'CookiePay refunds to an account only for Toss virtual accounts; other PGs refuse VA cancels',
    taxFreeAmount: 'the cancel API has no tax-free field',
    billingKeys:
      'CookiePay publishes no standalone "charge a billing key" call; billkeygen always charges a first amount and ' +
      'recurrence_request_payment only replays a registered schedule, so the neutral operations cannot be faithful',
    virtualAccounts:
      'CookiePay issues virtual accounts only through its payment window (a virtual_account checkout), not by a server call',
    checkoutNetCancel:
      'CookiePay has no network cancel: an approval the host refuses is undone with a full cancel once paycert shows it',
    cancelDedup: 'CookiePay takes no per-cancel id; the gateway idempotency layer must guard retries',
    signedResponses:
      'CookiePay signs neither answers nor notifications; a notification is read into a hint the host looks up',
  },
}
