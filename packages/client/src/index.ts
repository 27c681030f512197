export {
  type Account,
  type BillingKey,
  type CallOptions,
  type Cancellation,
  type CreateBillingKey,
  type CreateCancellation,
  type CreateCharge,
  type CreatePayment,
  type CreateVirtualAccount,
  createPaymuxClient,
  type Event,
  type MerchantOperation,
  type Payment,
  type PaymuxClient,
  type PaymuxClientOptions,
  type Query,
  type RequestBody,
  type SuccessBody,
} from './client.js'
export { isPaymuxError, PaymuxConnectionError, PaymuxError, type PaymuxErrorBody } from './errors.js'
export type { components, operations, paths } from './generated/openapi.js'
export type { List, Page, PagePromise } from './pages.js'
export { idempotentFetch, type RetryOptions, retryAfterMs } from './retry.js'
// The webhook verifier, so one dependency serves both directions of the API.
export {
  verifyWebhook,
  type WebhookHeaders,
  type WebhookPayload,
  WebhookVerificationError,
  type WebhookVerificationReason,
} from '@paymux/webhooks'
