import type { CancellationRow } from '../db/schema.js'
import type { CancelRequest, CancelResult, PaymentProvider, RefundAccount } from '@paymux/core'
import type { FailureInfo } from '../db/schema.js'
import { ApiError, badRequest, conflict, notFound } from '../errors.js'
import { claimOf, type IdempotencyScope, isKeyTaken } from '../idempotency-keys.js'
import { newId } from '../ids.js'
import { type CancellationEnd, settleCancellationQuery } from '../ledger/cancellations.js'
import { forgetImportedCancel, type ReservationRow, reserveCancellation } from '../ledger/reservation.js'
import { renderCancellation, type CancellationView } from '../render.js'
import type { AccountRuntime, Runtime } from '../runtime.js'
import { accountOf, pickAccount } from '../services/accounts.js'
import { type OperationDescriptor, type OperationOutcome, errorOutcome, validateCall } from './engine.js'
import { importPayment, type PaymentRef, readPayment } from './payment-ref.js'
import type { CallEnd } from './outcome.js'

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

/** A cancel once checked, and (after `open`) reserved: everything the PG call and the ledger need. */
export interface CancelIntent {
  account: AccountRuntime
  merchantId: string
  cancellationId: string
  payment: PaymentRef
  input: CancelInput
  /** After open: what the reservation holds. */
  reserved: number
  /** After open: the request's parts recorded with the reservation (the PG request is rebuilt from them). */
  sent: SentCancel
  createdAt: Date
}

/** Why `open` refused, as the statement reports it: one code, mapped to the API's error here. */
function refusal(code: string, input: CancelInput, row: ReservationRow, account: AccountRuntime): ApiError {
  switch (code) {
    case 'already_cancelled':
      return conflict('already_cancelled', 'the payment is already fully cancelled')
    case 'payment_not_cancellable':
      return conflict(
        'payment_not_cancellable',
        `the payment is ${row.status}; only paid payments can be cancelled`,
      )
    case 'partial_cancel_unsupported':
      return new ApiError(400, {
        type: 'invalid_request_error',
        code: 'partial_cancel_unsupported',
        message: `${account.config.provider} accounts cannot cancel partially`,
        param: 'amount',
      })
    case 'cancellable_amount_mismatch':
      return conflict(
        'cancellable_amount_mismatch',
        `expectedCancellableAmount is ${input.expectedCancellableAmount} but the cancellable amount is ${row.cancellable}`,
        'expectedCancellableAmount',
      )
    case 'remainder_in_flight':
      return conflict(
        'cancel_in_progress',
        'another cancel of this payment is in flight; cancel the remainder after it finishes',
      )
    case 'rest_reserved':
      return conflict('cancel_in_progress', 'the rest of this payment is reserved by cancels in flight')
    case 'nothing_remains':
      return conflict('already_cancelled', 'nothing of this payment remains to cancel')
    case 'amount_exceeds_cancellable':
      return conflict(
        'amount_exceeds_cancellable',
        `amount ${input.amount} exceeds the cancellable amount ${row.cancellable}`,
        'amount',
      )
    case 'balance_unknown_in_flight':
      return conflict(
        'cancel_in_progress',
        'another cancel of this payment is in flight and its balance is unknown here',
      )
    case 'cancellable_amount_unknown':
      return conflict(
        'cancellable_amount_unknown',
        'the cancellable amount of this payment is not known here',
        'expectedCancellableAmount',
      )
    case 'tax_free_exceeds':
      return badRequest('taxFreeAmount', 'taxFreeAmount must not exceed amount')
    default:
      return notFound('payment', row.id ?? input.paymentId ?? input.transactionId ?? '')
  }
}

/**
 * POST /v1/cancellations. The balance is checked and reserved under the payment's row lock in the same
 * statement that claims the Idempotency-Key and records the pending cancellation, so concurrent cancels never
 * exceed the payment and the intent is durable before the PG hears of it.
 */
