import { getConnInfo } from '@hono/node-server/conninfo'
import { createRoute, z } from '@hono/zod-openapi'
import type { Context } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { router } from '../http/env.js'
import { metricsOf } from '../metrics/registry.js'
import { perProvider } from '../providers.js'
import type { Runtime } from '../runtime.js'
import { findAccount, processNotification } from './process.js'
import { isLimited, underLookupLimit } from './rate-limit.js'

/** A reply in plain text: the gateway's own refusals, and the PGs' text replies. */
const PLAIN = { 'text/plain': { schema: { type: 'string' as const } } }
/** A reply in JSON, for the PGs that answer in JSON. */
const PG_JSON = {
  'application/json': {
    schema: {
      type: 'object' as const,
      properties: { success: { type: 'boolean' as const } },
      additionalProperties: true,
    },
  },
}

/** A form notification: named fields, each a string (their names and meaning are the PG's own). */
const NOTIFICATION_FORM = {
  type: 'object' as const,
  description: perProvider((r) => r.notificationForm, '; '),
  additionalProperties: { type: 'string' as const },
}

/** Notifications are small; anything larger is not a PG's. */
const MAX_NOTIFICATION_BYTES = 64 * 1024

/**
 * The sender's address: the socket peer, or — only when the operator says how many proxies stand in front
 * (`server.forwardedForHops`) — the X-Forwarded-For entry that many hops from the right, which is the one the
 * outermost trusted proxy wrote. Entries further left are whatever the client claimed.
 */
export function sourceIpOf(c: Context, hops: number): string | undefined {
  let peer: string | undefined
  try {
    peer = getConnInfo(c).remote.address
  } catch {
    peer = undefined
  }
  if (hops > 0) {
    const xff = c.req.header('x-forwarded-for')
    if (xff) {
      const entries = xff
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
      const picked = entries[entries.length - hops]
      if (picked) return picked
    }
  }
  return peer
}

/**
 * POST /v1/notifications/{accountId}: the PG's server calls it, so no merchant key; the account id picks the
 * credentials and adapter that verify it. Registered before the merchant authentication middleware.
 */
export function notificationRoutes(rt: Runtime) {
  const app = router()
  // Also bounds a chunked body that announces no length, before it is read into memory.
  app.use(
    '/v1/notifications/*',
    bodyLimit({ maxSize: MAX_NOTIFICATION_BYTES, onError: (c) => c.text('too large', 413) }),
  )
  // Declared for the document only: the answer is the PG's own reply (its status, type and bytes), which no
  // typed response can describe, so the handler is a plain route.
  app.openAPIRegistry.registerPath(
    createRoute({
      method: 'post',
      path: '/v1/notifications/{accountId}',
      operationId: 'receiveNotification',
      tags: ['Notifications'],
      summary: 'Receive a PG notification (called by the PG, not by merchants)',
      // No merchant key: the adapter verifies the sender (declared for the OpenAPI linter).
      security: [],
      description: `Configure this URL at the PG for the account (${perProvider((r) => r.notificationSetting, '; ')}). The raw body is handed to the account's adapter, which verifies it (IP allow-list, PG re-query, amount and account matching); a verified notification is applied once (duplicates change nothing) and answered exactly as the PG expects (${perProvider((r) => r.notificationReply, '; ')}). A refused one changes nothing and gets the PG's failure reply.`,
      request: {
        params: z.object({
          accountId: z
            .string()
            .min(1)
            .max(64)
            .openapi({ param: { name: 'accountId', in: 'path' }, example: 'nice-main' }),
        }),
        body: {
          required: true,
          content: {
            'application/x-www-form-urlencoded': { schema: NOTIFICATION_FORM },
            'application/json': { schema: { type: 'object', additionalProperties: true } },
          },
        },
      },
      responses: {
        200: {
          description: `The PG's success (or, for some PGs, refusal) reply: ${perProvider((r) => r.notificationReply, '; ')}`,
          content: { ...PLAIN, ...PG_JSON, 'text/html': { schema: { type: 'string' } } },
        },
        400: {
          description: 'Refused: not a notification of this PG',
          content: { ...PLAIN, ...PG_JSON },
        },
        403: {
          description: "Refused: sender not allowed (the PG's failure reply)",
          content: { ...PLAIN, ...PG_JSON },
        },
        404: { description: 'No such account', content: PLAIN },
        413: { description: 'Body too large', content: PLAIN },
        429: {
          description:
            'Too many notifications needing a PG lookup for this account (`notifications.lookupRateLimit`); `Retry-After` says when',
          content: PLAIN,
        },
        503: {
          description: 'paymux could not verify or record it now: the PG should send it again',
          content: PLAIN,
        },
      },
    }),
  )
  app.post('/v1/notifications/:accountId', async (c) => {
    const account = findAccount(rt, c.req.param('accountId')!)
    if (!account) return c.text('unknown account', 404)
    const length = Number(c.req.header('content-length') ?? '0')
    if (length > MAX_NOTIFICATION_BYTES) return c.text('too large', 413)
    // The bytes as sent: NicePay's form is EUC-KR and must never be decoded and re-encoded on the way.
    const raw = new Uint8Array(await c.req.arrayBuffer())
    if (raw.length > MAX_NOTIFICATION_BYTES) return c.text('too large', 413)
    const headers: Record<string, string> = {}
    c.req.raw.headers.forEach((v, k) => {
      headers[k] = v
    })
    const sourceIp = sourceIpOf(c, rt.config.server.forwardedForHops ?? 0)
    const out = await underLookupLimit(rt, account.config.id, () =>
      processNotification(rt, account, { rawBody: raw, headers, ...(sourceIp ? { sourceIp } : {}) }),
    )
    if (isLimited(out)) {
      // Nothing verified, nothing recorded: a genuine notification comes again (every PG re-sends on non-success).
      metricsOf(rt).notification(account.config.provider, 'rate_limited')
      rt.logger.warn({ account: account.config.id, sourceIp }, 'notification rate-limited')
      return c.text('too many notifications', 429, { 'retry-after': String(out.retryAfterSeconds) })
    }
    return new Response(out.reply.body, { status: out.reply.status, headers: out.reply.headers })
  })
  return app
}
