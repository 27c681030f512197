// The reconciliation columns (leases, the next look, lookups asked for): the schedule of the late half. They
// move no money and no status, but they sit on the ledger's rows, so they are written here too.
import { type ExpressionBuilder, type Selectable, sql } from 'kysely'
import type { Database, PaymentRow } from '../db/schema.js'
import type { Runtime } from '../runtime.js'

type ScheduledTable = 'cancellations' | 'payments'

/**
 * Claims due items of one table with `FOR UPDATE SKIP LOCKED` and a lease in one transaction: concurrent
 * workers (in this process or others on the same PostgreSQL) take disjoint rows; a worker that dies leaves a
 * lease that expires, and the next run takes the item again.
 */
export function claimDue<T extends ScheduledTable>(
  rt: Runtime,
  table: T,
  o: { now: Date; settledBefore: Date; lease: Date; batchSize: number },
): Promise<Array<Selectable<Database[T]>>> {
  return rt.db.transaction().execute(async (t) => {
    const due = await t
      .selectFrom(table as 'cancellations')
      .select('id')
      .where(
        'status',
        'in',
        // biome-ignore lint/suspicious/noExplicitAny: the two tables' status unions differ; both lists are theirs
        (table === 'cancellations' ? ['pending', 'deposit_required'] : ['pending', 'closing']) as any,
      )
      .where((eb) =>
        eb.or([
          eb.and([eb('next_reconcile_at', 'is', null), eb('updated_at', '<=', o.settledBefore)]),
          eb('next_reconcile_at', '<=', o.now),
        ]),
      )
      .where((eb) =>
        eb.or([eb('reconcile_locked_until', 'is', null), eb('reconcile_locked_until', '<', o.now)]),
      )
      .orderBy('updated_at')
      .limit(o.batchSize)
      .forUpdate()
      .skipLocked()
      .execute()
    if (due.length === 0) return []
    // biome-ignore lint/suspicious/noExplicitAny: both tables carry the same reconciliation columns
    return (await (t as any)
      .updateTable(table)
      .set({ reconcile_locked_until: o.lease, reconcile_attempts: sql`reconcile_attempts + 1` })
      .where(
        'id',
        'in',
        due.map((d) => d.id),
      )
      .returningAll()
      .execute()) as Array<Selectable<Database[T]>>
  })
}

/** Payments whose lookup was asked for, and checkouts past their expiry, claimed with a lease. */
export function claimRequestedLookups(
  rt: Runtime,
  o: { now: Date; hintedBefore: Date; lease: Date; batchSize: number },
): Promise<PaymentRow[]> {
  return rt.db.transaction().execute(async (t) => {
    const free = (eb: ExpressionBuilder<Database, 'payments'>) =>
      eb.or([eb('reconcile_locked_until', 'is', null), eb('reconcile_locked_until', '<', o.now)])
    const ids = [
      ...(await t
        .selectFrom('payments')
        .select('id')
        .where('lookup_requested_at', '<=', o.hintedBefore)
        .where(free)
        .orderBy('lookup_requested_at')
        .limit(o.batchSize)
        .forUpdate()
        .skipLocked()
        .execute()),
      ...(await t
        .selectFrom('payments')
        .select('id')
        .where('status', '=', 'requires_authentication')
        .where('checkout_expires_at', '<', o.now)
        .where(free)
        .orderBy('checkout_expires_at')
        .limit(o.batchSize)
        .forUpdate()
        .skipLocked()
        .execute()),
    ].map((r) => r.id)
    if (ids.length === 0) return []
    return t
      .updateTable('payments')
      .set({ reconcile_locked_until: o.lease })
      .where('id', 'in', [...new Set(ids)])
      .returningAll()
      .execute()
  })
}

/** Hands claimed items back (their lease lifted) without deciding them. */
export async function releaseClaims(rt: Runtime, table: ScheduledTable, ids: string[]): Promise<void> {
  if (ids.length === 0) return
  await rt.db
    .updateTable(table as 'cancellations')
    .set({ reconcile_locked_until: null })
    .where('id', 'in', ids)
    .execute()
}

/** Not decided this time: the next look at `at`, the lease lifted (only while still in `statuses`). */
export async function scheduleNext(
  rt: Runtime,
  table: ScheduledTable,
  id: string,
  at: Date,
  o: { noChange?: boolean; statuses: readonly string[] },
): Promise<void> {
  await rt.db
    .updateTable(table as 'cancellations')
    .set({
      next_reconcile_at: at,
      reconcile_locked_until: null,
      ...(o.noChange ? { reconcile_no_change: sql`reconcile_no_change + 1` } : {}),
    })
    .where('id', '=', id)
    // biome-ignore lint/suspicious/noExplicitAny: the two tables' status unions differ; the caller names its own
    .where('status', 'in', [...o.statuses] as any)
    .execute()
}
