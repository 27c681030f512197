import {
  type CancelResult,
  isPaymentError,
  type PaymentError,
  type RefundAccount,
  type TransactionLookup,
} from '@paymux/core'
import { type Kysely, type QueryCreator, type Selectable, sql, type Transaction } from 'kysely'
import type { CancellationsTable, Database, FailureInfo, PaymentsTable } from '../db/schema.js'
import { ApiError, conflict, fromPaymentError, notFound } from '../errors.js'
import { type IdempotencyScope, KeyExists, type Outcome } from '../idempotency.js'
import { prepared } from '../db/prepared.js'
import { newId } from '../ids.js'
import { renderCancellation } from '../render.js'
import type { AccountRuntime, Runtime } from '../runtime.js'
import { accountOf, pickAccount } from './accounts.js'

export interface CancelInput {
  paymentId?: string
  account?: string
  provider?: string
  transactionId?: string
  amount?: number
  taxFreeAmount?: number
  reason: string
  refundAccount?: RefundAccount
  expectedCancellableAmount?: number
}

/** A payment made elsewhere, not yet known here: look it up (or record it as unknown) and try again. */
class NeedsImport extends Error {}

interface Reservation {
  cancellationId: string
  payment: Selectable<PaymentsTable>
  account: AccountRuntime
  /** Reserved against the balance (0 when the balance is unknown and the whole remainder was asked for). */
  reserved: number
  /** What is sent to the PG (undefined: everything that remains). */
  pgAmount: number | undefined
  /** When the cancellation row was written (its created_at). */
  createdAt: Date
}

const CANCELLABLE = new Set(['paid', 'partial_cancelled'])

/**
 * The payment row as the cancel path reads it, column by column: the statements are prepared (named), and a
 * prepared `SELECT *` breaks when a migration adds a column under a running process.
 */
const PAYMENT_COLUMNS = sql.raw(
  [
    'id',
    'merchant_id',
    'account_id',
    'provider',
    'transaction_id',
    'order_id',
    'method',
    'status',
    'amount',
    'cancelled_amount',
    'reserved_amount',
    'inflight_cancels',
    'balance_source',
    'billing_key_id',
    'virtual_account',
    'failure',
    'created_at',
    'updated_at',
  ]
    .map((c) => `p.${c}`)
    .join(', '),
)

/**
 * POST /v1/cancellations. Two short transactions around the PG call: the first claims the Idempotency-Key,
 * locks the payment row, checks and reserves the balance and records the cancellation as pending; the second
 * records the PG's answer, releases or converts the reservation, writes the outbox event and the stored
 * response. A crash between them leaves a pending cancellation with its balance still reserved: never a
 * double cancel, never a lost one.
 */
export async function createCancellation(
  rt: Runtime,
  merchantId: string,
  input: CancelInput,
  idem: IdempotencyScope | undefined,
): Promise<Outcome> {
  const external = input.paymentId === undefined
  const account = external
    ? pickAccount(rt, merchantId, { account: input.account, provider: input.provider })
    : undefined
  let reservation: Reservation
  try {
    reservation = await reserve(rt, merchantId, input, account, idem)
  } catch (err) {
    if (!(err instanceof NeedsImport) || !account) throw err
    await importPayment(rt, merchantId, account, input.transactionId!)
    reservation = await reserve(rt, merchantId, input, account, idem)
  }
  const { payment } = reservation
  let result: CancelResult | undefined
  let error: unknown
  try {
    result = await reservation.account.provider.cancel({
      transactionId: payment.transaction_id!,
      ...(reservation.pgAmount !== undefined ? { amount: reservation.pgAmount } : {}),
      ...(input.taxFreeAmount !== undefined ? { taxFreeAmount: input.taxFreeAmount } : {}),
      reason: input.reason,
      cancelId: reservation.cancellationId,
      ...(input.refundAccount ? { refundAccount: input.refundAccount } : {}),
      ...(payment.order_id ? { orderId: payment.order_id } : {}),
      ...(payment.amount != null ? { paymentAmount: Number(payment.amount) } : {}),
    })
  } catch (err) {
    error = err
  }
  return settle(rt, reservation, input, result, error, idem)
}

