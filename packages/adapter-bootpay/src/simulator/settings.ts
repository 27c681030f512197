/**
 * Everything the simulator does that Bootpay's documents leave open is a setting, with the reading this package
 * thinks most likely as the default.
 */
export type SimErrorKind =
  | 'not_found'
  | 'already_cancelled'
  | 'not_cancellable'
  | 'price_over'
  | 'partial_unsupported'
  | 'price_too_small'
  | 'cancel_id_duplicated'
  | 'partial_guard'
  | 'refund_required'
  | 'refund_invalid'
  | 'invalid_param'
  | 'bk_expired'
  | 'card_declined'
  | 'token_invalid'
  | 'app_invalid'
  | 'app_not_found'
  | 'client_key_not_found'
  | 'secret_key_mismatch'
  | 'pg_already_cancelled'
  | 'not_confirm_ready'
  | 'confirm_failed'

export interface SimErrorAnswer {
  http: number
  /** v1 envelope `code`. */
  v1: number
  /** v2 `error_code`. */
  v2: string
  message: string
}

/**
 * What the simulator answers for each failure: a setting (`errors`), since Bootpay documents few exact answers.
 * Each entry says which parts are documented (and where) and which are invented (and where the guess came from).
 * Across the board: every HTTP status is invented, guided by the v1 manual's meanings (400 bad request, 401 bad
 * token or keys, 404 not found, 500 server or PG failure); every message not quoted from a source is invented.
 */
