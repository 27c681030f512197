import type { ProviderCapabilities } from '@paymux/core'

/** What the account's NicePay contract adds to what the adapter can do. */
export interface NicePayContract {
  /** The separate contract for the Moid duplicate-cancel guard (seed 000, `Moid`: "별도 계약 필요"). */
  cancelDuplicateGuard: boolean
}

/** Capabilities per account: a fresh object per adapter instance, so two accounts never share one. */
export function nicepayCapabilities(contract: NicePayContract): ProviderCapabilities {
  return {
    fullCancel: true,
    partialCancel: true,
    refundAccount: true,
    taxFreeAmount: false,
    billingKeys: true,
    virtualAccounts: true,
    paymentLookup: true,
    notifications: true,
    postDepositCancel: false,
    cancelDedup: contract.cancelDuplicateGuard,
    chargeDedup: false,
    signedResponses: true,
    checkoutMethods: ['card', 'virtual_account'],
    checkoutNetCancel: true,
    checkoutChargesInWindow: false,
    orderLookup: false,
    notes: {
      ...(contract.cancelDuplicateGuard
        ? {}
        : {
            cancelDedup:
              "NicePay refuses a second cancel with the same Moid only under a separate contract (seed 000, Moid: '별도 계약 필요'); without cancelDuplicateGuard a re-sent cancel may execute twice",
          }),
      chargeDedup:
        'billing_approve guards the merchant-made TID (1651), not the order id, and the adapter makes a fresh TID per call; no source says NicePay refuses a second approve with the same Moid',
      paymentLookup:
        "inquery/trans_status.jsp reports no amounts (amount, cancelledAmount and cancellableAmount stay undefined): only a state (1 cancelled; 0 approved, reported as unknown since it does not exclude a partial cancel, except for a virtual account, where 0 means deposited and is paid; 9 not found, and for a virtual account, like ResultCode 4109 입금대기상태, waiting_for_deposit) and, where NicePay sends them, the last cancel's CancelDate and CancelMOID",
      taxFreeAmount: 'tax-split cancels (TaxFreeAmt and friends) are not wired yet',
      postDepositCancel: 'NicePay cancels execute directly; no merchant deposit step exists',
      orderLookup:
        'the legacy webapi documents no lookup by Moid: inquery/trans_status.jsp takes a TID only (manual-status); the find-by-orderId call belongs to the separate REST API (api.nicepay.co.kr/v1), another product with other credentials',
    },
  }
}
