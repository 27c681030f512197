import type { QueryCreator, Updateable } from 'kysely'
import type { BillingKeysTable, Database, Tx } from '../db/schema.js'
import type { IdempotencyScope, StorableOutcome } from '../idempotency-keys.js'
import type { Runtime } from '../runtime.js'
import { type EventType, eventRow, eventWhen } from './events.js'
import type { BillingKeyStatus } from '../db/statuses.js'

export interface SettleBillingKey {
  billingKey: { id: string; merchantId: string }
  from: readonly BillingKeyStatus[]
  status: BillingKeyStatus
  patch?: Omit<Updateable<BillingKeysTable>, 'status' | 'id' | 'merchant_id'>
  event?: EventType
  now: Date
  idempotency?: { scope: IdempotencyScope; outcome: StorableOutcome; release?: boolean }
}

/** THE way a billing key's status changes: one statement with its event and the request's stored answer. */
export async function settleBillingKey(rt: Runtime, db: Tx, s: SettleBillingKey): Promise<boolean> {
  // biome-ignore lint/suspicious/noExplicitAny: the builder's type grows with each optional CTE
  let q: any = db.with('settled_key_row', (qc) =>
    qc
      .updateTable('billing_keys')
      .set({ ...(s.patch ?? {}), status: s.status, reconcile_locked_until: null })
      .where('id', '=', s.billingKey.id)
      .where('status', 'in', [...s.from])
      .returning('id'),
  )
  if (s.event) {
    const row = eventRow(
      rt,
      {
        merchantId: s.billingKey.merchantId,
        type: s.event,
        objectType: 'billing_key',
        objectId: s.billingKey.id,
        data: { billingKeyId: s.billingKey.id },
      },
      s.now,
    )
    q = q.with('settled_event', (qc: QueryCreator<Database>) => eventWhen(qc, row, 'settled_key_row'))
  }
  const idem = s.idempotency
  if (idem) {
    q = q.with('settled_key', (qc: QueryCreator<Database>) =>
      idem.release
        ? idem.scope.releaseQuery(qc)
        : idem.scope.completeQuery(qc, idem.outcome, { type: 'billing_key', id: s.billingKey.id }),
    )
  }
  const r = await db.executeQuery(q.selectFrom('settled_key_row').select('id').compile())
  return r.rows.length > 0
}
