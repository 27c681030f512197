import type { Buyer, CashReceipt } from '@paymux/core'
import type { Insertable, Selectable } from 'kysely'
import type { PaymentsTable } from '../db/schema.js'
import { badRequest, conflict, notFound } from '../errors.js'
import type { IdempotencyScope, Outcome, Tx } from '../idempotency.js'
import { newId } from '../ids.js'
import { renderPayment } from '../render.js'
import type { AccountRuntime, Runtime } from '../runtime.js'
import { accountOf, pickAccount } from './accounts.js'
import { type CallEnd, callPg } from './outcome.js'

export async function getPayment(rt: Runtime, merchantId: string, id: string, db: Tx = rt.db) {
  const row = await db
    .selectFrom('payments')
    .selectAll()
    .where('id', '=', id)
    .where('merchant_id', '=', merchantId)
    .executeTakeFirst()
  if (!row) throw notFound('payment', id)
  const cancels = await db
    .selectFrom('cancellations')
    .selectAll()
    .where('payment_id', '=', id)
    .orderBy('created_at')
    .orderBy('id')
    .execute()
  return renderPayment(row, cancels)
}

/** Inserts the payment as `pending` in the same transaction as the Idempotency-Key, before the PG call. */
async function openPayment(
  rt: Runtime,
  row: Insertable<PaymentsTable>,
  account: AccountRuntime,
  idem: IdempotencyScope | undefined,
  precondition?: () => void,
): Promise<void> {
  await rt.db.transaction().execute(async (trx) => {
    if (idem) await idem.claim(trx, rt.now(), account.lockMs, { type: 'payment', id: row.id })
    // After the claim: a replay answers its stored outcome even if the state has moved on since.
    precondition?.()
    try {
      await trx.insertInto('payments').values(row).execute()
    } catch (err) {
      if ((err as { code?: string }).code === '23505') {
        throw conflict(
          'duplicate_order_id',
          `orderId ${row.order_id} was already used on account ${row.account_id}`,
          'orderId',
        )
      }
      throw err
    }
  })
}

/** Records the end of a charge or virtual-account issue, its event and its stored response, in one transaction. */
async function closePayment(
  rt: Runtime,
  merchantId: string,
  paymentId: string,
  end: CallEnd<Partial<Insertable<PaymentsTable>>>,
  eventType: { ok: string; failed: string },
  idem: IdempotencyScope | undefined,
): Promise<Outcome> {
  const now = rt.now()
  if (end.kind === 'unknown' && !(end.cause instanceof Error && 'code' in end.cause)) {
    rt.logger.error({ err: end.cause, paymentId }, 'PG call failed unexpectedly; payment left pending')
  }
  const patch: Partial<Insertable<PaymentsTable>> =
    end.kind === 'ok'
      ? end.value
      : end.kind === 'rejected'
        ? { status: 'failed', failure: JSON.stringify(end.failure) }
        : { status: 'pending', failure: JSON.stringify(end.reason) }
  return rt.db.transaction().execute(async (trx) => {
    await trx
      .updateTable('payments')
      .set({ ...patch, updated_at: now })
      .where('id', '=', paymentId)
      .execute()
    const view = await getPayment(rt, merchantId, paymentId, trx)
    if (end.kind !== 'unknown') {
      await trx
        .insertInto('events')
        .values({
          id: newId('evt'),
          merchant_id: merchantId,
          type: end.kind === 'ok' ? eventType.ok : eventType.failed,
          object_type: 'payment',
          object_id: paymentId,
          data: JSON.stringify({ paymentId, transactionId: view.transactionId }),
          created_at: now,
          delivered_at: null,
          next_attempt_at: now,
        })
        .execute()
    }
    const outcome: Outcome =
      end.kind === 'rejected'
        ? { status: end.error.status, body: { error: { ...end.error.body, paymentId } } }
        : { status: end.kind === 'unknown' ? 202 : 200, body: view }
    if (idem) {
      if (end.kind === 'rejected' && end.error.status === 503) await idem.release(trx)
      else await idem.complete(trx, outcome, { type: 'payment', id: paymentId })
    }
    return outcome
  })
}

function basePayment(
  rt: Runtime,
  merchantId: string,
  account: AccountRuntime,
  id: string,
  orderId: string,
  amount: number,
  method: string,
) {
  const now = rt.now()
  return {
    id,
    merchant_id: merchantId,
    account_id: account.config.id,
    provider: account.config.provider,
    transaction_id: null,
    order_id: orderId,
    method,
    status: 'pending',
    amount,
    cancelled_amount: 0,
    reserved_amount: 0,
    inflight_cancels: 0,
    balance_source: 'gateway',
    billing_key_id: null,
    virtual_account: null,
    failure: null,
    created_at: now,
    updated_at: now,
  } satisfies Insertable<PaymentsTable>
}

export interface ChargeInput {
  amount: number
  taxFreeAmount?: number
  goodsName: string
  orderId?: string
  installmentMonths?: number
  interestFree?: boolean
  buyer?: Buyer
}

