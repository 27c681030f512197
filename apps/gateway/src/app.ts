import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi'
import { Scalar } from '@scalar/hono-api-reference'
import type { Context, MiddlewareHandler } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { HTTPException } from 'hono/http-exception'
import { sql } from 'kysely'
import type { ApiKeyIndex } from './crypto.js'
import { ApiError, badRequest, toApiError } from './errors.js'
import {
  canonicalJson,
  IdempotencyScope,
  KeyExists,
  type Outcome,
  parseIdempotencyKey,
  readExisting,
  type ResourceRef,
} from './idempotency.js'
import { newId } from './ids.js'
import { requestContext } from './logger.js'
import type { Runtime } from './runtime.js'
import {
  BillingKeySchema,
  CancellationListSchema,
  CancellationSchema,
  CreateBillingKeySchema,
  CreateCancellationSchema,
  CreateChargeSchema,
  CreateVirtualAccountSchema,
  ErrorSchema,
  IdempotencyHeader,
  IdParam,
  PaymentSchema,
} from './schemas.js'
import { deleteBillingKey, getBillingKey, issueBillingKey } from './services/billing-keys.js'
import { createCancellation, getCancellation, listCancellations } from './services/cancellations.js'
import { chargeBillingKey, getPayment, issueVirtualAccount } from './services/payments.js'
import { registerMetricsRoute, requestMetrics } from './metrics/route.js'
import { registerNotificationRoutes } from './notifications/route.js'
import { registerEventRoutes } from './webhooks/routes.js'

export type AppEnv = { Variables: { requestId: string; merchantId: string } }

export interface AppOptions {
  /** URL of the Scalar browser bundle; the public CDN when omitted. */
  docsScriptUrl?: string
  /** Serves the docs bundle itself (for offline installs). */
  docsScript?: () => Promise<Uint8Array | undefined>
}

const errorResponses = (...statuses: number[]) =>
  Object.fromEntries(
    statuses.map((s) => [
      s,
      {
        description: ERROR_DESCRIPTIONS[s] ?? 'Error',
        content: { 'application/json': { schema: ErrorSchema } },
      },
    ]),
  )

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid input; `error.param` names the field',
  401: 'Missing or invalid API key',
  404: 'No such object for this merchant',
  409: 'State or balance conflict, or the Idempotency-Key is still in flight',
  413: 'Request body too large',
  422: 'The PG refused, or the Idempotency-Key was used with a different request',
  502: "The PG's answer was unreadable or the account's credentials were refused",
  503: 'The PG or the database is unreachable; retry with the same Idempotency-Key',
}

const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
})

const security = [{ Bearer: [] }]

function sendJson(c: Context, status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'request-id': c.get('requestId') ?? '',
      ...headers,
    },
  })
}

export function errorResponse(c: Context, err: ApiError): Response {
  return sendJson(c, err.status, { error: err.body, requestId: c.get('requestId') ?? '' })
}

