import {
  type ExpectedPayment,
  type NotificationEvent,
  type NotificationHint,
  type NotificationReply,
  PaymentError,
} from '@paymux/core'
import type { PinoLogger } from '../logger.js'
import { onPath } from '../call-log/path.js'
import { newId } from '../ids.js'
import { metricsOf } from '../metrics/registry.js'
import type { AccountRuntime, Runtime } from '../runtime.js'
import type { Tx } from '../db/schema.js'
import { cancellationRef, recordExternalCancellation, settleCancellation } from '../ledger/cancellations.js'
import { requestLookup, settlePayment } from '../ledger/payments.js'
import { resumeDepositCancels, resumeFromLookup } from '../operations/resume-payment.js'
import { OPEN_CANCELLATION_STATUSES } from '../db/statuses.js'
import { guardExpected, refusalAfterThrow, unstorableNotification } from './unreadable.js'

export interface IncomingNotification {
  rawBody: Uint8Array
  headers: Record<string, string>
  sourceIp?: string
}

export interface NotificationOutcome {
  reply: NotificationReply
  verified: boolean
  duplicate: boolean
  effect?: string
}

/** Thrown inside the transaction to roll it back and ask the PG to send the notification again later. */
class Defer extends Error {}

/** The reply when paymux itself failed: any non-success makes the PG send it again. */
const OUR_FAILURE: NotificationReply = {
  status: 503,
  headers: { 'content-type': 'text/plain; charset=utf-8' },
  body: 'retry later',
}

/** Finds the account a notification URL names; undefined when no merchant has it. */
export function findAccount(rt: Runtime, accountId: string): AccountRuntime | undefined {
  for (const m of rt.merchants.values()) {
    const a = m.accounts.get(accountId)
    if (a) return a
  }
  return undefined
}

/** What the gateway knows of a payment a notification names: the adapter matches account and amount with it. */
export function expectedOf(rt: Runtime, account: AccountRuntime) {
  const accountId = account.config.id
  return guardExpected(async (ref: { transactionId?: string; orderId?: string }) => {
    let q = rt.db
      .selectFrom('payments')
      .select(['transaction_id', 'amount', 'virtual_account', 'notification_secret'])
      .where('account_id', '=', accountId)
    if (ref.transactionId) q = q.where('transaction_id', '=', ref.transactionId)
    else if (ref.orderId) q = q.where('order_id', '=', ref.orderId)
    else return undefined
    const row = await q.executeTakeFirst()
    if (!row || row.transaction_id == null || row.amount == null) return undefined
    const va = row.virtual_account as { accountNumber?: string } | null
    return {
      transactionId: row.transaction_id,
      amount: Number(row.amount),
      ...(va?.accountNumber ? { accountNumber: va.accountNumber } : {}),
      ...(row.notification_secret ? { notificationSecret: rt.vault.decrypt(row.notification_secret) } : {}),
    } satisfies ExpectedPayment
  })
}

/**
 * Verifies a PG notification with the account's adapter, then applies it once: the dedup row and the state
 * change commit together, so a PG re-sending it (they all do until they read their success reply) changes
 * nothing the second time. Verification failures change nothing and are logged without the body.
 */
export function processNotification(
  rt: Runtime,
  account: AccountRuntime,
  input: IncomingNotification,
): Promise<NotificationOutcome> {
  return onPath('notification', () => verifyAndApply(rt, account, input))
}

