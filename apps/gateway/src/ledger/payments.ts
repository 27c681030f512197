import type { CompiledQuery, QueryCreator, Updateable } from 'kysely'
import type { Database, PaymentsTable, Tx } from '../db/schema.js'
import { prepared } from '../db/prepared.js'
import type { IdempotencyScope, StorableOutcome } from '../idempotency-keys.js'
import type { Runtime } from '../runtime.js'
import { type EventType, eventRow, eventWhen } from './events.js'
import type { PaymentStatus } from './statuses.js'

export interface SettlePayment {
  payment: { id: string; merchantId: string; transactionId: string | null }
  /** The statuses it may leave; a row in another was settled by someone else first. */
  from: readonly PaymentStatus[]
  status: PaymentStatus
  /** The columns the end fills in (transaction id, virtual account, failure, review reason…). */
  patch?: Omit<Updateable<PaymentsTable>, 'status' | 'id' | 'merchant_id'>
  event?: EventType
  now: Date
  resolvedBy?: 'reconciliation' | 'notification' | 'review'
  idempotency?: { scope: IdempotencyScope; outcome: StorableOutcome; release?: boolean }
}

/**
 * THE way a payment's status changes outside a cancel (charge, virtual-account issue, deposit, reconciliation):
 * one statement, the row only if still in `from`, its event and the request's stored answer with it.
 */
export function settlePaymentQuery(rt: Runtime, db: Tx, s: SettlePayment): CompiledQuery<{ id: string }> {
  // biome-ignore lint/suspicious/noExplicitAny: the builder's type grows with each optional CTE
  let q: any = db.with('settled_payment', (qc) =>
    qc
      .updateTable('payments')
      .set({ ...(s.patch ?? {}), status: s.status, updated_at: s.now, reconcile_locked_until: null })
      .where('id', '=', s.payment.id)
      .where('status', 'in', [...s.from])
      .returning('id'),
  )
  if (s.event) {
    const row = eventRow(
      rt,
      {
        merchantId: s.payment.merchantId,
        type: s.event,
        objectType: 'payment',
        objectId: s.payment.id,
        data: {
          paymentId: s.payment.id,
          transactionId: (s.patch?.transaction_id as string | undefined) ?? s.payment.transactionId,
          ...(s.resolvedBy ? { resolvedBy: s.resolvedBy, previousStatus: s.from[0] } : {}),
        },
      },
      s.now,
    )
    q = q.with('settled_event', (qc: QueryCreator<Database>) => eventWhen(qc, row, 'settled_payment'))
  }
  const idem = s.idempotency
  if (idem) {
    q = q.with('settled_key', (qc: QueryCreator<Database>) =>
      idem.release
        ? idem.scope.releaseQuery(qc)
        : idem.scope.completeQuery(qc, idem.outcome, { type: 'payment', id: s.payment.id }),
    )
  }
  return prepared(q.selectFrom('settled_payment').select('id').compile())
}

export async function settlePayment(rt: Runtime, db: Tx, s: SettlePayment): Promise<boolean> {
  return (await db.executeQuery(settlePaymentQuery(rt, db, s))).rows.length > 0
}
