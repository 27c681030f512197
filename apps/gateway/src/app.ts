import { OpenAPIHono } from '@hono/zod-openapi'
import { HTTPException } from 'hono/http-exception'
import type { ApiKeyIndex } from './crypto.js'
import { ApiError, toApiError } from './errors.js'
import type { AppEnv } from './http/env.js'
import { idempotency } from './http/idempotency.js'
import { authenticate, requestLog, requireJson } from './http/middleware.js'
import { jsonBody, readBody } from './http/request-body.js'
import { errorResponse } from './http/responses.js'
import { registerMetricsRoute, requestMetrics } from './metrics/route.js'
import { notificationRoutes } from './notifications/route.js'
import { accountRoutes } from './routes/accounts.js'
import { billingKeyRoutes } from './routes/billing-keys.js'
import { cancellationRoutes } from './routes/cancellations.js'
import { checkoutRoutes } from './routes/checkout-link.js'
import { consoleRoutes } from './console/routes.js'
import { docsRoutes, type DocsOptions } from './routes/docs.js'
import { eventRoutes } from './routes/events.js'
import { healthRoutes } from './routes/health.js'
import { paymentRoutes } from './routes/payments.js'
import type { Runtime } from './runtime.js'

export type { AppEnv } from './http/env.js'
export type AppOptions = DocsOptions

/**
 * The gateway's HTTP app: middleware in the order that makes it safe (request id and log; PG notifications,
 * which carry no merchant key; then for /v1 authentication before anything that would tell a caller without a
 * key about the API, the body limit, the JSON check and the Idempotency-Key), then one route group per
 * resource. It only composes; each group declares its routes and their types.
 */
export function createApp(rt: Runtime, keys: ApiKeyIndex, opts: AppOptions = {}) {
  const app = new OpenAPIHono<AppEnv>()
  app.openAPIRegistry.registerComponent('securitySchemes', 'Bearer', {
    type: 'http',
    scheme: 'bearer',
    description: 'A merchant API key from the gateway configuration',
  })

  app.use('*', requestLog(rt))
  app.onError((err, c) => {
    const apiErr =
      err instanceof HTTPException
        ? err.status === 413
          ? new ApiError(413, {
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
        : toApiError(err)
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
  app.use('*', requestMetrics(rt))

  // Browsers ask every origin for an icon (the docs, the demo shop, checkout pages): an empty answer, not a 404
  // in the log and the metrics for each page opened.
  app.get('/favicon.ico', (c) => c.body(null, 204, { 'cache-control': 'public, max-age=86400' }))

  app.route('/', notificationRoutes(rt))
  // The customer's checkout pages: the token in the path is their credential, not an API key.
  app.route('/', checkoutRoutes(rt))
  // The operator console: its own sign-in and sessions (operators, not API keys), never under /v1.
  app.route('/', consoleRoutes(rt))
  // Authentication first: a caller without a key learns nothing about the API, not even its content types.
  app.use(
    '/v1/*',
    authenticate(keys),
    readBody(rt.config.server.bodyLimitBytes),
    requireJson,
    jsonBody,
    idempotency(rt),
  )
  app.route('/', cancellationRoutes(rt))
  app.route('/', paymentRoutes(rt))
  app.route('/', billingKeyRoutes(rt))
  app.route('/', eventRoutes(rt))
  app.route('/', accountRoutes(rt))
  registerMetricsRoute(app, rt)
  app.route('/', healthRoutes(rt))
  docsRoutes(app, rt, opts)
  return app
}

export type GatewayApp = ReturnType<typeof createApp>
