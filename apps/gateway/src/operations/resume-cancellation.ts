import type { CancellationRow } from '../db/schema.js'
// A cancellation finished late, from its stored row: whoever resumes it (the reconciler, a notification's
// lookup, start-up) decides from evidence only — the PG's lookup, or the same request re-sent where the PG
// dedups this account's cancels by its id. Nothing else is ever re-sent, and a refusal of a re-send proves
// nothing (no PG documents checking its duplicate guard first): the lookup decides.
import type { TransactionLookup } from '@paymux/core'
import { isPaymentError } from '@paymux/core'
import { type CancellationEnd, cancellationRef, settleCancellation } from '../ledger/cancellations.js'
import { OPEN_CANCELLATION_STATUSES } from '../db/statuses.js'
import { metricsOf } from '../metrics/registry.js'
import type { AccountRuntime, Runtime } from '../runtime.js'
import { cancellationEndOf, cancelRequestOf } from './cancel.js'
import { askPg, type CallSite, callPg } from './outcome.js'
import type { ResumeSchedule, ReviewCheck } from './resume-schedule.js'

/** How a late path ends an open cancellation (never `pending`: that is what it starts from). */
type Resolution = Exclude<CancellationEnd, { status: 'pending' }>

type Verdict =
  | { kind: 'resolved'; resolution: Resolution; evidence: string }
  | { kind: 'no_change'; evidence: string }
  | { kind: 'unclear'; evidence: string }

/** A lookup made for this cancellation, as the call log records it. */
function lookupOf(rt: Runtime, account: AccountRuntime, row: CancellationRow): CallSite {
  return { rt, account, paymentId: row.payment_id, cancellationId: row.id, operation: 'lookup' }
}

/** Settles an open cancellation under its payment's lock (the order every path takes), once. */
async function finish(rt: Runtime, row: CancellationRow, r: Resolution, evidence: string): Promise<void> {
  const done = await rt.db.transaction().execute(async (trx) => {
    await trx.selectFrom('payments').select('id').where('id', '=', row.payment_id).forUpdate().execute()
    return settleCancellation(rt, trx, {
      cancellation: cancellationRef(row),
      from: [row.status],
      end: r,
      now: rt.now(),
      resolvedBy: 'reconciliation',
    })
  })
  metricsOf(rt).reconciliations.inc({ object: 'cancellation', result: done ? r.status : 'raced' })
  rt.logger.info(
    { cancellationId: row.id, status: r.status, evidence, applied: done },
    'pending cancellation resolved',
  )
}

function giveUp(rt: Runtime, row: CancellationRow, why: string, shown?: Record<string, string>) {
  return finish(
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
        ...(shown ? { evidence: shown } : {}),
      },
    },
    why,
  )
}

/** Resumes one open cancellation (pending or deposit_required). */
export async function resumeCancellation(
  rt: Runtime,
  row: CancellationRow,
  account: AccountRuntime | undefined,
  schedule: ResumeSchedule,
): Promise<void> {
  if (!account) {
    if (schedule.expired()) return giveUp(rt, row, `account ${row.account_id} is no longer configured`)
    return schedule.later()
  }
  const caps = account.provider.capabilities
  if (row.status === 'deposit_required') return checkDeposit(rt, account, row, schedule)
  let verdict: Verdict | undefined
  let shown: Record<string, string> | undefined
  if (caps.paymentLookup) {
    let lookup: TransactionLookup
    try {
      lookup = await askPg(lookupOf(rt, account, row), (pg) => pg.getTransaction(row.transaction_id))
    } catch (err) {
      rt.logger.warn(
        { cancellationId: row.id, code: isPaymentError(err) ? err.code : 'error' },
        'reconciliation lookup failed',
      )
      if (schedule.expired()) return giveUp(rt, row, 'the PG lookup kept failing')
      return schedule.later({ evidence: 'the PG lookup failed' })
    }
    shown = lookup.evidence
    verdict = await judgeByLookup(rt, row, lookup)
    if (verdict.kind === 'resolved') return finish(rt, row, verdict.resolution, verdict.evidence)
  }
  // Where the PG dedups this account's cancels by id (by contract, for this account), the same request again
  // is safe whatever the lookup showed, and its answer may settle it.
  if (caps.cancelDedup) {
    const resent = await resend(rt, account, row)
    if (resent === 'unknown') {
      // The same request went out again and its fate is unknown: it may have executed after the lookup above,
      // which then proves nothing — never a "no change" counted from it (a cancel failed that the PG executed).
      if (schedule.expired()) return giveUp(rt, row, 'the re-sent cancel kept going unanswered', shown)
      return schedule.later({ evidence: 'the re-sent cancel went unanswered' })
    }
    if (resent !== 'refused')
      return finish(rt, row, resent, 'the re-send with the same cancel id was answered')
  }
  if (verdict?.kind === 'no_change' && schedule.noChangeSoFar + 1 >= schedule.failAfterNoChange) {
    return finish(
      rt,
      row,
      {
        status: 'failed',
        failure: {
          code: 'not_executed',
          message: `the PG shows no cancel of this payment after ${schedule.noChangeSoFar + 1} lookups; nothing was cancelled`,
        },
      },
      'lookups show the cancelled amount unchanged',
    )
  }
  if (schedule.expired())
    return giveUp(
      rt,
      row,
      verdict
        ? `the PG lookup does not settle it: ${verdict.evidence}`
        : `${account.config.provider} offers neither a lookup nor a duplicate guard: check at the PG`,
      shown,
    )
  return schedule.later({
    noChange: verdict?.kind === 'no_change',
    evidence: verdict?.evidence ?? `${account.config.provider} offers neither a lookup nor a duplicate guard`,
  })
}

