// The verifier lives in @paymux/webhooks so merchants (and @paymux/client) get it without the gateway.
export * from '@paymux/webhooks'
