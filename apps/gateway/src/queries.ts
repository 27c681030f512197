import { notFound } from './errors.js'
import type { Selectable } from 'kysely'
import type { Database, Tx } from './db/schema.js'
import { renderBillingKey, renderCancellation, renderPayment } from './render.js'
import type { Runtime } from './runtime.js'

/** Reads of the API's objects, always scoped to the merchant asking. */
export async function getCancellation(rt: Runtime, merchantId: string, id: string) {
  const row = await rt.db
    .selectFrom('cancellations')
    .selectAll()
    .where('id', '=', id)
    .where('merchant_id', '=', merchantId)
    .executeTakeFirst()
  if (!row) throw notFound('cancellation', id)
  return renderCancellation(row)
}

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

/** Renders a page of payment rows with their cancellations, read in one statement for the whole page. */
export async function withCancellations(rt: Runtime, rows: Selectable<Database['payments']>[]) {
  if (rows.length === 0) return []
  const cancels = await rt.db
    .selectFrom('cancellations')
    .selectAll()
    .where(
      'payment_id',
      'in',
      rows.map((r) => r.id),
    )
    .orderBy('created_at')
    .orderBy('id')
    .execute()
  return rows.map((r) =>
    renderPayment(
      r,
      cancels.filter((c) => c.payment_id === r.id),
    ),
  )
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
