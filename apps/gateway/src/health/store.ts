import type { Kysely } from 'kysely'
import type { Database } from '../db/schema.js'
import { eventRow, eventWhen } from '../ledger/events.js'
import type { Runtime } from '../runtime.js'
import type { HealthStatus } from './tracker.js'

// THE writer of account_health: every process reads it, and a status only moves through moveHealth, from the
// statuses it names, so two processes that judge alike record one move and one event.

export interface AccountHealth {
  accountId: string
  status: HealthStatus
  since: Date
  lastError: string | null
  manual: boolean
}

/** A row for each account, healthy, where none exists yet (first start, or an account added to the config). */
export async function ensureHealthRows(
  db: Kysely<Database>,
  accounts: ReadonlyArray<{ merchantId: string; accountId: string }>,
  now: Date,
): Promise<void> {
  if (accounts.length === 0) return
  await db
    .insertInto('account_health')
    .values(
      accounts.map((a) => ({
        account_id: a.accountId,
        merchant_id: a.merchantId,
        status: 'healthy',
        since: now,
        last_error: null,
        updated_at: now,
      })),
    )
    .onConflict((oc) => oc.column('account_id').doNothing())
    .execute()
}

export async function readHealth(
  db: Kysely<Database>,
  accountIds: readonly string[],
): Promise<AccountHealth[]> {
  if (accountIds.length === 0) return []
  const rows = await db
    .selectFrom('account_health')
    .select(['account_id', 'status', 'since', 'last_error', 'manual'])
    .where('account_id', 'in', [...accountIds])
    .execute()
  return rows.map((r) => ({
    accountId: r.account_id,
    status: r.status as HealthStatus,
    since: new Date(r.since),
    lastError: r.last_error,
    manual: r.manual,
  }))
}

export interface HealthMove {
  merchantId: string
  accountId: string
  from: readonly HealthStatus[]
  to: HealthStatus
  /** Only when ejecting: why. */
  reason?: string
  /** An operator's move: a manual ejection is lifted by an operator only. */
  manual: boolean
  now: Date
}

/**
 * Moves an account's status, from the statuses given only (an automatic move never lifts an operator's
 * ejection), with its event in the same statement: `account.ejected` on ejection, `account.restored` when it
 * takes its full share again. Answers whether it moved.
 */
export async function moveHealth(rt: Runtime, m: HealthMove): Promise<boolean> {
  // biome-ignore lint/suspicious/noExplicitAny: the builder's type grows with the optional CTE
  let q: any = rt.db.with('moved', (qc) => {
    let u = qc
      .updateTable('account_health')
      .set({
        status: m.to,
        since: m.now,
        updated_at: m.now,
        manual: m.manual && m.to === 'ejected',
        ...(m.to === 'ejected' ? { last_error: m.reason ?? null } : {}),
      })
      .where('account_id', '=', m.accountId)
      .where('status', 'in', [...m.from])
    // An automatic move never lifts an operator's ejection; an operator's ejection is recorded (and told) once.
    if (!m.manual || m.to === 'ejected') u = u.where('manual', '=', false)
    return u.returning('account_id')
  })
  const event = m.to === 'ejected' ? 'account.ejected' : m.to === 'healthy' ? 'account.restored' : undefined
  if (event) {
    const row = eventRow(
      rt,
      {
        merchantId: m.merchantId,
        type: event,
        objectType: 'account',
        objectId: m.accountId,
        data: { accountId: m.accountId, ...(m.reason ? { reason: m.reason } : {}), manual: m.manual },
      },
      m.now,
    )
    q = q.with('moved_event', (qc: Parameters<typeof eventWhen>[0]) => eventWhen(qc, row, 'moved'))
  }
  const r = await rt.db.executeQuery(q.selectFrom('moved').select('account_id').compile())
  return r.rows.length > 0
}
