import { z } from '@hono/zod-openapi'
import { MAX_KRW } from '@paymux/core'
import { ERROR_CODES, ERROR_TYPES } from './errors.js'
import { unknownKeys } from './http/validation.js'
import { BILLING_KEY_STATUSES, CANCELLATION_STATUSES, PAYMENT_STATUSES } from './db/statuses.js'
import { PROVIDERS, perProvider } from './providers.js'
import { METADATA_KEY, METADATA_MAX_KEYS } from './routing/config.js'

const PROVIDER_IDS = PROVIDERS.map((p) => p.id) as [string, ...string[]]

const krw = (min = 0) => z.number().int().min(min).max(MAX_KRW)
// PostgreSQL text cannot hold U+0000: refuse it here (400 naming the field) instead of failing the insert.
const text = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .refine((s) => !s.includes('\u0000'), 'must not contain the NUL character (U+0000)')
const ts = z.string().openapi({ format: 'date-time', example: '2026-01-15T09:30:00.000Z' })

export const ErrorSchema = z
  .object({
    error: z.object({
      type: z.enum(ERROR_TYPES).openapi({ example: 'conflict_error' }),
      code: z.enum(ERROR_CODES).openapi({ example: 'amount_exceeds_cancellable' }),
      message: z.string(),
      param: z.string().optional().openapi({ description: 'The request field at fault', example: 'amount' }),
      providerCode: z.string().optional().openapi({ description: "The PG's own result code, verbatim" }),
      providerMessage: z.string().optional().openapi({ description: "The PG's own message, verbatim" }),
      cancellationId: z
        .string()
        .optional()
        .openapi({ description: 'The failed cancellation, recorded with its failure' }),
      paymentId: z
        .string()
        .optional()
        .openapi({ description: 'The failed payment, recorded with its failure' }),
      errors: z
        .array(
          z.object({
            param: z
              .string()
              .optional()
              .openapi({ description: 'The request field at fault', example: 'orderId' }),
            message: z.string().openapi({ example: 'orderId is required' }),
          }),
        )
        .optional()
        .openapi({
          description:
            'On a 400: every problem of the request, not only the first; the first is `param` and `message` above',
        }),
    }),
    requestId: z.string().openapi({ example: 'req_3bTq0fXc9kP1mZ7uV2wY4a' }),
  })
  .openapi('Error')

export const RefundAccountSchema = z
  .strictObject(
    {
      bankCode: z
        .string()
        .regex(/^\d{3}$/)
        .openapi({ description: 'KFTC 3-digit bank code', example: '004' }),
      accountNumber: z
        .string()
        .regex(/^[0-9-]{6,20}$/)
        .openapi({ example: '12345678901234' }),
      holderName: text(50).openapi({ example: '홍길동' }),
    },
    unknownKeys(),
  )
  .openapi('RefundAccount')

export const FailureSchema = z
  .object({
    code: z.string(),
    message: z.string(),
    providerCode: z.string().optional(),
    providerMessage: z.string().optional(),
  })
  .openapi('Failure')

export const DepositInstructionsSchema = z
  .object({
    bankName: z.string(),
    bankCode: z.string().optional(),
    accountNumber: z.string(),
    holderName: z.string().optional(),
    depositAmount: z.number().int(),
    cancelAmount: z.number().int(),
    deadline: z.string().optional(),
  })
  .passthrough()
  .openapi('DepositInstructions')

/** What a cancel says whichever way it names its payment. */
const cancelTerms = {
  amount: krw(1).optional().openapi({ description: 'Omitted: everything that remains', example: 1000 }),
  taxFreeAmount: krw().optional(),
  reason: text(500).openapi({ example: 'customer request' }),
  refundAccount: RefundAccountSchema.optional(),
  expectedCancellableAmount: krw().optional().openapi({
    description:
      'The cancellable amount the caller believes remains; the cancel runs only if it matches (409 otherwise)',
  }),
}
const NAMES_PAYMENT = 'give paymentId, or transactionId (with account or provider)'
const NOT_BOTH = 'give either paymentId or account + transactionId, not both'
const missing = (message: string) => ({
  error: (iss: { input?: unknown }) => (iss.input === undefined ? message : undefined),
})

