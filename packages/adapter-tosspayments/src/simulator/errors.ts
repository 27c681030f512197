import { UNCERTAIN_STATUSES } from './settings.js'

/**
 * The error codes the simulator answers, each with the HTTP status Toss gives it (spec §1.6). The official
 * error page is the source for the first group; the cancel rows come from a third-party transcription of that
 * page and are marked so. Where the spec gives two statuses (400/401, 400/404), "5xx" or none, the status is
 * the simulator's choice, from `UNCERTAIN_STATUSES`, and the `errorStatuses` setting moves it.
 */
export interface SimError {
  status: number
  message: string
}

export const SIM_ERRORS: Readonly<Record<string, SimError>> = {
  // Confirm and general (official page, all 400 unless said).
  ALREADY_PROCESSED_PAYMENT: { status: 400, message: '이미 처리된 결제 입니다.' },
  PROVIDER_ERROR: { status: 400, message: '일시적인 오류가 발생했습니다. 잠시 후 다시 시도해주세요.' },
  INVALID_REQUEST: { status: 400, message: '잘못된 요청입니다.' },
  INVALID_API_KEY: {
    status: UNCERTAIN_STATUSES.INVALID_API_KEY!,
    message: '잘못된 시크릿키 연동 정보 입니다.',
  },
  // 400/401 in the spec: the status is a setting (errorStatuses).
  UNAUTHORIZED_KEY: {
    status: UNCERTAIN_STATUSES.UNAUTHORIZED_KEY!,
    message: '인증되지 않은 시크릿 키 혹은 클라이언트 키 입니다.',
  },
  INVALID_REJECT_CARD: { status: 400, message: '카드 사용이 거절되었습니다. 카드사 문의가 필요합니다.' },
  INVALID_STOPPED_CARD: { status: 400, message: '정지된 카드 입니다.' },
  BELOW_MINIMUM_AMOUNT: {
    status: 400,
    message: '신용카드는 결제금액이 100원 이상, 계좌는 200원이상부터 결제가 가능합니다.',
  },
  EXCEED_MAX_CARD_INSTALLMENT_PLAN: { status: 400, message: '설정 가능한 최대 할부 개월 수를 초과했습니다.' },
  NOT_ALLOWED_POINT_USE: {
    status: 400,
    message: '포인트 사용이 불가한 카드로 카드 포인트 결제에 실패했습니다.',
  },
  INVALID_CARD_EXPIRATION: { status: 400, message: '카드 정보를 다시 확인해주세요. (유효기간)' },
  // 400/404 in the spec: a setting (errorStatuses).
  NOT_FOUND_PAYMENT: {
    status: UNCERTAIN_STATUSES.NOT_FOUND_PAYMENT!,
    message: '존재하지 않는 결제 정보 입니다.',
  },
  NOT_FOUND_PAYMENT_SESSION: {
    status: UNCERTAIN_STATUSES.NOT_FOUND_PAYMENT_SESSION!,
    message: '결제 시간이 만료되어 결제 진행 데이터가 존재하지 않습니다.',
  },
  FAILED_PAYMENT_INTERNAL_SYSTEM_PROCESSING: {
    status: UNCERTAIN_STATUSES.FAILED_PAYMENT_INTERNAL_SYSTEM_PROCESSING!,
    message: '결제가 완료되지 않았어요. 다시 시도해주세요.',
  },
  FAILED_INTERNAL_SYSTEM_PROCESSING: {
    status: UNCERTAIN_STATUSES.FAILED_INTERNAL_SYSTEM_PROCESSING!,
    message: '내부 시스템 처리 작업이 실패했습니다. 잠시 후 다시 시도해주세요.',
  },
  UNKNOWN_PAYMENT_ERROR: {
    status: UNCERTAIN_STATUSES.UNKNOWN_PAYMENT_ERROR!,
    message: '결제에 실패했어요. 같은 문제가 반복된다면 은행이나 카드사로 문의해주세요.',
  },
  // Cancel (third-party transcription of the official page).
  ALREADY_CANCELED_PAYMENT: { status: 400, message: '이미 취소된 결제 입니다.' },
  INVALID_REFUND_ACCOUNT_INFO: { status: 400, message: '환불 계좌번호와 예금주명이 일치하지 않습니다.' },
  INVALID_REFUND_ACCOUNT_NUMBER: { status: 400, message: '잘못된 환불 계좌번호입니다.' },
  INVALID_BANK: { status: 400, message: '유효하지 않은 은행입니다.' },
  REFUND_REJECTED: { status: 400, message: '환불이 거절됐습니다. 결제사에 문의 부탁드립니다.' },
  ALREADY_REFUND_PAYMENT: { status: 400, message: '이미 환불된 결제입니다.' },
  FORBIDDEN_BANK_REFUND_REQUEST: { status: 400, message: '고객 계좌가 입금이 되지 않는 상태입니다.' },
  NOT_MATCHES_REFUNDABLE_AMOUNT: { status: 400, message: '잔액 결과가 일치하지 않습니다.' },
  EXCEED_CANCEL_AMOUNT_DISCOUNT_AMOUNT: {
    status: 400,
    message: '즉시할인금액보다 적은 금액은 부분취소가 불가능합니다.',
  },
  NOT_CANCELABLE_AMOUNT: { status: 403, message: '취소 할 수 없는 금액 입니다.' },
  NOT_CANCELABLE_PAYMENT: { status: 403, message: '취소 할 수 없는 결제 입니다.' },
  FORBIDDEN_CONSECUTIVE_REQUEST: {
    status: 403,
    message: '반복적인 요청은 허용되지 않습니다. 잠시 후 다시 시도해주세요.',
  },
  FORBIDDEN_REQUEST: { status: 403, message: '허용되지 않은 요청입니다.' },
  EXCEED_MAX_REFUND_DUE: { status: 403, message: '환불 가능한 기간이 지났습니다.' },
  NOT_ALLOWED_PARTIAL_REFUND_WAITING_DEPOSIT: {
    status: 403,
    message: '입금 대기중인 결제는 부분 환불이 불가합니다.',
  },
  NOT_ALLOWED_PARTIAL_REFUND: {
    status: 403,
    message: '에스크로 주문, 현금 카드 결제일 때는 부분 환불이 불가합니다.',
  },
  NOT_AVAILABLE_BANK: { status: 403, message: '은행 서비스 시간이 아닙니다.' },
  NOT_CANCELABLE_PAYMENT_FOR_DORMANT_USER: {
    status: 403,
    message: '휴면 처리된 회원의 결제는 취소할 수 없습니다.',
  },
  FAILED_REFUND_PROCESS: {
    status: 500,
    message: '은행 응답시간 지연이나 일시적인 오류로 환불요청에 실패했습니다.',
  },
  FAILED_METHOD_HANDLING_CANCEL: {
    status: 500,
    message: '취소 중 결제 시 사용한 결제 수단 처리과정에서 일시적인 오류가 발생했습니다.',
  },
  FAILED_PARTIAL_REFUND: {
    status: 500,
    message: '은행 점검, 해약 계좌 등의 사유로 부분 환불이 실패했습니다.',
  },
  FAILED_CLOSED_ACCOUNT_REFUND: { status: 500, message: '해지 계좌로 인해 환불이 실패했습니다.' },
  COMMON_ERROR: { status: 500, message: '일시적인 오류가 발생했습니다. 잠시 후 다시 시도해주세요.' },
  // Billing (techchat). The spec gives no status: a setting (errorStatuses).
  DUPLICATED_ORDER_ID: {
    status: UNCERTAIN_STATUSES.DUPLICATED_ORDER_ID!,
    message: '이미 승인 및 취소가 진행된 중복된 주문번호 입니다.',
  },
  NOT_MATCHES_CUSTOMER_KEY: {
    status: UNCERTAIN_STATUSES.NOT_MATCHES_CUSTOMER_KEY!,
    message: '빌링 인증 고객키와 결제 요청 고객키가 일치하지 않습니다.',
  },
  FAILED_DB_PROCESSING: {
    status: UNCERTAIN_STATUSES.FAILED_DB_PROCESSING!,
    message: '잘못된 요청 값으로 처리 중 DB 에러가 발생했습니다.',
  },
  // Idempotency-Key (third-party; statuses not on an official page: a setting).
  IDEMPOTENT_REQUEST_PROCESSING: {
    status: UNCERTAIN_STATUSES.IDEMPOTENT_REQUEST_PROCESSING!,
    message: '이전 멱등 요청이 처리중입니다. 잠시 후 다시 시도해주세요.',
  },
  INVALID_IDEMPOTENCY_KEY: {
    status: UNCERTAIN_STATUSES.INVALID_IDEMPOTENCY_KEY!,
    message: '유효하지 않은 멱등키입니다.',
  },
  // Codes the window sends to the fail URL; forced through the test-code header they need a status, which the
  // spec does not give (REJECT_CARD_PAYMENT is the third-party probe's code): a setting.
  PAY_PROCESS_CANCELED: {
    status: UNCERTAIN_STATUSES.PAY_PROCESS_CANCELED!,
    message: '사용자에 의해 결제가 취소되었습니다.',
  },
  REJECT_CARD_PAYMENT: {
    status: UNCERTAIN_STATUSES.REJECT_CARD_PAYMENT!,
    message: '한도초과 혹은 잔액부족으로 결제에 실패했습니다.',
  },
  EXPIRED_PAYMENT: {
    status: UNCERTAIN_STATUSES.EXPIRED_PAYMENT!,
    message: '결제 유효 시간이 만료되었습니다.',
  },
}

/** The status a code is answered with: the setting's for the uncertain ones, else the table's, else 400. */
export function statusOf(code: string, errorStatuses: Readonly<Record<string, number>>): number {
  return errorStatuses[code] ?? SIM_ERRORS[code]?.status ?? 400
}

export function errorBody(code: string, message?: string): { code: string; message: string } {
  return { code, message: message ?? SIM_ERRORS[code]?.message ?? code }
}
