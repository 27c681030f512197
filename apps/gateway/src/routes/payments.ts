import { createRoute } from '@hono/zod-openapi'
import { CREATE_VIRTUAL_ACCOUNT_EXAMPLES } from '../examples.js'
import { router } from '../http/env.js'
import { errorResponses, json, security } from '../http/responses.js'
import { runOperation } from '../operations/engine.js'
import { issueVirtualAccountOperation } from '../operations/issue-virtual-account.js'
import { getPayment } from '../queries.js'
import type { Runtime } from '../runtime.js'
import { CreateVirtualAccountSchema, IdempotencyHeader, IdParam, PaymentSchema } from '../schemas.js'
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

export function paymentRoutes(rt: Runtime) {
  const app = router()
  app.openapi(get, async (c) =>
    c.json(await getPayment(rt, c.get('merchantId'), c.req.valid('param').id), 200),
  )
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
