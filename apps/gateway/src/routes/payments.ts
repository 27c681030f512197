import { createRoute } from '@hono/zod-openapi'
import { createCheckout } from '../checkout/create.js'
import { checkoutToken, checkoutUrls, publicBase } from '../checkout/token.js'
import { router } from '../http/env.js'
import { errorResponses, json, security } from '../http/responses.js'
import { runOperation } from '../operations/engine.js'
import { issueVirtualAccountOperation } from '../operations/issue-virtual-account.js'
import { getPayment } from '../queries.js'
import type { Runtime } from '../runtime.js'
import {
  CreatePaymentSchema,
  CreateVirtualAccountSchema,
  IdempotencyHeader,
  IdParam,
  PaymentSchema,
} from '../schemas.js'
import { answer } from './answer.js'

const get = createRoute({
  method: 'get',
  path: '/v1/payments/{id}',
  operationId: 'getPayment',
  tags: ['Payments'],
  summary: 'Get a payment with its balance and cancellations',
  security,
  request: { params: IdParam('pay', 'payment') },
  responses: { 200: json(PaymentSchema, 'The payment'), ...errorResponses(401, 404) },
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
    body: { required: true, content: { 'application/json': { schema: CreateVirtualAccountSchema } } },
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
            provider: 'nicepay',
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

export function paymentRoutes(rt: Runtime) {
  const app = router()
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
    return c.json(done.body, 201)
  })
  app.openapi(issueVirtualAccount, async (c) => {
    const ok = answer(
      await runOperation(
        rt,
        issueVirtualAccountOperation,
        c.get('merchantId'),
        c.req.valid('json'),
        c.get('idempotency'),
      ),
    )
    return c.json(ok.body, ok.status)
  })
  return app
}
