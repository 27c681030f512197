import type { Runtime } from '../runtime.js'
import type { EventRow } from './outbox.js'

/** What asking for one more delivery of an event came to. */
export type ResendOutcome =
  | { kind: 'requeued'; event: EventRow }
  | { kind: 'already_pending' }
  | {
      kind: 'refused'
      code: 'no_webhook_endpoint' | 'max_resends_reached' | 'delivery_in_progress'
      message: string
    }

/**
 * One more delivery attempt of an event, now, within the per-event resend limit: the API's
 * `POST /v1/events/{id}/resend` and the console's Resend button both come here. The update is conditional on
 * the row being as it was read and not leased by a delivery in flight, so two resends at once (or a resend
 * racing the outbox worker) queue one attempt, never two.
 */
export async function resendEvent(rt: Runtime, e: EventRow): Promise<ResendOutcome> {
  if (!rt.merchants.get(e.merchant_id)?.config.webhook)
    return {
      kind: 'refused',
      code: 'no_webhook_endpoint',
      message: 'this merchant has no webhook endpoint configured',
    }
  if (e.status === 'pending') return { kind: 'already_pending' }
  const max = rt.config.workers.outbox.maxResends
  if (e.resends >= max)
    return {
      kind: 'refused',
      code: 'max_resends_reached',
      message: `this event was resent ${max} times already`,
    }
  const now = rt.now()
  const updated = await rt.db
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
  return updated
    ? { kind: 'requeued', event: updated }
    : {
        kind: 'refused',
        code: 'delivery_in_progress',
        message: 'a delivery of this event is in progress; retry shortly',
      }
}