async function verifyAndApply(
  rt: Runtime,
  account: AccountRuntime,
  input: IncomingNotification,
): Promise<NotificationOutcome> {
  const metrics = metricsOf(rt)
  const log = rt.logger.child({ account: account.config.id, provider: account.config.provider })
  const expected = expectedOf(rt, account)
  let result: Awaited<ReturnType<typeof account.provider.parseNotification>>
  try {
    result = await account.provider.parseNotification({
      rawBody: input.rawBody,
      headers: input.headers,
      ...(input.sourceIp ? { sourceIp: input.sourceIp } : {}),
      expected,
    })
  } catch (err) {
    const refusal = await refusalAfterThrow(rt, account, input, err, log)
    if (refusal) return { reply: refusal, verified: false, duplicate: false }
    log.error({ err }, 'notification could not be verified')
    metrics.notification(account.config.provider, 'error')
    return { reply: OUR_FAILURE, verified: false, duplicate: false }
  }
  if (!result.verified) {
    if (result.hint) return applyHint(rt, account, result.hint, result.reply, log)
    // The reason names what did not match, never a secret; the body is not logged (Bootpay v1 carries keys).
    log.warn(
      { reason: result.reason, sourceIp: input.sourceIp, bytes: input.rawBody.length },
      'notification refused',
    )
    metrics.notification(account.config.provider, 'rejected')
    return { reply: result.reply, verified: false, duplicate: false }
  }
  if (unstorableNotification(result.event, result.dedupKey)) {
    const unstorable = new PaymentError({ code: 'invalid_request', message: 'text no payment can carry' })
    const refusal = await refusalAfterThrow(rt, account, input, unstorable, log)
    if (refusal) return { reply: refusal, verified: false, duplicate: false }
  }
  return applyVerified(rt, account, result.event, result.dedupKey, result.reply, log)
}

/**
 * Applies a verified notification once: its dedup row and its effect commit together. A row kept while it
 * awaited verification is taken over (its effect becomes the applied one), so a notification checked again
 * later applies exactly once too.
 */
export async function applyVerified(
  rt: Runtime,
  account: AccountRuntime,
  event: NotificationEvent,
  dedupKey: string,
  reply: NotificationReply,
  log: PinoLogger,
): Promise<NotificationOutcome> {
  const metrics = metricsOf(rt)
  const now = rt.now()
  try {
    const applied = await rt.db.transaction().execute(async (trx) => {
      const inserted = await trx
        .insertInto('notifications')
        .values({
          id: newId('evt').replace(/^evt_/, 'ntf_'),
          merchant_id: account.merchantId,
          account_id: account.config.id,
          provider: account.config.provider,
          dedup_key: dedupKey,
          event_type: event.type,
          transaction_id: event.transactionId ?? null,
          effect: 'pending',
          received_at: now,
          sealed_body: null,
          next_check_at: null,
        })
        .onConflict((oc) => oc.constraint('notifications_dedup_uq').doNothing())
        .returning('id')
        .executeTakeFirst()
      if (!inserted) return undefined
      const effect = await applyEvent(trx, rt, account, event, now)
      await trx.updateTable('notifications').set({ effect }).where('id', '=', inserted.id).execute()
      return effect
    })
    if (applied === undefined) {
      metrics.notification(account.config.provider, 'duplicate')
      log.info({ event: event.type, transactionId: event.transactionId }, 'duplicate notification ignored')
      return { reply, verified: true, duplicate: true }
    }
    metrics.notification(account.config.provider, 'applied')
    log.info(
      { event: event.type, transactionId: event.transactionId, effect: applied },
      'notification applied',
    )
    return { reply, verified: true, duplicate: false, effect: applied }
  } catch (err) {
    if (err instanceof Defer) {
      // Nothing recorded (the dedup row rolled back): the PG's next delivery is applied once the request is done.
      metrics.notification(account.config.provider, 'deferred')
      log.info(
        { event: event.type, transactionId: event.transactionId, why: err.message },
        'notification deferred',
      )
      return { reply: OUR_FAILURE, verified: true, duplicate: false, effect: 'deferred' }
    }
    log.error({ err, event: event.type }, 'notification could not be recorded')
    metrics.notification(account.config.provider, 'error')
    return { reply: OUR_FAILURE, verified: true, duplicate: false }
  }
}

/**
 * An unsigned notification: a reason to look its payment up, nothing more. The payment it names (by the PG's
 * transaction id, or by the order id for a checkout whose transaction the gateway does not know yet) is looked
 * up now, under the account's notification rate limit, and settled from what the PG shows. Nothing is stored
 * for it but the payment's lookup request, so forged ones cost no storage; one naming no payment here is
 * answered and forgotten.
 */
