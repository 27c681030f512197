import type { Hono } from 'hono'
import { html } from 'hono/html'
import type { Tx } from '../db/schema.js'
import { cancellationRef, settleCancellation } from '../ledger/cancellations.js'
import { settlePayment } from '../ledger/payments.js'
import type { Runtime } from '../runtime.js'
import { actionsOn, type OperatorAction, recordAction } from './audit.js'
import { notFoundPage } from './auth.js'
import { checkAgainRoutes } from './check-again.js'
import type { ConsoleContext, ConsoleEnv } from './env.js'
import { krw } from './i18n.js'
import { csrfField, page } from './layout.js'
import { isReviewKind, ownReviewItem, REVIEW_KINDS, type ReviewKind, reviewQueue } from './review-items.js'

/**
 * The needs-review queue: every payment and cancellation that evidence could not settle, with what was gathered,
 * and two actions: check again now (the reconciler's settle step, at once: check-again.ts), or resolve with a
 * note: the operator asserts the state, the ledger applies it (the same one statement the reconciler uses, so
 * balances and the event move together), and the audit records who said so and why.
 */
export function reviewRoutes(app: Hono<ConsoleEnv>, rt: Runtime): void {
  app.get('/console/review', async (c) => {
    const t = c.get('t')
    const merchantId = c.get('session').operator.merchantId
    const isOperator = c.get('session').operator.role === 'operator'
    const payments = await reviewQueue(rt, 'payments', merchantId)
    const cancels = await reviewQueue(rt, 'cancellations', merchantId)
    // What the last "check again now" found for each item: the PG's answer, from the audit that recorded it.
    const checks = new Map<string, OperatorAction>()
    for (const a of await actionsOn(rt.db, merchantId, [
      ...payments.map((p) => p.id),
      ...cancels.map((x) => x.id),
    ]))
      if (a.action === 'check_again' && a.object_id) checks.set(a.object_id, a)
    const lastCheck = (id: string) => {
      const a = checks.get(id)
      return a
        ? html`<p class="note" data-check>${t.checkAgain}: ${new Date(a.created_at).toISOString()} · ${a.operator} · ${t.stillUnsettled}</p><pre>${JSON.stringify(a.detail, null, 2)}</pre>`
        : ''
    }
    /** The evidence, the last check and (for operators) the two actions: the same for either kind. */
    const actions = (kind: ReviewKind, id: string, evidence: Record<string, unknown>) =>
      html`<p>${t.evidence}:</p><pre>${JSON.stringify(evidence, null, 2)}</pre>${lastCheck(id)}${
        isOperator
          ? html`<form method="post" action="/console/review/${kind}/${id}/check">${csrfField(c)}<button type="submit">${t.checkAgain}</button></form>
<form method="post" action="/console/review/${kind}/${id}/resolve">${csrfField(c)}
<label>${t.assertedState}<select name="state">${REVIEW_KINDS[kind].ends.map((e) => html`<option value="${e}">${e}</option>`)}</select></label>
<label>${t.note}<textarea name="note" required maxlength="1000"></textarea></label>
<button class="primary" type="submit">${t.resolve}</button></form>`
          : ''
      }`
    const items = [
      ...payments.map(
        (
          p,
        ) => html`<li class="card" data-id="${p.id}"><h2><a href="/console/payments/${p.id}">${p.id}</a> · ${t.payment} ${krw(p.amount)}</h2>
<p>${t.account}: ${p.account_id} · ${t.transaction}: ${p.transaction_id ?? '—'} · ${t.order}: ${p.order_id ?? '—'}</p>
${actions('payments', p.id, { reviewReason: p.review_reason, failure: p.failure, reconcileAttempts: p.reconcile_attempts })}</li>`,
      ),
      ...cancels.map(
        (
          x,
        ) => html`<li class="card" data-id="${x.id}"><h2>${x.id} · cancel ${krw(x.amount)} of <a href="/console/payments/${x.payment_id}">${x.payment_id}</a></h2>
<p>${t.account}: ${x.account_id} · ${t.reason}: ${x.reason}</p>
${actions('cancellations', x.id, { reviewReason: x.review_reason, pendingReason: x.pending_reason, failure: x.failure, reconcileAttempts: x.reconcile_attempts })}</li>`,
      ),
    ]
    return page(
      c,
      t.needsReview,
      html`<h1>${t.needsReview}</h1>${items.length ? html`<ul class="review">${items}</ul>` : html`<p>${t.none}</p>`}`,
    )
  })

  checkAgainRoutes(app, rt)

  app.post('/console/review/:kind/:id/resolve', async (c) => {
    const kind = c.req.param('kind')
    if (!isReviewKind(kind)) return notFoundPage(c)
    return resolve(c, rt, kind, c.req.param('id'))
  })
}

function badResolve(c: ConsoleContext, message: string) {
  return page(
    c,
    c.get('t').resolve,
    html`<h1>${c.get('t').resolve}</h1><p class="error" role="alert">${message}</p><p><a href="/console/review">${c.get('t').back}</a></p>`,
    422,
  )
}

/**
 * Resolve with a note, for either kind: the asserted state and the note checked, the item found (the merchant's
 * only), then in one transaction the ledger's settle from needs_review and the audit of it.
 */
async function resolve(c: ConsoleContext, rt: Runtime, kind: ReviewKind, id: string) {
  const operator = c.get('session').operator
  const form = c.get('form')
  const { ends, objectType } = REVIEW_KINDS[kind]
  const end = ends.find((e) => e === form.state)
  if (!end) return badResolve(c, `state: one of ${ends.join(', ')}`)
  const note = (form.note ?? '').trim()
  if (!note || note.length > 1000) return badResolve(c, 'note: say what the evidence was (1-1000 characters)')
  const row = await ownReviewItem(rt, kind, operator.merchantId, id)
  if (!row) return notFoundPage(c)
  const now = rt.now()
  const failure = { code: 'resolved_by_operator', message: note.slice(0, 200) }
  const settle = (trx: Tx): Promise<boolean> => {
    if (!('payment_id' in row))
      return settlePayment(rt, trx, {
        payment: { id: row.id, merchantId: row.merchant_id, transactionId: row.transaction_id },
        from: ['needs_review'],
        status: end as 'paid' | 'failed',
        event: end === 'paid' ? 'payment.paid' : 'payment.failed',
        now,
        resolvedBy: 'review',
        patch: end === 'failed' ? { failure: JSON.stringify(failure) } : {},
      })
    return settleCancellation(rt, trx, {
      cancellation: cancellationRef(row),
      from: ['needs_review'],
      end:
        end === 'succeeded'
          ? { status: 'succeeded', amount: Number(row.amount) }
          : { status: 'failed', failure },
      now,
      resolvedBy: 'review',
    })
  }
  const applied = await rt.db.transaction().execute(async (trx) => {
    const done = await settle(trx)
    if (done)
      await recordAction(
        trx,
        operator,
        {
          action: 'resolve',
          object: { type: objectType, id: row.id },
          detail: { state: end, note, ...('payment_id' in row ? { paymentId: row.payment_id } : {}) },
        },
        now,
      )
    return done
  })
  if (!applied) return badResolve(c, `this ${objectType} is no longer in needs_review`)
  return c.redirect('/console/review', 303)
}