async function reserve(
  rt: Runtime,
  merchantId: string,
  input: CancelInput,
  account: AccountRuntime | undefined,
  idem: IdempotencyScope | undefined,
): Promise<Reservation> {
  const now = rt.now()
  const cancellationId = newId('can')
  return rt.db.transaction().execute(async (trx) => {
    let { payment, claimed } = await claimAndLock(trx, merchantId, input, account, idem, cancellationId, now)
    if (idem && !claimed) throw new KeyExists()
    if (!payment && account && !account.provider.capabilities.paymentLookup) {
      // Nothing to verify at the PG: record the payment right here, in this transaction, and lock it.
      payment = await insertUnknownPayment(trx, merchantId, account, input.transactionId!, now)
    }
    if (!payment) {
      if (account) throw new NeedsImport()
      throw notFound('payment', input.paymentId!)
    }
    const acct = account ?? accountOf(rt, merchantId, payment.account_id)
    const caps = acct.provider.capabilities
    if (payment.status === 'cancelled')
      throw conflict('already_cancelled', 'the payment is already fully cancelled')
    if (!CANCELLABLE.has(payment.status)) {
      throw conflict(
        'payment_not_cancellable',
        `the payment is ${payment.status}; only paid payments can be cancelled`,
      )
    }
    if (input.amount !== undefined && !caps.partialCancel) {
      const whole =
        payment.amount != null &&
        input.amount === Number(payment.amount) &&
        Number(payment.cancelled_amount) === 0
      if (!whole)
        throw new ApiError(400, {
          type: 'invalid_request_error',
          code: 'partial_cancel_unsupported',
          message: `${acct.config.provider} accounts cannot cancel partially`,
          param: 'amount',
        })
    }
    let reserved: number
    let pgAmount: number | undefined
    if (payment.amount != null) {
      const cancellable =
        Number(payment.amount) - Number(payment.cancelled_amount) - Number(payment.reserved_amount)
      if (input.expectedCancellableAmount !== undefined && input.expectedCancellableAmount !== cancellable) {
        throw conflict(
          'cancellable_amount_mismatch',
          `expectedCancellableAmount is ${input.expectedCancellableAmount} but the cancellable amount is ${cancellable}`,
          'expectedCancellableAmount',
        )
      }
      if (input.amount === undefined && payment.inflight_cancels > 0) {
        throw conflict(
          'cancel_in_progress',
          'another cancel of this payment is in flight; cancel the remainder after it finishes',
        )
      }
      if (cancellable <= 0) {
        throw payment.inflight_cancels > 0
          ? conflict('cancel_in_progress', 'the rest of this payment is reserved by cancels in flight')
          : conflict('already_cancelled', 'nothing of this payment remains to cancel')
      }
      reserved = input.amount ?? cancellable
      if (reserved > cancellable) {
        throw conflict(
          'amount_exceeds_cancellable',
          `amount ${reserved} exceeds the cancellable amount ${cancellable}`,
          'amount',
        )
      }
      // A fresh payment cancelled whole is a full cancel at the PG; any remainder is an explicit amount.
      pgAmount = input.amount === undefined && Number(payment.cancelled_amount) === 0 ? undefined : reserved
    } else {
      // Balance unknown (no PG lookup): one cancel at a time, so each answer teaches the balance safely.
      if (payment.inflight_cancels > 0) {
        throw conflict(
          'cancel_in_progress',
          'another cancel of this payment is in flight and its balance is unknown here',
        )
      }
      if (input.expectedCancellableAmount !== undefined) {
        throw conflict(
          'cancellable_amount_unknown',
          'the cancellable amount of this payment is not known here',
          'expectedCancellableAmount',
        )
      }
      reserved = input.amount ?? 0
      pgAmount = input.amount
    }
    if (
      input.taxFreeAmount !== undefined &&
      input.taxFreeAmount > (pgAmount ?? reserved) &&
      (pgAmount ?? reserved) > 0
    ) {
      throw new ApiError(400, {
        type: 'invalid_request_error',
        code: 'invalid_request',
        message: 'taxFreeAmount must not exceed amount',
        param: 'taxFreeAmount',
      })
    }
    // The pending row and the reservation it holds: one statement (one round trip), same transaction.
    const reserve = trx
      .with('reserved_cancellation', (qc) =>
        qc.insertInto('cancellations').values({
          id: cancellationId,
          merchant_id: merchantId,
          payment_id: payment.id,
          account_id: payment.account_id,
          provider: payment.provider,
          transaction_id: payment.transaction_id!,
          status: 'pending',
          requested_amount: input.amount ?? null,
          amount: reserved,
          tax_free_amount: input.taxFreeAmount ?? null,
          reason: input.reason,
          cancel_id: cancellationId,
          provider_cancel_id: null,
          refund_account: input.refundAccount ? rt.vault.encrypt(JSON.stringify(input.refundAccount)) : null,
          failure: null,
          pending_reason: null,
          deposit: null,
          created_at: now,
          updated_at: now,
          completed_at: null,
        }),
      )
      .updateTable('payments')
      .set({
        reserved_amount: sql`reserved_amount + ${reserved}`,
        inflight_cancels: sql`inflight_cancels + 1`,
        updated_at: now,
      })
      .where('id', '=', payment.id)
    await trx.executeQuery(prepared(reserve.compile()))
    return { cancellationId, payment, account: acct, reserved, pgAmount, createdAt: now }
  })
}

