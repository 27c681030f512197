import { createRoute, z } from '@hono/zod-openapi'
import { notFound } from '../errors.js'
import { moveByHand } from '../health/manual.js'
import { readHealth } from '../health/store.js'
import { router } from '../http/env.js'
import { PROVIDERS } from '../providers.js'
import { errorResponses, json, security } from '../http/responses.js'
import type { MerchantRuntime, Runtime } from '../runtime.js'
import { merchantOf } from '../services/accounts.js'
import { IdempotencyHeader } from '../schemas.js'

// The document's example names the registry's first PG: provider ids are written in one place only.
const EXAMPLE_PROVIDER = PROVIDERS[0]!.id

const HealthSchema = z
  .object({
    status: z.enum(['healthy', 'ejected', 'probation']).openapi({
      description:
        'healthy: takes its share of new payments. ejected: takes none (payments already on it stay there). probation: back after probe successes, takes a small share until healthy',
    }),
    since: z.string().datetime().openapi({ example: '2026-01-15T09:30:00.000Z' }),
    lastError: z.string().nullable().openapi({ description: 'Why it was last ejected (never a PG body)' }),
    manual: z.boolean().openapi({ description: 'Ejected by an operator: only an operator restores it' }),
  })
  .openapi('AccountHealth')

const AccountSchema = z
  .object({
    id: z.string().openapi({ example: 'nice-main' }),
    object: z.literal('account'),
    provider: z.string().openapi({ example: EXAMPLE_PROVIDER }),
    methods: z.array(z.string()).openapi({
      description: 'Checkout methods it takes (POST /v1/payments)',
      example: ['card', 'virtual_account'],
    }),
    health: HealthSchema,
  })
  .openapi('Account')

const AccountListSchema = z
  .object({ object: z.literal('list'), data: z.array(AccountSchema), hasMore: z.boolean() })
  .openapi('AccountList')

const AccountParam = z.object({
  id: z
    .string()
    .min(1)
    .max(64)
    .openapi({ param: { name: 'id', in: 'path' }, example: 'nice-main', description: 'The account id' }),
})

const list = createRoute({
  method: 'get',
  path: '/v1/accounts',
  operationId: 'listAccounts',
  tags: ['Accounts'],
  summary: "List the merchant's PG accounts with the methods they take and their health",
  security,
  responses: { 200: json(AccountListSchema, 'Every account of the merchant'), ...errorResponses(401) },
})

const manual = (action: 'eject' | 'restore') =>
  createRoute({
    method: 'post',
    path: `/v1/accounts/{id}/${action}`,
    operationId: action === 'eject' ? 'ejectAccount' : 'restoreAccount',
    tags: ['Accounts'],
    summary:
      action === 'eject'
        ? 'Take an account out of routing by hand (no new payments until restored)'
        : 'Put an account back into routing by hand (healthy at once)',
    description:
      action === 'eject'
        ? 'Takes no body. The account gets no new routed payment until an operator restores it (probes do not lift it). Payments already on the account stay there and are settled there; an explicit `account` in a request still reaches it. Naturally idempotent: an Idempotency-Key is optional.'
        : 'Takes no body. The account is healthy and takes its full share at once, including after an automatic ejection. Naturally idempotent: an Idempotency-Key is optional.',
    security,
    request: { params: AccountParam, headers: IdempotencyHeader },
    responses: { 200: json(AccountSchema, 'The account'), ...errorResponses(400, 401, 404) },
  })

async function render(rt: Runtime, m: MerchantRuntime) {
  const rows = new Map((await readHealth(rt.db, [...m.accounts.keys()])).map((r) => [r.accountId, r]))
  return [...m.accounts.values()].map((a) => {
    const h = rows.get(a.config.id)
    return {
      id: a.config.id,
      object: 'account' as const,
      provider: a.config.provider,
      methods: [...a.provider.capabilities.checkoutMethods],
      health: {
        status: h?.status ?? 'healthy',
        since: (h?.since ?? new Date(0)).toISOString(),
        lastError: h?.lastError ?? null,
        manual: h?.manual ?? false,
      },
    }
  })
}

/** The merchant's accounts and their health, and the operator's eject and restore. Mounted after authentication. */
export function accountRoutes(rt: Runtime) {
  const app = router()
  app.openapi(list, async (c) => {
    const data = await render(rt, merchantOf(rt, c.get('merchantId')))
    return c.json({ object: 'list' as const, data, hasMore: false }, 200)
  })
  for (const action of ['eject', 'restore'] as const) {
    app.openapi(manual(action), async (c) => {
      const m = merchantOf(rt, c.get('merchantId'))
      const id = c.req.valid('param').id
      if (!m.accounts.has(id)) throw notFound('account', id)
      await moveByHand(rt, { merchantId: m.config.id, accountId: id, action })
      const view = (await render(rt, m)).find((a) => a.id === id)!
      return c.json(view, 200)
    })
  }
  return app
}
