import { type CancelResult, isPaymentError, type PaymentError, type TransactionLookup } from '@paymux/core'
import { type Selectable, sql } from 'kysely'
import type { Database, FailureInfo } from '../db/schema.js'
import { type CancellationEnd, cancellationRef, settleCancellation } from '../ledger/cancellations.js'
import type { EventType } from '../ledger/events.js'
import { settleBillingKey } from '../ledger/billing-keys.js'
import { settlePayment } from '../ledger/payments.js'
import { OPEN_CANCELLATION_STATUSES } from '../ledger/statuses.js'
import { metricsOf } from '../metrics/registry.js'
import { recheckNotifications } from '../notifications/recheck.js'
import { reconcileClose } from './close.js'
import { cancelRequestOf } from '../operations/cancel.js'
import { chargeRequestOf } from '../operations/charge.js'
import { reconcileCheckout } from './checkout.js'
import type { AccountRuntime, Runtime } from '../runtime.js'
import type { WorkersConfig } from '../workers/config.js'

type ReconcileConfig = WorkersConfig['reconcile']
type PaymentRow = Selectable<Database['payments']>
export type CancellationRow = Selectable<Database['cancellations']>
/** How the reconciler ends an open cancellation (never `pending`: that is what it starts from). */
type Resolution = Exclude<CancellationEnd, { status: 'pending' }>

/** Rejections that a resent cancel may get *because* the first one went through: not evidence either way. */
const AMBIGUOUS_REJECTIONS = new Set(['already_cancelled', 'amount_exceeds_cancellable'])

function failureOf(err: PaymentError): FailureInfo {
  return {
    code: err.code,
    message: err.message,
    ...(err.providerCode ? { providerCode: err.providerCode } : {}),
    ...(err.providerMessage ? { providerMessage: err.providerMessage } : {}),
  }
}

function accountFor(rt: Runtime, merchantId: string, accountId: string): AccountRuntime | undefined {
  return rt.merchants.get(merchantId)?.accounts.get(accountId)
}

function minAgeMs(rt: Runtime, cfg: ReconcileConfig): number {
  if (cfg.minAgeMs !== undefined) return cfg.minAgeMs
  let max = 0
  for (const m of rt.merchants.values()) for (const a of m.accounts.values()) max = Math.max(max, a.lockMs)
  return max
}

/** How long a claim lasts: long enough for a PG call to time out twice; then another process may take it. */
function leaseMs(rt: Runtime): number {
  return Math.max(
    60_000,
    minAgeMs(rt, {
      backoffSeconds: [0],
      giveUpAfterSeconds: 1,
      failAfterNoChangeLookups: 1,
      intervalMs: 1,
      batchSize: 1,
    }),
  )
}

/**
 * Claims due items of one table with `FOR UPDATE SKIP LOCKED` and a lease in one transaction: concurrent
 * workers (in this process or others on the same PostgreSQL) take disjoint rows; a worker that dies leaves a
 * lease that expires, and the next run takes the item again — the PG calls made on it are safe to repeat
 * (lookups, or a resend with the same PG dedup id).
 */
async function claim<T extends 'cancellations' | 'payments'>(
  rt: Runtime,
  cfg: ReconcileConfig,
  table: T,
): Promise<Array<Selectable<Database[T]>>> {
  const db = rt.db
  const now = rt.now()
  const settled = new Date(now.getTime() - minAgeMs(rt, cfg))
  const lease = new Date(now.getTime() + leaseMs(rt))
  return db.transaction().execute(async (t) => {
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
          eb.and([eb('next_reconcile_at', 'is', null), eb('updated_at', '<=', settled)]),
          eb('next_reconcile_at', '<=', now),
        ]),
      )
      .where((eb) =>
        eb.or([eb('reconcile_locked_until', 'is', null), eb('reconcile_locked_until', '<', now)]),
      )
      .orderBy('updated_at')
      .limit(cfg.batchSize)
      .forUpdate()
      .skipLocked()
      .execute()
    if (due.length === 0) return []
    // biome-ignore lint/suspicious/noExplicitAny: both tables carry the same reconciliation columns
    return (await (t as any)
      .updateTable(table)
      .set({ reconcile_locked_until: lease, reconcile_attempts: sql`reconcile_attempts + 1` })
      .where(
        'id',
        'in',
        due.map((d) => d.id),
      )
      .returningAll()
      .execute()) as Array<Selectable<Database[T]>>
  })
}

