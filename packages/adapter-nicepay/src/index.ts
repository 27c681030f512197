export { KFTC_TO_NICEPAY, NICEPAY_TO_KFTC, NICEPAY_VBANK_BANKS } from './banks.js'
export { NICEPAY_CODES, nicepayError, SUCCESS as NICEPAY_SUCCESS_CODES } from './codes.js'
export { decryptEncData, encryptEncData, sha256Hex, signData } from './crypto.js'
export {
  assertEucKrText,
  encodeForm,
  eucKrLength,
  firstNonEucKr,
  javaUrlEncodeEucKr,
  parseForm,
} from './encoding.js'
export { NICEPAY_CARD_CANCEL_URL, NICEPAY_WEBAPI_URL, NicePay, type NicePayOptions } from './nicepay.js'
export { nicepayCapabilities } from './capabilities.js'
export {
  NICEPAY_APPROVAL_ORIGINS,
  NICEPAY_PGWEB_SCRIPT,
  NICEPAY_WINDOW_ORIGINS,
} from './checkout-hosts.js'
export { cancelMoid } from './transformers/cancel.js'
export { lookupExcludesFullCancel, lookupNamesCancel } from './transformers/lookup.js'
export { NICEPAY_NOTIFICATION_IPS } from './transformers/notification.js'
export { defaultTidGenerator, type TidGenerator } from './tid.js'
export { decodeAnswer, type NicePayAnswer } from './wire.js'
export { nicepayDescriptor, type NicePayAccountConfig } from './descriptor.js'
