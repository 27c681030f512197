import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi'
import type { Context } from 'hono'
import type { Selectable } from 'kysely'
import { ApiError, conflict, notFound } from '../errors.js'
import type { Runtime } from '../runtime.js'
import { ErrorSchema, IdParam } from '../schemas.js'
import { type ExtDatabase, xdb } from '../workers/schema.js'
import type { EventRow } from './outbox.js'

// biome-ignore lint/suspicious/noExplicitAny: the app's env type lives in app.ts, which imports this file
type App = OpenAPIHono<any>

const iso = (d: Date | string | null | undefined) => (d == null ? null : new Date(d).toISOString())

const DeliverySchema = z
  .object({
    attempt: z.number().int(),
    url: z.string(),
    statusCode: z.number().int().nullable(),
    outcome: z.enum(['delivered', 'retry', 'failed']),
    error: z.string().nullable(),
    durationMs: z.number().int(),
    createdAt: z.string(),
  })
  .openapi('WebhookDelivery')

export const EventSchema = z
  .object({
    id: z.string().openapi({ example: 'evt_4Jd8Qm2ZrX0pL7nV3cTy9b' }),
    object: z.literal('event'),
    type: z.string().openapi({
      description:
        'cancellation.succeeded | cancellation.failed | cancellation.deposit_required | cancellation.needs_review | payment.paid | payment.failed | payment.virtual_account_issued | billing_key.issued | billing_key.deleted | charge.succeeded | charge.failed … (ignore types you do not know)',
      example: 'cancellation.succeeded',
    }),
    objectType: z.string(),
    objectId: z.string(),
    data: z
      .record(z.string(), z.unknown())
      .openapi({ description: 'Ids of the objects concerned; GET them for the truth' }),
    createdAt: z.string(),
    delivery: z.object({
      status: z.enum(['pending', 'delivered', 'failed']).openapi({
        description: 'pending includes events of merchants without a webhook endpoint (never sent)',
      }),
      attempts: z.number().int(),
      deliveredAt: z.string().nullable(),
      nextAttemptAt: z.string().nullable(),
      lastError: z.string().nullable(),
      resends: z.number().int(),
    }),
    deliveries: z.array(DeliverySchema).optional(),
  })
  .openapi('Event')

const EventListSchema = z
  .object({ object: z.literal('list'), data: z.array(EventSchema), hasMore: z.boolean() })
  .openapi('EventList')

function renderEvent(e: EventRow, deliveries?: Array<Selectable<ExtDatabase['webhook_deliveries']>>) {
  return {
    id: e.id,
    object: 'event' as const,
    type: e.type,
    objectType: e.object_type,
    objectId: e.object_id,
    data: e.data as Record<string, unknown>,
    createdAt: iso(e.created_at)!,
    delivery: {
      status: e.status as 'pending' | 'delivered' | 'failed',
      attempts: e.attempts,
      deliveredAt: iso(e.delivered_at),
      nextAttemptAt: iso(e.next_attempt_at),
      lastError: e.last_error,
      resends: e.resends,
    },
    ...(deliveries
      ? {
          deliveries: deliveries.map((d) => ({
            attempt: d.attempt,
            url: d.url,
            statusCode: d.status_code,
            outcome: d.outcome as 'delivered' | 'retry' | 'failed',
            error: d.error,
            durationMs: d.duration_ms,
            createdAt: iso(d.created_at)!,
          })),
        }
      : {}),
  }
}

const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
})
const err = (description: string) => json(ErrorSchema, description)
const security = [{ Bearer: [] }]

function send(c: Context, status: number, body: unknown) {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'request-id': c.get('requestId') ?? '' },
  })
}

async function loadEvent(rt: Runtime, merchantId: string, id: string): Promise<EventRow> {
  const row = await xdb(rt.db)
    .selectFrom('events')
    .selectAll()
    .where('id', '=', id)
    .where('merchant_id', '=', merchantId)
    .executeTakeFirst()
  if (!row) throw notFound('event', id)
  return row
}

