/**
 * Toss answers assembled from the research spec: its §1.3 field list of the Payment object and the real payloads
 * it quotes from Toss's forum (techchat), by the facts the spec records of each (the spec keeps their facts, not
 * their full text: every field below is one the spec names, with the values it reports where it reports one).
 */

const base = {
  version: '2022-11-16',
  type: 'NORMAL',
  mId: 'tvivarepublica',
  currency: 'KRW',
  requestedAt: '2024-02-13T12:17:57+09:00',
  useEscrow: false,
  cultureExpense: false,
  taxExemptionAmount: 0,
  isPartialCancelable: true,
  mobilePhone: null,
  giftCertificate: null,
  transfer: null,
  easyPay: null,
  country: 'KR',
  failure: null,
  cashReceipt: null,
  cashReceipts: null,
  discount: null,
  metadata: null,
  secret: null,
  virtualAccount: null,
  receipt: {
    url: 'https://dashboard.tosspayments.com/receipt/redirection?transactionId=tviva20240213121757MvuS8',
  },
  checkout: { url: 'https://api.tosspayments.com/v1/payments/tgen_20240213121757MvuS8/checkout' },
}

const card = {
  amount: 15_000,
  issuerCode: '71',
  acquirerCode: '71',
  number: '43301234****123*',
  installmentPlanMonths: 0,
  approveNo: '00000000',
  useCardPoint: false,
  cardType: '신용',
  ownerType: '개인',
  acquireStatus: 'READY',
  isInterestFree: false,
  interestPayer: null,
}

/** A confirmed card payment (§1.3; `method` is the Korean string). */
export const DONE_CARD = {
  ...base,
  paymentKey: 'tgen_20240213121757MvuS8',
  orderId: 'order-2024-0001',
  orderName: '토스 티셔츠 외 2건',
  method: '카드',
  totalAmount: 15_000,
  balanceAmount: 15_000,
  suppliedAmount: 13_636,
  vat: 1_364,
  taxFreeAmount: 0,
  status: 'DONE',
  approvedAt: '2024-02-13T12:18:14+09:00',
  lastTransactionKey: '9C62B18EEF0DE3EB7F4422EB6D14BC6E',
  cancels: null,
  card,
}

/**
 * A partial cancel as techchat m/1237958998343417856 shows cancels[]: `cancelStatus: "DONE"` and a
 * `cancelRequestId` beside the §1.3 fields; balanceAmount is what is left.
 */
export const PARTIAL_CANCELED_CARD = {
  ...DONE_CARD,
  status: 'PARTIAL_CANCELED',
  balanceAmount: 10_000,
  suppliedAmount: 9_091,
  vat: 909,
  lastTransactionKey: 'B7A1A7A8F7C6C5E1A1D1C1B1A1F1E1D1',
  cancels: [
    {
      cancelAmount: 5_000,
      cancelReason: '고객 변심',
      taxFreeAmount: 0,
      taxExemptionAmount: 0,
      refundableAmount: 10_000,
      easyPayDiscountAmount: 0,
      canceledAt: '2024-02-13T13:00:00+09:00',
      transactionKey: 'B7A1A7A8F7C6C5E1A1D1C1B1A1F1E1D1',
      receiptKey: null,
      cancelStatus: 'DONE',
      cancelRequestId: null,
    },
  ],
}

/** The same forum thread: a PayPal payment whose cancelAmount is a decimal (181.56), not KRW. */
export const PAYPAL_CANCELED = {
  ...DONE_CARD,
  paymentKey: 'tgen_paypal0000000001',
  method: '간편결제',
  currency: 'USD',
  totalAmount: 181.56,
  balanceAmount: 0,
  status: 'CANCELED',
  card: null,
  cancels: [
    {
      ...PARTIAL_CANCELED_CARD.cancels[0],
      cancelAmount: 181.56,
      transactionKey: 'PAYPAL0000000000000000000000CANC',
    },
  ],
}

/** An attempt that ran out of time (techchat m/1410526054635933798): EXPIRED with failure EXPIRED_PAYMENT. */
export const EXPIRED = {
  ...base,
  paymentKey: 'tgen_expired000000001',
  orderId: 'order-expired-01',
  orderName: '만료 주문',
  method: null,
  totalAmount: 30_000,
  balanceAmount: 30_000,
  suppliedAmount: 27_273,
  vat: 2_727,
  taxFreeAmount: 0,
  status: 'EXPIRED',
  approvedAt: null,
  lastTransactionKey: null,
  cancels: null,
  card: null,
  failure: { code: 'EXPIRED_PAYMENT', message: '결제 유효 시간이 만료되었습니다.' },
}

/** An issued virtual account (techchat m/1444558775297249371): WAITING_FOR_DEPOSIT, `virtualAccount`, `secret`. */
export const WAITING_VA = {
  ...base,
  paymentKey: 'tgen_va000000000000001',
  orderId: 'order-va-000001',
  orderName: '가상계좌 상품',
  method: '가상계좌',
  totalAmount: 12_000,
  balanceAmount: 12_000,
  suppliedAmount: 10_909,
  vat: 1_091,
  taxFreeAmount: 0,
  status: 'WAITING_FOR_DEPOSIT',
  approvedAt: null,
  lastTransactionKey: 'VA00000000000000000000000000000A',
  cancels: null,
  card: null,
  secret: 'ps_Z1aOwX7K8mYdLkR0xgvq',
  virtualAccount: {
    accountType: '일반',
    accountNumber: 'X6505636518308',
    bankCode: '20',
    customerName: '홍길동',
    dueDate: '2024-02-20T12:17:57+09:00',
    refundStatus: 'NONE',
    expired: false,
    settlementStatus: 'INCOMPLETED',
    refundReceiveAccount: null,
  },
}

/**
 * A failed confirm that still produced a late DONE, followed 46 ms later by ABORTED (techchat
 * m/1131524149819478036): two PAYMENT_STATUS_CHANGED webhooks, `data` the whole Payment.
 */
export const DONE_THEN_ABORTED = [
  {
    eventType: 'PAYMENT_STATUS_CHANGED',
    createdAt: '2023-06-29T15:52:30.511',
    data: { ...DONE_CARD, paymentKey: 'tgen_lateDone00000001', orderId: 'order-late-0001' },
  },
  {
    eventType: 'PAYMENT_STATUS_CHANGED',
    createdAt: '2023-06-29T15:52:30.557',
    data: {
      ...DONE_CARD,
      paymentKey: 'tgen_lateDone00000001',
      orderId: 'order-late-0001',
      status: 'ABORTED',
      failure: {
        code: 'PROVIDER_ERROR',
        message: '일시적인 오류가 발생했습니다. 잠시 후 다시 시도해주세요.',
      },
    },
  },
]

/** The escrow refusal of techchat m/1327972624625696840. */
export const ESCROW_PARTIAL_REFUSAL = {
  code: 'FAILED_INTERNAL_SYSTEM_PROCESSING',
  message: '[ES12] 부분취소 불가한 에스크로 상태 입니다.',
}