/**
 * Claims the Idempotency-Key and locks the payment row in ONE round trip (a data-modifying CTE runs whether
 * or not the payment row exists; the lateral join answers one row either way). The row lock (FOR UPDATE) serialises concurrent cancels of one payment across
 * connections and processes; on PGlite the single connection serialises them anyway.
 */
async function claimAndLock(
  trx: Transaction<Database>,
  merchantId: string,
  input: CancelInput,
  account: AccountRuntime | undefined,
  idem: IdempotencyScope | undefined,
  cancellationId: string,
  now: Date,
): Promise<{ payment: Selectable<PaymentsTable> | undefined; claimed: boolean }> {
  const where = account
    ? sql`p.merchant_id = ${merchantId} AND p.account_id = ${account.config.id} AND p.transaction_id = ${input.transactionId!}`
    : sql`p.merchant_id = ${merchantId} AND p.id = ${input.paymentId!}`
  if (!idem) {
    const r = await trx.executeQuery(
      prepared(
        sql<
          Selectable<PaymentsTable>
        >`SELECT ${PAYMENT_COLUMNS} FROM payments p WHERE ${where} FOR UPDATE OF p`.compile(trx),
      ),
    )
    return { payment: r.rows[0], claimed: false }
  }
  const lockedUntil = new Date(now.getTime() + (account?.lockMs ?? 180_000))
  const r = await trx.executeQuery(
    prepared(
      sql<Selectable<PaymentsTable> & { claimed: number | null }>`
    WITH k AS (
      INSERT INTO idempotency_keys (merchant_id, key, fingerprint, state, locked_until, resource_type, resource_id, created_at)
      VALUES (${merchantId}, ${idem.key}, ${idem.fingerprint}, 'in_progress', ${lockedUntil}::timestamptz, 'cancellation',
        ${cancellationId}, ${now}::timestamptz)
      ON CONFLICT (merchant_id, key) DO NOTHING
      RETURNING 1 AS one
    )
    , c AS (SELECT count(*)::int AS claimed FROM k)
    SELECT c.claimed, p.* FROM c
    LEFT JOIN LATERAL (SELECT ${PAYMENT_COLUMNS} FROM payments p WHERE ${where} FOR UPDATE) AS p ON true`.compile(
        trx,
      ),
    ),
  )
  // Always one row, so whether the key was claimed is known even when the payment does not exist (yet). The
  // order matters: the key is claimed (c is the outer side of the lateral join) BEFORE the payment row is
  // locked, as in every other path; locking first deadlocks against a settle updating the same key.
  const { claimed, ...payment } = r.rows[0]!
  return {
    payment: payment.id == null ? undefined : (payment as Selectable<PaymentsTable>),
    claimed: Number(claimed) > 0,
  }
}

/** A payment made elsewhere at a PG without lookup: its balance will be learned from the PG's answers. */
async function insertUnknownPayment(
  trx: Transaction<Database>,
  merchantId: string,
  account: AccountRuntime,
  transactionId: string,
  now: Date,
): Promise<Selectable<PaymentsTable> | undefined> {
  const inserted = await trx
    .insertInto('payments')
    .values({
      id: newId('pay'),
      merchant_id: merchantId,
      account_id: account.config.id,
      provider: account.config.provider,
      transaction_id: transactionId,
      order_id: null,
      method: null,
      status: 'paid',
      amount: null,
      cancelled_amount: 0,
      reserved_amount: 0,
      inflight_cancels: 0,
      balance_source: 'unknown',
      billing_key_id: null,
      virtual_account: null,
      failure: null,
      created_at: now,
      updated_at: now,
    })
    .onConflict((oc) =>
      oc
        .columns(['merchant_id', 'account_id', 'transaction_id'])
        .where('transaction_id', 'is not', null)
        .doNothing(),
    )
    .returningAll()
    .executeTakeFirst()
  if (inserted) return inserted
  // Another request recorded it first (and has committed): lock that row instead.
  return trx
    .selectFrom('payments')
    .selectAll()
    .where('merchant_id', '=', merchantId)
    .where('account_id', '=', account.config.id)
    .where('transaction_id', '=', transactionId)
    .forUpdate()
    .executeTakeFirst()
}

