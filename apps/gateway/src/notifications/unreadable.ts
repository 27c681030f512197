import { isPaymentError, type NotificationReply } from '@paymux/core'
import { isDatabaseUnavailable } from '../errors.js'
import type { PinoLogger } from '../logger.js'
import { metricsOf } from '../metrics/registry.js'
import type { AccountRuntime, Runtime } from '../runtime.js'

/**
 * Garbage sent to a notification URL (U+0000 in a TID, bytes no PG writes) must get the PG's own refusal, not
 * "retry later": a 503 makes a PG re-send forever what can never be read. Only our own failures (database or
 * PG unreachable) still answer 503.
 */

type Ref = { transactionId?: string; orderId?: string }

/** Text PostgreSQL cannot compare against a stored id (U+0000, lone surrogates) or longer than any id. */
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/
const MAX_REF_LENGTH = 200

function unstorable(v: string | undefined): boolean {
  return v !== undefined && (v.length > MAX_REF_LENGTH || UNSTORABLE.test(v))
}

/** A data exception (SQLSTATE class 22) raised by the reference itself: it matches nothing we recorded. */
function isDataException(err: unknown): boolean {
  const code = (err as { code?: unknown } | undefined)?.code
  return typeof code === 'string' && /^22[0-9A-Z]{3}$/.test(code)
}

/**
 * The adapter's `expected` lookup, made safe for references no payment can have: they match nothing
 * (undefined) instead of failing the query. A database that is down still throws.
 */
export function guardExpected<T>(lookup: (ref: Ref) => Promise<T | undefined>) {
  return async (ref: Ref): Promise<T | undefined> => {
    if (unstorable(ref.transactionId) || unstorable(ref.orderId)) return undefined
    try {
      return await lookup(ref)
    } catch (err) {
      if (isDataException(err)) return undefined
      throw err
    }
  }
}

/**
 * A notification an adapter verified whose dedup key or fields hold text PostgreSQL cannot store (U+0000, a
 * lone surrogate): whatever the adapter made of it, applying it would fail on every re-send, so it is the
 * sender's garbage, refused like any other.
 */
export function unstorableNotification(event: object, dedupKey: string): boolean {
  const texts = [dedupKey, ...Object.values(event).filter((v): v is string => typeof v === 'string')]
  return texts.some((t) => UNSTORABLE.test(t))
}

/**
 * Our failure, not the sender's: the PG should send it again. A PG call that failed (unreachable, timed out,
 * unreadable, our credentials refused) is ours; only the adapter calling the input itself invalid is not.
 */
function isOurFailure(err: unknown): boolean {
  if (isDatabaseUnavailable(err)) return true
  return isPaymentError(err) && !['invalid_request', 'transaction_not_found'].includes(err.code)
}

/**
 * When parseNotification threw on input it could not read: the refusal the adapter itself gives an empty
 * notification from the same sender (every adapter refuses one before any PG call). Undefined when the throw
 * was our failure, or the adapter gives no refusal; the caller then answers "retry later".
 */
export async function refusalAfterThrow(
  rt: Runtime,
  account: AccountRuntime,
  input: { headers: Record<string, string>; sourceIp?: string },
  err: unknown,
  log: PinoLogger,
): Promise<NotificationReply | undefined> {
  if (isOurFailure(err)) return undefined
  try {
    const r = await account.provider.parseNotification({
      rawBody: new Uint8Array(),
      headers: input.headers,
      ...(input.sourceIp ? { sourceIp: input.sourceIp } : {}),
    })
    if (r.verified) return undefined
    metricsOf(rt).notification(account.config.provider, 'rejected')
    log.warn(
      { reason: `unreadable notification (${(err as Error)?.name ?? 'error'})`, sourceIp: input.sourceIp },
      'notification refused',
    )
    return r.reply
  } catch {
    return undefined
  }
}
