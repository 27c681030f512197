import type { Buyer, ChargeBillingKeyRequest, ChargeResult } from '@paymux/core'
import { badRequest, conflict, notFound } from '../errors.js'
import { newId } from '../ids.js'
import type { PaymentView } from '../render.js'
import { accountOf } from '../services/accounts.js'
import { type OperationDescriptor, validateCall } from './engine.js'
import {
  openPaymentIntent,
  type PaymentIntent,
  pendingPayment,
  settlePaymentIntent,
} from './payment-intents.js'

export interface ChargeInput {
  billingKeyId: string
  amount: number
  taxFreeAmount?: number
  goodsName: string
  orderId?: string
  installmentMonths?: number
  interestFree?: boolean
  buyer?: Buyer
}

interface ChargeIntent extends PaymentIntent {
  /** The request without the PG's key: the key is decrypted only for the call. */
  request: Omit<ChargeBillingKeyRequest, 'billingKey'>
  encryptedKey: string
}

/** What a stored charge asked for, for the reconciler's resend where the PG dedups by order id. */
export function chargeRequestOf(
  billingKey: string,
  payment: { order_id: string | null; amount: number | null; charge_request: unknown },
): ChargeBillingKeyRequest | undefined {
  const asked = payment.charge_request as Partial<ChargeBillingKeyRequest> | null
  if (!payment.order_id || payment.amount == null || !asked?.goodsName) return undefined
  return {
    billingKey,
    orderId: payment.order_id,
    amount: Number(payment.amount),
    goodsName: asked.goodsName,
    ...(asked.taxFreeAmount !== undefined ? { taxFreeAmount: asked.taxFreeAmount } : {}),
    ...(asked.installmentMonths !== undefined ? { installmentMonths: asked.installmentMonths } : {}),
    ...(asked.interestFree !== undefined ? { interestFree: asked.interestFree } : {}),
  }
}

/** POST /v1/billing-keys/{id}/charges: a card payment on a stored key, recorded as pending before the PG call. */
export const chargeOperation: OperationDescriptor<ChargeInput, ChargeIntent, ChargeResult, PaymentView> = {
  async prepare(rt, merchantId, input) {
    const key = await rt.db
      .selectFrom('billing_keys')
      .select(['id', 'account_id', 'status', 'encrypted_key'])
      .where('id', '=', input.billingKeyId)
      .where('merchant_id', '=', merchantId)
      .executeTakeFirst()
    if (!key) throw notFound('billing key', input.billingKeyId)
    if (key.status !== 'active' || !key.encrypted_key)
      throw conflict(
        'billing_key_deleted',
        `the billing key is ${key.status === 'active' ? 'unusable' : key.status}`,
      )
    if (input.taxFreeAmount !== undefined && input.taxFreeAmount > input.amount)
      throw badRequest('taxFreeAmount', 'taxFreeAmount must not exceed amount')
    // A charge goes to the account that issued the key.
    const account = accountOf(rt, merchantId, key.account_id)
    const id = newId('pay')
    const request = {
      orderId: input.orderId ?? id,
      amount: input.amount,
      goodsName: input.goodsName,
      ...(input.taxFreeAmount !== undefined ? { taxFreeAmount: input.taxFreeAmount } : {}),
      ...(input.installmentMonths !== undefined ? { installmentMonths: input.installmentMonths } : {}),
      ...(input.interestFree !== undefined ? { interestFree: input.interestFree } : {}),
      ...(input.buyer ? { buyer: input.buyer } : {}),
    }
    // Validated with the real key so the adapter's own checks of it run too; it is not kept in the intent.
    validateCall(account, {
      operation: 'chargeBillingKey',
      request: { ...request, billingKey: rt.vault.decrypt(key.encrypted_key) },
    })
    const { buyer: _buyer, ...asked } = request
    const row = pendingPayment(rt, merchantId, account, {
      id,
      orderId: request.orderId,
      amount: input.amount,
      method: 'card',
      billingKeyId: key.id,
      request: asked,
    })
    return { account, merchantId, row, request, encryptedKey: key.encrypted_key }
  },
  open: openPaymentIntent,
  request: (rt, intent) => ({
    operation: 'chargeBillingKey',
    request: { ...intent.request, billingKey: rt.vault.decrypt(intent.encryptedKey) },
  }),
  call(provider, call) {
    if (call.operation !== 'chargeBillingKey') throw new Error(`cannot send ${call.operation}`)
    return provider.chargeBillingKey(call.request)
  },
  subject: (intent) => ({ paymentId: intent.row.id, operation: 'charge' }),
  settle: (rt, intent, end, idem) =>
    settlePaymentIntent(
      rt,
      intent,
      end,
      (charge) => ({ status: 'paid', transactionId: charge.transactionId, amount: charge.amount }),
      { ok: 'charge.succeeded', failed: 'charge.failed' },
      idem,
    ),
}
