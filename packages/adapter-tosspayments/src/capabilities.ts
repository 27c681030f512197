import type { ProviderCapabilities } from '@paymux/core'

/** What Toss Payments can do through this adapter, and why the rest is off. */
export const TOSS_CAPABILITIES: ProviderCapabilities = {
  fullCancel: true,
  partialCancel: true,
  refundAccount: true,
  taxFreeAmount: true,
  billingKeys: true,
  virtualAccounts: true,
  paymentLookup: true,
  notifications: true,
  postDepositCancel: false,
  cancelDedup: true,
  chargeDedup: true,
  signedResponses: false,
  checkoutMethods: ['card', 'virtual_account'],
  checkoutNetCancel: false,
  checkoutChargesInWindow: false,
  orderLookup: true,
  notes: {
    cancelDedup:
      'every cancel carries an Idempotency-Key derived from its cancelId; Toss answers a re-send with the same key ' +
      'with the first answer instead of cancelling again, for 15 days, keyed on key + API key + URL + method (not ' +
      'the body). Past 15 days a re-send is a new cancel: settle older unknown cancels from a lookup',
    chargeDedup:
      'Toss refuses a second charge with the same orderId (DUPLICATED_ORDER_ID), and the charge carries an ' +
      'Idempotency-Key derived from the orderId as well',
    postDepositCancel: 'Toss cancels paid-out payments itself; there is no merchant deposit step',
    checkoutNetCancel:
      'Toss has no network cancel: an approval whose answer was lost is settled from a lookup (never a second ' +
      'confirm), and one the host refuses is undone with a full cancel',
    signedResponses:
      'Toss signs no answer and no payment webhook (only payout/seller events); a webhook is a hint the host ' +
      'looks up, after a virtual-account secret check where one is stored',
  },
}
