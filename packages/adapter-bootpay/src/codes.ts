import type { CodeMapping, CodeTable, PaymentMethod, TransactionStatus } from '@paymux/core'

/**
 * Bootpay result codes as data. Bootpay documents very few exact values (see the package README): the names
 * below marked "documented" come from Bootpay's own live-test report or manuals. The others are guesses for
 * situations Bootpay names without giving a code, the same guesses the simulator answers by default (its
 * `errors` setting says where each came from): should Bootpay answer another code, it falls through like any
 * unknown one, to `provider_rejected` with the raw code and message, and is unknown on a money-moving call.
 */

/** v2 `error_code` strings. */
export const V2_ERROR_CODES: CodeTable = {
  // documented
  RC_NOT_FOUND: { code: 'transaction_not_found' },
  RC_ALREADY_CANCELLED: { code: 'already_cancelled' },
  RC_REQUEST_FAILED: { code: 'provider_rejected' },
  RC_CONFIRM_FAILED: { code: 'provider_rejected' },
  RC_NOT_SUBSCRIBE: { code: 'billing_key_invalid' },
  RC_INVALID_EXP_MONTH: { code: 'invalid_request' },
  SUBSCRIBE_BK_EXPIRED: { code: 'billing_key_invalid' },
  SUBSCRIBE_PUBLISH_FAILED: { code: 'card_declined' },
  TOKEN_KEY_INVALID: { code: 'authentication_failed' },
  APP_KEY_NOT_FOUND: { code: 'authentication_failed' },
  APP_CLIENT_KEY_NOT_FOUND: { code: 'authentication_failed' },
  APP_SK_NOT_MATCHED: { code: 'authentication_failed' },
  SERVER_ERROR: { code: 'provider_unavailable', outcome: 'unknown', retryable: false },
  // guessed: situations Bootpay names without an exact code (invented spellings, shared with the simulator)
  RC_CANCEL_PRICE_OVER: { code: 'amount_exceeds_cancellable' },
  RC_PARTIAL_CANCEL_NOT_SUPPORTED: { code: 'partial_cancel_unsupported' },
  RC_CANCEL_PRICE_INVALID: { code: 'invalid_request' },
  RC_CANCEL_ID_DUPLICATED: { code: 'duplicate_request' },
  RC_PARTIAL_CANCEL_DUPLICATED: { code: 'duplicate_request' },
  RC_REFUND_ACCOUNT_REQUIRED: { code: 'refund_account_required' },
  RC_REFUND_ACCOUNT_INVALID: { code: 'invalid_request' },
  RC_INVALID_PARAMETER: { code: 'invalid_request' },
  RC_CARD_DECLINED: { code: 'card_declined' },
}

/** v1 envelope `code` values (negative on error). Both signs are listed: sources disagree on the sign. */
const v1 = (codes: string[], m: CodeMapping): Record<string, CodeMapping> =>
  Object.fromEntries(codes.flatMap((c) => [[c, m] as const, [String(-Number(c)), m] as const]))

export const V1_ERROR_CODES: CodeTable = {
  // unattributed in Bootpay's assistant docs (-100 APPLICATION_ID_INVALID, -200 TOKEN_EXPIRED, 3708, 3710)
  ...v1(['-100'], { code: 'authentication_failed' }),
  ...v1(['-200'], { code: 'authentication_failed' }),
  ...v1(['-3708'], { code: 'already_cancelled' }),
  ...v1(['-3710'], { code: 'amount_exceeds_cancellable' }),
  // "not found" (Bootpay's live-test report, unknown application id; the simulator uses it for receipts too)
  ...v1(['-2410'], { code: 'transaction_not_found' }),
  // the simulator's spelling for situations the v1 manual names without a code
  ...v1(['-3711'], { code: 'partial_cancel_unsupported' }),
  ...v1(['-3712'], { code: 'duplicate_request' }),
  ...v1(['-3713'], { code: 'invalid_request' }),
  ...v1(['-3714'], { code: 'duplicate_request' }),
  ...v1(['-3720'], { code: 'refund_account_required' }),
  ...v1(['-3721'], { code: 'invalid_request' }),
  ...v1(['-4100'], { code: 'billing_key_invalid' }),
  ...v1(['-4101'], { code: 'card_declined' }),
  ...v1(['-1000'], { code: 'invalid_request' }),
  // the PG refused a confirm (`/submit`): v2's RC_CONFIRM_FAILED, in the simulator's v1 spelling
  ...v1(['-4201'], { code: 'provider_rejected' }),
}

