import type { Buyer, CheckoutMethod, CheckoutRequest } from '@paymux/core'
import type { Insertable } from 'kysely'
import type { PaymentsTable } from '../db/schema.js'
import { badRequest } from '../errors.js'
import { type IdempotencyScope, isKeyTaken, type KeyTaken } from '../idempotency-keys.js'
import { newId } from '../ids.js'
import { validateCall } from '../operations/engine.js'
import { insertIntent } from '../ledger/intents.js'
import { type PaymentView, renderPayment } from '../render.js'
import type { AccountRuntime, Runtime } from '../runtime.js'
import { routeCheckout } from '../routing/choose.js'
import type { RoutingDecision } from '../routing/rules.js'
import { merchantOf, pickAccount } from '../services/accounts.js'
import { checkoutToken, checkoutUrls, tokenHash } from './token.js'

export interface CreatePaymentInput {
  orderId: string
  amount: number
  taxFreeAmount?: number
  orderName: string
  method: CheckoutMethod
  customer?: Buyer
  successUrl: string
  failUrl: string
  account?: string
  provider?: string
  metadata?: Record<string, string>
}

/**
 * The account a checkout goes to: the one named (its adapter's validation then refuses a method it cannot take,
 * naming `method`), else the one the merchant's routing.payments rules choose (unless `provider` narrows the
 * choice by hand), else the only account of the merchant (of `provider`, if given) that takes the method.
 */
function checkoutAccount(
  rt: Runtime,
  merchantId: string,
  input: CreatePaymentInput,
): { account: AccountRuntime; routing?: RoutingDecision } {
  if (input.account !== undefined)
    return { account: pickAccount(rt, merchantId, { account: input.account, provider: input.provider }) }
  const merchant = merchantOf(rt, merchantId)
  if (input.provider === undefined) {
    const routed = routeCheckout(rt, merchant, { merchantId, ...input })
    if (routed) return { account: routed.account, routing: routed.decision }
  }
  const all = [...merchant.accounts.values()].filter(
    (a) => input.provider === undefined || a.config.provider === input.provider,
  )
  const able = all.filter((a) => a.provider.capabilities.checkoutMethods.includes(input.method))
  if (able.length === 1) return { account: able[0]! }
  if (able.length === 0)
    throw badRequest(
      'method',
      `no account${input.provider ? ` of provider ${input.provider}` : ''} takes ${input.method} checkouts`,
    )
  throw badRequest(
    'account',
    `several accounts take ${input.method}: name one in "account"`,
    'account_required',
  )
}

/**
 * POST /v1/payments: records a checkout waiting for the customer. Nothing is asked of the PG yet (the page asks
 * for its window when opened), so the one statement that claims the Idempotency-Key and inserts the payment is
 * the whole operation; the adapter's own validation runs first, so a refused request leaves nothing.
 */
export async function createCheckout(
  rt: Runtime,
  merchantId: string,
  input: CreatePaymentInput,
  idem: IdempotencyScope | undefined,
  base: string,
): Promise<{ status: 201; body: PaymentView } | KeyTaken> {
  const { account, routing } = checkoutAccount(rt, merchantId, input)
  const routingColumn = routing ? { rule: routing.rule, via: routing.via } : null
  const id = newId('pay')
  const token = checkoutToken(rt, id)
  const urls = checkoutUrls(base, token)
  const now = rt.now()
  const expiresAt = new Date(now.getTime() + rt.config.checkout.expiresInMinutes * 60_000)
  const request: CheckoutRequest = {
    orderId: input.orderId,
    amount: input.amount,
    ...(input.taxFreeAmount !== undefined ? { taxFreeAmount: input.taxFreeAmount } : {}),
    orderName: input.orderName,
    method: input.method,
    ...(input.customer ? { customer: input.customer } : {}),
    returnUrl: urls.returnUrl,
    closeUrl: urls.closeUrl,
    expiresAt: expiresAt.toISOString(),
  }
  validateCall(account, { operation: 'checkout', request })
  const row: Insertable<PaymentsTable> = {
    id,
    merchant_id: merchantId,
    account_id: account.config.id,
    provider: account.config.provider,
    transaction_id: null,
    order_id: input.orderId,
    method: input.method,
    status: 'requires_authentication',
    amount: input.amount,
    cancelled_amount: 0,
    reserved_amount: 0,
    inflight_cancels: 0,
    balance_source: 'gateway',
    billing_key_id: null,
    virtual_account: null,
    failure: null,
    charge_request: JSON.stringify(
      input.taxFreeAmount !== undefined ? { taxFreeAmount: input.taxFreeAmount } : {},
    ),
    created_at: now,
    updated_at: now,
    order_name: input.orderName,
    checkout_token_hash: tokenHash(token),
    checkout_expires_at: expiresAt,
    success_url: input.successUrl,
    fail_url: input.failUrl,
    checkout_customer: input.customer ? rt.vault.encrypt(JSON.stringify(input.customer)) : null,
    approval_state: 'awaiting',
    routing: routingColumn ? JSON.stringify(routingColumn) : null,
    metadata: input.metadata ? JSON.stringify(input.metadata) : null,
    // Where the PG charges inside its window and lists an order's payments, the order is looked up once at its
    // expiry whatever became of it: a second payment whose notice was lost is found and undone.
    ...(account.provider.capabilities.checkoutChargesInWindow && account.provider.capabilities.orderLookup
      ? { lookup_requested_at: expiresAt }
      : {}),
  }
  const claim = await insertIntent(rt, 'payments', row, { type: 'payment', id }, account.lockMs, idem)
  if (isKeyTaken(claim)) return claim
  const body = renderPayment(
    {
      id,
      account_id: account.config.id,
      provider: account.config.provider,
      transaction_id: null,
      order_id: input.orderId,
      method: input.method,
      status: 'requires_authentication',
      amount: input.amount,
      cancelled_amount: 0,
      reserved_amount: 0,
      balance_source: 'gateway',
      virtual_account: null,
      billing_key_id: null,
      failure: null,
      created_at: now,
      updated_at: now,
      order_name: input.orderName,
      checkout_expires_at: expiresAt,
      routing: routingColumn,
      metadata: input.metadata ?? null,
    },
    [],
    urls.checkoutUrl,
  )
  const outcome = { status: 201 as const, body }
  if (idem) await idem.complete(rt.db, outcome, { type: 'payment', id })
  return outcome
}