export const cancelOperation: OperationDescriptor<CancelInput, CancelIntent, CancelResult, CancellationView> =
  {
    async prepare(rt, merchantId, input, idem) {
      if (
        input.taxFreeAmount !== undefined &&
        input.amount !== undefined &&
        input.taxFreeAmount > input.amount
      )
        throw badRequest('taxFreeAmount', 'taxFreeAmount must not exceed amount')
      const named =
        input.paymentId === undefined
          ? pickAccount(rt, merchantId, { account: input.account, provider: input.provider })
          : undefined
      // The key is read with the payment: a request sent again is answered from this one statement.
      const read = await readPayment(rt, merchantId, input, named, idem)
      if (isKeyTaken(read)) return read
      let payment = read
      const account = named ?? (payment ? accountOf(rt, merchantId, payment.accountId) : undefined)
      if (!account) throw notFound('payment', input.paymentId ?? '')
      const cancellationId = newId('can')
      const draft: CancelIntent = {
        account,
        merchantId,
        cancellationId,
        payment: payment ?? {
          id: '',
          accountId: account.config.id,
          provider: account.config.provider,
          transactionId: input.transactionId ?? '',
          orderId: null,
          amount: null,
          cancelledAmount: 0,
        },
        input,
        reserved: input.amount ?? 0,
        sent: {
          amount: input.amount,
          paymentAmount: payment?.amount ?? undefined,
          orderId: payment?.orderId ?? undefined,
        },
        createdAt: rt.now(),
      }
      // Everything the adapter would refuse, before anything is recorded (an unknown payment included).
      validateCall(account, { operation: 'cancel', request: requestOf(draft) })
      if (!payment) payment = await importPayment(rt, merchantId, account, input.transactionId ?? '')
      return { ...draft, payment }
    },

    async open(rt, intent, idem) {
      const { input, account, payment } = intent
      const now = rt.now()
      const lockedUntil = new Date(now.getTime() + account.lockMs)
      const row = await reserveCancellation(rt, {
        merchantId: intent.merchantId,
        cancellationId: intent.cancellationId,
        paymentId: payment.id,
        ...(idem ? { key: idem.key, fingerprint: idem.fingerprint } : {}),
        lockedUntil,
        now,
        partialOk: account.provider.capabilities.partialCancel,
        amount: input.amount,
        taxFreeAmount: input.taxFreeAmount,
        expectedCancellableAmount: input.expectedCancellableAmount,
        reason: input.reason,
        sealedRefundAccount: input.refundAccount
          ? rt.vault.encrypt(JSON.stringify(input.refundAccount))
          : null,
      })
      if (!row) throw new Error('the reservation statement answered no row')
      if (idem) {
        const claim = await claimOf(rt.db, idem, now, row.refusal !== 'key_exists')
        if (isKeyTaken(claim)) return claim
      }
      if (row.refusal !== null) {
        // A refusal is an answer to this request only: the key it claimed is forgotten, so a corrected request
        // (or the same one once the balance allows it) may use it.
        if (idem) await idem.release(rt.db)
        throw refusal(row.refusal, input, row, account)
      }
      const reserved = Number(row.reserve)
      // The request exactly as recorded: what the reconciler would rebuild from the row.
      const sent: SentCancel = {
        amount: row.sent_amount == null ? undefined : Number(row.sent_amount),
        paymentAmount: row.amount == null ? undefined : Number(row.amount),
        orderId: row.order_id ?? undefined,
      }
      return { ...intent, reserved, sent, createdAt: now }
    },

    request(_rt, intent) {
      return { operation: 'cancel', request: requestOf(intent) }
    },

    call(provider: PaymentProvider, call) {
      if (call.operation !== 'cancel') throw new Error(`cancel cannot send ${call.operation}`)
      return provider.cancel(call.request)
    },

    subject: (intent) => ({
      paymentId: intent.payment.id,
      cancellationId: intent.cancellationId,
      operation: 'cancel',
    }),

    async settle(rt, intent, end, idem) {
      const now = rt.now()
      const ledgerEnd = endOf(rt, intent, end)
      const view = renderCancellation({
        id: intent.cancellationId,
        payment_id: intent.payment.id,
        account_id: intent.payment.accountId,
        provider: intent.payment.provider,
        transaction_id: intent.payment.transactionId,
        status: ledgerEnd.status,
        requested_amount: intent.input.amount ?? null,
        amount: 'amount' in ledgerEnd ? ledgerEnd.amount : intent.reserved,
        tax_free_amount: intent.input.taxFreeAmount ?? null,
        reason: intent.input.reason,
        provider_cancel_id: 'providerCancelId' in ledgerEnd ? (ledgerEnd.providerCancelId ?? null) : null,
        failure: ledgerEnd.status === 'failed' ? ledgerEnd.failure : null,
        pending_reason: ledgerEnd.status === 'pending' ? ledgerEnd.pendingReason : null,
        deposit: ledgerEnd.status === 'deposit_required' ? ledgerEnd.deposit : null,
        created_at: intent.createdAt,
        updated_at: now,
        completed_at:
          ledgerEnd.status === 'succeeded' || ledgerEnd.status === 'failed' || ledgerEnd.status === 'accepted'
            ? now
            : null,
      })
      const outcome: OperationOutcome<CancellationView> =
        end.kind === 'rejected'
          ? errorOutcome(end.error, { cancellationId: intent.cancellationId })
          : { status: ledgerEnd.status === 'pending' ? 202 : 200, body: view }
      if (
        end.kind === 'rejected' &&
        end.error.body.code === 'transaction_not_found' &&
        intent.payment.placeholder
      )
        return forgetPlaceholder(rt, intent, end.error, idem)
      const release = end.kind === 'rejected' && end.error.status === 503
      const q = settleCancellationQuery(rt, rt.db, {
        cancellation: {
          id: intent.cancellationId,
          merchantId: intent.merchantId,
          paymentId: intent.payment.id,
          transactionId: intent.payment.transactionId,
          reserved: intent.reserved,
          wholeRemainder: intent.input.amount === undefined,
        },
        from: ['pending'],
        end: ledgerEnd,
        now,
        ...(idem ? { idempotency: { scope: idem, outcome, release } } : {}),
      })
      const done = (await rt.db.executeQuery(q)).rows[0]
      if (done) return outcome
      // Already settled (an earlier attempt whose commit we did not hear, or the reconciler): report that.
      const current = await rt.db
        .selectFrom('cancellations')
        .selectAll()
        .where('id', '=', intent.cancellationId)
        .executeTakeFirst()
      if (!current) throw new Error(`cancellation ${intent.cancellationId} is missing`)
      return { status: current.status === 'pending' ? 202 : 200, body: renderCancellation(current) }
    },
  }

