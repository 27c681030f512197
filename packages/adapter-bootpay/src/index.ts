export { Bootpay, type BootpayEnvironment, type BootpayOptions } from './bootpay.js'
export { BootpayClient, type Credentials } from './client.js'
export {
  KFTC_TO_BOOTPAY_BANK,
  METHODS,
  RECEIPT_STATUS,
  V1_ERROR_CODES,
  V1_STATUS_FALLBACK,
  V2_ERROR_CODES,
} from './codes.js'
export { toCancelId } from './transformers/cancel.js'
export { BOOTPAY_NOTIFICATION_IPS, ipAllowed } from './transformers/notification.js'
export type { ApiVersion } from './wire.js'
export { bootpayDescriptor, type BootpayAccountConfig } from './descriptor.js'
