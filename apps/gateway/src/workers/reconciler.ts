import type { CancellationRow } from '../db/schema.js'
import type { PaymentRow } from '../db/schema.js'
import { isPaymentError } from '@paymux/core'
import type { Selectable } from 'kysely'
import type { Database, FailureInfo } from '../db/schema.js'
import type { EventType } from '../ledger/events.js'
import { settleBillingKey } from '../ledger/billing-keys.js'
import { requestLookupAt, settlePayment } from '../ledger/payments.js'
import { claimDue, claimRequestedLookups, releaseClaims, scheduleNext } from '../ledger/schedule.js'
import { metricsOf } from '../metrics/registry.js'
import { reconcileClose } from '../operations/resume-close.js'
import { resumeCancellation } from '../operations/resume-cancellation.js'
import { resumeFromLookup } from '../operations/resume-payment.js'
import { expireCheckout } from '../ledger/payments.js'
import type { ResumeSchedule } from '../operations/resume-schedule.js'
import { askPg, failureOf } from '../operations/outcome.js'
import { onPath } from '../call-log/path.js'
import { chargeRequestOf } from '../operations/charge.js'
import { resumeCheckout } from '../operations/resume-checkout.js'
import { resumeFromOrder } from '../operations/resume-from-order.js'
import type { AccountRuntime, Runtime } from '../runtime.js'
import type { WorkersConfig } from '../workers-config.js'

type ReconcileConfig = WorkersConfig['reconcile']

function accountFor(rt: Runtime, merchantId: string, accountId: string): AccountRuntime | undefined {
  return rt.merchants.get(merchantId)?.accounts.get(accountId)
}

function minAgeMs(rt: Runtime, cfg: ReconcileConfig): number {
  if (cfg.minAgeMs !== undefined) return cfg.minAgeMs
  let max = 0
  for (const m of rt.merchants.values()) for (const a of m.accounts.values()) max = Math.max(max, a.lockMs)
  return max
}

/**
 * Accounts whose requests may still be waiting for their PG when the reconciler first looks at what they
 * recorded: a `minAgeMs` set below an account's in-flight window (2 × timeout + 30 s). The reconciler then
 * races live requests — harmless where the PG dedups cancels or lists them, a cancel marked failed a moment
 * before the PG executes it where it does not. Said once at start-up; tests set it on purpose.
 */
export function accountsInFlightPastMinAge(
  rt: Pick<Runtime, 'merchants'>,
  cfg: Pick<ReconcileConfig, 'minAgeMs'>,
): Array<{ merchant: string; account: string; inFlightMs: number }> {
  if (cfg.minAgeMs === undefined) return []
  const out: Array<{ merchant: string; account: string; inFlightMs: number }> = []
  for (const [merchant, m] of rt.merchants)
    for (const [account, a] of m.accounts)
      if (a.lockMs > cfg.minAgeMs) out.push({ merchant, account, inFlightMs: a.lockMs })
  return out
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
  const now = rt.now()
  return claimDue(rt, table, {
    now,
    settledBefore: new Date(now.getTime() - minAgeMs(rt, cfg)),
    lease: new Date(now.getTime() + leaseMs(rt)),
    batchSize: cfg.batchSize,
  })
}

interface RoundCounts {
  cancellations: number
  payments: number
  billingKeys: number
  keys: number
}

/** Resolves what is due once, cancellations then charges. Safe to run in several processes at once. */
export function reconcileOnce(rt: Runtime, cfg: ReconcileConfig): Promise<RoundCounts> {
  return onPath('reconciler', () => reconcileRound(rt, cfg))
}

async function reconcileRound(rt: Runtime, cfg: ReconcileConfig): Promise<RoundCounts> {
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
  // Lookups asked for by a notification hint, and checkouts past their expiry: the sweep, logged as such.
  const lookups = await onPath('sweeper', () => resumeRequestedLookups(rt, cfg))
  const billingKeys = await reviewLostBillingKeys(rt, cfg)
  const keys = await sweepStuckKeys(rt)
  return {
    cancellations: cancels.length,
    payments: payments.length + lookups,
    billingKeys,
    keys,
  }
}

/**
 * Payments a notification hint asked to look up (the lookup then failed, or came before the PG showed anything),
 * and checkouts past their expiry whose customer never came back: each settled from one lookup by the same step
 * the notification uses. A checkout that evidence does not show paid by its expiry ends `expired`.
 */
