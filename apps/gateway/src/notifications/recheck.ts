import { sql } from 'kysely'
import type { Runtime } from '../runtime.js'
import type { WorkersConfig } from '../workers/config.js'
import { applyVerified, expectedOf, findAccount } from './process.js'

interface Sealed {
  body: string
  headers: Record<string, string>
  sourceIp?: string
}

/**
 * Checks again the notifications kept because their PG sends them once and its lookup did not confirm them
 * yet (CookiePay's cancel notification): applied once confirmed, dropped once refused for good, and past the
 * reconciliation bound left for a person (`needs_review: …`, the sealed body kept). Claimed with a lease, so
 * several processes never check one twice at once.
 */
export async function recheckNotifications(rt: Runtime, cfg: WorkersConfig['reconcile']): Promise<number> {
  const now = rt.now()
  const lease = new Date(now.getTime() + 60_000)
  const due = await sql<{
    id: string
    account_id: string
    sealed_body: string
    received_at: Date
  }>`UPDATE notifications SET next_check_at = ${lease}::timestamptz, check_attempts = check_attempts + 1
     WHERE id IN (SELECT id FROM notifications WHERE effect = 'awaiting_verification' AND next_check_at <= ${now}::timestamptz
       ORDER BY next_check_at LIMIT ${cfg.batchSize}::int FOR UPDATE SKIP LOCKED)
     RETURNING id, account_id, sealed_body, received_at`.execute(rt.db)
  for (const row of due.rows) {
    const account = findAccount(rt, row.account_id)
    if (!account) continue
    const log = rt.logger.child({ account: account.config.id, provider: account.config.provider })
    const sealed = JSON.parse(rt.vault.decrypt(row.sealed_body)) as Sealed
    let result: Awaited<ReturnType<typeof account.provider.parseNotification>>
    try {
      result = await account.provider.parseNotification({
        rawBody: new Uint8Array(Buffer.from(sealed.body, 'base64')),
        headers: sealed.headers,
        ...(sealed.sourceIp ? { sourceIp: sealed.sourceIp } : {}),
        expected: expectedOf(rt, account),
      })
    } catch (err) {
      log.warn({ err, notification: row.id }, 'kept notification could not be checked; checked again later')
      continue
    }
    if (result.verified) {
      await applyVerified(rt, account, result.event, result.dedupKey, result.reply, log)
      continue
    }
    const overdue = now.getTime() - new Date(row.received_at).getTime() > cfg.giveUpAfterSeconds * 1000
    const next = result.pending && !overdue
    await rt.db
      .updateTable('notifications')
      .set(
        next
          ? { next_check_at: new Date(now.getTime() + (result.pending?.retryAfterMs ?? 60_000)) }
          : result.pending
            ? { effect: `needs_review: ${result.reason}`, next_check_at: null }
            : { effect: `refused: ${result.reason}`, next_check_at: null, sealed_body: null },
      )
      .where('id', '=', row.id)
      .where('effect', '=', 'awaiting_verification')
      .execute()
  }
  return due.rows.length
}
