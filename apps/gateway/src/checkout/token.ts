import type { CheckoutRequest, Buyer } from '@paymux/core'
import { sha256Hex } from '../crypto.js'
import type { PaymentRow } from '../db/schema.js'
import type { Runtime } from '../runtime.js'
import { expectedOf } from '../operations/approve-checkout.js'

/**
 * A checkout link's token: derived from the payment id with the master key, so it is unguessable, never stored
 * (only its SHA-256 is, to find the payment) and can be shown again while the payment waits for the customer.
 */
export function checkoutToken(rt: Runtime, paymentId: string): string {
  return rt.vault.fingerprint(`checkout token\n${paymentId}`)
}

export const tokenHash = (token: string) => sha256Hex(token)

/** The gateway's URL as customers reach it: `server.publicUrl`, else the origin the request came to. */
export function publicBase(rt: Runtime, requestOrigin: string): string {
  return (rt.config.server.publicUrl ?? requestOrigin).replace(/\/+$/, '')
}

export const checkoutUrls = (base: string, token: string) => ({
  checkoutUrl: `${base}/checkout/${token}`,
  returnUrl: `${base}/checkout/${token}/return`,
  closeUrl: `${base}/checkout/${token}/closed`,
})

export async function findCheckout(rt: Runtime, token: string): Promise<PaymentRow | undefined> {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return undefined
  return rt.db
    .selectFrom('payments')
    .selectAll()
    .where('checkout_token_hash', '=', tokenHash(token))
    .executeTakeFirst()
}

/** The CheckoutRequest of a stored checkout (the page asks the adapter for its launch on every load). */
export function checkoutRequestOf(
  rt: Runtime,
  row: PaymentRow,
  base: string,
  token: string,
): CheckoutRequest {
  const asked = (row.charge_request ?? {}) as { taxFreeAmount?: number }
  const customer = row.checkout_customer
    ? (JSON.parse(rt.vault.decrypt(row.checkout_customer)) as Buyer)
    : undefined
  const { returnUrl, closeUrl } = checkoutUrls(base, token)
  return {
    ...expectedOf(row),
    ...(asked.taxFreeAmount !== undefined ? { taxFreeAmount: asked.taxFreeAmount } : {}),
    orderName: row.order_name ?? '',
    ...(customer ? { customer } : {}),
    returnUrl,
    closeUrl,
    expiresAt: new Date(row.checkout_expires_at ?? 0).toISOString(),
  }
}
