import { createRoute, z } from '@hono/zod-openapi'
import { router } from '../http/env.js'
import { page, pageQuery } from '../http/pagination.js'
import { errorResponses, json, security } from '../http/responses.js'
import { runOperation } from '../operations/engine.js'
import { closeVirtualAccountOperation } from '../operations/close-virtual-account.js'
import { issueVirtualAccountOperation } from '../operations/issue-virtual-account.js'
import { PAYMENT_STATUSES } from '../ledger/statuses.js'
import { getPayment, withCancellations } from '../queries.js'
import type { Runtime } from '../runtime.js'
import {
  CreateVirtualAccountSchema,
  IdempotencyHeader,
  IdParam,
  PaymentListSchema,
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

const list = createRoute({
  method: 'get',
  path: '/v1/payments',
  operationId: 'listPayments',
  tags: ['Payments'],
  summary: 'List payments (newest first); find one by its order id or PG transaction id',
  security,
  request: {
    query: z.object({
      orderId: z.string().min(1).max(64).optional().openapi({ description: "The merchant's order id" }),
      transactionId: z.string().min(1).max(100).optional().openapi({ description: "The PG's payment id" }),
      status: z.enum(PAYMENT_STATUSES).optional(),
      ...pageQuery,
    }),
  },
  responses: { 200: json(PaymentListSchema, 'A page of payments'), ...errorResponses(400, 401, 404) },
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

const close = createRoute({
  method: 'post',
  path: '/v1/payments/{id}/close',
  operationId: 'closePayment',
  tags: ['Payments'],
  summary: 'Close an unpaid virtual account',
  description:
    'Takes no body. The PG closes the account (NicePay: a full cancel before the deposit), so nothing can be paid into it. Only a virtual account awaiting its deposit closes; a deposited one is refunded with a cancellation. An account whose PG cannot close one answers 400 naming the capability. A lost answer leaves it `closing` (202) until the reconciler reads the PG.',
  security,
  request: { headers: IdempotencyHeader, params: IdParam('pay', 'payment') },
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
    return c.json({ ...listed, data: await withCancellations(rt, listed.data) }, 200)
  })
  app.openapi(get, async (c) =>
    c.json(await getPayment(rt, c.get('merchantId'), c.req.valid('param').id), 200),
  )
  app.openapi(close, async (c) => {
    const ok = answer(
      await runOperation(
        rt,
        closeVirtualAccountOperation,
        c.get('merchantId'),
        { paymentId: c.req.valid('param').id },
        c.get('idempotency'),
      ),
    )
    return c.json(ok.body, ok.status)
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
