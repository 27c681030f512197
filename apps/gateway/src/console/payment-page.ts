import type { Hono } from 'hono'
import { html } from 'hono/html'
import { CANCELLABLE_PAYMENT_STATUSES } from '../db/statuses.js'
import type { PaymentRow } from '../db/schema.js'
import type { Runtime } from '../runtime.js'
import { notFoundPage } from './auth.js'
import type { ConsoleContext, ConsoleEnv } from './env.js'
import { krw } from './i18n.js'
import { page } from './layout.js'
import { timelineOf } from './timeline.js'

/** What may still be refunded: nothing unless the payment holds money; reservations of cancels in flight count. */
export function cancellableOf(p: PaymentRow): number {
  if (!(CANCELLABLE_PAYMENT_STATUSES as readonly string[]).includes(p.status) || p.amount === null) return 0
  return Math.max(0, p.amount - p.cancelled_amount - p.reserved_amount)
}

/** The signed-in operator's merchant's payment, or nothing (another merchant's id reads as not found). */
export async function ownPayment(rt: Runtime, c: ConsoleContext, id: string) {
  return rt.db
    .selectFrom('payments')
    .selectAll()
    .where('id', '=', id)
    .where('merchant_id', '=', c.get('session').operator.merchantId)
    .executeTakeFirst()
}

export function paymentPageRoutes(app: Hono<ConsoleEnv>, rt: Runtime): void {
  app.get('/console/payments/:id', async (c) => {
    const t = c.get('t')
    const p = await ownPayment(rt, c, c.req.param('id'))
    if (!p) return notFoundPage(c)
    const cancels = await rt.db
      .selectFrom('cancellations')
      .selectAll()
      .where('payment_id', '=', p.id)
      .where('merchant_id', '=', p.merchant_id)
      .orderBy('created_at')
      .orderBy('id')
      .execute()
    const timeline = await timelineOf(rt, p, cancels)
    const cancellable = cancellableOf(p)
    const isOperator = c.get('session').operator.role === 'operator'
    return page(
      c,
      p.id,
      html`<h1>${t.payment} ${p.id}</h1>
<p>${t.status}: <strong>${p.status}</strong> · ${t.account}: ${p.account_id} (${p.provider}) · ${t.transaction}: ${p.transaction_id ?? '—'} · ${t.order}: ${p.order_id ?? '—'} · ${t.method}: ${p.method ?? '—'}</p>
<div class="amounts">
<div>${t.total}<strong>${krw(p.amount)}</strong></div>
<div>${t.cancelled}<strong>${krw(p.cancelled_amount)}</strong></div>
<div>${t.reserved}<strong>${krw(p.reserved_amount)}</strong></div>
<div>${t.cancellable}<strong>${krw(cancellable)}</strong></div>
</div>
${
  isOperator
    ? cancellable > 0
      ? html`<form method="get" action="/console/payments/${p.id}/refund"><button class="danger" type="submit">${t.refund}</button></form>`
      : ''
    : html`<p class="note">${t.viewerNote}</p>`
}
<h2>${t.timeline}</h2>
<ol class="timeline">${timeline.map(
        (e) =>
          html`<li class="${e.kind === 'operator' ? 'operator' : e.bad ? 'bad' : ''}" data-kind="${e.kind}"><time>${e.at.toISOString()}</time> ${e.text}</li>`,
      )}</ol>`,
    )
  })
}
