import { isKeyTaken } from '../idempotency-keys.js'
import type {
  BillingKeyResult,
  Buyer,
  CardData,
  DeleteBillingKeyResult,
  IssueBillingKeyRequest,
} from '@paymux/core'
import type { Insertable } from 'kysely'
import type { BillingKeysTable } from '../db/schema.js'
import { ApiError, conflict, notFound } from '../errors.js'
import { newId } from '../ids.js'
import { settleBillingKey } from '../ledger/billing-keys.js'
import { type BillingKeyView, renderBillingKey } from '../render.js'
import type { AccountRuntime } from '../runtime.js'
import { accountOf, pickAccount } from '../services/accounts.js'
import { errorOutcome, type OperationDescriptor, type OperationOutcome, validateCall } from './engine.js'
import { insertIntent, markIntent } from '../ledger/intents.js'

export interface IssueKeyInput {
  account?: string
  card: CardData
  customerId?: string
  goodsName?: string
  buyer?: Buyer
}

interface IssueKeyIntent {
  account: AccountRuntime
  merchantId: string
  row: Insertable<BillingKeysTable>
  /** Card data lives only in this object, in memory, for the one call; it is never written anywhere. */
  request: IssueBillingKeyRequest
}

/**
 * POST /v1/billing-keys. The key is recorded `pending` (no card data, no PG key yet) before the PG registers
 * the card: a database that cannot take it means no registration at the PG, and a process that dies during the
 * call leaves a row the reconciler turns into `needs_review` (the PG may hold an orphan key; no money moved).
 */
export const issueBillingKeyOperation: OperationDescriptor<
  IssueKeyInput,
  IssueKeyIntent,
  BillingKeyResult,
  BillingKeyView
> = {
  async prepare(rt, merchantId, input) {
    const account = pickAccount(rt, merchantId, {
      account: input.account,
      routingDefault: rt.merchants.get(merchantId)?.config.routing.billing,
      capability: 'billingKeys',
    })
    const id = newId('bk')
    const request: IssueBillingKeyRequest = {
      card: input.card,
      requestId: id,
      ...(input.customerId ? { customerId: input.customerId } : {}),
      ...(input.goodsName ? { goodsName: input.goodsName } : {}),
      ...(input.buyer ? { buyer: input.buyer } : {}),
    }
    validateCall(account, { operation: 'issueBillingKey', request })
    const now = rt.now()
    const row: Insertable<BillingKeysTable> = {
      id,
      merchant_id: merchantId,
      account_id: account.config.id,
      provider: account.config.provider,
      status: 'pending',
      encrypted_key: null,
      card: null,
      customer_id: input.customerId ?? null,
      request: JSON.stringify({ requestId: id, ...(input.goodsName ? { goodsName: input.goodsName } : {}) }),
      created_at: now,
      deleted_at: null,
    }
    return { account, merchantId, row, request }
  },
  async open(rt, intent, idem) {
    const claim = await insertIntent(
      rt,
      'billing_keys',
      intent.row,
      { type: 'billing_key', id: intent.row.id },
      intent.account.lockMs,
      idem,
    )
    if (isKeyTaken(claim)) return claim
    return intent
  },
  request: (_rt, intent) => ({ operation: 'issueBillingKey', request: intent.request }),
  call(provider, call) {
    if (call.operation !== 'issueBillingKey') throw new Error(`cannot send ${call.operation}`)
    return provider.issueBillingKey(call.request)
  },
  async settle(rt, intent, end, idem) {
    const now = rt.now()
    const id = intent.row.id
    const base = {
      id,
      account_id: intent.row.account_id,
      provider: intent.row.provider,
      customer_id: intent.row.customer_id ?? null,
      created_at: new Date(intent.row.created_at),
      deleted_at: null,
    }
    if (end.kind === 'ok') {
      const card = {
        ...(end.value.cardName ? { name: end.value.cardName } : {}),
        ...(end.value.cardCode ? { code: end.value.cardCode } : {}),
        ...(end.value.cardNumberMasked ? { numberMasked: end.value.cardNumberMasked } : {}),
      }
      const outcome: OperationOutcome<BillingKeyView> = {
        status: 200,
        body: renderBillingKey({ ...base, status: 'active', card }),
      }
      await settleBillingKey(rt, rt.db, {
        billingKey: { id, merchantId: intent.merchantId },
        from: ['pending'],
        status: 'active',
        patch: { encrypted_key: rt.vault.encrypt(end.value.billingKey), card: JSON.stringify(card) },
        event: 'billing_key.issued',
        now,
        ...(idem ? { idempotency: { scope: idem, outcome } } : {}),
      })
      return outcome
    }
    // A refusal is final and answered again under its key; an unknown outcome leaves the row pending for the
    // reconciler (it may exist at the PG) and frees the key, so a retry registers the card cleanly.
    const error =
      end.kind === 'rejected'
        ? end.error
        : new ApiError(502, {
            type: 'provider_error',
            code: end.reason.code,
            message: `${end.reason.message}; whether the PG registered the card is unknown (recorded as ${id}, pending)`,
          })
    if (end.kind === 'unknown')
      rt.logger.warn({ billingKeyId: id, code: end.reason.code }, 'billing key issue outcome unknown')
    const outcome = errorOutcome(error, { billingKeyId: id })
    await settleBillingKey(rt, rt.db, {
      billingKey: { id, merchantId: intent.merchantId },
      from: ['pending'],
      status: end.kind === 'rejected' ? 'failed' : 'pending',
      now,
      ...(idem
        ? { idempotency: { scope: idem, outcome, release: end.kind === 'unknown' || error.status === 503 } }
        : {}),
    })
    return outcome
  },
}