/**
 * The PG does not know the transaction this request alone introduced: nothing of it stays (no payment shown
 * `paid` forever, no failed cancellation, no event). The answer is stored under the key like any refusal.
 */
async function forgetPlaceholder(
  rt: Runtime,
  intent: CancelIntent,
  error: ApiError,
  idem: IdempotencyScope | undefined,
): Promise<OperationOutcome<CancellationView>> {
  const outcome = errorOutcome(error, {})
  await forgetImportedCancel(rt, intent.cancellationId, intent.payment.id, (trx) =>
    idem ? idem.complete(trx, outcome) : Promise.resolve(),
  )
  return outcome
}

/** The PG request of a cancel, from its recorded intent: the same cancel id on every send. */
function requestOf(intent: CancelIntent): CancelRequest {
  return wireRequest({
    transactionId: intent.payment.transactionId,
    taxFreeAmount: intent.input.taxFreeAmount,
    reason: intent.input.reason,
    cancelId: intent.cancellationId,
    refundAccount: intent.input.refundAccount,
    ...intent.sent,
  })
}

/** The parts of a cancel's PG request that the reservation decides and records. */
export interface SentCancel {
  amount: number | undefined
  paymentAmount: number | undefined
  orderId: string | undefined
}

/** ONE way a CancelRequest is put together, so a re-send from the row is the same request field for field. */
function wireRequest(
  r: SentCancel & {
    transactionId: string
    taxFreeAmount: number | undefined
    reason: string
    cancelId: string
    refundAccount: RefundAccount | undefined
  },
): CancelRequest {
  return {
    transactionId: r.transactionId,
    ...(r.amount !== undefined ? { amount: r.amount } : {}),
    ...(r.taxFreeAmount !== undefined ? { taxFreeAmount: r.taxFreeAmount } : {}),
    reason: r.reason,
    cancelId: r.cancelId,
    ...(r.refundAccount ? { refundAccount: r.refundAccount } : {}),
    ...(r.orderId ? { orderId: r.orderId } : {}),
    ...(r.paymentAmount !== undefined ? { paymentAmount: r.paymentAmount } : {}),
  }
}