export const CancelByPaymentSchema = z
  .strictObject(
    {
      paymentId: z.string(missing(NAMES_PAYMENT)).min(1).max(64).openapi({
        description: 'A payment the gateway knows (pay_…)',
        example: 'pay_7ZqkP3mW0aLxR2nV8cTy1b',
      }),
      ...cancelTerms,
    },
    unknownKeys({ keys: ['account', 'provider', 'transactionId'], exclusive: NOT_BOTH }),
  )
  .openapi('CancelByPayment', { description: 'A payment the gateway knows, by its id' })

export const CancelByTransactionSchema = z
  .strictObject(
    {
      account: z.string().min(1).max(64).optional().openapi({
        description: 'The PG account the payment was made on (omitted: the one account of `provider`)',
        example: 'nice-main',
      }),
      provider: z
        .enum(PROVIDER_IDS)
        .optional()
        .openapi({ description: 'Picks the account when the merchant has exactly one of this provider' }),
      transactionId: z
        .string(missing(NAMES_PAYMENT))
        .trim()
        .min(1)
        .max(100)
        .openapi({
          description: `The PG's payment id (${perProvider((r) => r.transactionIdName)})`,
          example: 'nicepay00m01012601151030001234',
        }),
      ...cancelTerms,
    },
    unknownKeys({ keys: ['paymentId'], exclusive: NOT_BOTH }),
  )
  .openapi('CancelByTransaction', {
    description: "A payment made elsewhere (in the PG's own window): the PG account and its transaction id",
  })

/** `paymentId`, or `account` + `transactionId`: one of two forms, never both (also so in the document). */
export const CreateCancellationSchema = z
  .union([CancelByPaymentSchema, CancelByTransactionSchema])
  .refine((b) => b.taxFreeAmount === undefined || b.amount === undefined || b.taxFreeAmount <= b.amount, {
    message: 'must not exceed amount',
    path: ['taxFreeAmount'],
  })
  .openapi('CreateCancellation', {}, { unionPreferredType: 'oneOf' })

export const CancellationSchema = z
  .object({
    id: z.string().openapi({ example: 'can_5YhR2pQm8nZk1vXc0tLw3s' }),
    object: z.literal('cancellation'),
    paymentId: z.string(),
    account: z.string(),
    provider: z.string(),
    transactionId: z.string(),
    status: z.enum(CANCELLATION_STATUSES).openapi({
      description:
        'pending: the PG answer was lost or unreadable; the amount stays reserved until reconciled. accepted: the PG took the refund and executes it later (the amount counts as cancelled). needs_review: evidence could not settle it; the amount stays reserved until a person decides',
    }),
    amount: z
      .number()
      .int()
      .openapi({ description: 'Cancelled (succeeded), or reserved (pending, deposit_required)' }),
    requestedAmount: z
      .number()
      .int()
      .nullable()
      .openapi({ description: 'null: the whole remainder was asked for' }),
    taxFreeAmount: z.number().int().nullable(),
    reason: z.string(),
    providerCancelId: z.string().nullable(),
    depositInstructions: DepositInstructionsSchema.optional(),
    failure: FailureSchema.optional(),
    pendingReason: FailureSchema.optional(),
    createdAt: ts,
    updatedAt: ts,
    completedAt: ts.nullable(),
  })
  .openapi('Cancellation')

export const CancellationListSchema = z
  .object({ object: z.literal('list'), data: z.array(CancellationSchema), hasMore: z.boolean() })
  .openapi('CancellationList')

export const VirtualAccountInfoSchema = z
  .object({
    bankCode: z.string(),
    bankName: z.string(),
    accountNumber: z.string(),
    holderName: z.string().optional(),
    dueDate: z.string(),
    issuedAt: z.string().optional(),
  })
  .openapi('VirtualAccountInfo')

