import type { Context, MiddlewareHandler } from 'hono'
import { ApiError } from '../errors.js'
import {
  canonicalJson,
  IdempotencyScope,
  type KeyTaken,
  parseIdempotencyKey,
  readExisting,
  type ResourceRef,
} from '../idempotency-keys.js'
import { getBillingKey, getCancellation, getPayment } from '../queries.js'
import type { Runtime } from '../runtime.js'
import type { AppEnv } from './env.js'
import { errorResponse, sendJson } from './responses.js'

/** Refusals that a request may meet only because the state moved on since its first run (then: replay). */
const REPLAYABLE_REFUSALS = new Set([400, 404, 409])

/**
 * The Idempotency-Key of a POST or DELETE. The handler's operation claims the key in the same statement that
 * records its intent and, when the key is taken, answers from it (`keyAnswer`). This middleware only covers a
 * check that refused a request whose key has an answer already (the state moved on since the first run): that
 * answer is the stored one, byte for byte. A refusal of the request that holds the key is its first answer.
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
    if (scope.claimed || !(err instanceof ApiError && REPLAYABLE_REFUSALS.has(err.status))) return
    let existing: KeyTaken | undefined
    try {
      existing = await readExisting(rt.db, scope, rt.now())
    } catch {
      return
    }
    // A key in flight or used with another body: the refusal keeps its own answer.
    if (existing?.claim === 'replay') answer(c, await keyAnswer(c, rt, existing))
  }
}

/**
 * The answer to a request whose key was taken: the stored answer byte for byte or its object's current state
 * (`Idempotent-Replayed: true`), 409 while the first request runs, 422 for another request under the key.
 */
export async function keyAnswer(c: Context<AppEnv>, rt: Runtime, taken: KeyTaken): Promise<Response> {
  if (taken.claim === 'mismatch') return errorResponse(c, KEY_REUSED)
  if (taken.claim === 'in_use') return errorResponse(c, taken.contended ? KEY_CONTENDED : KEY_IN_USE)
  if ('outcome' in taken) {
    const o = taken.outcome
    const stored = o.status >= 400 ? { ...(o.body as object), requestId: c.get('requestId') } : o.body
    return sendJson(c, o.status, JSON.stringify(stored), REPLAYED)
  }
  const state = await currentState(rt, c.get('merchantId'), taken.resource)
  return sendJson(c, state.status, JSON.stringify(state.body), REPLAYED)
}

const REPLAYED = { 'idempotent-replayed': 'true' }

const KEY_REUSED = new ApiError(422, {
  type: 'idempotency_error',
  code: 'idempotency_key_reused',
  message: 'this Idempotency-Key was used with a different request (method, path or body); use a new key',
  param: 'Idempotency-Key',
})

const KEY_IN_USE = new ApiError(409, {
  type: 'idempotency_error',
  code: 'idempotency_key_in_use',
  message: 'a request with this Idempotency-Key is still being processed; retry later with the same key',
  param: 'Idempotency-Key',
})

/** The key was taken and released while this request looked at it: nothing happened, so a retry is safe. */
const KEY_CONTENDED = new ApiError(409, {
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