/** A payment made in the PG's own window: verified with the PG before its first cancel where it can be. */
async function importPayment(
  rt: Runtime,
  merchantId: string,
  account: AccountRuntime,
  transactionId: string,
): Promise<void> {
  const now = rt.now()
  let lookup: TransactionLookup | undefined
  if (account.provider.capabilities.paymentLookup) {
    try {
      lookup = await account.provider.getTransaction(transactionId)
    } catch (err) {
      if (isPaymentError(err)) throw fromPaymentError(err)
      throw err
    }
  }
  // A lookup without amounts (NicePay's trans_status) teaches no balance: it stays unknown and is learned.
  if (lookup && (lookup.amount === undefined || lookup.cancellableAmount === undefined)) lookup = undefined
  const amount = lookup?.amount ?? null
  const cancelled =
    lookup?.amount !== undefined && lookup.cancellableAmount !== undefined
      ? Math.min(lookup.amount, Math.max(0, lookup.amount - lookup.cancellableAmount))
      : 0
  await rt.db
    .insertInto('payments')
    .values({
      id: newId('pay'),
      merchant_id: merchantId,
      account_id: account.config.id,
      provider: account.config.provider,
      transaction_id: transactionId,
      order_id: lookup?.orderId ?? null,
      method: lookup?.method ?? null,
      status: lookup ? lookupStatus(lookup, cancelled) : 'paid',
      amount,
      cancelled_amount: cancelled,
      reserved_amount: 0,
      inflight_cancels: 0,
      balance_source: lookup ? 'lookup' : 'unknown',
      billing_key_id: null,
      virtual_account: null,
      failure: null,
      created_at: now,
      updated_at: now,
    })
    .onConflict((oc) =>
      oc
        .columns(['merchant_id', 'account_id', 'transaction_id'])
        .where('transaction_id', 'is not', null)
        .doNothing(),
    )
    .execute()
}

function lookupStatus(l: TransactionLookup, cancelled: number): string {
  switch (l.status) {
    case 'paid':
    case 'partial_cancelled':
    case 'cancelled':
      return cancelled >= (l.amount ?? Number.POSITIVE_INFINITY)
        ? 'cancelled'
        : cancelled > 0
          ? 'partial_cancelled'
          : 'paid'
    case 'waiting_for_deposit':
    case 'ready':
      return 'waiting_for_deposit'
    case 'failed':
    case 'expired':
      return l.status
    default:
      return 'unknown'
  }
}

function failureOf(err: PaymentError): FailureInfo {
  return {
    code: err.code,
    message: err.message,
    ...(err.providerCode ? { providerCode: err.providerCode } : {}),
    ...(err.providerMessage ? { providerMessage: err.providerMessage } : {}),
  }
}