/** Resolves what is due once, cancellations then charges. Safe to run in several processes at once. */
export async function reconcileOnce(
  rt: Runtime,
  cfg: ReconcileConfig,
): Promise<{
  cancellations: number
  payments: number
  billingKeys: number
  keys: number
  notifications: number
}> {
  const started = Date.now()
  const cancels = await claim(rt, cfg, 'cancellations')
  for (const [i, c] of cancels.entries()) {
    // Items are handled one after the other; past half the lease the rest are handed back, so no other process
    // can take an item this one is still working on.
    if (Date.now() - started > leaseMs(rt) / 2) {
      await release(
        rt,
        'cancellations',
        cancels.slice(i).map((x) => x.id),
      )
      break
    }
    try {
      await reconcileCancellation(rt, cfg, c as CancellationRow)
    } catch (err) {
      rt.logger.error({ err, cancellationId: c.id }, 'reconciliation of a cancellation failed; retried later')
      await later(rt, cfg, 'cancellations', c.id, c.reconcile_attempts).catch(() => {})
    }
  }
  const paymentsStarted = Date.now()
  const payments = await claim(rt, cfg, 'payments')
  for (const [i, p] of payments.entries()) {
    if (Date.now() - paymentsStarted > leaseMs(rt) / 2) {
      await release(
        rt,
        'payments',
        payments.slice(i).map((x) => x.id),
      )
      break
    }
    try {
      if (p.status === 'closing') await reconcileClose(rt, cfg, p as PaymentRow)
      else await reconcilePayment(rt, cfg, p as PaymentRow)
    } catch (err) {
      rt.logger.error({ err, paymentId: p.id }, 'reconciliation of a payment failed; retried later')
      await later(rt, cfg, 'payments', p.id, p.reconcile_attempts).catch(() => {})
    }
  }
  const billingKeys = await reviewLostBillingKeys(rt, cfg)
  const keys = await sweepStuckKeys(rt)
  const notifications = await recheckNotifications(rt, cfg)
  return { cancellations: cancels.length, payments: payments.length, billingKeys, keys, notifications }
}

/**
 * Billing keys recorded `pending` whose PG answer never came (the process died during the call, or the answer
 * was lost): no PG offers a lookup by request id, so once past the in-flight window a person decides
 * (`needs_review`, with the request id the PG may have registered the card under). No money moved.
 */
async function reviewLostBillingKeys(rt: Runtime, cfg: ReconcileConfig): Promise<number> {
  const cutoff = new Date(rt.now().getTime() - minAgeMs(rt, cfg))
  const stuck = await rt.db
    .selectFrom('billing_keys')
    .select(['id', 'merchant_id', 'request', 'created_at'])
    .where('status', '=', 'pending')
    .where('created_at', '<', cutoff)
    .limit(cfg.batchSize)
    .execute()
  let n = 0
  for (const k of stuck) {
    const applied = await settleBillingKey(rt, rt.db, {
      billingKey: { id: k.id, merchantId: k.merchant_id },
      from: ['pending'],
      status: 'needs_review',
      patch: {
        review_reason: JSON.stringify({
          code: 'outcome_unknown',
          message:
            'the PG may have registered the card (no lookup exists to tell); check at the PG under this request id, delete it there if it exists',
          request: k.request,
          since: new Date(k.created_at).toISOString(),
        }),
      },
      event: 'billing_key.needs_review',
      now: rt.now(),
    })
    if (applied) n++
  }
  return n
}

/**
 * Idempotency-Keys left `in_progress` by a process that died mid-request, past their lock: the intent they
 * guard is recorded (claim and intent are one statement), so the key now answers that object's current state
 * (and the reconciler resolves the object). A key with no object to show is forgotten.
 */
