import type { Hono } from 'hono'
import { html } from 'hono/html'
import { PAYMENT_STATUSES } from '../db/statuses.js'
import type { Runtime } from '../runtime.js'
import type { ConsoleEnv } from './env.js'
import { krw } from './i18n.js'
import { page } from './layout.js'

const PAGE_SIZE = 25
const DAY = /^\d{4}-\d{2}-\d{2}$/

/**
 * The payments list: the merchant's own only, newest first, one page at a time (the cursor is the last payment
 * id shown). The search box takes an order id, a payment id or a PG transaction id: an operator pastes whatever
 * the customer read out.
 */
export function paymentsListRoutes(app: Hono<ConsoleEnv>, rt: Runtime): void {
  app.get('/console/payments', async (c) => {
    const t = c.get('t')
    const merchantId = c.get('session').operator.merchantId
    const accounts = [...(rt.merchants.get(merchantId)?.accounts.keys() ?? [])]
    const q = (c.req.query('q') ?? '').trim().slice(0, 200)
    const status = PAYMENT_STATUSES.find((s) => s === c.req.query('status'))
    const account = accounts.find((a) => a === c.req.query('account'))
    const from = DAY.test(c.req.query('from') ?? '') ? c.req.query('from')! : ''
    const to = DAY.test(c.req.query('to') ?? '') ? c.req.query('to')! : ''
    const after = c.req.query('after')

    let query = rt.db.selectFrom('payments').selectAll().where('merchant_id', '=', merchantId)
    if (q)
      query = query.where((eb) =>
        eb.or([eb('order_id', '=', q), eb('id', '=', q), eb('transaction_id', '=', q)]),
      )
    if (status) query = query.where('status', '=', status)
    if (account) query = query.where('account_id', '=', account)
    // Dates are the operator's days in Korea (KST, UTC+9): the shop's day, not the server's.
    if (from) query = query.where('created_at', '>=', new Date(`${from}T00:00:00+09:00`))
    if (to)
      query = query.where(
        'created_at',
        '<',
        new Date(new Date(`${to}T00:00:00+09:00`).getTime() + 86_400_000),
      )
    if (after) {
      const cursor = await rt.db
        .selectFrom('payments')
        .select(['created_at', 'id'])
        .where('id', '=', after)
        .where('merchant_id', '=', merchantId)
        .executeTakeFirst()
      if (cursor)
        query = query.where((eb) =>
          eb.or([
            eb('created_at', '<', cursor.created_at),
            eb.and([eb('created_at', '=', cursor.created_at), eb('id', '<', cursor.id)]),
          ]),
        )
    }
    const rows = await query
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(PAGE_SIZE + 1)
      .execute()
    const shown = rows.slice(0, PAGE_SIZE)
    const next = new URLSearchParams({
      ...(q ? { q } : {}),
      ...(status ? { status } : {}),
      ...(account ? { account } : {}),
      ...(from ? { from } : {}),
      ...(to ? { to } : {}),
      after: shown.at(-1)?.id ?? '',
    })
    const option = (value: string, selected: string | undefined) =>
      html`<option value="${value}" ${value === selected ? 'selected' : ''}>${value}</option>`

    return page(
      c,
      t.payments,
      html`<h1>${t.payments}</h1>
<form class="filters" method="get" action="/console/payments" role="search">
<label>${t.search}<input type="search" name="q" value="${q}" placeholder="${t.searchHint}"></label>
<label>${t.status}<select name="status"><option value="">${t.any}</option>${PAYMENT_STATUSES.map((s) => option(s, status))}</select></label>
<label>${t.account}<select name="account"><option value="">${t.any}</option>${accounts.map((a) => option(a, account))}</select></label>
<label>${t.from}<input type="date" name="from" value="${from}"></label>
<label>${t.to}<input type="date" name="to" value="${to}"></label>
<button class="primary" type="submit">${t.filter}</button></form>
${
  shown.length === 0
    ? html`<p>${t.none}</p>`
    : html`<div class="table-wrap"><table><thead><tr><th>${t.payment}</th><th>${t.order}</th><th>${t.status}</th><th>${t.account}</th><th class="num">${t.amount}</th><th class="num">${t.cancelled}</th><th>${t.created}</th></tr></thead><tbody>
${shown.map(
  (p) =>
    html`<tr><td><a href="/console/payments/${p.id}">${p.id}</a></td><td>${p.order_id ?? ''}</td><td>${p.status}</td><td>${p.account_id}</td><td class="num">${krw(p.amount)}</td><td class="num">${krw(p.cancelled_amount)}</td><td><time>${new Date(p.created_at).toISOString()}</time></td></tr>`,
)}</tbody></table></div>`
}
${rows.length > PAGE_SIZE ? html`<p><a rel="next" href="/console/payments?${next.toString()}">${t.next}</a></p>` : ''}`,
    )
  })
}
