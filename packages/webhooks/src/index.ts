export { generateWebhookSecret, webhookHeaders } from './sign.js'
export {
  secretKey,
  sign,
  verifyWebhook,
  type WebhookHeaders,
  type WebhookPayload,
  WebhookVerificationError,
  type WebhookVerificationReason,
} from './verify.js'