export async function sweepStuckKeys(rt: Runtime): Promise<number> {
  const now = rt.now()
  const resolved = await rt.db
    .updateTable('idempotency_keys')
    .set({ state: 'completed', response_status: 202, response_body: null })
    .where('state', '=', 'in_progress')
    .where('locked_until', '<', now)
    .where('resource_id', 'is not', null)
    .executeTakeFirst()
  const dropped = await rt.db
    .deleteFrom('idempotency_keys')
    .where('state', '=', 'in_progress')
    .where('locked_until', '<', now)
    .where('resource_id', 'is', null)
    .executeTakeFirst()
  return Number(resolved.numUpdatedRows) + Number(dropped.numDeletedRows)
}

async function release(rt: Runtime, table: 'cancellations' | 'payments', ids: string[]): Promise<void> {
  if (ids.length === 0) return
  await rt.db
    .updateTable(table as 'cancellations')
    .set({ reconcile_locked_until: null })
    .where('id', 'in', ids)
    .execute()
}

/** Not decided this time: try again after the backoff, or give up into needs_review past the bound. */
async function later(
  rt: Runtime,
  cfg: ReconcileConfig,
  table: 'cancellations' | 'payments',
  id: string,
  attempts: number,
  patch: { noChange?: boolean } = {},
): Promise<void> {
  const now = rt.now()
  const wait = cfg.backoffSeconds[Math.min(Math.max(attempts - 1, 0), cfg.backoffSeconds.length - 1)]!
  metricsOf(rt).reconciliations.inc({
    object: table === 'cancellations' ? 'cancellation' : 'charge',
    result: 'retry',
  })
  await rt.db
    .updateTable(table as 'cancellations')
    .set({
      next_reconcile_at: new Date(now.getTime() + wait * 1000),
      reconcile_locked_until: null,
      ...(patch.noChange ? { reconcile_no_change: sql`reconcile_no_change + 1` } : {}),
    })
    .where('id', '=', id)
    .where('status', 'in', ['pending', 'deposit_required'])
    .execute()
}

function expired(rt: Runtime, cfg: ReconcileConfig, createdAt: Date | string): boolean {
  return rt.now().getTime() - new Date(createdAt).getTime() > cfg.giveUpAfterSeconds * 1000
}

async function finishCancellation(
  rt: Runtime,
  row: CancellationRow,
  r: Resolution,
  evidence: string,
): Promise<void> {
  const now = rt.now()
  const done = await rt.db.transaction().execute(async (trx) => {
    // The payment's lock first, as notifications take it: then the ledger's one statement.
    await trx.selectFrom('payments').select('id').where('id', '=', row.payment_id).forUpdate().execute()
    return settleCancellation(rt, trx, {
      cancellation: cancellationRef(row),
      from: [row.status],
      end: r,
      now,
      resolvedBy: 'reconciliation',
    })
  })
  metricsOf(rt).reconciliations.inc({ object: 'cancellation', result: done ? r.status : 'raced' })
  rt.logger.info(
    { cancellationId: row.id, status: r.status, evidence, applied: done },
    'pending cancellation resolved',
  )
}

async function giveUp(
  rt: Runtime,
  row: CancellationRow,
  why: string,
  evidence?: Record<string, string>,
): Promise<void> {
  await finishCancellation(
    rt,
    row,
    {
      status: 'needs_review',
      reason: {
        code: 'reconciliation_gave_up',
        message: why,
        attempts: row.reconcile_attempts,
        since: new Date(row.created_at).toISOString(),
        // What the PG last showed, verbatim: what the person deciding works from.
        ...(evidence ? { evidence } : {}),
      },
    },
    why,
  )
}

