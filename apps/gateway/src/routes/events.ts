import { unknownKeys } from '../http/validation.js'
import { createRoute, z } from '@hono/zod-openapi'
import type { Selectable } from 'kysely'
import type { Database } from '../db/schema.js'
import { conflict, notFound } from '../errors.js'
import { router } from '../http/env.js'
import { page, pageQuery } from '../http/pagination.js'
import { errorResponses, json, security } from '../http/responses.js'
import type { Runtime } from '../runtime.js'
import { IdempotencyHeader, IdParam } from '../schemas.js'
import type { EventRow } from '../webhooks/outbox.js'
import { resendEvent } from '../webhooks/resend.js'

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
      status: z.enum(['pending', 'delivered', 'failed', 'not_configured']).openapi({
        description: 'not_configured: the merchant has no webhook endpoint, so the event is only listed here',
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

function renderEvent(e: EventRow, deliveries?: Array<Selectable<Database['webhook_deliveries']>>) {
  return {
    id: e.id,
    object: 'event' as const,
    type: e.type,
    objectType: e.object_type,
    objectId: e.object_id,
    data: e.data as Record<string, unknown>,
    createdAt: iso(e.created_at)!,
    delivery: {
      status: e.status as 'pending' | 'delivered' | 'failed' | 'not_configured',
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

async function loadEvent(rt: Runtime, merchantId: string, id: string): Promise<EventRow> {
  const row = await rt.db
    .selectFrom('events')
    .selectAll()
    .where('id', '=', id)
    .where('merchant_id', '=', merchantId)
    .executeTakeFirst()
  if (!row) throw notFound('event', id)
  return row
}

const list = createRoute({
  method: 'get',
  path: '/v1/events',
  operationId: 'listEvents',
  tags: ['Events'],
  summary: 'List events (newest first) with their webhook delivery state',
  security,
  request: {
    // An unknown parameter (order_id) is refused naming the one meant, never ignored into a wider answer.
    query: z.strictObject(
      {
        objectId: z.string().min(1).max(64).optional().openapi({ description: 'Events of one object' }),
        type: z.string().min(1).max(64).optional(),
        ...pageQuery,
      },
      unknownKeys(),
    ),
  },
  responses: { 200: json(EventListSchema, 'A page of events'), ...errorResponses(400, 401, 404) },
})

const get = createRoute({
  method: 'get',
  path: '/v1/events/{id}',
  operationId: 'getEvent',
  tags: ['Events'],
  summary: 'Get an event with its delivery log',
  security,
  request: { params: IdParam('evt', 'event') },
  responses: {
    200: json(EventSchema, 'The event and every delivery attempt'),
    ...errorResponses(400, 401, 404),
  },
})

const resend = createRoute({
  method: 'post',
  path: '/v1/events/{id}/resend',
  operationId: 'resendEvent',
  tags: ['Events'],
  summary: 'Send an event to the webhook endpoint again',
  description:
    'Takes no body. Queues one more delivery attempt now (delivered or failed events alike), with the same `webhook-id`. Limited per event (`workers.outbox.maxResends`). Naturally idempotent: a resend while one is queued changes nothing, so an Idempotency-Key is optional here (it is checked like on every POST, but no answer is stored under it).',
  security,
  request: { params: IdParam('evt', 'event'), headers: IdempotencyHeader },
  responses: {
    202: json(EventSchema, 'Queued'),
    ...errorResponses(400, 401, 404, 409),
  },
})

/** The merchant's event log with delivery state, and a manual resend. Mounted after authentication. */
export function eventRoutes(rt: Runtime) {
  const app = router()
  app.openapi(list, async (c) => {
    const q = c.req.valid('query')
    const merchantId = c.get('merchantId')
    let query = rt.db.selectFrom('events').selectAll().where('merchant_id', '=', merchantId)
    if (q.objectId) query = query.where('object_id', '=', q.objectId)
    if (q.type) query = query.where('type', '=', q.type)
    const cursorOf = (id: string) => loadEvent(rt, merchantId, id)
    return c.json(await page(query, cursorOf, 'event', q, (r) => renderEvent(r)), 200)
  })
  app.openapi(get, async (c) => {
    const e = await loadEvent(rt, c.get('merchantId'), c.req.valid('param').id)
    const deliveries = await rt.db
      .selectFrom('webhook_deliveries')
      .selectAll()
      .where('event_id', '=', e.id)
      .orderBy('attempt')
      .orderBy('created_at')
      .execute()
    return c.json(renderEvent(e, deliveries), 200)
  })
  app.openapi(resend, async (c) => {
    const merchantId = c.get('merchantId')
    const e = await loadEvent(rt, merchantId, c.req.valid('param').id)
    const out = await resendEvent(rt, e)
    if (out.kind === 'refused') throw conflict(out.code, out.message)
    return c.json(renderEvent(out.kind === 'requeued' ? out.event : e), 202)
  })
  return app
}
