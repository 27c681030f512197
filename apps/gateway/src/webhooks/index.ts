// The package's `@paymux/gateway/webhooks` entry: the verifier and signer of @paymux/webhooks, which merchants
// may install alone. The gateway's own modules import @paymux/webhooks directly.
export * from '@paymux/webhooks'