async function applyHint(
  rt: Runtime,
  account: AccountRuntime,
  hint: NotificationHint,
  reply: NotificationReply,
  log: PinoLogger,
): Promise<NotificationOutcome> {
  const metrics = metricsOf(rt)
  const payment = await paymentOfHint(rt, account, hint)
  if (!payment && hint.claimed === 'payment.cancelled' && !hint.transactionId) {
    const amount = Number(hint.evidence?.amount)
    const effect = await resumeDepositCancels(
      rt,
      account,
      Number.isSafeInteger(amount) && amount > 0 ? amount : undefined,
    )
    metrics.notification(account.config.provider, 'looked_up')
    log.info({ claimed: hint.claimed, effect }, 'unnamed cancel notice looked up')
    return { reply, verified: false, duplicate: false, effect }
  }
  if (!payment) {
    metrics.notification(account.config.provider, 'ignored')
    log.info(
      { claimed: hint.claimed, transactionId: hint.transactionId },
      'notification names no payment here',
    )
    return { reply, verified: false, duplicate: false, effect: 'ignored: payment unknown here' }
  }
  await requestLookup(rt, rt.db, payment.id, rt.now())
  let effect: string
  try {
    effect = (await resumeFromLookup(rt, account, payment, hint.transactionId)).effect
  } catch (err) {
    log.error(
      { err, paymentId: payment.id },
      'the lookup a notification asked for failed; the reconciler retries',
    )
    effect = 'lookup failed: left to the reconciler'
  }
  metrics.notification(account.config.provider, 'looked_up')
  log.info({ claimed: hint.claimed, paymentId: payment.id, effect }, 'notification hint looked up')
  return { reply, verified: false, duplicate: false, effect }
}

/** The payment a hint names: by transaction id on this account, else a checkout of this account by order id. */
async function paymentOfHint(rt: Runtime, account: AccountRuntime, hint: NotificationHint) {
  const base = () => rt.db.selectFrom('payments').selectAll().where('account_id', '=', account.config.id)
  if (hint.transactionId && hint.transactionId.length <= 200) {
    const p = await base().where('transaction_id', '=', hint.transactionId).executeTakeFirst()
    if (p) return p
  }
  if (hint.orderId && hint.orderId.length <= 200)
    return base()
      .where('merchant_id', '=', account.merchantId)
      .where('order_id', '=', hint.orderId)
      .where('checkout_token_hash', 'is not', null)
      .executeTakeFirst()
  return undefined
}

async function applyEvent(
  trx: Tx,
  rt: Runtime,
  account: AccountRuntime,
  event: NotificationEvent,
  now: Date,
): Promise<string> {
  if (!event.transactionId) return 'ignored: no transaction'
  const payment = await trx
    .selectFrom('payments')
    .selectAll()
    .where('account_id', '=', account.config.id)
    .where('transaction_id', '=', event.transactionId)
    .forUpdate()
    .executeTakeFirst()
  if (!payment) return 'ignored: payment unknown here'
  const ref = { id: payment.id, merchantId: payment.merchant_id, transactionId: payment.transaction_id }
  switch (event.type) {
    case 'payment.paid': {
      if (payment.status !== 'waiting_for_deposit' && payment.status !== 'pending')
        return `no change: ${payment.status}`
      if (payment.amount != null && Number(payment.amount) !== event.amount) return 'ignored: amount differs'
      await settlePayment(rt, trx, {
        payment: ref,
        from: ['waiting_for_deposit', 'pending'],
        status: 'paid',
        patch: { failure: null },
        event: 'payment.paid',
        now,
        resolvedBy: 'notification',
      })
      return 'payment paid'
    }
    case 'payment.failed': {
      if (payment.status !== 'waiting_for_deposit' && payment.status !== 'pending')
        return `no change: ${payment.status}`
      await settlePayment(rt, trx, {
        payment: ref,
        from: ['waiting_for_deposit', 'pending'],
        status: 'failed',
        patch: {
          failure: JSON.stringify({
            code: 'provider_rejected',
            message: event.reason ?? 'the PG reported a failure',
          }),
        },
        event: 'payment.failed',
        now,
        resolvedBy: 'notification',
      })
      return 'payment failed'
    }
    case 'payment.cancelled':
      return applyCancel(trx, rt, account, payment, event, now)
    default:
      return `recorded: ${event.providerStatus}`
  }
}

