import { type CompiledQuery, type Insertable, type QueryCreator, sql, type Updateable } from 'kysely'
import type { Database, PaymentsTable, Tx } from '../db/schema.js'
import { prepared } from '../db/prepared.js'
import type { IdempotencyScope, StorableOutcome } from '../idempotency-keys.js'
import { newId } from '../ids.js'
import type { Runtime } from '../runtime.js'
import { type EventType, eventRow, eventWhen } from './events.js'
import type { ApprovalState, PaymentStatus } from '../db/statuses.js'

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
  /** A checkout's approval must still stand here (an undo decided meanwhile wins: its intent is recorded first). */
  approvalState?: ApprovalState
  /**
   * What the PG's notifications about this payment must carry (a virtual account's secret), in clear: sealed here
   * with the master key, and written only where none is kept yet (the first answer that gave it stays).
   */
  notificationSecret?: string
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
      .set({
        ...(s.patch ?? {}),
        ...(s.notificationSecret
          ? {
              notification_secret: sql<string>`coalesce(notification_secret, ${rt.vault.encrypt(s.notificationSecret)})`,
            }
          : {}),
        status: s.status,
        updated_at: s.now,
        reconcile_locked_until: null,
      })
      .where('id', '=', s.payment.id)
      .where('status', 'in', [...s.from])
      .$if(s.approvalState !== undefined, (w) => w.where('approval_state', '=', s.approvalState!))
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

/**
 * Asks for a lookup of this payment (a notification hint named it): one timestamp on the payment, so any number
 * of hints for one payment costs no more storage than one. `hurry`: the reconciler looks at it on its next pass.
 */
export async function requestLookup(
  _rt: Runtime,
  db: Tx,
  paymentId: string,
  now: Date,
  hurry = false,
): Promise<void> {
  await db
    .updateTable('payments')
    .set(() => ({
      // The earliest of what was asked: a hint never puts a scheduled lookup later, nor a later one earlier.
      lookup_requested_at: sql<Date>`LEAST(COALESCE(lookup_requested_at, ${now}::timestamptz), ${now}::timestamptz)`,
      ...(hurry ? { next_reconcile_at: now } : {}),
    }))
    .where('id', '=', paymentId)
    .execute()
}

/** A checkout whose customer never paid by its expiry (evidence showed no charge): it ends `expired`. */
export async function expireCheckout(
  rt: Runtime,
  p: { id: string; merchant_id: string; transaction_id: string | null },
): Promise<boolean> {
  return settlePayment(rt, rt.db, {
    payment: { id: p.id, merchantId: p.merchant_id, transactionId: p.transaction_id },
    from: ['requires_authentication'],
    status: 'expired',
    patch: { lookup_requested_at: null },
    event: 'payment.expired',
    now: rt.now(),
    resolvedBy: 'reconciliation',
  })
}

/**
 * Claims a checkout's approval: requires_authentication → pending/approving with the sealed approval, in one
 * statement, so a second post of the same result finds it claimed and never approves again. False: claimed
 * already (or ended).
 */
export async function claimApproval(
  rt: Runtime,
  paymentId: string,
  sealedApproval: string,
  transactionId: string,
  now: Date,
): Promise<boolean> {
  const claimed = await rt.db
    .updateTable('payments')
    .set({
      status: 'pending',
      approval_state: 'approving',
      approval: sealedApproval,
      transaction_id: transactionId,
      updated_at: now,
      next_reconcile_at: null,
    })
    .where('id', '=', paymentId)
    .where('status', '=', 'requires_authentication')
    .returning('id')
    .executeTakeFirst()
  return claimed !== undefined
}

/**
 * An undo of this approval is decided: recorded BEFORE it is sent (the approval's own settle then no longer
 * applies), and kept while its answer is lost: only the undo may be sent again. False: the payment left
 * `pending` meanwhile.
 */
export async function markUndoing(rt: Runtime, paymentId: string): Promise<boolean> {
  const r = await rt.db
    .updateTable('payments')
    .set({ approval_state: 'undoing' })
    .where('id', '=', paymentId)
    .where('status', '=', 'pending')
    .executeTakeFirst()
  return Number(r.numUpdatedRows) > 0
}

/**
 * The lookup a hint asked for was made. `next`: when the payment must be looked up again regardless (a
 * checkout's order swept at its expiry); null: not again.
 */
export async function clearLookupRequest(
  rt: Runtime,
  paymentId: string,
  next: Date | null = null,
): Promise<void> {
  await rt.db.updateTable('payments').set({ lookup_requested_at: next }).where('id', '=', paymentId).execute()
}

/** What a payment recorded from a PG's lookup has of its own; everything else starts empty. */
export type ImportedPayment = Pick<
  Insertable<PaymentsTable>,
  | 'id'
  | 'merchant_id'
  | 'account_id'
  | 'provider'
  | 'transaction_id'
  | 'order_id'
  | 'method'
  | 'status'
  | 'amount'
  | 'cancelled_amount'
  | 'balance_source'
  | 'created_at'
>

/**
 * A payment made elsewhere, recorded from the PG's lookup when a cancel first names it. Any unique conflict (its
 * transaction id, or the order id the lookup gave) means a concurrent request recorded it first: undefined then.
 */
export async function insertImportedPayment(
  rt: Runtime,
  row: ImportedPayment,
): Promise<{ id: string } | undefined> {
  return rt.db
    .insertInto('payments')
    .values({
      ...row,
      reserved_amount: 0,
      inflight_cancels: 0,
      billing_key_id: null,
      virtual_account: null,
      failure: null,
      charge_request: null,
      updated_at: row.created_at,
      next_reconcile_at: null,
      reconcile_locked_until: null,
      review_reason: null,
    })
    .onConflict((oc) => oc.doNothing())
    .returning('id')
    .executeTakeFirst()
}

/**
 * A charge the PG holds for an order that is another payment's here (a second payment in the window): recorded
 * as a payment of its own, from the lookup, without the order id. Answers its id (the existing one when a
 * concurrent path recorded it first).
 */
export async function importStrayCharge(
  rt: Runtime,
  merchantId: string,
  accountId: string,
  provider: string,
  transactionId: string,
  t: { amount?: number; cancelledAmount?: number; method?: string },
  now: Date,
): Promise<string> {
  const id = newId('pay')
  const inserted = await insertImportedPayment(rt, {
    id,
    merchant_id: merchantId,
    account_id: accountId,
    provider,
    transaction_id: transactionId,
    order_id: null,
    method: t.method ?? null,
    status: 'paid',
    amount: t.amount ?? null,
    cancelled_amount: t.cancelledAmount ?? 0,
    balance_source: t.amount !== undefined ? 'lookup' : 'unknown',
    created_at: now,
  })
  if (inserted) return inserted.id
  const existing = await rt.db
    .selectFrom('payments')
    .select('id')
    .where('account_id', '=', accountId)
    .where('transaction_id', '=', transactionId)
    .executeTakeFirstOrThrow()
  return existing.id
}

/** The next lookup of a payment whose last one could not decide (the reconciler's backoff). */
export async function requestLookupAt(rt: Runtime, paymentId: string, at: Date): Promise<void> {
  await rt.db.updateTable('payments').set({ lookup_requested_at: at }).where('id', '=', paymentId).execute()
}