/** v1: when the code is not in the table, the envelope `status` (= HTTP status) still says something. */
export const V1_STATUS_FALLBACK: Readonly<Record<number, CodeMapping>> = {
  401: { code: 'authentication_failed' },
  403: { code: 'authentication_failed' },
  404: { code: 'transaction_not_found' },
}

/**
 * "기취소된 건입니다" (seed 003: a payment the PG cancelled itself, by its test-mode scheduler or its console, answers
 * a Bootpay cancel with this). The only "already cancelled" wording Bootpay documents; read only under a code in
 * GENERIC_PG_REFUSALS.
 */
export const ALREADY_CANCELLED_MESSAGE = /기\s*취소\s*된\s*건/

/**
 * Codes that say only "the PG refused; see its message": v2's documented RC_REQUEST_FAILED, and v1's 1204 ("PG
 * error" in Bootpay's assistant docs, sign unattributed).
 */
export const GENERIC_PG_REFUSALS: ReadonlySet<string> = new Set(['RC_REQUEST_FAILED', '-1204', '1204'])

/**
 * A confirm of a receipt that is not awaiting one (bootpay.md §9): already confirmed, lapsed or failed. Whatever it
 * means is read from the receipt, never from the code. v2's documented string; v1's in the simulator's spelling.
 */
export const NOT_CONFIRM_READY: ReadonlySet<string> = new Set(['RC_NOT_CONFIRM_READY', '-4200', '4200'])

/** Answers that mean "this token is no longer good": drop it, fetch a new one, try once more. */
export const V2_TOKEN_REJECTED = new Set(['TOKEN_KEY_INVALID'])
export const V1_TOKEN_REJECTED = new Set(['-200', '200'])

/**
 * KFTC bank code → Bootpay bank code. Bootpay uses the KFTC 3-digit codes (its PHP SDK `BankCode` table and its
 * assistant docs); the ones those sources list are marked, the rest follow the same KFTC numbering.
 */
export const KFTC_TO_BOOTPAY_BANK: Readonly<Record<string, string>> = {
  '002': '002',
  '003': '003', // listed
  '004': '004', // listed
  '007': '007',
  '011': '011', // listed
  '012': '012',
  '020': '020', // listed
  '023': '023', // listed
  '027': '027',
  '031': '031', // listed (PHP table; the assistant docs say 032, which is Busan's code)
  '032': '032', // listed
  '034': '034', // listed
  '035': '035',
  '037': '037',
  '039': '039', // listed
  '045': '045',
  '048': '048',
  '050': '050',
  '064': '064',
  '071': '071', // listed
  '081': '081', // listed
  '088': '088', // listed
  '089': '089', // listed
  '090': '090', // listed
  '092': '092',
}

/** Receipt `status` → neutral status (v1 manual `code/status.md`, v2 docs). Amounts refine it (see receipt.ts). */
export const RECEIPT_STATUS: Readonly<Record<string, TransactionStatus>> = {
  '0': 'ready',
  '1': 'paid',
  '2': 'ready',
  '3': 'ready',
  '5': 'waiting_for_deposit',
  '11': 'unknown',
  '12': 'unknown',
  '20': 'cancelled',
  '-1': 'failed',
  '-2': 'failed',
  '-3': 'cancelled',
  '-11': 'cancelled',
  '-20': 'paid',
  '-30': 'paid',
}

/** Bootpay method symbols (v1 `method`, v2 `method_symbol`) → neutral method. */
export const METHODS: Readonly<Record<string, PaymentMethod>> = {
  card: 'card',
  card_rebill: 'card',
  card_rebill_rest: 'card',
  digital_card: 'card',
  vbank: 'virtual_account',
  virtual_account: 'virtual_account',
  bank: 'bank_transfer',
  bank_transfer: 'bank_transfer',
  phone: 'phone',
  easy: 'easy_pay',
  easy_card: 'easy_pay',
  kakao: 'easy_pay',
  kakaopay: 'easy_pay',
  naverpay: 'easy_pay',
  npay: 'easy_pay',
  payco: 'easy_pay',
  toss: 'easy_pay',
}