async function settle(
  rt: Runtime,
  r: Reservation,
  input: CancelInput,
  result: CancelResult | undefined,
  error: unknown,
  idem: IdempotencyScope | undefined,
): Promise<Outcome> {
  const now = rt.now()
  const log = rt.logger
  let status: 'succeeded' | 'deposit_required' | 'failed' | 'pending'
  let amount = r.reserved
  let failure: FailureInfo | null = null
  let pendingReason: FailureInfo | null = null
  let deposit: Record<string, unknown> | null = null
  let providerCancelId: string | null = null
  let apiError: ApiError | undefined
  if (result?.status === 'cancelled') {
    status = 'succeeded'
    amount = result.cancelledAmount
    providerCancelId = result.providerCancelId ?? null
    if (r.payment.amount != null && r.reserved !== result.cancelledAmount) {
      log.warn(
        { cancellationId: r.cancellationId, reserved: r.reserved, cancelled: result.cancelledAmount },
        'PG cancelled a different amount than reserved',
      )
    }
  } else if (result?.status === 'deposit_required') {
    status = 'deposit_required'
    deposit = {
      ...result.deposit,
      providerCode: result.providerCode,
      providerMessage: result.providerMessage,
    }
  } else if (isPaymentError(error) && error.outcome === 'rejected') {
    status = 'failed'
    failure = failureOf(error)
    apiError = fromPaymentError(error)
  } else {
    // Timeout, unreadable answer, or a bug after sending: money may have moved. Keep the reservation; the
    // reconciler resolves it with the same cancel id, never a new one.
    status = 'pending'
    pendingReason = isPaymentError(error)
      ? failureOf(error)
      : { code: 'internal_error', message: 'the cancel failed after it may have reached the PG' }
    if (!isPaymentError(error))
      log.error({ err: error, cancellationId: r.cancellationId }, 'cancel failed unexpectedly')
  }
  const completed = status === 'succeeded' || status === 'failed' ? now : null
  const releases = status === 'succeeded' || status === 'failed'
  const cancelledDelta = status === 'succeeded' ? amount : 0

  // Everything the stored answer shows is known here, so it is rendered without reading the row back and the
  // writes (cancellation, ledger, outbox event, idempotency record) go to the database as ONE statement of
  // data-modifying CTEs: atomic like the transaction it replaces, one round trip instead of six. The benchmark's
  // CPU profile showed write syscalls on the database socket as the gateway's largest single cost per cancel.
  const view = renderCancellation({
    id: r.cancellationId,
    merchant_id: r.payment.merchant_id,
    payment_id: r.payment.id,
    account_id: r.payment.account_id,
    provider: r.payment.provider,
    transaction_id: r.payment.transaction_id!,
    status,
    requested_amount: input.amount ?? null,
    amount,
    tax_free_amount: input.taxFreeAmount ?? null,
    reason: input.reason,
    cancel_id: r.cancellationId,
    provider_cancel_id: providerCancelId,
    refund_account: null,
    failure,
    pending_reason: pendingReason,
    deposit,
    created_at: r.createdAt,
    updated_at: now,
    completed_at: completed,
  } as unknown as Selectable<CancellationsTable>)
  const outcome: Outcome = apiError
    ? { status: apiError.status, body: { error: { ...apiError.body, cancellationId: r.cancellationId } } }
    : { status: status === 'pending' ? 202 : 200, body: view }

  const save = async (db: Kysely<Database>): Promise<Outcome> => {
    // biome-ignore lint/suspicious/noExplicitAny: the builder's type grows with each optional CTE
    let q: any = db.with('settled_cancellation', (qc) =>
      qc
        .updateTable('cancellations')
        .set({
          status,
          amount,
          provider_cancel_id: providerCancelId,
          failure: failure ? JSON.stringify(failure) : null,
          pending_reason: pendingReason ? JSON.stringify(pendingReason) : null,
          deposit: deposit ? JSON.stringify(deposit) : null,
          updated_at: now,
          completed_at: completed,
        })
        .where('id', '=', r.cancellationId)
        // Only a pending row is settled: a retry after a lost acknowledgement, or a reconciler that got there
        // first, finds nothing to do and the ledger below is not moved twice.
        .where('status', '=', 'pending')
        .returning('id'),
    )
    if (releases) {
      const remaining = result?.status === 'cancelled' ? result.remainingAmount : undefined
      // An unknown balance is learned from the PG's answer: what remains, or nothing after a whole cancel.
      const learnAmount =
        r.payment.amount == null && status === 'succeeded'
          ? remaining !== undefined
            ? sql<number>`cancelled_amount + ${cancelledDelta} + ${remaining}`
            : input.amount === undefined
              ? sql<number>`cancelled_amount + ${cancelledDelta}`
              : null
          : null
      q = q.with('settled_payment', (qc: QueryCreator<Database>) =>
        qc
          .updateTable('payments')
          .set({
            reserved_amount: sql`GREATEST(reserved_amount - ${r.reserved}, 0)`,
            inflight_cancels: sql`GREATEST(inflight_cancels - 1, 0)`,
            cancelled_amount: sql`cancelled_amount + ${cancelledDelta}`,
            ...(learnAmount ? { amount: learnAmount, balance_source: 'learned' } : {}),
            status: sql`CASE WHEN ${cancelledDelta} = 0 THEN status
            WHEN COALESCE(${learnAmount ?? sql`amount`}, -1) <= cancelled_amount + ${cancelledDelta} THEN 'cancelled'
            ELSE 'partial_cancelled' END`,
            updated_at: now,
          })
          .where('id', '=', r.payment.id)
          .where(sql<boolean>`EXISTS (SELECT 1 FROM settled_cancellation)`),
      )
    }
    if (status !== 'pending') {
      q = q.with('settled_event', (qc: QueryCreator<Database>) =>
        qc
          .insertInto('events')
          .columns([
            'id',
            'merchant_id',
            'type',
            'object_type',
            'object_id',
            'data',
            'created_at',
            'next_attempt_at',
          ])
          .expression(
            sql`SELECT ${newId('evt')}, ${r.payment.merchant_id}, ${`cancellation.${status}`}, 'cancellation',
              ${r.cancellationId}, ${JSON.stringify({
                cancellationId: r.cancellationId,
                paymentId: r.payment.id,
                transactionId: r.payment.transaction_id,
              })}::jsonb, ${now}::timestamptz, ${now}::timestamptz
            FROM settled_cancellation`,
          ),
      )
    }
    if (idem) {
      // A PG that provably never got the request: forget the key so the same key may simply be retried.
      q = q.with('settled_key', (qc: QueryCreator<Database>) =>
        apiError && apiError.status === 503
          ? idem.releaseQuery(qc)
          : idem.completeQuery(qc, outcome, { type: 'cancellation', id: r.cancellationId }),
      )
    }
    // Its text takes one of a few shapes (status, idempotent or not): prepared, like the reservation.
    const done = (
      await db.executeQuery(prepared(q.selectFrom('settled_cancellation').select('id').compile()))
    ).rows[0]
    if (!done) {
      // Already settled (an earlier attempt whose commit we did not hear, or the reconciler): report that.
      const current = await db
        .selectFrom('cancellations')
        .selectAll()
        .where('id', '=', r.cancellationId)
        .executeTakeFirst()
      if (!current) throw new Error(`cancellation ${r.cancellationId} is missing`)
      return { status: current.status === 'pending' ? 202 : 200, body: renderCancellation(current) }
    }
    return outcome
  }

  // The PG has answered: recording it must not be lost to a brief database hiccup.
  for (let attempt = 0; ; attempt++) {
    try {
      if (rt.config.database.settleCommit !== 'async') return await save(rt.db)
      // The reservation is already durable; only this record waits for no disk flush (see settleCommit).
      return await rt.db.transaction().execute(async (trx) => {
        await sql`SET LOCAL synchronous_commit TO off`.execute(trx)
        return save(trx)
      })
    } catch (err) {
      if (attempt >= 2) {
        log.error(
          { err, cancellationId: r.cancellationId, status },
          'could not record the PG answer; the cancellation stays pending',
        )
        throw err
      }
      await new Promise((res) => setTimeout(res, 200 * (attempt + 1)))
    }
  }
}

