import { isPaymentError, type TransactionLookup } from '@paymux/core'
import type { CompiledQuery } from 'kysely'
import { preparedText } from '../db/prepared.js'
import { conflict, fromPaymentError, notFound } from '../errors.js'
import { decideExisting, type IdempotencyScope, type KeyRow, type KeyTaken } from '../idempotency-keys.js'
import { newId } from '../ids.js'
import type { PaymentStatus } from '../db/statuses.js'
import { insertImportedPayment } from '../ledger/payments.js'
import type { AccountRuntime, Runtime } from '../runtime.js'
import { askPg } from './outcome.js'

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

interface PaymentKeyRow {
  id: string | null
  status: string | null
  account_id: string
  provider: string
  transaction_id: string | null
  order_id: string | null
  amount: number | null
  cancelled_amount: number
  key_fingerprint: string | null
  key_state: KeyRow['state'] | null
  key_locked_until: KeyRow['locked_until']
  key_response_status: number | null
  key_response_body: unknown
  key_resource_type: KeyRow['resource_type']
  key_resource_id: string | null
}

// Fixed texts (never rebuilt per request), columns listed (a prepared statement must not change its result
// type under a migration). One row always: the payment's columns and the key's, either side NULL when absent.
const SELECT = `SELECT p.id, p.status, p.account_id, p.provider, p.transaction_id, p.order_id, p.amount,
  p.cancelled_amount, k.fingerprint AS key_fingerprint, k.state AS key_state, k.locked_until AS key_locked_until,
  k.response_status AS key_response_status, k.response_body AS key_response_body,
  k.resource_type AS key_resource_type, k.resource_id AS key_resource_id
FROM (SELECT 1) AS one
LEFT JOIN idempotency_keys k ON k.merchant_id = $1 AND k.key = $2`
const BY_ID = `${SELECT}
LEFT JOIN payments p ON p.merchant_id = $1 AND p.id = $3`
const BY_TRANSACTION = `${SELECT}
LEFT JOIN payments p ON p.merchant_id = $1 AND p.account_id = $3 AND p.transaction_id = $4`

/**
 * Reads (never writes) the payment a request names: by `paymentId`, or by the account and the PG's
 * transaction id for a payment made elsewhere. Undefined when the gateway has never seen it.
 *
 * With the request's Idempotency-Key, the same statement reads the key: a key already used by this very
 * request (same fingerprint) answers what the key decides, so a request sent again costs this one read. A key
 * used with another body is left to the claim (a request refused by a later check keeps its own answer).
 */
export async function readPayment(
  rt: Runtime,
  merchantId: string,
  ref: { paymentId?: string; transactionId?: string },
  account: AccountRuntime | undefined,
  idem?: IdempotencyScope,
): Promise<PaymentRef | KeyTaken | undefined> {
  const key = idem?.key ?? null
  let q: CompiledQuery<PaymentKeyRow>
  if (ref.paymentId !== undefined) q = preparedText(BY_ID, [merchantId, key, ref.paymentId])
  else if (account && ref.transactionId !== undefined)
    q = preparedText(BY_TRANSACTION, [merchantId, key, account.config.id, ref.transactionId])
  else return undefined
  const found = (await rt.db.executeQuery(q)).rows[0]
  if (idem && found?.key_state != null && found.key_fingerprint === idem.fingerprint) {
    const taken = decideExisting(
      {
        fingerprint: found.key_fingerprint,
        state: found.key_state,
        locked_until: found.key_locked_until,
        response_status: found.key_response_status,
        response_body: found.key_response_body,
        resource_type: found.key_resource_type,
        resource_id: found.key_resource_id,
      },
      idem,
      rt.now(),
    )
    if (taken) return taken
  }
  const id = found?.id
  if (!found || id == null) {
    if (ref.paymentId !== undefined) throw notFound('payment', ref.paymentId)
    return undefined
  }
  // No PG transaction yet (a charge or virtual account still pending, or failed): nothing to cancel.
  if (found.transaction_id == null)
    throw conflict(
      'payment_not_cancellable',
      `the payment is ${found.status}; only paid payments can be cancelled`,
    )
  return {
    id,
    accountId: found.account_id,
    provider: found.provider,
    transactionId: found.transaction_id,
    orderId: found.order_id,
    amount: found.amount == null ? null : Number(found.amount),
    cancelledAmount: Number(found.cancelled_amount),
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
  // The id is chosen before the lookup so the lookup is logged as this payment's (a lookup that finds nothing,
  // or a race lost to another request, leaves a logged call no payment shows: harmless for a log).
  const id = newId('pay')
  let lookup: TransactionLookup | undefined
  if (account.provider.capabilities.paymentLookup) {
    try {
      const at = { rt, account, paymentId: id, operation: 'lookup' }
      lookup = await askPg(at, (pg) => pg.getTransaction(transactionId))
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
  const inserted = await insertImportedPayment(rt, {
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
    balance_source: amount !== undefined ? 'lookup' : 'unknown',
    created_at: now,
  })
  if (!inserted) {
    // Another request recorded it first: that row is the payment.
    // No key is read here, so no key answers.
    const existing = (await readPayment(rt, merchantId, { transactionId }, account)) as PaymentRef | undefined
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
