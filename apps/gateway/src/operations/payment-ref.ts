import { isPaymentError, type TransactionLookup } from '@paymux/core'
import { conflict, fromPaymentError, notFound } from '../errors.js'
import { newId } from '../ids.js'
import type { PaymentStatus } from '../ledger/statuses.js'
import type { AccountRuntime, Runtime } from '../runtime.js'

/** A payment as an operation on it needs to know it. */
export interface PaymentRef {
  id: string
  accountId: string
  provider: string
  transactionId: string
  orderId: string | null
  /** Null while its total is unknown here (a payment made elsewhere at a PG whose lookup gives no amounts). */
  amount: number | null
  cancelledAmount: number
  /** Recorded by this very request from nothing but the merchant's word (no PG lookup backs it). */
  placeholder?: boolean
}

const COLUMNS = [
  'id',
  'status',
  'account_id',
  'provider',
  'transaction_id',
  'order_id',
  'amount',
  'cancelled_amount',
] as const

/**
 * Reads (never writes) the payment a request names: by `paymentId`, or by the account and the PG's
 * transaction id for a payment made elsewhere. Undefined when the gateway has never seen it.
 */
export async function readPayment(
  rt: Runtime,
  merchantId: string,
  ref: { paymentId?: string; transactionId?: string },
  account: AccountRuntime | undefined,
): Promise<PaymentRef | undefined> {
  let q = rt.db.selectFrom('payments').select(COLUMNS).where('merchant_id', '=', merchantId)
  if (ref.paymentId !== undefined) q = q.where('id', '=', ref.paymentId)
  else if (account && ref.transactionId !== undefined)
    q = q.where('account_id', '=', account.config.id).where('transaction_id', '=', ref.transactionId)
  else return undefined
  const row = await q.executeTakeFirst()
  if (!row) {
    if (ref.paymentId !== undefined) throw notFound('payment', ref.paymentId)
    return undefined
  }
  // No PG transaction yet (a charge or virtual account still pending, or failed): nothing to cancel.
  if (row.transaction_id == null)
    throw conflict(
      'payment_not_cancellable',
      `the payment is ${row.status}; only paid payments can be cancelled`,
    )
  return {
    id: row.id,
    accountId: row.account_id,
    provider: row.provider,
    transactionId: row.transaction_id,
    orderId: row.order_id,
    amount: row.amount == null ? null : Number(row.amount),
    cancelledAmount: Number(row.cancelled_amount),
  }
}

/**
 * A payment made in the PG's own window, first seen by a cancel that passed every check: verified with the PG
 * where it has a lookup (an unknown transaction is a 404 and records nothing), else recorded with an unknown
 * total that the PG's answers will teach. One statement (plus the lookup).
 */
export async function importPayment(
  rt: Runtime,
  merchantId: string,
  account: AccountRuntime,
  transactionId: string,
): Promise<PaymentRef> {
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
  const amount = lookup?.amount
  const cancelled =
    amount !== undefined && lookup?.cancellableAmount !== undefined
      ? Math.min(amount, Math.max(0, amount - lookup.cancellableAmount))
      : 0
  const id = newId('pay')
  const inserted = await rt.db
    .insertInto('payments')
    .values({
      id,
      merchant_id: merchantId,
      account_id: account.config.id,
      provider: account.config.provider,
      transaction_id: transactionId,
      order_id: lookup?.orderId ?? null,
      method: lookup?.method ?? null,
      status: lookup ? lookupStatus(lookup, cancelled) : 'paid',
      amount: amount ?? null,
      cancelled_amount: cancelled,
      reserved_amount: 0,
      inflight_cancels: 0,
      balance_source: amount !== undefined ? 'lookup' : 'unknown',
      billing_key_id: null,
      virtual_account: null,
      failure: null,
      charge_request: null,
      created_at: now,
      updated_at: now,
      next_reconcile_at: null,
      reconcile_locked_until: null,
      review_reason: null,
    })
    // Any unique conflict (its transaction id, or the order id the lookup gave) means a concurrent request
    // recorded the same payment first.
    .onConflict((oc) => oc.doNothing())
    .returning('id')
    .executeTakeFirst()
  if (!inserted) {
    // Another request recorded it first: that row is the payment.
    const existing = await readPayment(rt, merchantId, { transactionId }, account)
    if (!existing)
      throw conflict(
        'duplicate_order_id',
        `the PG's order id of ${transactionId} is already another payment's here`,
      )
    return existing
  }
  return {
    id,
    accountId: account.config.id,
    provider: account.config.provider,
    transactionId,
    orderId: lookup?.orderId ?? null,
    amount: amount ?? null,
    cancelledAmount: cancelled,
    placeholder: lookup === undefined,
  }
}

function lookupStatus(l: TransactionLookup, cancelled: number): PaymentStatus {
  // A lookup without amounts proves the payment exists, not what remains of it: it is recorded cancellable
  // with an unknown total, and the PG itself refuses a cancel of more than remains.
  if (l.amount === undefined)
    return l.status === 'failed' || l.status === 'expired'
      ? l.status
      : l.status === 'waiting_for_deposit' || l.status === 'ready'
        ? 'waiting_for_deposit'
        : 'paid'
  switch (l.status) {
    case 'paid':
    case 'partial_cancelled':
    case 'cancelled':
      return cancelled >= l.amount ? 'cancelled' : cancelled > 0 ? 'partial_cancelled' : 'paid'
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