/** The merchant's event log with delivery state, and a manual resend. Registered after authentication. */
export function registerEventRoutes(app: App, rt: Runtime): void {
  const db = xdb(rt.db)

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/events',
      tags: ['Events'],
      summary: 'List events (newest first) with their webhook delivery state',
      security,
      request: {
        query: z.object({
          objectId: z.string().min(1).max(64).optional().openapi({ description: 'Events of one object' }),
          type: z.string().min(1).max(64).optional(),
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
        200: json(EventListSchema, 'A page of events'),
        400: err('Invalid query'),
        401: err('Missing or invalid API key'),
        404: err('Unknown cursor'),
      },
    }),
    (async (c: Context) => {
      const merchantId = c.get('merchantId') as string
      const q = (
        c.req as unknown as {
          valid(t: 'query'): { objectId?: string; type?: string; limit: number; startingAfter?: string }
        }
      ).valid('query')
      let query = db.selectFrom('events').selectAll().where('merchant_id', '=', merchantId)
      if (q.objectId) query = query.where('object_id', '=', q.objectId)
      if (q.type) query = query.where('type', '=', q.type)
      if (q.startingAfter) {
        const cursor = await loadEvent(rt, merchantId, q.startingAfter)
        query = query.where((eb) =>
          eb.or([
            eb('created_at', '<', cursor.created_at),
            eb.and([eb('created_at', '=', cursor.created_at), eb('id', '<', cursor.id)]),
          ]),
        )
      }
      const rows = await query
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(q.limit + 1)
        .execute()
      return send(c, 200, {
        object: 'list',
        data: rows.slice(0, q.limit).map((r) => renderEvent(r)),
        hasMore: rows.length > q.limit,
      })
    }) as never,
  )

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/events/{id}',
      tags: ['Events'],
      summary: 'Get an event with its delivery log',
      security,
      request: { params: IdParam('evt', 'event') },
      responses: {
        200: json(EventSchema, 'The event and every delivery attempt'),
        401: err('Missing or invalid API key'),
        404: err('No such event'),
      },
    }),
    (async (c: Context) => {
      const e = await loadEvent(rt, c.get('merchantId') as string, c.req.param('id')!)
      const deliveries = await db
        .selectFrom('webhook_deliveries')
        .selectAll()
        .where('event_id', '=', e.id)
        .orderBy('attempt')
        .orderBy('created_at')
        .execute()
      return send(c, 200, renderEvent(e, deliveries))
    }) as never,
  )

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/events/{id}/resend',
      tags: ['Events'],
      summary: 'Send an event to the webhook endpoint again',
      description:
        'Queues one more delivery attempt now (delivered or failed events alike), with the same `webhook-id`. Limited per event (`workers.outbox.maxResends`). Naturally idempotent: a resend while one is queued changes nothing.',
      security,
      request: { params: IdParam('evt', 'event') },
      responses: {
        202: json(EventSchema, 'Queued'),
        401: err('Missing or invalid API key'),
        404: err('No such event'),
        409: err('No webhook endpoint configured, a delivery is in progress, or the resend limit is reached'),
      },
    }),
    (async (c: Context) => {
      const merchantId = c.get('merchantId') as string
      const e = await loadEvent(rt, merchantId, c.req.param('id')!)
      if (!rt.merchants.get(merchantId)?.config.webhook)
        throw conflict('no_webhook_endpoint', 'this merchant has no webhook endpoint configured')
      const now = rt.now()
      if (e.status === 'pending') return send(c, 202, renderEvent(e))
      const max = rt.config.workers.outbox.maxResends
      if (e.resends >= max)
        throw conflict('max_resends_reached', `this event was resent ${max} times already`)
      const updated = await db
        .updateTable('events')
        .set({
          status: 'pending',
          delivered_at: null,
          next_attempt_at: now,
          locked_until: null,
          resends: e.resends + 1,
        })
        .where('id', '=', e.id)
        .where('status', '=', e.status)
        .where('resends', '=', e.resends)
        .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', now)]))
        .returningAll()
        .executeTakeFirst()
      if (!updated)
        throw new ApiError(409, {
          type: 'conflict_error',
          code: 'delivery_in_progress',
          message: 'a delivery of this event is in progress; retry shortly',
        })
      return send(c, 202, renderEvent(updated))
    }) as never,
  )
}