export async function reconcileCancellation(
  rt: Runtime,
  cfg: ReconcileConfig,
  row: CancellationRow,
): Promise<void> {
  const account = accountFor(rt, row.merchant_id, row.account_id)
  if (!account) {
    if (expired(rt, cfg, row.created_at))
      return giveUp(rt, row, `account ${row.account_id} is no longer configured`)
    return later(rt, cfg, 'cancellations', row.id, row.reconcile_attempts)
  }
  const caps = account.provider.capabilities
  if (row.status === 'deposit_required') return checkDeposit(rt, cfg, account, row)
  let verdict: Verdict | undefined
  let shown: Record<string, string> | undefined
  if (caps.paymentLookup) {
    let lookup: TransactionLookup
    try {
      lookup = await account.provider.getTransaction(row.transaction_id)
    } catch (err) {
      rt.logger.warn(
        { cancellationId: row.id, code: isPaymentError(err) ? err.code : 'error' },
        'reconciliation lookup failed',
      )
      if (expired(rt, cfg, row.created_at)) return giveUp(rt, row, 'the PG lookup kept failing')
      return later(rt, cfg, 'cancellations', row.id, row.reconcile_attempts)
    }
    shown = lookup.evidence
    verdict = await judgeByLookup(rt, row, lookup)
    if (verdict.kind === 'resolved') return finishCancellation(rt, row, verdict.resolution, verdict.evidence)
  }
  // The lookup did not settle it: where the PG dedups this account's cancels by id, the same cancel again is
  // safe and answers; nowhere else is anything re-sent.
  if (caps.cancelDedup) return resendCancel(rt, cfg, account, row)
  if (verdict) {
    if (verdict.kind === 'no_change' && row.reconcile_no_change + 1 >= cfg.failAfterNoChangeLookups) {
      return finishCancellation(
        rt,
        row,
        {
          status: 'failed',
          failure: {
            code: 'not_executed',
            message: `the PG shows no cancel of this payment after ${row.reconcile_no_change + 1} lookups; nothing was cancelled`,
          },
        },
        'lookups show the cancelled amount unchanged',
      )
    }
    if (expired(rt, cfg, row.created_at))
      return giveUp(rt, row, `the PG lookup does not settle it: ${verdict.evidence}`, shown)
    return later(rt, cfg, 'cancellations', row.id, row.reconcile_attempts, {
      noChange: verdict.kind === 'no_change',
    })
  }
  if (expired(rt, cfg, row.created_at))
    return giveUp(
      rt,
      row,
      `${account.config.provider} offers neither a lookup nor a duplicate guard: check at the PG`,
    )
  return later(rt, cfg, 'cancellations', row.id, row.reconcile_attempts)
}

type Verdict =
  | { kind: 'resolved'; resolution: Resolution; evidence: string }
  | { kind: 'no_change'; evidence: string }
  | { kind: 'unclear'; evidence: string }

/**
 * Decides only on evidence: the PG lists this cancel by our cancel id; or the PG's cancelled total grew by
 * exactly what the open cancels of this payment reserved; or (enough lookups after the in-flight window) it
 * did not grow at all. Anything else stays pending and, past the bound, needs review.
 */
async function judgeByLookup(rt: Runtime, row: CancellationRow, t: TransactionLookup): Promise<Verdict> {
  const listed = t.cancels?.find((c) => c.cancelId !== undefined && c.cancelId === row.cancel_id)
  // A cancel listed without its amount moved what this one reserved, when that is known.
  const listedAmount = listed?.amount ?? (Number(row.amount) > 0 ? Number(row.amount) : undefined)
  if (listed && listedAmount !== undefined) {
    return {
      kind: 'resolved',
      resolution: {
        status: 'succeeded',
        amount: listedAmount,
        providerCancelId: listed.providerCancelId ?? null,
      },
      evidence: 'the PG lists this cancel id',
    }
  }
  const db = rt.db
  const payment = await db
    .selectFrom('payments')
    .selectAll()
    .where('id', '=', row.payment_id)
    .executeTakeFirstOrThrow()
  const open = await db
    .selectFrom('cancellations')
    .select(['id', 'amount', 'status'])
    .where('payment_id', '=', row.payment_id)
    .where('status', 'in', [...OPEN_CANCELLATION_STATUSES])
    .execute()
  if (t.cancelledAmount === undefined) {
    // No amounts in the lookup: only "nothing was ever cancelled" is evidence (of no change).
    return t.status === 'paid' && !t.cancels?.length
      ? { kind: 'no_change', evidence: 'the PG shows the payment approved and never cancelled' }
      : { kind: 'unclear', evidence: `the PG shows ${t.providerStatus ?? t.status} without amounts` }
  }
  const delta = t.cancelledAmount - Number(payment.cancelled_amount)
  const own = Number(row.amount)
  // Below what we recorded: the lookup and our ledger disagree, which proves nothing about this cancel.
  if (delta < 0)
    return { kind: 'unclear', evidence: `PG cancelled total ${t.cancelledAmount} is below the recorded one` }
  if (delta === 0)
    return { kind: 'no_change', evidence: `PG cancelled total ${t.cancelledAmount} = recorded` }
  const openSum = open.reduce((s, c) => s + Number(c.amount), 0)
  const others = open.filter((c) => c.id !== row.id)
  // This cancel's amount exactly, and no other open cancel of the same amount it could be confused with.
  const unique = own > 0 && own === delta && !others.some((o) => Number(o.amount) === own)
  if (unique || (open.length === 1 && own === 0)) {
    return {
      kind: 'resolved',
      resolution: { status: 'succeeded', amount: delta },
      evidence: `PG cancelled total grew by ${delta}, the amount of this cancel`,
    }
  }
  if (own > 0 && delta === openSum) {
    return {
      kind: 'resolved',
      resolution: { status: 'succeeded', amount: own },
      evidence: `PG cancelled total grew by ${delta}, the sum of the open cancels`,
    }
  }
  return { kind: 'unclear', evidence: `PG cancelled total grew by ${delta}; open cancels reserve ${openSum}` }
}