interface DeleteKeyIntent {
  account: AccountRuntime
  merchantId: string
  billingKeyId: string
  encryptedKey: string
  reason: string | undefined
  row: Parameters<typeof renderBillingKey>[0]
}

export interface DeleteKeyInput {
  billingKeyId: string
  reason?: string
}

/** DELETE /v1/billing-keys/{id}: marked `deleting` before the PG is asked, `deleted` once it confirms. */
export const deleteBillingKeyOperation: OperationDescriptor<
  DeleteKeyInput,
  DeleteKeyIntent,
  DeleteBillingKeyResult,
  BillingKeyView
> = {
  async prepare(rt, merchantId, input) {
    const row = await rt.db
      .selectFrom('billing_keys')
      .selectAll()
      .where('id', '=', input.billingKeyId)
      .where('merchant_id', '=', merchantId)
      .executeTakeFirst()
    if (!row) throw notFound('billing key', input.billingKeyId)
    if (row.status === 'deleted') throw conflict('billing_key_deleted', 'the billing key is already deleted')
    if (!row.encrypted_key) throw conflict('billing_key_not_active', `the billing key is ${row.status}`)
    const account = accountOf(rt, merchantId, row.account_id)
    const intent: DeleteKeyIntent = {
      account,
      merchantId,
      billingKeyId: row.id,
      encryptedKey: row.encrypted_key,
      reason: input.reason,
      row,
    }
    validateCall(account, deleteCall(rt, intent))
    return intent
  },
  async open(rt, intent, idem) {
    const moved = await markIntent(
      rt,
      { table: 'billing_keys', id: intent.billingKeyId },
      ['active', 'deleting'],
      'deleting',
      intent.account.lockMs,
      idem,
    )
    if (isKeyTaken(moved)) return moved
    if (!moved) throw conflict('billing_key_deleted', 'the billing key is already deleted')
    return intent
  },
  request: (rt, intent) => deleteCall(rt, intent),
  call(provider, call) {
    if (call.operation !== 'deleteBillingKey') throw new Error(`cannot send ${call.operation}`)
    return provider.deleteBillingKey(call.request)
  },
  async settle(rt, intent, end, idem) {
    const now = rt.now()
    const id = intent.billingKeyId
    if (end.kind === 'ok') {
      const outcome: OperationOutcome<BillingKeyView> = {
        status: 200,
        body: renderBillingKey({ ...intent.row, status: 'deleted', deleted_at: now }),
      }
      await settleBillingKey(rt, rt.db, {
        billingKey: { id, merchantId: intent.merchantId },
        from: ['deleting'],
        status: 'deleted',
        patch: { deleted_at: now },
        event: 'billing_key.deleted',
        now,
        ...(idem ? { idempotency: { scope: idem, outcome } } : {}),
      })
      return outcome
    }
    const error =
      end.kind === 'rejected'
        ? end.error
        : new ApiError(502, {
            type: 'provider_error',
            code: end.reason.code,
            message: `${end.reason.message}; the key may or may not be deleted at the PG, retry the delete`,
          })
    const outcome = errorOutcome(error, { billingKeyId: id })
    // Refused: the key is still active. Unknown: it stays `deleting` until a retried delete settles it.
    await settleBillingKey(rt, rt.db, {
      billingKey: { id, merchantId: intent.merchantId },
      from: ['deleting'],
      status: end.kind === 'rejected' ? 'active' : 'deleting',
      now,
      ...(idem
        ? { idempotency: { scope: idem, outcome, release: end.kind === 'unknown' || error.status >= 500 } }
        : {}),
    })
    return outcome
  },
}

function deleteCall(rt: { vault: { decrypt(s: string): string } }, intent: DeleteKeyIntent) {
  return {
    operation: 'deleteBillingKey' as const,
    request: {
      billingKey: rt.vault.decrypt(intent.encryptedKey),
      requestId: `${intent.billingKeyId}-del`,
      ...(intent.reason ? { reason: intent.reason } : {}),
    },
  }
}
