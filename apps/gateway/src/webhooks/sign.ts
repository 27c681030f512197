// Signing lives next to verifying in @paymux/webhooks: one implementation of the scheme.
export { generateWebhookSecret, webhookHeaders } from '@paymux/webhooks'
