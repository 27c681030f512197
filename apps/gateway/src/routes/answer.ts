import type { Context } from 'hono'
import { ApiError } from '../errors.js'
import type { AppEnv } from '../http/env.js'
import { keyAnswer } from '../http/idempotency.js'
import type { KeyTaken } from '../idempotency-keys.js'
import type { OperationOutcome } from '../operations/engine.js'
import type { Runtime } from '../runtime.js'

/**
 * An operation's success for the typed route (200, or 202 while open); its recorded failure is thrown and
 * answered in the one error shape, with the id of what was recorded.
 */
export function answer<V>(outcome: OperationOutcome<V>): { status: 200 | 202; body: V } {
  if ('error' in outcome) throw new ApiError(outcome.status, outcome.error)
  return outcome
}

/**
 * The answer of a request whose Idempotency-Key was taken. A replay sends the stored bytes as they are, which
 * no route's typed answer describes: the route returns it as its own (its schemas are what was stored).
 */
export function fromKey(c: Context<AppEnv>, rt: Runtime, taken: KeyTaken): Promise<never> {
  return keyAnswer(c, rt, taken) as Promise<never>
}