export async function getCancellation(rt: Runtime, merchantId: string, id: string) {
  const row = await rt.db
    .selectFrom('cancellations')
    .selectAll()
    .where('id', '=', id)
    .where('merchant_id', '=', merchantId)
    .executeTakeFirst()
  if (!row) throw notFound('cancellation', id)
  return renderCancellation(row)
}

export async function listCancellations(
  rt: Runtime,
  merchantId: string,
  q: { transactionId?: string; paymentId?: string; limit: number; startingAfter?: string },
) {
  let query = rt.db.selectFrom('cancellations').selectAll().where('merchant_id', '=', merchantId)
  if (q.transactionId !== undefined) query = query.where('transaction_id', '=', q.transactionId)
  if (q.paymentId !== undefined) query = query.where('payment_id', '=', q.paymentId)
  if (q.startingAfter !== undefined) {
    const cursor = await rt.db
      .selectFrom('cancellations')
      .select(['created_at', 'id'])
      .where('id', '=', q.startingAfter)
      .where('merchant_id', '=', merchantId)
      .executeTakeFirst()
    if (!cursor) throw notFound('cancellation', q.startingAfter)
    query = query.where((eb) =>
      eb.or([
        eb('created_at', '<', cursor.created_at),
        eb.and([eb('created_at', '=', cursor.created_at), eb('id', '<', cursor.id)]),
      ]),
    )
  }
  const rows = await query
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(q.limit + 1)
    .execute()
  return {
    object: 'list' as const,
    data: rows.slice(0, q.limit).map(renderCancellation),
    hasMore: rows.length > q.limit,
  }
}

export { KeyExists }
export type { CancellationsTable }