export const PaymentSchema = z
  .object({
    id: z.string().openapi({ example: 'pay_7ZqkP3mW0aLxR2nV8cTy1b' }),
    object: z.literal('payment'),
    account: z.string(),
    provider: z.string(),
    transactionId: z.string().nullable(),
    orderId: z.string().nullable(),
    orderName: z.string().nullable().openapi({ description: 'What the PG window shows (checkouts)' }),
    method: z.string().nullable().openapi({ description: 'card | virtual_account | …' }),
    status: z.enum(PAYMENT_STATUSES).openapi({
      description:
        'requires_authentication: a checkout waiting for the customer at checkoutUrl. pending: a PG call in flight or its answer lost (an approval included); settled by reconciliation. waiting_for_deposit: a virtual account issued. needs_review: evidence could not settle it',
    }),
    amount: z
      .number()
      .int()
      .nullable()
      .openapi({ description: 'null while unknown (a payment made elsewhere at a PG without lookup)' }),
    cancelledAmount: z.number().int(),
    reservedAmount: z.number().int().openapi({ description: 'Held by cancels in flight' }),
    cancellableAmount: z.number().int().nullable().openapi({
      description:
        'What a cancel may still take: 0 once fully cancelled; null while the total is unknown here or the payment holds no money (pending, failed, awaiting a deposit)',
    }),
    balanceSource: z.string().openapi({ description: 'gateway | lookup | learned | unknown' }),
    virtualAccount: VirtualAccountInfoSchema.optional(),
    billingKeyId: z.string().nullable(),
    failure: FailureSchema.optional(),
    routing: z
      .object({
        rule: z.number().int().openapi({ description: 'Index of the rule in routing.payments' }),
        via: z.enum(['split', 'fallback']).openapi({
          description:
            "split: the rule's weighted split; fallback: its fallback list (no account of the split was open)",
        }),
      })
      .optional()
      .openapi({
        description:
          "How the merchant's routing.payments rules chose `account`; absent when the account was named or the only one able",
      }),
    metadata: z
      .record(z.string(), z.string())
      .optional()
      .openapi({ description: 'What POST /v1/payments was given as `metadata`; absent when none' }),
    checkoutUrl: z.string().url().nullable().optional().openapi({
      description:
        'Checkouts: the page that takes the customer through the PG window (no API key; unguessable). null once the payment left requires_authentication',
      example: 'https://pay.example.com/checkout/3q2-7wzP9vK0d8ZrYb1mXcN4tLh6sAeGjUoQfWiVnHk',
    }),
    expiresAt: ts.optional().openapi({ description: 'Checkouts: until when checkoutUrl can be opened' }),
    cancellations: z.array(CancellationSchema),
    createdAt: ts,
    updatedAt: ts,
  })
  .openapi('Payment')

export const PaymentListSchema = z
  .object({ object: z.literal('list'), data: z.array(PaymentSchema), hasMore: z.boolean() })
  .openapi('PaymentList')

const httpUrl = z
  .string()
  .url()
  .max(2000)
  .refine((u) => URL.canParse(u) && /^https?:$/.test(new URL(u).protocol), 'must be an absolute http(s) URL')

export const CHECKOUT_METHODS = ['card', 'virtual_account'] as const

/** The merchant's own labels on a payment: routing.payments rules can match them (`when.metadata`). */
const MetadataSchema = z
  .record(z.string(), z.string().max(500))
  .superRefine((m, ctx) => {
    const keys = Object.keys(m)
    if (keys.length > METADATA_MAX_KEYS)
      ctx.addIssue({ code: 'custom', message: `at most ${METADATA_MAX_KEYS} keys` })
    for (const k of keys)
      if (!METADATA_KEY.test(k))
        ctx.addIssue({ code: 'custom', path: [k], message: 'keys are letters, digits, _ . - (max 40)' })
  })
  .openapi({
    description:
      "The merchant's own labels: at most 20 keys of letters, digits, _ . - (max 40), each a string of at most 500 characters. Stored and shown on the payment, and matched by routing.payments rules (`when.metadata`)",
    example: { channel: 'app', campaign: 'spring-sale' },
  })