export const DEFAULT_SIM_ERRORS: Record<SimErrorKind, SimErrorAnswer> = {
  // Documented: RC_NOT_FOUND (Bootpay's live-test report), v1 -2410 "not found" (same report, for an unknown
  // application id: reusing it for receipts is invented). Invented: the message (the SDK recording's recorder).
  not_found: { http: 404, v1: -2410, v2: 'RC_NOT_FOUND', message: '결제 정보를 찾을 수 없습니다.' },
  // Documented: RC_ALREADY_CANCELLED (live-test report). Invented: the message (the SDK recording's recorder); v1
  // -3708 guessed from Bootpay's assistant docs, which name "3708 CANCEL_ALREADY_DONE" without generation or sign.
  already_cancelled: {
    http: 400,
    v1: -3708,
    v2: 'RC_ALREADY_CANCELLED',
    message: '이미 취소된 결제건 입니다.',
  },
  // Invented throughout: Bootpay names no code for a receipt in a state that cannot be cancelled; the string takes
  // the documented RC_ prefix, the v1 code sits between the assistant docs' 3708 and 3710.
  not_cancellable: {
    http: 400,
    v1: -3709,
    v2: 'RC_NOT_CANCELLABLE',
    message: '취소할 수 없는 결제 상태입니다.',
  },
  // Invented: v2's string is the assistant docs' "3710 CANCEL_PRICE_OVER" (generation unstated) with the RC_
  // prefix, and v1 -3710 is that number with the negative sign of v1's documented codes; the message.
  price_over: {
    http: 400,
    v1: -3710,
    v2: 'RC_CANCEL_PRICE_OVER',
    message: '취소 금액이 취소 가능 금액보다 큽니다.',
  },
  // Invented throughout: the manual says partial cancels work only for some PGs ("일부 PG사만 가능") and names no
  // code; RC_ prefix, numbering after -3710.
  partial_unsupported: {
    http: 400,
    v1: -3711,
    v2: 'RC_PARTIAL_CANCEL_NOT_SUPPORTED',
    message: '부분취소를 지원하지 않는 PG사 또는 결제수단입니다.',
  },
  // Invented throughout: seed 003 states the rule ("1,000원보다 더 큰 값이어야 함") but not the answer to a breach.
  price_too_small: {
    http: 400,
    v1: -3713,
    v2: 'RC_CANCEL_PRICE_INVALID',
    message: '부분취소 금액은 1,000원보다 커야 합니다.',
  },
  // Invented throughout: seed 003 says a repeated cancel_id must not cancel again; what Bootpay answers (and
  // whether it answers an error at all: `duplicateCancelId`, `duplicateCancelIdOrder`) is not documented.
  cancel_id_duplicated: {
    http: 400,
    v1: -3712,
    v2: 'RC_CANCEL_ID_DUPLICATED',
    message: '이미 처리된 cancel_id 입니다.',
  },
  // Invented throughout: seed 003's 10-second per-receipt partial-cancel guard, with no answer documented.
  partial_guard: {
    http: 400,
    v1: -3714,
    v2: 'RC_PARTIAL_CANCEL_DUPLICATED',
    message: '동일한 결제건에 대해 10초 이내에 부분취소를 요청할 수 없습니다.',
  },
  // Invented throughout: the manual and assistant docs say a virtual-account refund needs the refund account (and
  // a CMS agreement), without an answer for its absence or a bad account.
  refund_required: {
    http: 400,
    v1: -3720,
    v2: 'RC_REFUND_ACCOUNT_REQUIRED',
    message: '환불 계좌 정보가 필요합니다.',
  },
  refund_invalid: {
    http: 400,
    v1: -3721,
    v2: 'RC_REFUND_ACCOUNT_INVALID',
    message: '환불 계좌 정보가 올바르지 않습니다.',
  },
  // Invented throughout: no generic "bad parameter" answer is documented.
  invalid_param: {
    http: 400,
    v1: -1000,
    v2: 'RC_INVALID_PARAMETER',
    message: '요청 값이 올바르지 않습니다.',
  },
  // Documented: SUBSCRIBE_BK_EXPIRED (live-test report). Invented: v1 -4100, the message.
  bk_expired: {
    http: 400,
    v1: -4100,
    v2: 'SUBSCRIBE_BK_EXPIRED',
    message: '만료되었거나 삭제된 빌링키입니다.',
  },
  // Documented: SUBSCRIBE_PUBLISH_FAILED for a billing-key issue the PG refuses (live-test report). Invented: v1
  // -4101, the message.
  card_declined: {
    http: 400,
    v1: -4101,
    v2: 'SUBSCRIBE_PUBLISH_FAILED',
    message: '카드 정보가 올바르지 않습니다.',
  },
  // Documented: TOKEN_KEY_INVALID with "ACCESS TOKEN 값을 확인해주세요" (assistant docs); v1 401 for a bad token (v1
  // manual). Guessed: v1 -200, the assistant docs' unattributed "-200 TOKEN_EXPIRED".
  token_invalid: { http: 401, v1: -200, v2: 'TOKEN_KEY_INVALID', message: 'ACCESS TOKEN 값을 확인해주세요.' },
  // Documented: APP_KEY_NOT_FOUND (live-test report). Guessed: v1 -100, the assistant docs' unattributed "-100
  // APPLICATION_ID_INVALID". Invented: the message.
  app_invalid: { http: 401, v1: -100, v2: 'APP_KEY_NOT_FOUND', message: '인증 정보가 올바르지 않습니다.' },
  // Documented: -2410 "not found" for an unknown application id, APP_KEY_NOT_FOUND (live-test report).
  app_not_found: { http: 404, v1: -2410, v2: 'APP_KEY_NOT_FOUND', message: 'not found' },
  // Documented: APP_CLIENT_KEY_NOT_FOUND, APP_SK_NOT_MATCHED (live-test report). Invented: v1 codes (v1 has no
  // client keys), the messages.
  client_key_not_found: {
    http: 401,
    v1: -100,
    v2: 'APP_CLIENT_KEY_NOT_FOUND',
    message: '클라이언트 키를 찾을 수 없습니다.',
  },
  secret_key_mismatch: {
    http: 401,
    v1: -100,
    v2: 'APP_SK_NOT_MATCHED',
    message: '시크릿 키가 일치하지 않습니다.',
  },
  // Documented: the message (seed 003: the PG's answer to a cancel of a payment it cancelled itself), and v2
  // relaying PG refusals as RC_REQUEST_FAILED. Guessed: v1 -1204, the assistant docs' unattributed "1204" PG error.
  pg_already_cancelled: {
    http: 400,
    v1: -1204,
    v2: 'RC_REQUEST_FAILED',
    message: '기취소된 건입니다',
  },
  // Documented: RC_NOT_CONFIRM_READY, RC_CONFIRM_FAILED (live-test report, bootpay.md §9). Invented: v1 -4200 and
  // -4201, the messages.
  not_confirm_ready: {
    http: 400,
    v1: -4200,
    v2: 'RC_NOT_CONFIRM_READY',
    message: '승인 대기 상태의 결제건이 아닙니다.',
  },
  confirm_failed: {
    http: 400,
    v1: -4201,
    v2: 'RC_CONFIRM_FAILED',
    message: '결제 승인에 실패했습니다.',
  },
}