/**
 * A cancellation in needs_review checked again (an operator's "check again now"): the reconciler's own step,
 * once, on a schedule that neither waits nor gives up nor fails it for a lookup showing no change (that bound is
 * the reconciler's, long passed). It settles only on the evidence that settles a pending one: the PG listing this
 * cancel, its cancelled total grown by exactly this cancel, or the answer to the same request re-sent where the PG
 * dedups it.
 */
export async function resumeReviewedCancellation(
  rt: Runtime,
  row: CancellationRow,
  account: AccountRuntime,
): Promise<ReviewCheck> {
  if (row.status !== 'needs_review')
    return { settled: false, status: row.status, evidence: `it is ${row.status}` }
  let evidence = 'the PG’s record settles it'
  await resumeCancellation(rt, row, account, {
    later: async (o = {}) => {
      evidence = o.evidence ?? 'nothing conclusive'
    },
    expired: () => false,
    noChangeSoFar: 0,
    failAfterNoChange: Number.POSITIVE_INFINITY,
  })
  const now = await rt.db
    .selectFrom('cancellations')
    .select('status')
    .where('id', '=', row.id)
    .executeTakeFirstOrThrow()
  return { settled: now.status !== 'needs_review', status: now.status, evidence }
}

/**
 * The recorded request, byte for byte the same, where the PG dedups it. Only an answer the PG gives to the
 * cancel itself settles it; a refusal (whatever its code) is no evidence either way and leaves it to lookups;
 * no answer (`unknown`) means it may have executed just now, after the lookup that preceded it.
 */
async function resend(
  rt: Runtime,
  account: AccountRuntime,
  row: CancellationRow,
): Promise<Resolution | 'refused' | 'unknown'> {
  const payment = await rt.db
    .selectFrom('payments')
    .select(['order_id', 'amount'])
    .where('id', '=', row.payment_id)
    .executeTakeFirstOrThrow()
  const at: CallSite = { ...lookupOf(rt, account, row), operation: 'cancel' }
  const end = await callPg(at, (pg) => pg.cancel(cancelRequestOf(rt, row, payment)))
  if (end.kind !== 'ok') {
    rt.logger.info(
      {
        cancellationId: row.id,
        outcome: end.kind,
        code: end.kind === 'rejected' ? end.failure.code : undefined,
      },
      'the re-sent cancel settles nothing; the lookup decides',
    )
    return end.kind === 'rejected' ? 'refused' : 'unknown'
  }
  const e = cancellationEndOf(end)
  return e.status === 'pending' ? 'unknown' : e
}

/**
 * Decides only on evidence: the PG lists this cancel by our cancel id; or the PG's cancelled total grew by
 * exactly what the open cancels of this payment reserved; or it did not grow at all (no change). Anything else
 * is unclear: it stays pending and, past the bound, needs review.
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
  const payment = await rt.db
    .selectFrom('payments')
    .select(['cancelled_amount'])
    .where('id', '=', row.payment_id)
    .executeTakeFirstOrThrow()
  const open = await rt.db
    .selectFrom('cancellations')
    .select(['id', 'amount', 'status'])
    .where('payment_id', '=', row.payment_id)
    .where('status', 'in', [...OPEN_CANCELLATION_STATUSES])
    .execute()
  if (t.cancelledAmount === undefined) {
    // A PG whose lookup never reports amounts: only "nothing was ever cancelled" is evidence (of no change).
    // One that reports the payment's amount but not this time what was cancelled proves nothing.
    return t.amount === undefined && t.status === 'paid' && !t.cancels?.length
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
  account: AccountRuntime,
  row: CancellationRow,
  schedule: ResumeSchedule,
): Promise<void> {
  const slow = () => schedule.later({ slow: true })
  if (!account.provider.capabilities.paymentLookup) return slow()
  let lookup: TransactionLookup
  try {
    lookup = await askPg(lookupOf(rt, account, row), (pg) => pg.getTransaction(row.transaction_id))
  } catch {
    return slow()
  }
  const verdict = await judgeByLookup(rt, row, lookup)
  if (verdict.kind === 'resolved')
    return finish(rt, row, verdict.resolution, `deposit made, notification missed: ${verdict.evidence}`)
  return slow()
}