/**
 * A post-deposit cancel finishes with the PG's notification, which CookiePay sends once. Should it be lost,
 * the lookup shows the cancel executed after the deposit: succeeded on that evidence. Never failed, never given
 * up here (the deposit is the merchant's move); checked on the backoff's slowest step.
 */
async function checkDeposit(
  rt: Runtime,
  cfg: ReconcileConfig,
  account: AccountRuntime,
  row: CancellationRow,
): Promise<void> {
  const slow = () => later(rt, cfg, 'cancellations', row.id, cfg.backoffSeconds.length)
  if (!account.provider.capabilities.paymentLookup) return slow()
  let lookup: TransactionLookup
  try {
    lookup = await account.provider.getTransaction(row.transaction_id)
  } catch {
    return slow()
  }
  const verdict = await judgeByLookup(rt, row, lookup)
  if (verdict.kind === 'resolved')
    return finishCancellation(
      rt,
      row,
      verdict.resolution,
      `deposit made, notification missed: ${verdict.evidence}`,
    )
  return slow()
}

/** No lookup: the same cancel again, with the same cancel id, so the PG's own duplicate guard answers. */
async function resendCancel(
  rt: Runtime,
  cfg: ReconcileConfig,
  account: AccountRuntime,
  row: CancellationRow,
): Promise<void> {
  const payment = await rt.db
    .selectFrom('payments')
    .select(['order_id', 'amount'])
    .where('id', '=', row.payment_id)
    .executeTakeFirstOrThrow()
  let result: CancelResult | undefined
  let error: unknown
  try {
    result = await account.provider.cancel(cancelRequestOf(rt, row, payment))
  } catch (err) {
    error = err
  }
  if (result?.status === 'accepted') {
    return finishCancellation(
      rt,
      row,
      {
        status: 'accepted',
        amount: result.acceptedAmount,
        providerCancelId: result.providerCancelId ?? null,
      },
      'the resend with the same cancel id was accepted by the PG',
    )
  }
  if (result?.status === 'cancelled') {
    return finishCancellation(
      rt,
      row,
      {
        status: 'succeeded',
        amount: result.cancelledAmount,
        ...(result.remainingAmount !== undefined ? { remainingAmount: result.remainingAmount } : {}),
        providerCancelId: result.providerCancelId ?? null,
      },
      'the resend with the same cancel id went through (the first never executed)',
    )
  }
  if (result?.status === 'deposit_required' || !isPaymentError(error) || error.outcome !== 'rejected') {
    if (expired(rt, cfg, row.created_at)) return giveUp(rt, row, 'the resent cancel did not settle it')
    return later(rt, cfg, 'cancellations', row.id, row.reconcile_attempts)
  }
  if (error.code === 'duplicate_request') {
    return finishCancellation(
      rt,
      row,
      { status: 'succeeded', amount: Number(row.amount) },
      `the PG's duplicate guard recognised the cancel id (${error.providerCode ?? error.code}): the first cancel executed`,
    )
  }
  if (AMBIGUOUS_REJECTIONS.has(error.code)) {
    return giveUp(
      rt,
      row,
      `the resent cancel was refused with ${error.code}, which does not tell whether the first executed`,
    )
  }
  // The PG checks its duplicate guard first: a plain refusal of the same cancel id means the first never executed.
  return finishCancellation(
    rt,
    row,
    { status: 'failed', failure: failureOf(error) },
    `the resend was refused: ${error.code}`,
  )
}

