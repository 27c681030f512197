import type { OpenAPIHono } from '@hono/zod-openapi'
import type { MiddlewareHandler } from 'hono'
import { ApiError } from '../errors.js'
import type { AppEnv } from '../http/env.js'
import { errorResponse } from '../http/responses.js'
import { providerNames } from '../providers.js'
import type { Runtime } from '../runtime.js'

export interface DocsOptions {
  /** URL of the Scalar browser bundle; the public CDN when omitted. */
  docsScriptUrl?: string
  /** Serves the docs bundle itself (for offline installs). */
  docsScript?: () => Promise<Uint8Array | undefined>
  /** A key filled in for "try it" (the demo's own, which the demo prints anyway; never a production key). */
  docsApiKey?: string
}

/**
 * /openapi.json, generated from every route group's declarations (so it must be registered on the composed
 * app), and /docs rendering it.
 */
export function docsRoutes(app: OpenAPIHono<AppEnv>, rt: Runtime, opts: DocsOptions): void {
  app.doc31('/openapi.json', () => ({
    openapi: '3.1.0',
    info: {
      title: 'paymux gateway',
      version: '1.0.0',
      description: `One API in front of Korean PGs (${providerNames()}). Amounts are integer KRW. Every POST and DELETE accepts an Idempotency-Key. Errors share one shape: \`{error: {type, code, message, param?, providerCode?, providerMessage?}, requestId}\`.`,
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
    const script = opts.docsScript
    app.get('/docs/scalar.js', async (c) => {
      const js = await script()
      if (!js)
        return errorResponse(
          c,
          new ApiError(404, {
            type: 'not_found_error',
            code: 'route_not_found',
            message: 'docs bundle not installed',
          }),
        )
      return new Response(js, {
        status: 200,
        headers: {
          'content-type': 'text/javascript; charset=utf-8',
          'cache-control': 'public, max-age=86400',
        },
      })
    })
  }
  // The page's renderer is loaded on the first visit, not at start-up: most gateways never serve /docs, and
  // start-up time and resident memory are what every one of them pays.
  let page: Promise<MiddlewareHandler<AppEnv>> | undefined
  app.get('/docs', async (c, next) => {
    page ??= import('@scalar/hono-api-reference').then(({ Scalar }) => docsPage(Scalar, opts))
    return (await page)(c, next)
  })
}

function docsPage(
  Scalar: typeof import('@scalar/hono-api-reference').Scalar,
  opts: DocsOptions,
): MiddlewareHandler<AppEnv> {
  return Scalar({
    url: '/openapi.json',
    pageTitle: 'paymux API',
    // System fonts: nothing is fetched from outside the gateway.
    withDefaultFonts: false,
    // A self-hosted gateway's page: no controls that call Scalar's hosted services (AI chat, MCP, share/deploy).
    agent: { disabled: true },
    mcp: { disabled: true },
    showDeveloperTools: 'never',
    telemetry: false,
    // The API takes a Bearer key: "try it" opens with it selected (and, in the demo, filled in) rather than
    // sending requests that can only answer 401.
    authentication: {
      preferredSecurityScheme: 'Bearer',
      ...(opts.docsApiKey ? { securitySchemes: { Bearer: { token: opts.docsApiKey } } } : {}),
    },
    ...(opts.docsScriptUrl ? { cdn: opts.docsScriptUrl } : {}),
  })
}
