import { z } from '@hono/zod-openapi'
import type { Context } from 'hono'
import type { ApiError } from '../errors.js'
import { ErrorSchema } from '../schemas.js'

/** The headers every answer carries. */
const ANSWER_HEADERS = z.object({
  'Request-Id': z.string().openapi({
    description: "This request's id (also `requestId` in errors and every log line)",
    example: 'req_3bTq0fXc9kP1mZ7uV2wY4a',
  }),
  'Idempotent-Replayed': z.literal('true').optional().openapi({
    description:
      'Present when the answer is the stored answer (or current state) of an earlier request with the same Idempotency-Key',
  }),
})

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

type ErrorStatus = 400 | 401 | 404 | 409 | 413 | 422 | 502 | 503

/** The error answers of a route, all in the one error shape. */
export function errorResponses<S extends ErrorStatus>(...statuses: S[]) {
  return Object.fromEntries(
    statuses.map((s) => [
      s,
      {
        description: ERROR_DESCRIPTIONS[s] ?? 'Error',
        headers: ANSWER_HEADERS,
        content: { 'application/json': { schema: ErrorSchema } },
      },
    ]),
  ) as Record<
    S,
    {
      description: string
      headers: typeof ANSWER_HEADERS
      content: { 'application/json': { schema: typeof ErrorSchema } }
    }
  >
}

export const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  headers: ANSWER_HEADERS,
  content: { 'application/json': { schema } },
})

export const security = [{ Bearer: [] }]

/** A JSON answer outside a typed route (middleware, errors, replays): the same headers as every answer. */
export function sendJson(
  c: Context,
  status: number,
  text: string,
  headers: Record<string, string> = {},
): Response {
  return new Response(text, {
    status,
    headers: {
      // What the typed routes' c.json sends: a replay of their answer must carry the same bytes. (JSON is
      // UTF-8 by definition; application/json has no charset parameter.)
      'content-type': 'application/json',
      'request-id': c.get('requestId') ?? '',
      ...headers,
    },
  })
}

export function errorResponse(c: Context, err: ApiError): Response {
  return sendJson(c, err.status, JSON.stringify({ error: err.body, requestId: c.get('requestId') ?? '' }))
}