// ---- charges

async function finishPayment(
  rt: Runtime,
  p: PaymentRow,
  patch: {
    status: 'paid' | 'failed' | 'needs_review'
    transactionId?: string
    failure?: FailureInfo
    review?: Record<string, unknown>
  },
): Promise<void> {
  const charge = p.billing_key_id != null
  const event: EventType =
    patch.status === 'needs_review'
      ? 'payment.needs_review'
      : charge
        ? patch.status === 'paid'
          ? 'charge.succeeded'
          : 'charge.failed'
        : patch.status === 'paid'
          ? 'payment.paid'
          : 'payment.failed'
  const done = await settlePayment(rt, rt.db, {
    payment: { id: p.id, merchantId: p.merchant_id, transactionId: p.transaction_id },
    from: ['pending'],
    status: patch.status,
    patch: {
      ...(patch.transactionId ? { transaction_id: patch.transactionId } : {}),
      ...(patch.status === 'paid' ? { failure: null } : {}),
      ...(patch.failure ? { failure: JSON.stringify(patch.failure) } : {}),
      ...(patch.review ? { review_reason: JSON.stringify(patch.review) } : {}),
    },
    event,
    now: rt.now(),
    resolvedBy: 'reconciliation',
  })
  metricsOf(rt).reconciliations.inc({ object: 'charge', result: done ? patch.status : 'raced' })
  rt.logger.info({ paymentId: p.id, status: patch.status, applied: done }, 'pending payment resolved')
}

export async function reconcilePayment(rt: Runtime, cfg: ReconcileConfig, p: PaymentRow): Promise<void> {
  const account = accountFor(rt, p.merchant_id, p.account_id)
  if (p.approval_state !== null && account) {
    return reconcileCheckout(rt, account, p, {
      later: () => later(rt, cfg, 'payments', p.id, p.reconcile_attempts),
      expired: () => expired(rt, cfg, p.created_at),
    })
  }
  const review = (why: string) =>
    finishPayment(rt, p, {
      status: 'needs_review',
      review: {
        code: 'reconciliation_gave_up',
        message: why,
        attempts: p.reconcile_attempts,
        request: p.charge_request,
      },
    })
  // Only where the PG dedups this account's charges by order id is a pending charge asked again.
  const dedups = account?.provider.capabilities.chargeDedup === true && p.billing_key_id != null
  const key = dedups
    ? await rt.db
        .selectFrom('billing_keys')
        .select('encrypted_key')
        .where('id', '=', p.billing_key_id!)
        .executeTakeFirst()
    : undefined
  const request =
    account && key?.encrypted_key ? chargeRequestOf(rt.vault.decrypt(key.encrypted_key), p) : undefined
  if (!account) {
    if (expired(rt, cfg, p.created_at)) return review(`account ${p.account_id} is no longer configured`)
    return later(rt, cfg, 'payments', p.id, p.reconcile_attempts)
  }
  if (!request) {
    // No PG offers a lookup by order id, and this one does not dedup by it: waiting cannot produce evidence,
    // and a resend could charge twice. A person decides now, with what is known.
    return review(
      `the PG neither looks up nor dedups by order id ${p.order_id ?? ''}: check at the PG whether it was charged`,
    )
  }
  try {
    const r = await account.provider.chargeBillingKey(request)
    return finishPayment(rt, p, { status: 'paid', transactionId: r.transactionId })
  } catch (err) {
    if (isPaymentError(err) && err.outcome === 'rejected') {
      if (err.code === 'duplicate_request') {
        // Charged by the first request, but the PG gives no way to learn that charge's TID here.
        return review(
          `the PG reports order ${p.order_id} as already charged (${err.providerCode ?? err.code}); its transaction id is unknown here`,
        )
      }
      return finishPayment(rt, p, { status: 'failed', failure: failureOf(err) })
    }
    if (expired(rt, cfg, p.created_at)) return review('the resent charge kept ending without an answer')
    return later(rt, cfg, 'payments', p.id, p.reconcile_attempts)
  }
}