async function resumeRequestedLookups(rt: Runtime, cfg: ReconcileConfig): Promise<number> {
  const now = rt.now()
  const lease = new Date(now.getTime() + leaseMs(rt))
  const hintedBefore = new Date(now.getTime() - minAgeMs(rt, cfg))
  const due = await claimRequestedLookups(rt, { now, hintedBefore, lease, batchSize: cfg.batchSize })
  for (const p of due) {
    try {
      const account = accountFor(rt, p.merchant_id, p.account_id)
      const r = account ? await resumeFromLookup(rt, account, p) : { effect: 'account gone', retry: true }
      // Not decided: looked at again after the first backoff step, not on every pass.
      if (r.retry)
        await requestLookupAt(rt, p.id, new Date(now.getTime() + (cfg.backoffSeconds[0] ?? 1) * 1000))
      const expiry = new Date(p.checkout_expires_at ?? 0)
      if (p.status === 'requires_authentication' && expiry < now) {
        // Expired only on evidence (the PG holds no charge of the order, or charges only on our approval); a
        // lookup that keeps failing past the bound leaves it to a person.
        if (!r.retry) await expireCheckout(rt, p)
        else if (now.getTime() - expiry.getTime() > cfg.giveUpAfterSeconds * 1000)
          await settlePayment(rt, rt.db, {
            payment: { id: p.id, merchantId: p.merchant_id, transactionId: p.transaction_id },
            from: ['requires_authentication'],
            status: 'needs_review',
            patch: {
              review_reason: JSON.stringify({
                code: 'reconciliation_gave_up',
                message: `past its expiry, the PG could not be asked whether it charged this order: ${r.effect}`,
              }),
            },
            event: 'payment.needs_review',
            now,
            resolvedBy: 'reconciliation',
          })
      }
    } catch (err) {
      rt.logger.error({ err, paymentId: p.id }, 'a requested lookup failed; retried later')
    } finally {
      await release(rt, 'payments', [p.id])
    }
  }
  return due.length
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

function release(rt: Runtime, table: 'cancellations' | 'payments', ids: string[]): Promise<void> {
  return releaseClaims(rt, table, ids)
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
  await scheduleNext(rt, table, id, new Date(now.getTime() + wait * 1000), {
    noChange: patch.noChange ?? false,
    statuses: ['pending', 'deposit_required'],
  })
}

function expired(rt: Runtime, cfg: ReconcileConfig, createdAt: Date | string): boolean {
  return rt.now().getTime() - new Date(createdAt).getTime() > cfg.giveUpAfterSeconds * 1000
}

/** The reconciler's schedule for one claimed item: its backoff, its give-up bound, its no-change count. */
function scheduleOf(
  rt: Runtime,
  cfg: ReconcileConfig,
  table: 'cancellations' | 'payments',
  row: { id: string; reconcile_attempts: number; created_at: Date | string; reconcile_no_change?: number },
): ResumeSchedule {
  return {
    later: (o = {}) =>
      later(rt, cfg, table, row.id, o.slow ? cfg.backoffSeconds.length : row.reconcile_attempts, {
        noChange: o.noChange ?? false,
      }),
    expired: () => expired(rt, cfg, row.created_at),
    noChangeSoFar: row.reconcile_no_change ?? 0,
    failAfterNoChange: cfg.failAfterNoChangeLookups,
  }
}

export async function reconcileCancellation(
  rt: Runtime,
  cfg: ReconcileConfig,
  row: CancellationRow,
): Promise<void> {
  return resumeCancellation(
    rt,
    row,
    accountFor(rt, row.merchant_id, row.account_id),
    scheduleOf(rt, cfg, 'cancellations', row),
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
    return resumeCheckout(rt, account, p, scheduleOf(rt, cfg, 'payments', p))
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
  // Where the PG looks payments up by order id (Toss), what it holds for the order settles it; only a charge it
  // dedups, of which it holds nothing, is sent again below.
  if (account.provider.capabilities.orderLookup && p.order_id) {
    const verdict = await resumeFromOrder(rt, account, p, scheduleOf(rt, cfg, 'payments', p))
    if (verdict !== 'nothing_found') return
  }
  if (!request) {
    // This PG neither looks up nor dedups by order id: waiting cannot produce evidence, and a resend could
    // charge twice. A person decides now, with what is known.
    return review(
      `the PG neither looks up nor dedups by order id ${p.order_id ?? ''}: check at the PG whether it was charged`,
    )
  }
  try {
    const at = { rt, account, paymentId: p.id, operation: 'charge' }
    const r = await askPg(at, (pg) => pg.chargeBillingKey(request))
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