/** What the window's Decline sends back (checkout.md §2.3: an `error` or `cancel` event with a code). */
export interface WindowDecline {
  event: 'error' | 'cancel'
  errorCode: string
  message: string
}

export interface BootpaySimulatorSettings {
  /** PGs whose card payments may be cancelled partially (the v1 manual's list). */
  partialCancelPgs: string[]
  /**
   * A partial `price` must be greater than this (the v1 manual: "1,000원보다 더 큰 값이어야 함"). Per API
   * generation; null turns the rule off. Invented for v2: whether v2 keeps the v1 manual's rule is not
   * documented, and the default assumes it does.
   */
  partialCancelMinExclusive: { v1: number | null; v2: number | null }
  /**
   * The per-receipt duplicate partial-cancel guard (10 s in seed 003; "활성화 후 사용": it must be activated).
   * null = off, the default. Invented: where it is switched on, and whether it applies with a cancel_id.
   */
  partialCancelGuardMs: number | null
  /**
   * A repeated `cancel_id`: refused with `errors.cancel_id_duplicated`, or answered with the receipt again.
   * Nothing moves either way. Invented: seed 003 says only that the repeat must not cancel again.
   */
  duplicateCancelId: 'error' | 'replay'
  /**
   * When the `cancel_id` guard is checked. `before_rules`: first, so a repeat always meets `duplicateCancelId`.
   * `after_rules`: after the ordinary cancel rules, so a re-sent cancel whose first send went through is refused
   * with an ordinary code (RC_ALREADY_CANCELLED for a full cancel, RC_CANCEL_PRICE_OVER for a partial larger
   * than what remains) and meets the guard only when every rule passes. Invented: Bootpay does not document
   * the order; `before_rules` is the reading that the guard exists to stop repeats.
   */
  duplicateCancelIdOrder: 'before_rules' | 'after_rules'
  /**
   * A `price` equal to the payment's whole price: `full` (none of the partial rules apply) or `partial` (the
   * PG list and the minimum apply, as to any price). Invented: the manual says only that an omitted price
   * cancels everything and that a partial price must exceed 1,000 won.
   */
  wholePriceCancel: 'full' | 'partial'
  /**
   * The v2 receipt `status` after a partial cancel. Bootpay's assistant docs disagree (troubleshooting: stays 1;
   * the verify example: 20); the default 1 is a guess from the troubleshooting page.
   */
  v2PartialCancelStatus: 1 | 20
  /** Token lifetime and the window in which a new token request returns the same token. */
  tokenTtlMs: number
  tokenReuseMs: number
  /** Refuse every token (to exercise the adapter's retry-once-then-fail path). */
  rejectAllTokens: boolean
  /** PGs allowed to issue billing keys from card data over REST (v1 manual: nicepay, payapp, welcome). */
  restBillingPgs: string[]
  /** Card numbers whose billing-key issue the PG declines. */
  declinedCards: string[]
  /** PG assigned to seeded payments when the seed does not say. */
  defaultPg: string
  /** Where webhooks go; unset = none are sent. */
  webhookUrl: string | undefined
  /** Which generation's webhook shape to send. */
  webhookVersion: 'v1' | 'v2'
  /** v1 Feedback URL body: form (Bootpay's default) or JSON. */
  v1WebhookContentType: 'urlencoded' | 'json'
  /** v1 bodies carry `application_id` and `private_key` (the v1 manual's example does). */
  v1WebhookIncludesKeys: boolean
  /** Send a webhook on every paid/cancelled change automatically. */
  autoWebhooks: boolean
  /** Deliveries per webhook (Bootpay: up to 10) and the pause between them. */
  webhookAttempts: number
  webhookRetryDelayMs: number
  /**
   * Whether a cancel made at the PG itself (`cancelAtPg`: the test-mode scheduler, the PG's console) shows in
   * Bootpay's receipt. Seed 003: it does not ("부트페이 전산에 반영되지 않아 결제완료 상태로 남을 수 있으며"), and a
   * cancel through Bootpay then answers "기취소된 건입니다" (`errors.pg_already_cancelled`).
   */
  pgCancelReflected: boolean
  /**
   * What `/v2/confirm` (v1 `/submit`) does after confirming: `normal` answers the receipt; `lost` confirms and
   * then drops the connection without an answer; `slow` confirms and answers after `confirmDelayMs`.
   */
  confirmAnswer: 'normal' | 'lost' | 'slow'
  confirmDelayMs: number
  /**
   * The PG refuses the approval: the receipt goes to status -2 and the confirm answers `errors.confirm_failed`
   * (RC_CONFIRM_FAILED) carrying this `pg_error_code` (e.g. NICE's 1512). null: the PG approves.
   */
  confirmRefusal: { pgErrorCode: string; pgErrorMessage: string } | null
  /** The window's result reaches `redirect_url` twice (a background request, then the navigation). */
  windowResultTwice: boolean
  /** What Decline sends; default an `error` event (the PG refused the customer's authentication). */
  windowDecline: WindowDecline
  /** Answers per failure kind (see DEFAULT_SIM_ERRORS). */
  errors: Record<SimErrorKind, SimErrorAnswer>
}

