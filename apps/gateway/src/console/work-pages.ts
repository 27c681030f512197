import type { Hono } from 'hono'
import { html } from 'hono/html'
import type { Runtime } from '../runtime.js'
import { resendEvent } from '../webhooks/resend.js'
import { latestActions, recordAction } from './audit.js'
import { notFoundPage } from './auth.js'
import type { ConsoleEnv } from './env.js'
import { csrfField, page } from './layout.js'
import { accountsRoutes } from './accounts-page.js'
import { reviewRoutes } from './review.js'

const iso = (d: Date | string | null) => (d ? new Date(d).toISOString() : '—')

/** Needs review, webhooks (deliveries, attempts, resend), accounts, and the audit log. */
export function workRoutes(app: Hono<ConsoleEnv>, rt: Runtime): void {
  reviewRoutes(app, rt)
  accountsRoutes(app, rt)

  app.get('/console/webhooks', async (c) => {
    const t = c.get('t')
    const merchantId = c.get('session').operator.merchantId
    const isOperator = c.get('session').operator.role === 'operator'
    const events = await rt.db
      .selectFrom('events')
      .selectAll()
      .where('merchant_id', '=', merchantId)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(50)
      .execute()
    const deliveries = events.length
      ? await rt.db
          .selectFrom('webhook_deliveries')
          .selectAll()
          .where('merchant_id', '=', merchantId)
          .where(
            'event_id',
            'in',
            events.map((e) => e.id),
          )
          .orderBy('attempt')
          .execute()
      : []
    return page(
      c,
      t.webhooks,
      html`<h1>${t.webhooks}</h1>${
        events.length === 0
          ? html`<p>${t.none}</p>`
          : html`<div class="table-wrap"><table><thead><tr><th>Event</th><th>${t.status}</th><th>${t.attempts}</th><th>${t.created}</th><th></th></tr></thead><tbody>${events.map(
              (
                e,
              ) => html`<tr><td>${e.type}<br><small>${e.id} · ${e.object_id}</small></td><td>${e.status}</td>
<td><ul>${deliveries
                .filter((d) => d.event_id === e.id)
                .map(
                  (d) =>
                    html`<li>#${d.attempt} ${iso(d.created_at)}: ${d.outcome}${d.status_code ? ` HTTP ${d.status_code}` : ''}${d.error ? ` — ${d.error}` : ''}</li>`,
                )}</ul></td>
<td>${iso(e.created_at)}</td>
<td>${isOperator && e.status !== 'pending' && e.status !== 'not_configured' ? html`<form method="post" action="/console/webhooks/${e.id}/resend">${csrfField(c)}<button type="submit">${t.resend}</button></form>` : ''}</td></tr>`,
            )}</tbody></table></div>`
      }`,
    )
  })

  // The same resend as POST /v1/events/{id}/resend: one more attempt now, within the per-event limit.
  app.post('/console/webhooks/:id/resend', async (c) => {
    const operator = c.get('session').operator
    const e = await rt.db
      .selectFrom('events')
      .selectAll()
      .where('id', '=', c.req.param('id'))
      .where('merchant_id', '=', operator.merchantId)
      .executeTakeFirst()
    if (!e) return notFoundPage(c)
    const out = await resendEvent(rt, e)
    if (out.kind === 'already_pending') return c.redirect('/console/webhooks', 303)
    if (out.kind === 'refused')
      return page(
        c,
        c.get('t').resend,
        html`<h1>${c.get('t').resend}</h1><p class="error" role="alert">${out.message}</p><p><a href="/console/webhooks">${c.get('t').back}</a></p>`,
        409,
      )
    await recordAction(
      rt.db,
      operator,
      {
        action: 'resend',
        object: { type: 'event', id: e.id },
        detail: { type: e.type, objectId: e.object_id },
      },
      rt.now(),
    )
    return c.redirect('/console/webhooks', 303)
  })

  app.get('/console/audit', async (c) => {
    const t = c.get('t')
    const rows = await latestActions(rt.db, c.get('session').operator.merchantId)
    return page(
      c,
      t.audit,
      html`<h1>${t.audit}</h1>${
        rows.length === 0
          ? html`<p>${t.none}</p>`
          : html`<div class="table-wrap"><table id="audit"><thead><tr><th>${t.when}</th><th>${t.who}</th><th>${t.what}</th><th></th></tr></thead><tbody>${rows.map(
              (a) =>
                html`<tr><td>${iso(a.created_at)}</td><td>${a.operator} (${a.role})</td><td>${a.action} ${a.object_id ?? ''}</td><td><pre>${JSON.stringify(a.detail)}</pre></td></tr>`,
            )}</tbody></table></div>`
      }`,
    )
  })
}
