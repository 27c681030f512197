import { unknownKeys } from '../http/validation.js'
import { createRoute, z } from '@hono/zod-openapi'
import { createCheckout } from '../checkout/create.js'
import { checkoutToken, checkoutUrls, publicBase } from '../checkout/token.js'
import { CREATE_VIRTUAL_ACCOUNT_EXAMPLES, VIRTUAL_ACCOUNT_EXAMPLE_ID } from '../examples.js'
import { router } from '../http/env.js'
import { PROVIDERS } from '../providers.js'
import { isKeyTaken } from '../idempotency-keys.js'
import { page, pageQuery } from '../http/pagination.js'
import { errorResponses, json, security } from '../http/responses.js'
import { PAYMENT_STATUSES } from '../db/statuses.js'
import { closeVirtualAccountOperation } from '../operations/close-virtual-account.js'
import { runOperation } from '../operations/engine.js'
import { issueVirtualAccountOperation } from '../operations/issue-virtual-account.js'
import { getPayment, withCancellations } from '../queries.js'
import type { Runtime } from '../runtime.js'
import {
  CreatePaymentSchema,
  CreateVirtualAccountSchema,
  IdempotencyHeader,
  IdParam,
  PaymentListSchema,
  PaymentSchema,
} from '../schemas.js'
import { answer, fromKey } from './answer.js'

// The document's example names the registry's first PG: provider ids are written in one place only.
const EXAMPLE_PROVIDER = PROVIDERS[0]!.id

const get = createRoute({
  method: 'get',
  path: '/v1/payments/{id}',
  operationId: 'getPayment',
  tags: ['Payments'],
  summary: 'Get a payment with its balance and cancellations',
  security,
  request: { params: IdParam('pay', 'payment') },
  responses: { 200: json(PaymentSchema, 'The payment'), ...errorResponses(400, 401, 404) },
})

const issueVirtualAccount = createRoute({
  method: 'post',
  path: '/v1/virtual-accounts',
  operationId: 'createVirtualAccount',
  tags: ['Payments'],
  summary: 'Issue a virtual account (a payment awaiting deposit)',
  security,
  request: {
    headers: IdempotencyHeader,
    body: {
      required: true,
      content: {
        'application/json': { schema: CreateVirtualAccountSchema, examples: CREATE_VIRTUAL_ACCOUNT_EXAMPLES },
      },
    },
  },
  responses: {
    200: json(PaymentSchema, 'A payment waiting for deposit, with bank, account number and due date'),
    202: json(PaymentSchema, 'The PG answer was lost: the payment is pending'),
    ...errorResponses(400, 401, 409, 413, 422, 502, 503),
  },
})

const create = createRoute({
  method: 'post',
  path: '/v1/payments',
  operationId: 'createPayment',
  tags: ['Payments'],
  summary: 'Create a payment the customer pays at the PG window (checkout)',
  description:
    "Records the order and answers its `checkoutUrl`: send the customer there (no API key needed; the link is unguessable and expires at `expiresAt`). The gateway opens the account's PG window, verifies the PG's result against the stored order (never the browser's amount), approves server-side, and redirects the customer to `successUrl?paymentId=…&orderId=…` or `failUrl?code=…&message=…`. The outcome also arrives as the signed webhook `payment.paid` or `payment.failed`; a paid payment is cancelled with POST /v1/cancellations like any other. Nothing is recorded for a request that fails validation; `orderId` is unique per merchant.",
  security,
  request: {
    headers: IdempotencyHeader,
    body: {
      required: true,
      content: {
        'application/json': {
          schema: CreatePaymentSchema,
          example: {
            orderId: 'order-20260115-0042',
            amount: 15000,
            orderName: '티셔츠 외 1건',
            method: 'card',
            customer: { name: '홍길동', email: 'buyer@example.com' },
            successUrl: 'https://shop.example.com/orders/42/paid',
            failUrl: 'https://shop.example.com/orders/42/failed',
            account: 'nice-main',
          },
        },
      },
    },
  },
  responses: {
    201: {
      ...json(PaymentSchema, 'The payment, requires_authentication, with its checkoutUrl and expiresAt'),
      content: {
        'application/json': {
          schema: PaymentSchema,
          example: {
            id: 'pay_7ZqkP3mW0aLxR2nV8cTy1b',
            object: 'payment',
            account: 'nice-main',
            provider: EXAMPLE_PROVIDER,
            transactionId: null,
            orderId: 'order-20260115-0042',
            orderName: '티셔츠 외 1건',
            method: 'card',
            status: 'requires_authentication',
            amount: 15000,
            cancelledAmount: 0,
            reservedAmount: 0,
            cancellableAmount: null,
            balanceSource: 'gateway',
            billingKeyId: null,
            checkoutUrl: 'https://pay.example.com/checkout/3q2-7wzP9vK0d8ZrYb1mXcN4tLh6sAeGjUoQfWiVnHk',
            expiresAt: '2026-01-15T10:00:00.000Z',
            cancellations: [],
            createdAt: '2026-01-15T09:30:00.000Z',
            updatedAt: '2026-01-15T09:30:00.000Z',
          },
        },
      },
    },
    ...errorResponses(400, 401, 409, 413, 422, 503),
  },
})