export function defaultSettings(): BootpaySimulatorSettings {
  return {
    partialCancelPgs: ['inicis', 'kcp', 'danal', 'payletter', 'nicepay', 'kakao', 'payco'],
    partialCancelMinExclusive: { v1: 1000, v2: 1000 },
    partialCancelGuardMs: null,
    duplicateCancelId: 'error',
    duplicateCancelIdOrder: 'before_rules',
    wholePriceCancel: 'full',
    v2PartialCancelStatus: 1,
    tokenTtlMs: 30 * 60_000,
    tokenReuseMs: 25 * 60_000,
    rejectAllTokens: false,
    restBillingPgs: ['nicepay', 'payapp', 'welcome', '나이스페이', '나이스페이먼츠'],
    declinedCards: ['4000000000000002'],
    defaultPg: 'nicepay',
    webhookUrl: undefined,
    webhookVersion: 'v2',
    v1WebhookContentType: 'urlencoded',
    v1WebhookIncludesKeys: true,
    autoWebhooks: true,
    webhookAttempts: 10,
    webhookRetryDelayMs: 1000,
    pgCancelReflected: false,
    confirmAnswer: 'normal',
    confirmDelayMs: 3000,
    confirmRefusal: null,
    windowResultTwice: false,
    windowDecline: { event: 'error', errorCode: 'RC_REQUEST_FAILED', message: '카드 인증이 거절되었습니다.' },
    errors: { ...DEFAULT_SIM_ERRORS },
  }
}