export const CreatePaymentSchema = z
  .strictObject(
    {
      orderId: z
        .string()
        .regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, _ and - (max 64)')
        .openapi({
          description: "The merchant's order id: unique per merchant (409 duplicate_order_id)",
          example: 'order-20260115-0042',
        }),
      amount: krw(1).openapi({ example: 15000 }),
      taxFreeAmount: krw().optional(),
      orderName: text(100).openapi({ description: 'Shown in the PG window', example: '티셔츠 외 1건' }),
      method: z.enum(CHECKOUT_METHODS).openapi({ example: 'card' }),
      customer: z
        .strictObject(
          {
            name: text(60).optional(),
            email: z.string().email().max(100).optional(),
            phone: z
              .string()
              .regex(/^[0-9-+ ]{6,20}$/)
              .optional(),
          },
          unknownKeys(),
        )
        .optional()
        .openapi({ example: { name: '홍길동', email: 'buyer@example.com', phone: '010-1234-5678' } }),
      successUrl: httpUrl.openapi({
        description: 'Where the customer lands once paid, with ?paymentId=…&orderId=…',
        example: 'https://shop.example.com/orders/42/paid',
      }),
      failUrl: httpUrl.openapi({
        description:
          'Where the customer lands when the payment failed or was declined, with ?code=…&message=…',
        example: 'https://shop.example.com/orders/42/failed',
      }),
      account: z.string().min(1).max(64).optional().openapi({
        description:
          "The PG account; omitted: the merchant's routing.payments rules choose, else the only account that takes this method (optionally of `provider`)",
        example: 'nice-main',
      }),
      provider: z.enum(PROVIDER_IDS).optional(),
      metadata: MetadataSchema.optional(),
    },
    unknownKeys(),
  )
  .refine((b) => b.taxFreeAmount === undefined || b.taxFreeAmount <= b.amount, {
    message: 'must not exceed amount',
    path: ['taxFreeAmount'],
  })
  .openapi('CreatePayment')

const BuyerSchema = z
  .strictObject(
    {
      name: text(60).optional(),
      email: z.string().email().max(100).optional(),
      phone: z
        .string()
        .regex(/^[0-9-+ ]{6,20}$/)
        .optional(),
    },
    unknownKeys(),
  )
  .openapi('Buyer')

export const CardSchema = z
  .strictObject(
    {
      number: z
        .string()
        .regex(/^\d{13,19}$/, 'must be 13-19 digits')
        .openapi({ example: '4111111111111111' }),
      expiryYear: z
        .string()
        .regex(/^(\d{2}|\d{4})$/, 'must be YY or YYYY')
        .openapi({ example: '30' }),
      expiryMonth: z
        .string()
        .regex(/^(0[1-9]|1[0-2])$/, 'must be MM')
        .openapi({ example: '12' }),
      ownerId: z
        .string()
        .regex(/^(\d{6}|\d{10})$/, 'must be a YYMMDD birth date or a 10-digit business number')
        .optional(),
      passwordPrefix: z
        .string()
        .regex(/^\d{2}$/, 'must be 2 digits')
        .optional(),
    },
    unknownKeys(),
  )
  .openapi('Card')

export const CreateBillingKeySchema = z
  .strictObject(
    {
      account: z
        .string()
        .min(1)
        .max(64)
        .optional()
        .openapi({ description: "Omitted: the merchant's routing.billing default" }),
      card: CardSchema,
      customerId: text(100).optional(),
      goodsName: text(100).optional(),
      buyer: BuyerSchema.optional(),
    },
    unknownKeys(),
  )
  .openapi('CreateBillingKey')