async function applyCancel(
  trx: Tx,
  rt: Runtime,
  account: AccountRuntime,
  payment: {
    id: string
    merchant_id: string
    transaction_id: string | null
    amount: number | null
    cancelled_amount: number
    reserved_amount: number
    account_id: string
    provider: string
  },
  event: Extract<NotificationEvent, { type: 'payment.cancelled' }>,
  now: Date,
): Promise<string> {
  const known = Number(payment.cancelled_amount)
  // Some PGs say what this cancel moved, others only the running total (the contract carries either).
  const moved = event.cancelledAmount ?? (event.totalCancelledAmount ?? known) - known
  const open = await trx
    .selectFrom('cancellations')
    .selectAll()
    .where('payment_id', '=', payment.id)
    .where('status', 'in', [...OPEN_CANCELLATION_STATUSES])
    .orderBy('created_at')
    .execute()
  if (moved <= 0) return 'no change: cancel already recorded'
  // A cancel still inside its request (the PG may notify before it answers us) belongs to that request:
  // it records the answer itself, and the reconciler takes over if it never does.
  const window = rt.config.workers.reconcile.minAgeMs ?? account.lockMs
  const inFlight = open.some(
    (c) => c.status === 'pending' && now.getTime() - new Date(c.updated_at).getTime() < window,
  )
  const deposit = open.find((c) => c.status === 'deposit_required' && Number(c.amount) === moved)
  if (inFlight && !deposit) throw new Defer('a cancel of this payment is still in its request')
  // The cancel this notification reports: a post-deposit cancel first (that is what its notification finishes),
  // then a pending one of exactly that amount, then the only open one whose amount was not known.
  const match =
    deposit ??
    open.find((c) => c.status !== 'deposit_required' && Number(c.amount) === moved) ??
    (open.length === 1 && Number(open[0]!.amount) === 0 ? open[0] : undefined)
  if (match) {
    await settleCancellation(rt, trx, {
      cancellation: cancellationRef(match),
      from: [match.status],
      end: {
        status: 'succeeded',
        amount: moved,
        ...(event.remainingAmount !== undefined ? { remainingAmount: event.remainingAmount } : {}),
        providerCancelId: event.providerCancelId ?? null,
      },
      now,
      resolvedBy: 'notification',
    })
    return `cancellation ${match.id} succeeded`
  }
  if (event.cancelledAmount !== undefined && known > 0 && open.length === 0) {
    // A per-cancel amount we cannot tie to one of ours, after cancels we recorded: most likely the
    // notification of a cancel made through paymux whose answer we already recorded.
    const same = await trx
      .selectFrom('cancellations')
      .select('id')
      .where('payment_id', '=', payment.id)
      .where('status', '=', 'succeeded')
      .where('amount', '=', moved)
      .executeTakeFirst()
    if (same) return `no change: matches cancellation ${same.id}`
  }
  // A cancel made outside paymux (the PG's admin page): recorded so the balance stays true.
  const total = payment.amount == null ? undefined : Number(payment.amount)
  if (total !== undefined && known + Number(payment.reserved_amount) + moved > total) {
    rt.logger.warn(
      { paymentId: payment.id, moved, known, reserved: Number(payment.reserved_amount) },
      'a notified cancel does not fit the recorded balance; left for review',
    )
    return 'review: notified cancel exceeds the recorded balance'
  }
  const id = newId('can')
  await recordExternalCancellation(
    rt,
    trx,
    { ...payment, transaction_id: payment.transaction_id ?? '' },
    moved,
    event.providerCancelId ?? null,
    id,
    now,
  )
  return `external cancellation ${id} recorded`
}
