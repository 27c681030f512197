import { ApiError } from '../errors.js'
import type { OperationOutcome } from '../operations/engine.js'

/**
 * An operation's success for the typed route (200, or 202 while open); its recorded failure is thrown and
 * answered in the one error shape, with the id of what was recorded.
 */
export function answer<V>(outcome: OperationOutcome<V>): { status: 200 | 202; body: V } {
  if ('error' in outcome) throw new ApiError(outcome.status, outcome.error)
  return outcome
}