export function createApp(rt: Runtime, keys: ApiKeyIndex, opts: AppOptions = {}) {
  const app = new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) {
        const issue = result.error.issues[0]
        const param = issue?.path.map(String).join('.') ?? ''
        throw badRequest(
          param || (result.target ?? 'body'),
          `${param ? `${param}: ` : ''}${issue?.message ?? 'invalid'}`,
        )
      }
    },
  })

  app.openAPIRegistry.registerComponent('securitySchemes', 'Bearer', {
    type: 'http',
    scheme: 'bearer',
    description: 'A merchant API key from the gateway configuration',
  })

  // The request line holds four fixed fields and nothing else, none of them a censored key: pino's path
  // redaction (17 paths, wildcards) cost ~17 us of the ~22 us of each line and is skipped for it. The line
  // still passes through the Redactor (registered secrets, card numbers) like every other line.
  const accessLog = rt.logger.child({}, { redact: [] })
  app.use('*', async (c, next) => {
    const requestId = newId('req')
    c.set('requestId', requestId)
    const started = performance.now()
    await requestContext.run({ requestId }, async () => {
      await next()
      const status = c.res.status
      const fields = {
        method: c.req.method,
        path: c.req.path,
        status,
        ms: Math.round((performance.now() - started) * 10) / 10,
      }
      if (status >= 500) accessLog.warn(fields, 'request')
      else accessLog.info(fields, 'request')
    })
  })

  app.onError((err, c) => {
    let apiErr: ApiError
    if (err instanceof HTTPException) {
      apiErr =
        err.status === 413
          ? new ApiError(413 as never, {
              type: 'invalid_request_error',
              code: 'body_too_large',
              message: `request body larger than ${rt.config.server.bodyLimitBytes} bytes`,
            })
          : new ApiError(400, {
              type: 'invalid_request_error',
              code: 'invalid_json',
              message: err.message || 'malformed request',
              param: 'body',
            })
    } else {
      apiErr = toApiError(err)
    }
    if (apiErr.status >= 500) rt.logger.error({ err, code: apiErr.body.code }, 'request failed')
    return errorResponse(c, apiErr)
  })

  app.notFound((c) =>
    errorResponse(
      c,
      new ApiError(404, {
        type: 'not_found_error',
        code: 'route_not_found',
        message: `no route ${c.req.method} ${c.req.path}`,
      }),
    ),
  )

  const limit = bodyLimit({
    maxSize: rt.config.server.bodyLimitBytes,
    onError: (c) => {
      throw new HTTPException(413, { res: c.res })
    },
  })

  const requireJson: MiddlewareHandler<AppEnv> = async (c, next) => {
    if (c.req.method === 'POST') {
      const type = c.req.header('content-type') ?? ''
      const length = c.req.header('content-length')
      if (!/^application\/(.+\+)?json\b/i.test(type) && !(length === '0')) {
        throw badRequest('Content-Type', 'Content-Type must be application/json', 'unsupported_content_type')
      }
    }
    await next()
  }

  const auth: MiddlewareHandler<AppEnv> = async (c, next) => {
    const header = c.req.header('authorization') ?? ''
    const m = /^Bearer\s+(\S{1,512})\s*$/i.exec(header)
    const merchantId = m ? keys.lookup(m[1]!) : undefined
    if (!merchantId) {
      throw new ApiError(401, {
        type: 'authentication_error',
        code: header ? 'invalid_api_key' : 'missing_api_key',
        message: header ? 'the API key is not valid' : 'send Authorization: Bearer <api key>',
      })
    }
    c.set('merchantId', merchantId)
    const store = requestContext.getStore()
    if (store) store.merchantId = merchantId
    await next()
  }

  app.use('*', requestMetrics(rt))
  // PG notifications carry no merchant key and are not JSON: registered ahead of the merchant middleware.
  registerNotificationRoutes(app, rt)
  // Authentication first: a caller without a key learns nothing about the API, not even its content types.
  app.use('/v1/*', auth, limit, requireJson)
  registerEventRoutes(app, rt)
  registerMetricsRoute(app, rt)

  async function currentState(merchantId: string, ref: ResourceRef): Promise<Outcome> {
    if (ref.type === 'cancellation') {
      const v = await getCancellation(rt, merchantId, ref.id)
      return { status: v.status === 'pending' ? 202 : 200, body: v }
    }
    if (ref.type === 'payment') {
      const v = await getPayment(rt, merchantId, ref.id)
      return { status: v.status === 'pending' ? 202 : 200, body: v }
    }
    return { status: 200, body: await getBillingKey(rt, merchantId, ref.id) }
  }

  /**
   * Runs a POST/DELETE under its Idempotency-Key. The handler claims the key in its first transaction; if the
   * key exists the claim rolls that transaction back and the stored outcome (or, for pending work, the current
   * state) is answered instead.
   */
  async function idempotent(
    c: Context<AppEnv>,
    body: unknown,
    run: (scope: IdempotencyScope | undefined) => Promise<Outcome>,
  ): Promise<Response> {
    const merchantId = c.get('merchantId')
    const key = parseIdempotencyKey(c.req.header('idempotency-key'))
    const render = (o: Outcome, replayed: boolean) => {
      const b = o.status >= 400 ? { ...(o.body as object), requestId: c.get('requestId') } : o.body
      return sendJson(c, o.status, b, replayed ? { 'idempotent-replayed': 'true' } : {})
    }
    if (key === undefined) return render(await run(undefined), false)
    const fingerprint = rt.vault.fingerprint(`${c.req.method} ${c.req.path}\n${canonicalJson(body)}`)
    const scope = new IdempotencyScope(merchantId, key, fingerprint)
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        return render(await run(scope), false)
      } catch (err) {
        if (!(err instanceof KeyExists)) throw err
      }
      const existing = await readExisting(rt.db, scope, rt.now())
      if (existing.kind === 'replay') return render(existing.outcome, true)
      if (existing.kind === 'current') return render(await currentState(merchantId, existing.resource), true)
      // Released in between (the first attempt provably did nothing): run it now.
    }
    throw new ApiError(409, {
      type: 'idempotency_error',
      code: 'idempotency_key_in_use',
      message: 'the Idempotency-Key is contended; retry',
      param: 'Idempotency-Key',
    })
  }

  // ---- cancellations
  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/cancellations',
      tags: ['Cancellations'],
      summary: 'Cancel a payment (whole or partial)',
      description:
        'Cancels `amount` (or everything that remains) of a payment, given by `paymentId` or by `account` + `transactionId` for a payment made elsewhere. The balance is reserved before the PG is called, so concurrent cancels never exceed the payment. 200 with `succeeded` or `deposit_required`; 202 with `pending` when the PG answer was lost (never retried with a new PG id; replay the same Idempotency-Key to read the current state).',
      security,
      request: {
        headers: IdempotencyHeader,
        body: { required: true, content: { 'application/json': { schema: CreateCancellationSchema } } },
      },
      responses: {
        200: json(CancellationSchema, 'The cancellation, succeeded or awaiting a deposit'),
        202: json(CancellationSchema, 'The PG answer was lost or unreadable: pending, amount kept reserved'),
        ...errorResponses(400, 401, 404, 409, 413, 422, 502, 503),
      },
    }),
    (async (c: Context<AppEnv>) => {
      const body = (c.req as unknown as { valid(t: 'json'): z.infer<typeof CreateCancellationSchema> }).valid(
        'json',
      )
      return idempotent(c, body, (scope) => createCancellation(rt, c.get('merchantId'), body, scope))
    }) as never,
  )

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/cancellations',
      tags: ['Cancellations'],
      summary: 'List cancellations (newest first), by transaction or payment',
      security,
      request: {
        query: z.object({
          transactionId: z
            .string()
            .min(1)
            .max(100)
            .optional()
            .openapi({ description: "The PG's payment id" }),
          paymentId: z.string().min(1).max(64).optional(),
          limit: z.coerce.number().int().min(1).max(100).default(20),
          startingAfter: z
            .string()
            .min(1)
            .max(64)
            .optional()
            .openapi({ description: 'Cursor: the last id of the previous page' }),
        }),
      },
      responses: {
        200: json(CancellationListSchema, 'A page of cancellations'),
        ...errorResponses(400, 401, 404),
      },
    }),
    (async (c: Context<AppEnv>) => {
      const q = (c.req as unknown as { valid(t: 'query'): Parameters<typeof listCancellations>[2] }).valid(
        'query',
      )
      return sendJson(c, 200, await listCancellations(rt, c.get('merchantId'), q))
    }) as never,
  )

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/cancellations/{id}',
      tags: ['Cancellations'],
      summary: 'Get a cancellation',
      security,
      request: { params: IdParam('can', 'cancellation') },
      responses: { 200: json(CancellationSchema, 'The cancellation'), ...errorResponses(401, 404) },
    }),
    (async (c: Context<AppEnv>) =>
      sendJson(c, 200, await getCancellation(rt, c.get('merchantId'), c.req.param('id')!))) as never,
  )

  // ---- payments
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/payments/{id}',
      tags: ['Payments'],
      summary: 'Get a payment with its balance and cancellations',
      security,
      request: { params: IdParam('pay', 'payment') },
      responses: { 200: json(PaymentSchema, 'The payment'), ...errorResponses(401, 404) },
    }),
    (async (c: Context<AppEnv>) =>
      sendJson(c, 200, await getPayment(rt, c.get('merchantId'), c.req.param('id')!))) as never,
  )

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/virtual-accounts',
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
    }),
    (async (c: Context<AppEnv>) => {
      const body = (
        c.req as unknown as { valid(t: 'json'): z.infer<typeof CreateVirtualAccountSchema> }
      ).valid('json')
      return idempotent(c, body, (scope) => issueVirtualAccount(rt, c.get('merchantId'), body, scope))
    }) as never,
  )

  // ---- billing keys
  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/billing-keys',
      tags: ['Billing keys'],
      summary: 'Issue a billing key from card data',
      description:
        'Card data goes to the PG and is never stored or logged. The PG key is stored encrypted; you get a `bk_…` id.',
      security,
      request: {
        headers: IdempotencyHeader,
        body: { required: true, content: { 'application/json': { schema: CreateBillingKeySchema } } },
      },
      responses: {
        200: json(BillingKeySchema, 'The billing key'),
        ...errorResponses(400, 401, 409, 413, 422, 502, 503),
      },
    }),
    (async (c: Context<AppEnv>) => {
      const body = (c.req as unknown as { valid(t: 'json'): z.infer<typeof CreateBillingKeySchema> }).valid(
        'json',
      )
      return idempotent(c, body, (scope) => issueBillingKey(rt, c.get('merchantId'), body, scope))
    }) as never,
  )

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/billing-keys/{id}',
      tags: ['Billing keys'],
      summary: 'Get a billing key',
      security,
      request: { params: IdParam('bk', 'billing key') },
      responses: { 200: json(BillingKeySchema, 'The billing key'), ...errorResponses(401, 404) },
    }),
    (async (c: Context<AppEnv>) =>
      sendJson(c, 200, await getBillingKey(rt, c.get('merchantId'), c.req.param('id')!))) as never,
  )

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/v1/billing-keys/{id}',
      tags: ['Billing keys'],
      summary: 'Delete a billing key (at the PG too)',
      security,
      request: {
        params: IdParam('bk', 'billing key'),
        headers: IdempotencyHeader,
        query: z.object({ reason: z.string().min(1).max(100).optional() }),
      },
      responses: {
        200: json(BillingKeySchema, 'The deleted billing key'),
        ...errorResponses(400, 401, 404, 409, 422, 502, 503),
      },
    }),
    (async (c: Context<AppEnv>) => {
      const id = c.req.param('id')!
      const reason = c.req.query('reason')
      return idempotent(c, { reason }, (scope) =>
        deleteBillingKey(rt, c.get('merchantId'), id, reason, scope),
      )
    }) as never,
  )

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/billing-keys/{id}/charges',
      tags: ['Billing keys'],
      summary: 'Charge a billing key',
      description:
        'Goes to the account that issued the key. 202 with a pending payment when the PG answer was lost.',
      security,
      request: {
        params: IdParam('bk', 'billing key'),
        headers: IdempotencyHeader,
        body: { required: true, content: { 'application/json': { schema: CreateChargeSchema } } },
      },
      responses: {
        200: json(PaymentSchema, 'The paid payment'),
        202: json(PaymentSchema, 'The PG answer was lost: the payment is pending'),
        ...errorResponses(400, 401, 404, 409, 413, 422, 502, 503),
      },
    }),
    (async (c: Context<AppEnv>) => {
      const body = (c.req as unknown as { valid(t: 'json'): z.infer<typeof CreateChargeSchema> }).valid(
        'json',
      )
      return idempotent(c, body, (scope) =>
        chargeBillingKey(rt, c.get('merchantId'), c.req.param('id')!, body, scope),
      )
    }) as never,
  )

  // ---- operations
  app.openapi(
    createRoute({
      method: 'get',
      path: '/healthz',
      tags: ['Operations'],
      summary: 'The process is up',
      // Public on purpose: load balancers probe it without a key.
      security: [],
      responses: { 200: json(z.object({ status: z.literal('ok') }), 'Up') },
    }),
    ((c: Context<AppEnv>) => sendJson(c, 200, { status: 'ok' })) as never,
  )

  app.openapi(
    createRoute({
      method: 'get',
      path: '/readyz',
      tags: ['Operations'],
      summary: 'The database answers',
      security: [],
      responses: {
        200: json(z.object({ status: z.literal('ready') }), 'Ready'),
        503: json(ErrorSchema, 'The database does not answer'),
      },
    }),
    (async (c: Context<AppEnv>) => {
      try {
        await sql`SELECT 1`.execute(rt.db)
      } catch {
        return errorResponse(
          c,
          new ApiError(503, {
            type: 'database_unavailable',
            code: 'database_unavailable',
            message: 'the database does not answer',
          }),
        )
      }
      return sendJson(c, 200, { status: 'ready' })
    }) as never,
  )

  app.doc31('/openapi.json', () => ({
    openapi: '3.1.0',
    info: {
      title: 'paymux gateway',
      version: '1.0.0',
      description:
        'One API in front of Korean PGs (NicePay, Bootpay, CookiePay). Amounts are integer KRW. Every POST and DELETE accepts an Idempotency-Key. Errors share one shape: `{error: {type, code, message, param?, providerCode?, providerMessage?}, requestId}`.',
      license: { name: 'MIT', identifier: 'MIT' },
    },
    // Never the request's Host (a cache could serve a forged one, and "try it" would send keys there).
    servers: [{ url: rt.config.server.publicUrl ?? '/' }],
    tags: [
      { name: 'Cancellations', description: 'Whole and partial cancels with a reserved balance' },
      { name: 'Payments', description: 'Payments and virtual accounts' },
      {
        name: 'Billing keys',
        description: 'Stored cards (the PG keeps the card; paymux keeps its key, encrypted)',
      },
      { name: 'Operations', description: 'Health and readiness' },
      {
        name: 'Events',
        description: 'Events sent to your webhook endpoint (Standard Webhooks), their delivery log, resends',
      },
      { name: 'Notifications', description: 'Called by the PGs, not by merchants' },
    ],
  }))

  if (opts.docsScript) {
    app.get('/docs/scalar.js', async (c) => {
      const js = await opts.docsScript!()
      if (!js)
        return errorResponse(
          c,
          new ApiError(404, {
            type: 'not_found_error',
            code: 'route_not_found',
            message: 'docs bundle not installed',
          }),
        )
      return c.body(js as never, 200, {
        'content-type': 'text/javascript; charset=utf-8',
        'cache-control': 'public, max-age=86400',
      })
    })
  }
  app.get(
    '/docs',
    Scalar({
      url: '/openapi.json',
      pageTitle: 'paymux API',
      // System fonts: nothing is fetched from outside the gateway.
      withDefaultFonts: false,
      ...(opts.docsScriptUrl ? { cdn: opts.docsScriptUrl } : {}),
    }),
  )

  return app
}

export type GatewayApp = ReturnType<typeof createApp>