const list = createRoute({
  method: 'get',
  path: '/v1/payments',
  operationId: 'listPayments',
  tags: ['Payments'],
  summary: 'List payments (newest first); find one by its order id or PG transaction id',
  security,
  request: {
    // An unknown parameter (order_id) is refused naming the one meant, never ignored into a wider answer.
    query: z.strictObject(
      {
        orderId: z.string().min(1).max(64).optional().openapi({ description: "The merchant's order id" }),
        transactionId: z.string().min(1).max(100).optional().openapi({ description: "The PG's payment id" }),
        status: z.enum(PAYMENT_STATUSES).optional(),
        ...pageQuery,
      },
      unknownKeys(),
    ),
  },
  responses: { 200: json(PaymentListSchema, 'A page of payments'), ...errorResponses(400, 401, 404) },
})

const close = createRoute({
  method: 'post',
  path: '/v1/payments/{id}/close',
  operationId: 'closePayment',
  tags: ['Payments'],
  summary: 'Close an unpaid virtual account',
  description:
    'Takes no body. The PG closes the account (NicePay: a full cancel before the deposit), so nothing can be paid into it. Only a virtual account awaiting its deposit closes; a deposited one is refunded with a cancellation. An account whose PG cannot close one answers 400 naming the capability. A lost answer leaves it `closing` (202) until the reconciler reads the PG.',
  security,
  request: {
    headers: IdempotencyHeader,
    params: IdParam('pay', 'virtual-account payment', VIRTUAL_ACCOUNT_EXAMPLE_ID),
  },
  responses: {
    200: json(PaymentSchema, 'Closed'),
    202: json(PaymentSchema, "The PG's answer was lost: closing, settled by the reconciler"),
    ...errorResponses(400, 401, 404, 409, 502, 503),
  },
})

export function paymentRoutes(rt: Runtime) {
  const app = router()
  app.openapi(list, async (c) => {
    const q = c.req.valid('query')
    const merchantId = c.get('merchantId')
    let query = rt.db.selectFrom('payments').selectAll().where('merchant_id', '=', merchantId)
    if (q.orderId !== undefined) query = query.where('order_id', '=', q.orderId)
    if (q.transactionId !== undefined) query = query.where('transaction_id', '=', q.transactionId)
    if (q.status !== undefined) query = query.where('status', '=', q.status)
    const cursorOf = (id: string) =>
      rt.db
        .selectFrom('payments')
        .select(['created_at', 'id'])
        .where('id', '=', id)
        .where('merchant_id', '=', merchantId)
        .executeTakeFirst()
    const listed = await page(query, cursorOf, 'payment', q, (row) => row)
    const base = publicBase(rt, new URL(c.req.url).origin)
    const data = (await withCancellations(rt, listed.data)).map((view) =>
      // As for one payment: the checkout link, derived, while the customer has yet to pay.
      view.status === 'requires_authentication' && 'checkoutUrl' in view
        ? { ...view, checkoutUrl: checkoutUrls(base, checkoutToken(rt, view.id)).checkoutUrl }
        : view,
    )
    return c.json({ ...listed, data }, 200)
  })
  app.openapi(get, async (c) => {
    const view = await getPayment(rt, c.get('merchantId'), c.req.valid('param').id)
    // The checkout link is derived, never stored: shown again while the customer has yet to pay.
    if (view.status === 'requires_authentication' && 'checkoutUrl' in view) {
      const base = publicBase(rt, new URL(c.req.url).origin)
      view.checkoutUrl = checkoutUrls(base, checkoutToken(rt, view.id)).checkoutUrl
    }
    return c.json(view, 200)
  })
  app.openapi(create, async (c) => {
    const base = publicBase(rt, new URL(c.req.url).origin)
    const done = await createCheckout(
      rt,
      c.get('merchantId'),
      c.req.valid('json'),
      c.get('idempotency'),
      base,
    )
    if (isKeyTaken(done)) return fromKey(c, rt, done)
    return c.json(done.body, 201)
  })
  app.openapi(close, async (c) => {
    const outcome = await runOperation(
      rt,
      closeVirtualAccountOperation,
      c.get('merchantId'),
      { paymentId: c.req.valid('param').id },
      c.get('idempotency'),
    )
    if (isKeyTaken(outcome)) return fromKey(c, rt, outcome)
    const ok = answer(outcome)
    return c.json(ok.body, ok.status)
  })
  app.openapi(issueVirtualAccount, async (c) => {
    const outcome = await runOperation(
      rt,
      issueVirtualAccountOperation,
      c.get('merchantId'),
      c.req.valid('json'),
      c.get('idempotency'),
    )
    if (isKeyTaken(outcome)) return fromKey(c, rt, outcome)
    const ok = answer(outcome)
    return c.json(ok.body, ok.status)
  })
  return app
}
