import type { HttpBindings } from '@hono/node-server'
import { OpenAPIHono } from '@hono/zod-openapi'
import type { IdempotencyScope } from '../idempotency-keys.js'
import { badRequest } from '../errors.js'
import { describeIssues } from './validation.js'

/** What every request carries through the middleware to its handler. */
export type AppEnv = {
  /** The Node request and response under @hono/node-server (absent under `app.request`). */
  Bindings: Partial<HttpBindings>
  Variables: {
    requestId: string
    merchantId: string
    /** The request's Idempotency-Key, scoped to its merchant and fingerprinted (POST/DELETE only). */
    idempotency: IdempotencyScope | undefined
  }
}

/**
 * A route group: schema failures become the API's 400 naming the field, like every other client error, with
 * every problem of the request in `errors`.
 */
export function router(): OpenAPIHono<AppEnv> {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) {
        const issues = describeIssues(result.error.issues)
        const target = result.target ?? 'body'
        throw badRequest(
          issues?.param || target,
          issues?.message ?? 'invalid',
          'invalid_request',
          issues?.errors.map((e) => ({ ...e, param: e.param || target })),
        )
      }
    },
  })
}
