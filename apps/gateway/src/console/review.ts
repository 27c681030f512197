import { onPath } from '../call-log/path.js'
import { askPg, type CallSite } from '../operations/outcome.js'
import type { Hono } from 'hono'
import { html } from 'hono/html'
import { cancellationRef, settleCancellation } from '../ledger/cancellations.js'
import { settlePayment } from '../ledger/payments.js'
import type { Runtime } from '../runtime.js'
import { actionsOn, type OperatorAction, recordAction } from './audit.js'
import { notFoundPage } from './auth.js'
import type { ConsoleContext, ConsoleEnv } from './env.js'
import { krw } from './i18n.js'
import { csrfField, page } from './layout.js'

/** The states an operator may assert when resolving: what the evidence outside paymux (the PG's admin) showed. */
const PAYMENT_ENDS = ['paid', 'failed'] as const
const CANCELLATION_ENDS = ['succeeded', 'failed'] as const

/**
 * The needs-review queue: every payment and cancellation that evidence could not settle, with what was gathered,
 * and "resolve with a note": the operator asserts the state, the ledger applies it (the same one statement the
 * reconciler uses, so balances and the event move together), and the audit records who said so and why.
 */
export function reviewRoutes(app: Hono<ConsoleEnv>, rt: Runtime): void {
  app.get('/console/review', async (c) => {
    const t = c.get('t')
    const merchantId = c.get('session').operator.merchantId
    const isOperator = c.get('session').operator.role === 'operator'
    const payments = await rt.db
      .selectFrom('payments')
      .selectAll()
      .where('merchant_id', '=', merchantId)
      .where('status', '=', 'needs_review')
      .orderBy('updated_at', 'desc')
      .limit(200)
      .execute()
    const cancels = await rt.db
      .selectFrom('cancellations')
      .selectAll()
      .where('merchant_id', '=', merchantId)
      .where('status', '=', 'needs_review')
      .orderBy('updated_at', 'desc')
      .limit(200)
      .execute()
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
        ? html`<p class="note" data-check>${t.checkAgain}: ${new Date(a.created_at).toISOString()} · ${a.operator}</p><pre>${JSON.stringify(a.detail, null, 2)}</pre>`
        : ''
    }
    const checkForm = (kind: 'payments' | 'cancellations', id: string) =>
      isOperator
        ? html`<form method="post" action="/console/review/${kind}/${id}/check">${csrfField(c)}<button type="submit">${t.checkAgain}</button></form>`
        : ''
    const resolveForm = (kind: 'payments' | 'cancellations', id: string, ends: readonly string[]) =>
      isOperator
        ? html`<form method="post" action="/console/review/${kind}/${id}/resolve">${csrfField(c)}
<label>${t.assertedState}<select name="state">${ends.map((e) => html`<option value="${e}">${e}</option>`)}</select></label>
<label>${t.note}<textarea name="note" required maxlength="1000"></textarea></label>
<button class="primary" type="submit">${t.resolve}</button></form>`
        : ''
    const items = [
      ...payments.map(
        (
          p,
        ) => html`<li class="card" data-id="${p.id}"><h2><a href="/console/payments/${p.id}">${p.id}</a> · ${t.payment} ${krw(p.amount)}</h2>
<p>${t.account}: ${p.account_id} · ${t.transaction}: ${p.transaction_id ?? '—'} · ${t.order}: ${p.order_id ?? '—'}</p>
<p>${t.evidence}:</p><pre>${JSON.stringify({ reviewReason: p.review_reason, failure: p.failure, reconcileAttempts: p.reconcile_attempts }, null, 2)}</pre>
${lastCheck(p.id)}${checkForm('payments', p.id)}${resolveForm('payments', p.id, PAYMENT_ENDS)}</li>`,
      ),
      ...cancels.map(
        (
          x,
        ) => html`<li class="card" data-id="${x.id}"><h2>${x.id} · cancel ${krw(x.amount)} of <a href="/console/payments/${x.payment_id}">${x.payment_id}</a></h2>
<p>${t.account}: ${x.account_id} · ${t.reason}: ${x.reason}</p>
<p>${t.evidence}:</p><pre>${JSON.stringify({ reviewReason: x.review_reason, pendingReason: x.pending_reason, failure: x.failure, reconcileAttempts: x.reconcile_attempts }, null, 2)}</pre>
${lastCheck(x.id)}${checkForm('cancellations', x.id)}${resolveForm('cancellations', x.id, CANCELLATION_ENDS)}</li>`,
      ),
    ]
    return page(
      c,
      t.needsReview,
      html`<h1>${t.needsReview}</h1>${items.length ? html`<ul class="review">${items}</ul>` : html`<p>${t.none}</p>`}`,
    )
  })

  // Check again now: one lookup at the PG, its answer kept (audited) as evidence next to the item. It changes no
  // state: what the PG shows is for the operator to weigh before resolving.
  app.post('/console/review/:kind/:id/check', async (c) => {
    const operator = c.get('session').operator
    const kind = c.req.param('kind')
    if (kind !== 'payments' && kind !== 'cancellations') return notFoundPage(c)
    const row = await rt.db
      .selectFrom(kind)
      .select(
        kind === 'payments'
          ? ['id', 'account_id', 'transaction_id', 'id as payment_id']
          : ['id', 'account_id', 'transaction_id', 'payment_id'],
      )
      .where('id', '=', c.req.param('id'))
      .where('merchant_id', '=', operator.merchantId)
      .executeTakeFirst()
    if (!row) return notFoundPage(c)
    const account = rt.merchants.get(operator.merchantId)?.accounts.get(row.account_id)
    let detail: Record<string, unknown>
    if (!account?.provider.capabilities.paymentLookup || !row.transaction_id)
      detail = {
        lookup: 'not available: this PG has no payment lookup, or the payment has no PG transaction id',
      }
    else
      try {
        const tid = row.transaction_id
        const at: CallSite = {
          rt,
          account,
          paymentId: row.payment_id,
          ...(kind === 'cancellations' ? { cancellationId: row.id } : {}),
          operation: 'lookup',
        }
        const found = await onPath('console', () => askPg(at, (pg) => pg.getTransaction(tid)))
        detail = {
          transactionId: found.transactionId,
          status: found.status,
          providerStatus: found.providerStatus,
          amount: found.amount,
          cancelledAmount: found.cancelledAmount,
          cancellableAmount: found.cancellableAmount,
          cancels: found.cancels?.length,
        }
      } catch (err) {
        detail = { lookup: 'failed', code: (err as { code?: string }).code ?? 'error' }
      }
    await recordAction(
      rt.db,
      operator,
      {
        action: 'check_again',
        object: { type: kind === 'payments' ? 'payment' : 'cancellation', id: row.id },
        detail,
      },
      rt.now(),
    )
    return c.redirect('/console/review', 303)
  })

  app.post('/console/review/:kind/:id/resolve', async (c) => {
    const kind = c.req.param('kind')
    const form = c.get('form')
    const note = (form.note ?? '').trim()
    if (kind === 'payments') return resolvePayment(c, rt, c.req.param('id'), form.state ?? '', note)
    if (kind === 'cancellations') return resolveCancellation(c, rt, c.req.param('id'), form.state ?? '', note)
    return notFoundPage(c)
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

async function resolvePayment(c: ConsoleContext, rt: Runtime, id: string, state: string, note: string) {
  const operator = c.get('session').operator
  const end = PAYMENT_ENDS.find((e) => e === state)
  if (!end) return badResolve(c, `state: one of ${PAYMENT_ENDS.join(', ')}`)
  if (!note || note.length > 1000) return badResolve(c, 'note: say what the evidence was (1-1000 characters)')
  const p = await rt.db
    .selectFrom('payments')
    .selectAll()
    .where('id', '=', id)
    .where('merchant_id', '=', operator.merchantId)
    .executeTakeFirst()
  if (!p) return notFoundPage(c)
  const now = rt.now()
  const applied = await rt.db.transaction().execute(async (trx) => {
    const done = await settlePayment(rt, trx, {
      payment: { id: p.id, merchantId: p.merchant_id, transactionId: p.transaction_id },
      from: ['needs_review'],
      status: end,
      event: end === 'paid' ? 'payment.paid' : 'payment.failed',
      now,
      resolvedBy: 'review',
      patch:
        end === 'failed'
          ? { failure: JSON.stringify({ code: 'resolved_by_operator', message: note.slice(0, 200) }) }
          : {},
    })
    if (done)
      await recordAction(
        trx,
        operator,
        { action: 'resolve', object: { type: 'payment', id: p.id }, detail: { state: end, note } },
        now,
      )
    return done
  })
  if (!applied) return badResolve(c, 'this payment is no longer in needs_review')
  return c.redirect('/console/review', 303)
}

async function resolveCancellation(c: ConsoleContext, rt: Runtime, id: string, state: string, note: string) {
  const operator = c.get('session').operator
  const end = CANCELLATION_ENDS.find((e) => e === state)
  if (!end) return badResolve(c, `state: one of ${CANCELLATION_ENDS.join(', ')}`)
  if (!note || note.length > 1000) return badResolve(c, 'note: say what the evidence was (1-1000 characters)')
  const x = await rt.db
    .selectFrom('cancellations')
    .selectAll()
    .where('id', '=', id)
    .where('merchant_id', '=', operator.merchantId)
    .executeTakeFirst()
  if (!x) return notFoundPage(c)
  const now = rt.now()
  const applied = await rt.db.transaction().execute(async (trx) => {
    const done = await settleCancellation(rt, trx, {
      cancellation: cancellationRef(x),
      from: ['needs_review'],
      end:
        end === 'succeeded'
          ? { status: 'succeeded', amount: Number(x.amount) }
          : { status: 'failed', failure: { code: 'resolved_by_operator', message: note.slice(0, 200) } },
      now,
      resolvedBy: 'review',
    })
    if (done)
      await recordAction(
        trx,
        operator,
        {
          action: 'resolve',
          object: { type: 'cancellation', id: x.id },
          detail: { state: end, note, paymentId: x.payment_id },
        },
        now,
      )
    return done
  })
  if (!applied) return badResolve(c, 'this cancellation is no longer in needs_review')
  return c.redirect('/console/review', 303)
}