export async function chargeBillingKey(
  rt: Runtime,
  merchantId: string,
  billingKeyId: string,
  input: ChargeInput,
  idem: IdempotencyScope | undefined,
): Promise<Outcome> {
  const key = await rt.db
    .selectFrom('billing_keys')
    .selectAll()
    .where('id', '=', billingKeyId)
    .where('merchant_id', '=', merchantId)
    .executeTakeFirst()
  if (!key) throw notFound('billing key', billingKeyId)
  if (input.taxFreeAmount !== undefined && input.taxFreeAmount > input.amount) {
    throw badRequest('taxFreeAmount', 'taxFreeAmount must not exceed amount')
  }
  // A charge goes to the account that issued the key.
  const account = accountOf(rt, merchantId, key.account_id)
  const id = newId('pay')
  const orderId = input.orderId ?? id
  await openPayment(
    rt,
    {
      ...basePayment(rt, merchantId, account, id, orderId, input.amount, 'card'),
      billing_key_id: key.id,
      // No card data here: what a resend with the same order id needs if the answer is lost.
      charge_request: JSON.stringify({
        goodsName: input.goodsName,
        ...(input.taxFreeAmount !== undefined ? { taxFreeAmount: input.taxFreeAmount } : {}),
        ...(input.installmentMonths !== undefined ? { installmentMonths: input.installmentMonths } : {}),
        ...(input.interestFree !== undefined ? { interestFree: input.interestFree } : {}),
      }),
    },
    account,
    idem,
    () => {
      if (key.status !== 'active') throw conflict('billing_key_deleted', 'the billing key was deleted')
    },
  )
  const billingKey = rt.vault.decrypt(key.encrypted_key)
  const end = await callPg(() =>
    account.provider.chargeBillingKey({
      billingKey,
      orderId,
      amount: input.amount,
      goodsName: input.goodsName,
      ...(input.taxFreeAmount !== undefined ? { taxFreeAmount: input.taxFreeAmount } : {}),
      ...(input.installmentMonths !== undefined ? { installmentMonths: input.installmentMonths } : {}),
      ...(input.interestFree !== undefined ? { interestFree: input.interestFree } : {}),
      ...(input.buyer ? { buyer: input.buyer } : {}),
    }),
  )
  const mapped: CallEnd<Partial<Insertable<PaymentsTable>>> =
    end.kind === 'ok'
      ? {
          kind: 'ok',
          value: {
            status: 'paid',
            transaction_id: end.value.transactionId,
            amount: end.value.amount,
            failure: null,
          },
        }
      : end
  return closePayment(rt, merchantId, id, mapped, { ok: 'charge.succeeded', failed: 'charge.failed' }, idem)
}

export interface VirtualAccountInput {
  account?: string
  amount: number
  taxFreeAmount?: number
  goodsName: string
  bankCode: string
  dueDate: string
  orderId?: string
  depositorName?: string
  cashReceipt?: CashReceipt
  buyer?: Buyer
}

export async function issueVirtualAccount(
  rt: Runtime,
  merchantId: string,
  input: VirtualAccountInput,
  idem: IdempotencyScope | undefined,
): Promise<Outcome> {
  const account = pickAccount(rt, merchantId, {
    account: input.account,
    routingDefault: rt.merchants.get(merchantId)?.config.routing.virtualAccount,
    capability: 'virtualAccounts',
  })
  if (input.taxFreeAmount !== undefined && input.taxFreeAmount > input.amount) {
    throw badRequest('taxFreeAmount', 'taxFreeAmount must not exceed amount')
  }
  const id = newId('pay')
  const orderId = input.orderId ?? id
  await openPayment(
    rt,
    basePayment(rt, merchantId, account, id, orderId, input.amount, 'virtual_account'),
    account,
    idem,
  )
  const end = await callPg(() =>
    account.provider.issueVirtualAccount({
      orderId,
      amount: input.amount,
      goodsName: input.goodsName,
      bankCode: input.bankCode,
      dueDate: input.dueDate,
      ...(input.taxFreeAmount !== undefined ? { taxFreeAmount: input.taxFreeAmount } : {}),
      ...(input.depositorName ? { depositorName: input.depositorName } : {}),
      ...(input.cashReceipt ? { cashReceipt: input.cashReceipt } : {}),
      ...(input.buyer ? { buyer: input.buyer } : {}),
    }),
  )
  const mapped: CallEnd<Partial<Insertable<PaymentsTable>>> =
    end.kind === 'ok'
      ? {
          kind: 'ok',
          value: {
            status: 'waiting_for_deposit',
            transaction_id: end.value.transactionId,
            failure: null,
            virtual_account: JSON.stringify({
              bankCode: end.value.bankCode,
              bankName: end.value.bankName,
              accountNumber: end.value.accountNumber,
              ...(end.value.holderName ? { holderName: end.value.holderName } : {}),
              dueDate: end.value.dueDate,
              issuedAt: end.value.issuedAt,
            }),
          },
        }
      : end
  return closePayment(
    rt,
    merchantId,
    id,
    mapped,
    { ok: 'payment.virtual_account_issued', failed: 'payment.failed' },
    idem,
  )
}

export type { Selectable }
