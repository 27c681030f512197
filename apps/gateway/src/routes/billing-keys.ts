import { unknownKeys } from '../http/validation.js'
import { createRoute, z } from '@hono/zod-openapi'
import { CREATE_BILLING_KEY_EXAMPLES, CREATE_CHARGE_EXAMPLES } from '../examples.js'
import { router } from '../http/env.js'
import { isKeyTaken } from '../idempotency-keys.js'
import { errorResponses, json, security } from '../http/responses.js'
import { deleteBillingKeyOperation, issueBillingKeyOperation } from '../operations/billing-keys.js'
import { chargeOperation } from '../operations/charge.js'
import { runOperation } from '../operations/engine.js'
import { getBillingKey } from '../queries.js'
import type { Runtime } from '../runtime.js'
import {
  BillingKeySchema,
  CreateBillingKeySchema,
  CreateChargeSchema,
  IdempotencyHeader,
  IdParam,
  PaymentSchema,
} from '../schemas.js'
import { answer, fromKey } from './answer.js'

const issue = createRoute({
  method: 'post',
  path: '/v1/billing-keys',
  operationId: 'createBillingKey',
  tags: ['Billing keys'],
  summary: 'Issue a billing key from card data',
  description:
    'Card data goes to the PG and is never stored or logged. The PG key is stored encrypted; you get a `bk_…` id. The key is recorded `pending` before the PG is called.',
  security,
  request: {
    headers: IdempotencyHeader,
    body: {
      required: true,
      content: {
        'application/json': { schema: CreateBillingKeySchema, examples: CREATE_BILLING_KEY_EXAMPLES },
      },
    },
  },
  responses: {
    200: json(BillingKeySchema, 'The billing key'),
    ...errorResponses(400, 401, 409, 413, 422, 502, 503),
  },
})

const get = createRoute({
  method: 'get',
  path: '/v1/billing-keys/{id}',
  operationId: 'getBillingKey',
  tags: ['Billing keys'],
  summary: 'Get a billing key',
  security,
  request: { params: IdParam('bk', 'billing key') },
  responses: { 200: json(BillingKeySchema, 'The billing key'), ...errorResponses(400, 401, 404) },
})

const remove = createRoute({
  method: 'delete',
  path: '/v1/billing-keys/{id}',
  operationId: 'deleteBillingKey',
  tags: ['Billing keys'],
  summary: 'Delete a billing key (at the PG too)',
  security,
  request: {
    params: IdParam('bk', 'billing key'),
    headers: IdempotencyHeader,
    query: z.strictObject(
      { reason: z.string().min(1).max(100).optional().openapi({ example: 'card replaced' }) },
      unknownKeys(),
    ),
  },
  responses: {
    200: json(BillingKeySchema, 'The deleted billing key'),
    ...errorResponses(400, 401, 404, 409, 422, 502, 503),
  },
})

const charge = createRoute({
  method: 'post',
  path: '/v1/billing-keys/{id}/charges',
  operationId: 'chargeBillingKey',
  tags: ['Billing keys'],
  summary: 'Charge a billing key',
  description:
    'Goes to the account that issued the key. 202 with a pending payment when the PG answer was lost.',
  security,
  request: {
    params: IdParam('bk', 'billing key'),
    headers: IdempotencyHeader,
    body: {
      required: true,
      content: { 'application/json': { schema: CreateChargeSchema, examples: CREATE_CHARGE_EXAMPLES } },
    },
  },
  responses: {
    200: json(PaymentSchema, 'The paid payment'),
    202: json(PaymentSchema, 'The PG answer was lost: the payment is pending'),
    ...errorResponses(400, 401, 404, 409, 413, 422, 502, 503),
  },
})

export function billingKeyRoutes(rt: Runtime) {
  const app = router()
  app.openapi(issue, async (c) => {
    const outcome = await runOperation(
      rt,
      issueBillingKeyOperation,
      c.get('merchantId'),
      c.req.valid('json'),
      c.get('idempotency'),
    )
    if (isKeyTaken(outcome)) return fromKey(c, rt, outcome)
    const ok = answer(outcome)
    return c.json(ok.body, 200)
  })
  app.openapi(get, async (c) =>
    c.json(await getBillingKey(rt, c.get('merchantId'), c.req.valid('param').id), 200),
  )
  app.openapi(remove, async (c) => {
    const input = { billingKeyId: c.req.valid('param').id, ...c.req.valid('query') }
    const outcome = await runOperation(
      rt,
      deleteBillingKeyOperation,
      c.get('merchantId'),
      input,
      c.get('idempotency'),
    )
    if (isKeyTaken(outcome)) return fromKey(c, rt, outcome)
    const ok = answer(outcome)
    return c.json(ok.body, 200)
  })
  app.openapi(charge, async (c) => {
    const input = { billingKeyId: c.req.valid('param').id, ...c.req.valid('json') }
    const outcome = await runOperation(rt, chargeOperation, c.get('merchantId'), input, c.get('idempotency'))
    if (isKeyTaken(outcome)) return fromKey(c, rt, outcome)
    const ok = answer(outcome)
    return c.json(ok.body, ok.status)
  })
  return app
}
