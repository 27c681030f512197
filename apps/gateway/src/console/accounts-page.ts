import type { Hono } from 'hono'
import { html } from 'hono/html'
import { MANUAL_EJECT_REASON, type ManualMove, moveByHand } from '../health/manual.js'
import { readHealth } from '../health/store.js'
import type { Runtime } from '../runtime.js'
import { recordAction } from './audit.js'
import { notFoundPage } from './auth.js'
import type { ConsoleContext, ConsoleEnv } from './env.js'
import { csrfField, page } from './layout.js'

const REASON_MAX = 200

/** The capabilities an account has, in a line: what it can be asked to do. */
function capabilitiesOf(caps: object): string {
  return Object.entries(caps)
    .filter(([, v]) => v === true || (Array.isArray(v) && v.length > 0))
    .map(([k, v]) => (Array.isArray(v) ? `${k}: ${v.join(', ')}` : k))
    .join(' · ')
}

async function accountsPage(c: ConsoleContext, rt: Runtime, error?: string) {
  const t = c.get('t')
  const merchant = rt.merchants.get(c.get('session').operator.merchantId)
  const isOperator = c.get('session').operator.role === 'operator'
  const accounts = [...(merchant?.accounts.values() ?? [])]
  // The status every process routes by (the database's), not only this process's view of it.
  const health = new Map(
    (
      await readHealth(
        rt.db,
        accounts.map((a) => a.config.id),
      )
    ).map((h) => [h.accountId, h]),
  )
  const words: Record<string, string> = { healthy: t.healthy, ejected: t.ejected, probation: t.probation }
  const action = (id: string, move: ManualMove) =>
    html`<form method="post" action="/console/accounts/${id}/${move}" class="inline">${csrfField(c)}
<label>${t.reason}<input name="reason" maxlength="${REASON_MAX}" required></label>
<button class="${move === 'eject' ? 'danger' : 'primary'}" type="submit">${move === 'eject' ? t.eject : t.restore}</button></form>`
  return page(
    c,
    t.accounts,
    html`<h1>${t.accounts}</h1>
${error ? html`<p class="error" role="alert">${error}</p>` : ''}
<div class="table-wrap"><table id="accounts"><thead><tr><th>${t.account}</th><th>${t.provider}</th><th>${t.capabilities}</th><th>${t.health}</th><th></th></tr></thead><tbody>${accounts.map(
      (a) => {
        const h = health.get(a.config.id)
        const status = h?.status ?? 'healthy'
        return html`<tr data-account="${a.config.id}"><td>${a.config.id}</td><td>${a.config.provider}</td>
<td>${capabilitiesOf(a.provider.capabilities)}</td>
<td><strong data-status="${status}">${words[status] ?? status}</strong>${h?.manual ? html` (${t.byHand})` : ''}
<br><small>${t.since}: ${h ? h.since.toISOString() : '—'}</small>
${h?.lastError ? html`<br><small>${t.lastError}: ${h.lastError}</small>` : ''}</td>
<td>${isOperator ? (status === 'healthy' ? action(a.config.id, 'eject') : html`${action(a.config.id, 'restore')}${h?.manual ? '' : action(a.config.id, 'eject')}`) : ''}</td></tr>`
      },
    )}</tbody></table></div>`,
    error ? 422 : 200,
  )
}

/**
 * Accounts: each one's PG, capabilities and health, and (operators only: the session check refuses a viewer's
 * POST) eject and restore by the same path as `POST /v1/accounts/{id}/eject|restore`, with the operator's reason,
 * audited.
 */
export function accountsRoutes(app: Hono<ConsoleEnv>, rt: Runtime): void {
  app.get('/console/accounts', (c) => accountsPage(c, rt))

  for (const move of ['eject', 'restore'] as const)
    app.post(`/console/accounts/:id/${move}`, async (c) => {
      const operator = c.get('session').operator
      const accountId = c.req.param('id')
      // Another merchant's account does not exist here.
      if (!rt.merchants.get(operator.merchantId)?.accounts.has(accountId)) return notFoundPage(c)
      const reason = (c.get('form').reason ?? '').trim()
      if (!reason || reason.length > REASON_MAX) return accountsPage(c, rt, c.get('t').reasonNeeded)
      const moved = await moveByHand(rt, {
        merchantId: operator.merchantId,
        accountId,
        action: move,
        ...(move === 'eject' ? { reason: `${MANUAL_EJECT_REASON} (${operator.name}): ${reason}` } : {}),
      })
      await recordAction(
        rt.db,
        operator,
        { action: move, object: { type: 'account', id: accountId }, detail: { reason, moved } },
        rt.now(),
      )
      return c.redirect('/console/accounts', 303)
    })
}