export const BillingKeySchema = z
  .object({
    id: z.string().openapi({ example: 'bk_2NfH8sKq4wPz0cVm6tRy9x' }),
    object: z.literal('billing_key'),
    account: z.string(),
    provider: z.string(),
    status: z.enum(BILLING_KEY_STATUSES),
    card: z.object({
      name: z.string().optional(),
      code: z.string().optional(),
      numberMasked: z.string().optional(),
    }),
    customerId: z.string().nullable(),
    createdAt: ts,
    deletedAt: ts.nullable(),
  })
  .openapi('BillingKey')

export const CreateChargeSchema = z
  .strictObject(
    {
      amount: krw(1).openapi({ example: 9900 }),
      taxFreeAmount: krw().optional(),
      goodsName: text(100).openapi({ example: 'Monthly plan' }),
      orderId: z
        .string()
        .regex(/^[A-Za-z0-9_-]{1,64}$/)
        .optional()
        .openapi({ description: "The PG's duplicate guard; generated when omitted" }),
      installmentMonths: z.number().int().min(0).max(36).optional(),
      interestFree: z.boolean().optional(),
      buyer: BuyerSchema.optional(),
    },
    unknownKeys(),
  )
  .openapi('CreateCharge')

export const CreateVirtualAccountSchema = z
  .strictObject(
    {
      account: z
        .string()
        .min(1)
        .max(64)
        .optional()
        .openapi({ description: "Omitted: the merchant's routing.virtualAccount default" }),
      amount: krw(1).openapi({ example: 50000 }),
      taxFreeAmount: krw().optional(),
      goodsName: text(100),
      bankCode: z
        .string()
        .regex(/^\d{3}$/)
        .openapi({ description: 'KFTC 3-digit bank code', example: '004' }),
      dueDate: z
        .string()
        .regex(/^\d{4}-\d{2}-\d{2}(T.*)?$/)
        .openapi({
          description: 'YYYY-MM-DD (end of that day, KST) or an ISO timestamp',
          example: '2026-12-31',
        }),
      orderId: z
        .string()
        .regex(/^[A-Za-z0-9_-]{1,64}$/)
        .optional(),
      depositorName: text(30).optional(),
      cashReceipt: z
        .strictObject(
          {
            type: z.enum(['income_deduction', 'proof_of_expense']),
            identifier: z.string().regex(/^[0-9-]{8,20}$/),
          },
          unknownKeys(),
        )
        .optional(),
      buyer: BuyerSchema.optional(),
    },
    unknownKeys(),
  )
  .openapi('CreateVirtualAccount')

/** The ids of the OpenAPI document's examples end in this (examples.ts; a test stands real records in for them). */
export const EXAMPLE_ID_SUFFIX = '7ZqkP3mW0aLxR2nV8cTy1b'

export const IdParam = (prefix: string, name: string, example = `${prefix}_${EXAMPLE_ID_SUFFIX}`) =>
  z.object({
    id: z
      .string()
      .min(1)
      .max(64)
      .openapi({
        param: { name: 'id', in: 'path' },
        example,
        description: `The ${name} id`,
      }),
  })

/**
 * The Idempotency-Key rule the gateway enforces on every POST and DELETE (`parseIdempotencyKey`): 1–255 visible
 * ASCII characters, bare or as an RFC 8941 quoted string. Anything else is a 400 naming `Idempotency-Key`.
 */
export const IDEMPOTENCY_KEY_PATTERN = '^[\\x21-\\x7E]{1,255}$|^"[\\x21-\\x7E]{1,255}"$'

export const IdempotencyHeader = z.object({
  // Read by the idempotency middleware (case-insensitively, before the route); declared here for the document.
  'Idempotency-Key': z.string().regex(new RegExp(IDEMPOTENCY_KEY_PATTERN)).optional().openapi({
    description:
      'Strongly recommended. 1–255 visible ASCII characters (U+0021–U+007E), bare or in double quotes; anything else is a 400 naming `Idempotency-Key`. Same key + same request: the first answer replayed (Idempotent-Replayed: true); different request: 422; still running: 409. Kept at least 24 h, per merchant.',
    example: '2f1c7e0a-5b8d-4f4e-9a57-3d6c1b0e8f21',
  }),
})