/** How the PG's answer ends the cancellation in the ledger: the request path and every late path alike. */
export function cancellationEndOf(end: CallEnd<CancelResult>): CancellationEnd {
  if (end.kind === 'ok') {
    const r = end.value
    if (r.status === 'cancelled')
      return {
        status: 'succeeded',
        amount: r.cancelledAmount,
        ...(r.remainingAmount !== undefined ? { remainingAmount: r.remainingAmount } : {}),
        providerCancelId: r.providerCancelId ?? null,
      }
    if (r.status === 'accepted')
      return { status: 'accepted', amount: r.acceptedAmount, providerCancelId: r.providerCancelId ?? null }
    return {
      status: 'deposit_required',
      deposit: { ...r.deposit, providerCode: r.providerCode, providerMessage: r.providerMessage },
    }
  }
  if (end.kind === 'rejected') return { status: 'failed', failure: end.failure }
  // Timeout, unreadable answer, or a bug after sending: money may have moved. Keep the reservation; the
  // reconciler resolves it from evidence, never with a new cancel id.
  return { status: 'pending', pendingReason: end.reason satisfies FailureInfo }
}

function endOf(rt: Runtime, intent: CancelIntent, end: CallEnd<CancelResult>): CancellationEnd {
  const e = cancellationEndOf(end)
  if (e.status === 'succeeded' && intent.payment.amount != null && intent.reserved !== e.amount)
    rt.logger.warn(
      { cancellationId: intent.cancellationId, reserved: intent.reserved, cancelled: e.amount },
      'PG cancelled a different amount than reserved',
    )
  if (end.kind === 'unknown' && !(end.cause instanceof Error && 'code' in end.cause))
    rt.logger.error({ err: end.cause, cancellationId: intent.cancellationId }, 'cancel failed unexpectedly')
  return e
}

/** The PG request of a stored cancellation, exactly as first sent (the reconciler re-sends it only where the PG dedups by its id). */
export function cancelRequestOf(
  rt: Runtime,
  row: Pick<
    CancellationRow,
    | 'transaction_id'
    | 'requested_amount'
    | 'amount'
    | 'tax_free_amount'
    | 'reason'
    | 'cancel_id'
    | 'refund_account'
    | 'sent_recorded'
    | 'sent_amount'
    | 'sent_payment_amount'
    | 'sent_order_id'
  >,
  payment: { order_id: string | null; amount: number | null },
): CancelRequest {
  const num = (v: number | null) => (v == null ? undefined : Number(v))
  // Rows recorded before the request was kept: the request as those versions built it.
  const sent: SentCancel = row.sent_recorded
    ? {
        amount: num(row.sent_amount),
        paymentAmount: num(row.sent_payment_amount),
        orderId: row.sent_order_id ?? undefined,
      }
    : {
        amount: num(row.requested_amount) ?? (Number(row.amount) > 0 ? Number(row.amount) : undefined),
        paymentAmount: num(payment.amount),
        orderId: payment.order_id ?? undefined,
      }
  return wireRequest({
    transactionId: row.transaction_id,
    taxFreeAmount: num(row.tax_free_amount),
    reason: row.reason,
    cancelId: row.cancel_id,
    refundAccount: row.refund_account
      ? (JSON.parse(rt.vault.decrypt(row.refund_account)) as RefundAccount)
      : undefined,
    ...sent,
  })
}
