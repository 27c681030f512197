import { createRoute, z } from '@hono/zod-openapi'
import { sql } from 'kysely'
import { ApiError } from '../errors.js'
import { router } from '../http/env.js'
import { json } from '../http/responses.js'
import type { Runtime } from '../runtime.js'
import { ErrorSchema } from '../schemas.js'

/**
 * A probe has nothing to get wrong: the only client error it can meet is the HTTP server's own, for a request it
 * cannot parse (a malformed header, say), answered before the gateway sees it.
 */
const UNPARSABLE = {
  400: {
    description: 'A request the HTTP server could not parse: 400 with no body, before the gateway sees it',
  },
}

const healthz = createRoute({
  method: 'get',
  path: '/healthz',
  operationId: 'getHealth',
  tags: ['Operations'],
  summary: 'The process is up',
  // Public on purpose: load balancers probe it without a key.
  security: [],
  responses: { 200: json(z.object({ status: z.literal('ok') }), 'Up'), ...UNPARSABLE },
})

const readyz = createRoute({
  method: 'get',
  path: '/readyz',
  operationId: 'getReadiness',
  tags: ['Operations'],
  summary: 'The database answers',
  security: [],
  responses: {
    200: json(z.object({ status: z.literal('ready') }), 'Ready'),
    ...UNPARSABLE,
    503: json(ErrorSchema, 'The database does not answer'),
  },
})

/** How long /readyz waits for the database before answering 503. */
export const READY_TIMEOUT_MS = 2_000

export function healthRoutes(rt: Runtime) {
  const app = router()
  app.openapi(healthz, (c) => c.json({ status: 'ok' as const }, 200))
  app.openapi(readyz, async (c) => {
    let timer: NodeJS.Timeout | undefined
    try {
      // A probe must answer while the load balancer still waits: a database that does not answer within
      // READY_TIMEOUT_MS is not ready, whatever the statement is still waiting for.
      await Promise.race([
        sql`SELECT 1`.execute(rt.db),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error('no answer')), READY_TIMEOUT_MS)
        }),
      ])
    } catch {
      throw new ApiError(503, {
        type: 'database_unavailable',
        code: 'database_unavailable',
        message: 'the database does not answer',
      })
    } finally {
      clearTimeout(timer)
    }
    return c.json({ status: 'ready' as const }, 200)
  })
  return app
}
