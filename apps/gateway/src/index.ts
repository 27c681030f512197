export { createApp, type GatewayApp } from './app.js'
export {
  ConfigError,
  configSchema,
  type GatewayConfig,
  type GatewayConfigInput,
  loadConfigFile,
  parseConfig,
} from './config.js'
export { ApiKeyIndex, generateMasterKey, sha256Hex, Vault } from './crypto.js'
export { type Db, type DatabaseOptions, dropSchema, openDatabase } from './db/index.js'
export { type Demo, demoBanner, startDemo } from './demo.js'
export { ApiError, type ErrorBody } from './errors.js'
export { createGateway, type Gateway, type GatewayOptions } from './gateway.js'
export { createLogger } from './logger.js'
export {
  type AccountConfig,
  type AnyDescriptor,
  defaultProviderFactory,
  PROVIDERS,
  type ProviderFactory,
  providerFactory,
} from './providers.js'
export { deliverDueEvents } from './webhooks/outbox.js'
export {
  generateWebhookSecret,
  verifyWebhook,
  WebhookVerificationError,
  webhookHeaders,
} from '@paymux/webhooks'
export { reconcileOnce } from './workers/reconciler.js'
export { startWorkers, type WorkerOptions, type Workers } from './workers/index.js'
