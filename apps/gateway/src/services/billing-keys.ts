import type { Buyer, CardData } from '@paymux/core'
import { ApiError, conflict, notFound } from '../errors.js'
import type { IdempotencyScope, Outcome } from '../idempotency.js'
import { newId } from '../ids.js'
import { renderBillingKey } from '../render.js'
import type { Runtime } from '../runtime.js'
import { accountOf, pickAccount } from './accounts.js'
import { callPg } from './outcome.js'

export interface IssueKeyInput {
  account?: string
  card: CardData
  customerId?: string
  goodsName?: string
  buyer?: Buyer
}

function newEvent(rt: Runtime, merchantId: string, type: string, id: string) {
  const now = rt.now()
  return {
    id: newId('evt'),
    merchant_id: merchantId,
    type,
    object_type: 'billing_key',
    object_id: id,
    data: JSON.stringify({ billingKeyId: id }),
    created_at: now,
    delivered_at: null,
    next_attempt_at: now,
  }
}

/**
 * Card data exists only in this call's memory: it goes to the PG and is dropped. The PG's key is stored
 * sealed with the master key; the merchant gets a `bk_…` id that is useless anywhere else.
 */
export async function issueBillingKey(
  rt: Runtime,
  merchantId: string,
  input: IssueKeyInput,
  idem: IdempotencyScope | undefined,
): Promise<Outcome> {
  const account = pickAccount(rt, merchantId, {
    account: input.account,
    routingDefault: rt.merchants.get(merchantId)?.config.routing.billing,
    capability: 'billingKeys',
  })
  const id = newId('bk')
  if (idem) await idem.claim(rt.db, rt.now(), account.lockMs, { type: 'billing_key', id })
  const end = await callPg(() =>
    account.provider.issueBillingKey({
      card: input.card,
      requestId: id,
      ...(input.customerId ? { customerId: input.customerId } : {}),
      ...(input.goodsName ? { goodsName: input.goodsName } : {}),
      ...(input.buyer ? { buyer: input.buyer } : {}),
    }),
  )
  if (end.kind !== 'ok') {
    // Nothing usable was stored: an unknown outcome at most leaves an orphan key at the PG, never a charge.
    const error =
      end.kind === 'rejected'
        ? end.error
        : new ApiError(502, { type: 'provider_error', code: end.reason.code, message: end.reason.message })
    if (end.kind === 'unknown')
      rt.logger.warn({ billingKeyId: id, code: end.reason.code }, 'billing key issue outcome unknown')
    return answerWithoutState(rt, idem, error)
  }
  const now = rt.now()
  return rt.db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto('billing_keys')
      .values({
        id,
        merchant_id: merchantId,
        account_id: account.config.id,
        provider: account.config.provider,
        status: 'active',
        encrypted_key: rt.vault.encrypt(end.value.billingKey),
        card: JSON.stringify({
          ...(end.value.cardName ? { name: end.value.cardName } : {}),
          ...(end.value.cardCode ? { code: end.value.cardCode } : {}),
          ...(end.value.cardNumberMasked ? { numberMasked: end.value.cardNumberMasked } : {}),
        }),
        customer_id: input.customerId ?? null,
        created_at: now,
        deleted_at: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow()
    await trx
      .insertInto('events')
      .values(newEvent(rt, merchantId, 'billing_key.issued', id))
      .execute()
    const outcome: Outcome = { status: 200, body: renderBillingKey(row) }
    if (idem) await idem.complete(trx, outcome, { type: 'billing_key', id })
    return outcome
  })
}

export async function getBillingKey(rt: Runtime, merchantId: string, id: string) {
  const row = await rt.db
    .selectFrom('billing_keys')
    .selectAll()
    .where('id', '=', id)
    .where('merchant_id', '=', merchantId)
    .executeTakeFirst()
  if (!row) throw notFound('billing key', id)
  return renderBillingKey(row)
}

export async function deleteBillingKey(
  rt: Runtime,
  merchantId: string,
  id: string,
  reason: string | undefined,
  idem: IdempotencyScope | undefined,
): Promise<Outcome> {
  const row = await rt.db
    .selectFrom('billing_keys')
    .selectAll()
    .where('id', '=', id)
    .where('merchant_id', '=', merchantId)
    .executeTakeFirst()
  if (!row) throw notFound('billing key', id)
  const account = accountOf(rt, merchantId, row.account_id)
  if (idem) await idem.claim(rt.db, rt.now(), account.lockMs, { type: 'billing_key', id })
  // Checked after the claim, so that a replay of the delete answers its stored outcome.
  if (row.status === 'deleted') {
    if (idem) await idem.release(rt.db)
    throw conflict('billing_key_deleted', 'the billing key is already deleted')
  }
  const end = await callPg(() =>
    account.provider.deleteBillingKey({
      billingKey: rt.vault.decrypt(row.encrypted_key),
      requestId: `${id}-del`,
      ...(reason ? { reason } : {}),
    }),
  )
  if (end.kind !== 'ok') {
    const error =
      end.kind === 'rejected'
        ? end.error
        : new ApiError(502, {
            type: 'provider_error',
            code: end.reason.code,
            message: `${end.reason.message}; the key may or may not be deleted at the PG, retry the delete`,
          })
    return answerWithoutState(rt, idem, error)
  }
  const now = rt.now()
  return rt.db.transaction().execute(async (trx) => {
    const updated = await trx
      .updateTable('billing_keys')
      .set({ status: 'deleted', deleted_at: now })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow()
    await trx
      .insertInto('events')
      .values(newEvent(rt, merchantId, 'billing_key.deleted', id))
      .execute()
    const outcome: Outcome = { status: 200, body: renderBillingKey(updated) }
    if (idem) await idem.complete(trx, outcome, { type: 'billing_key', id })
    return outcome
  })
}

/**
 * The answer to a PG call that stored nothing. A PG refusal is final and replayed under its key; a 5xx
 * (unreachable, unknown) releases the key so the same request may be sent again.
 */
async function answerWithoutState(
  rt: Runtime,
  idem: IdempotencyScope | undefined,
  error: ApiError,
): Promise<Outcome> {
  const outcome: Outcome = { status: error.status, body: { error: error.body } }
  if (idem) {
    if (error.status >= 500) await idem.release(rt.db)
    else await idem.complete(rt.db, outcome)
  }
  return outcome
}
