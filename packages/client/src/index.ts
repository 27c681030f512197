export {
  type CallOptions,
  type Cancellation,
  type CreateCancellation,
  createPaymuxClient,
  type PaymuxClient,
  type PaymuxClientOptions,
  type RequestBody,
  type SuccessBody,
} from './client.js'
export { isPaymuxError, PaymuxConnectionError, PaymuxError, type PaymuxErrorBody } from './errors.js'
export type { components, paths } from './generated/openapi.js'
export { idempotentFetch, type RetryOptions, retryAfterMs } from './retry.js'
// The webhook verifier, so one dependency serves both directions of the API.
export {
  verifyWebhook,
  type WebhookHeaders,
  type WebhookPayload,
  WebhookVerificationError,
  type WebhookVerificationReason,
} from '@paymux/webhooks'
