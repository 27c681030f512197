import { unknownKeys } from '../http/validation.js'
import { createRoute, z } from '@hono/zod-openapi'
import { CREATE_CANCELLATION_EXAMPLES } from '../examples.js'
import { router } from '../http/env.js'
import { isKeyTaken } from '../idempotency-keys.js'
import { page, pageQuery } from '../http/pagination.js'
import { errorResponses, json, security } from '../http/responses.js'
import { cancelOperation } from '../operations/cancel.js'
import { runOperation } from '../operations/engine.js'
import { getCancellation } from '../queries.js'
import { renderCancellation } from '../render.js'
import type { Runtime } from '../runtime.js'
import {
  CancellationListSchema,
  CancellationSchema,
  CreateCancellationSchema,
  IdempotencyHeader,
  IdParam,
} from '../schemas.js'
import { answer, fromKey } from './answer.js'

const create = createRoute({
  method: 'post',
  path: '/v1/cancellations',
  operationId: 'createCancellation',
  tags: ['Cancellations'],
  summary: 'Cancel a payment (whole or partial)',
  description:
    'Cancels `amount` (or everything that remains) of a payment, given by `paymentId` or by `account` + `transactionId` for a payment made elsewhere. The balance is reserved before the PG is called, so concurrent cancels never exceed the payment. 200 with `succeeded`, `accepted` or `deposit_required`; 202 with `pending` when the PG answer was lost (never retried with a new PG id; replay the same Idempotency-Key to read the current state).',
  security,
  request: {
    headers: IdempotencyHeader,
    body: {
      required: true,
      content: {
        'application/json': { schema: CreateCancellationSchema, examples: CREATE_CANCELLATION_EXAMPLES },
      },
    },
  },
  responses: {
    200: json(CancellationSchema, 'The cancellation: succeeded, accepted, or awaiting a deposit'),
    202: json(CancellationSchema, 'The PG answer was lost or unreadable: pending, amount kept reserved'),
    ...errorResponses(400, 401, 404, 409, 413, 422, 502, 503),
  },
})

const list = createRoute({
  method: 'get',
  path: '/v1/cancellations',
  operationId: 'listCancellations',
  tags: ['Cancellations'],
  summary: 'List cancellations (newest first), by transaction or payment',
  security,
  request: {
    // An unknown parameter (order_id) is refused naming the one meant, never ignored into a wider answer.
    query: z.strictObject(
      {
        transactionId: z.string().min(1).max(100).optional().openapi({ description: "The PG's payment id" }),
        paymentId: z.string().min(1).max(64).optional(),
        ...pageQuery,
      },
      unknownKeys(),
    ),
  },
  responses: {
    200: json(CancellationListSchema, 'A page of cancellations'),
    ...errorResponses(400, 401, 404),
  },
})

const get = createRoute({
  method: 'get',
  path: '/v1/cancellations/{id}',
  operationId: 'getCancellation',
  tags: ['Cancellations'],
  summary: 'Get a cancellation',
  security,
  request: { params: IdParam('can', 'cancellation') },
  responses: { 200: json(CancellationSchema, 'The cancellation'), ...errorResponses(400, 401, 404) },
})

export function cancellationRoutes(rt: Runtime) {
  const app = router()
  app.openapi(create, async (c) => {
    const outcome = await runOperation(
      rt,
      cancelOperation,
      c.get('merchantId'),
      c.req.valid('json'),
      c.get('idempotency'),
    )
    if (isKeyTaken(outcome)) return fromKey(c, rt, outcome)
    const ok = answer(outcome)
    return c.json(ok.body, ok.status)
  })
  app.openapi(list, async (c) => {
    const q = c.req.valid('query')
    const merchantId = c.get('merchantId')
    let query = rt.db.selectFrom('cancellations').selectAll().where('merchant_id', '=', merchantId)
    if (q.transactionId !== undefined) query = query.where('transaction_id', '=', q.transactionId)
    if (q.paymentId !== undefined) query = query.where('payment_id', '=', q.paymentId)
    const cursorOf = (id: string) =>
      rt.db
        .selectFrom('cancellations')
        .select(['created_at', 'id'])
        .where('id', '=', id)
        .where('merchant_id', '=', merchantId)
        .executeTakeFirst()
    return c.json(await page(query, cursorOf, 'cancellation', q, renderCancellation), 200)
  })
  app.openapi(get, async (c) =>
    c.json(await getCancellation(rt, c.get('merchantId'), c.req.valid('param').id), 200),
  )
  return app
}
