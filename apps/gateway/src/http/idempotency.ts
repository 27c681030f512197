import type { Context, MiddlewareHandler } from 'hono'
import { ApiError, toApiError } from '../errors.js'
import {
  canonicalJson,
  decideExisting,
  IdempotencyScope,
  KeyExists,
  parseIdempotencyKey,
  readExisting,
  type ResourceRef,
} from '../idempotency.js'
import { getBillingKey, getCancellation, getPayment } from '../queries.js'
import type { Runtime } from '../runtime.js'
import type { AppEnv } from './env.js'
import { errorResponse, sendJson } from './responses.js'

/** Refusals that a request may meet only because the state moved on since its first run (then: replay). */
const REPLAYABLE_REFUSALS = new Set([400, 404, 409])

/**
 * The Idempotency-Key of a POST or DELETE. The handler's operation claims the key in the same statement that
 * records its intent; when that finds the key taken (KeyExists), or when a check refuses a request whose key
 * has an answer already, the answer is the stored one byte for byte (`Idempotent-Replayed: true`), or the
 * object's current state while its outcome is still open.
 */
export function idempotency(rt: Runtime): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    c.set('idempotency', undefined)
    if (c.req.method !== 'POST' && c.req.method !== 'DELETE') return next()
    const key = parseIdempotencyKey(c.req.header('idempotency-key'))
    if (key === undefined) return next()
    const body = await jsonBodyOf(c)
    const url = new URL(c.req.url)
    const fingerprint = rt.vault.fingerprint(
      `${c.req.method} ${url.pathname}${url.search}\n${canonicalJson(body)}`,
    )
    const scope = new IdempotencyScope(c.get('merchantId'), key, fingerprint)
    c.set('idempotency', scope)
    await next()
    const err = c.error
    if (!(err instanceof KeyExists) && !(err instanceof ApiError && REPLAYABLE_REFUSALS.has(err.status)))
      return
    let existing: Awaited<ReturnType<typeof readExisting>>
    try {
      // The operation's first read may have read the key already: then it is not read again.
      existing =
        err instanceof KeyExists && err.found
          ? decideExisting(err.found, scope, rt.now())
          : await readExisting(rt.db, scope, rt.now())
    } catch (readErr) {
      // A key in flight or used with another body: say so (a plain refusal keeps its own answer).
      if (!(err instanceof KeyExists)) return
      const apiErr = toApiError(readErr)
      if (apiErr.status >= 500) rt.logger.error({ err: readErr, code: apiErr.body.code }, 'request failed')
      answer(c, errorResponse(c, apiErr))
      return
    }
    if (existing.kind === 'replay') {
      const o = existing.outcome
      const stored = o.status >= 400 ? { ...(o.body as object), requestId: c.get('requestId') } : o.body
      answer(c, sendJson(c, o.status, JSON.stringify(stored), { 'idempotent-replayed': 'true' }))
    } else if (existing.kind === 'current') {
      const state = await currentState(rt, c.get('merchantId'), existing.resource)
      answer(c, sendJson(c, state.status, JSON.stringify(state.body), { 'idempotent-replayed': 'true' }))
    } else if (err instanceof KeyExists) {
      // Released between the claim and this read (the first attempt provably did nothing): retry the request.
      answer(c, errorResponse(c, KEY_CONTENDED))
    }
  }
}

/**
 * The key was taken and released while this request looked at it: nothing happened, so a retry is safe. One
 * instance: app.onError answers every replay with it until the middleware puts the stored answer in its place.
 */
export const KEY_CONTENDED = new ApiError(409, {
  type: 'idempotency_error',
  code: 'idempotency_key_in_use',
  message: 'the Idempotency-Key is contended; retry',
  param: 'Idempotency-Key',
})

/**
 * Puts `res` in place of the error answer already set. Hono merges a replaced response's headers into the new
 * one by rebuilding it from its body stream, which made @hono/node-server build a web Response and stream it
 * (a profile of replays showed it); every header the new answer needs is in it already.
 */
function answer(c: Context, res: Response): void {
  c.res = undefined
  c.res = res
}

async function currentState(rt: Runtime, merchantId: string, ref: ResourceRef) {
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

/** The body as the fingerprint sees it: parsed JSON (key order and spacing do not matter), or nothing. */
async function jsonBodyOf(c: Context): Promise<unknown> {
  if (c.req.method !== 'POST') return { query: Object.fromEntries(new URL(c.req.url).searchParams) }
  try {
    return await c.req.json()
  } catch {
    return null
  }
}
