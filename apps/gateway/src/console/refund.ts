import { onPath } from '../call-log/path.js'
import { randomBytes } from 'node:crypto'
import type { Hono } from 'hono'
import { html } from 'hono/html'
import { canonicalJson, IdempotencyScope, isKeyTaken } from '../idempotency-keys.js'
import { type CancelInput, cancelOperation } from '../operations/cancel.js'
import { runOperation } from '../operations/engine.js'
import type { PaymentRow } from '../db/schema.js'
import type { Runtime } from '../runtime.js'
import { recordAction } from './audit.js'
import { notFoundPage } from './auth.js'
import type { ConsoleContext, ConsoleEnv } from './env.js'
import { krw } from './i18n.js'
import { csrfField, page } from './layout.js'
import { cancellableOf, ownPayment } from './payment-page.js'

const FORM_TOKEN = /^[A-Za-z0-9_-]{22,64}$/

interface RefundForm {
  amount: string
  reason: string
  bankCode: string
  accountNumber: string
  holderName: string
  formToken: string
}

const fieldsOf = (f: Record<string, string>): RefundForm => ({
  amount: (f.amount ?? '').replaceAll(',', '').trim(),
  reason: (f.reason ?? '').trim(),
  bankCode: (f.bankCode ?? '').trim(),
  accountNumber: (f.accountNumber ?? '').trim(),
  holderName: (f.holderName ?? '').trim(),
  formToken: f.formToken ?? '',
})

const needsRefundAccount = (p: PaymentRow) => p.method === 'virtual_account'

/**
 * The refund form's answers checked before anything is recorded or sent: every problem named by its field. The
 * same engine checks again (the balance may have moved); this only spares the operator a round trip.
 */
function check(
  p: PaymentRow,
  f: RefundForm,
  cancellable = cancellableOf(p),
): { input: CancelInput; errors: string[] } {
  const errors: string[] = []
  const amount = Number(f.amount)
  if (!/^\d+$/.test(f.amount) || !Number.isSafeInteger(amount) || amount < 1)
    errors.push('Amount: a whole number of won, at least 1')
  else if (amount > cancellable) errors.push(`Amount: at most ${krw(cancellable)} can be refunded`)
  if (!f.reason) errors.push('Reason: say why (the PG and the audit record it)')
  else if (f.reason.length > 500) errors.push('Reason: at most 500 characters')
  if (!FORM_TOKEN.test(f.formToken)) errors.push('The form expired: open the refund form again')
  const input: CancelInput = { paymentId: p.id, amount, reason: f.reason }
  if (needsRefundAccount(p)) {
    if (!/^\d{3}$/.test(f.bankCode)) errors.push('Bank code: the 3-digit bank code')
    if (!/^[0-9-]{6,20}$/.test(f.accountNumber)) errors.push('Account number: 6-20 digits')
    if (!f.holderName) errors.push('Account holder: the name on the account')
    input.refundAccount = { bankCode: f.bankCode, accountNumber: f.accountNumber, holderName: f.holderName }
  }
  return { input, errors }
}

function formPage(c: ConsoleContext, p: PaymentRow, f: RefundForm, errors: string[] = []) {
  const t = c.get('t')
  return page(
    c,
    t.refundTitle,
    html`<h1>${t.refundTitle}: ${p.id}</h1>
<p>${t.cancellable}: <strong>${krw(cancellableOf(p))}</strong></p>
${errors.length ? html`<ul class="error" role="alert">${errors.map((e) => html`<li>${e}</li>`)}</ul>` : ''}
<form class="card" method="post" action="/console/payments/${p.id}/refund">${csrfField(c)}
<input type="hidden" name="formToken" value="${f.formToken}">
<label>${t.amount}<input name="amount" inputmode="numeric" value="${f.amount}" required></label>
<label>${t.reason}<input name="reason" value="${f.reason}" maxlength="500" required></label>
${
  needsRefundAccount(p)
    ? html`<fieldset><legend>${t.refundAccount}</legend>
<label>${t.bankCode}<input name="bankCode" value="${f.bankCode}" inputmode="numeric"></label>
<label>${t.accountNumber}<input name="accountNumber" value="${f.accountNumber}" inputmode="numeric"></label>
<label>${t.holderName}<input name="holderName" value="${f.holderName}"></label></fieldset>`
    : ''
}
<p><button class="primary" type="submit">${t.review}</button> <a href="/console/payments/${p.id}">${t.back}</a></p></form>`,
    errors.length ? 422 : 200,
  )
}

/**
 * Refunds (operators only; the session check refuses a viewer's POST): a form, a confirmation step, then the
 * same cancel operation the API runs, under an Idempotency-Key derived from the form's token. A double click or
 * a reload of the confirmation sends the same token, so it finds the first refund instead of making another.
 */
export function refundRoutes(app: Hono<ConsoleEnv>, rt: Runtime): void {
  app.get('/console/payments/:id/refund', async (c) => {
    const p = await ownPayment(rt, c, c.req.param('id'))
    if (!p) return notFoundPage(c)
    // The viewer never gets the form (and the POST refuses them anyway).
    if (c.get('session').operator.role !== 'operator') return c.redirect(`/console/payments/${p.id}`, 303)
    const token = randomBytes(18).toString('base64url')
    return formPage(c, p, { ...fieldsOf({}), amount: String(cancellableOf(p)), formToken: token })
  })

  app.post('/console/payments/:id/refund', async (c) => {
    const t = c.get('t')
    const p = await ownPayment(rt, c, c.req.param('id'))
    if (!p) return notFoundPage(c)
    const f = fieldsOf(c.get('form'))
    const { input, errors } = check(p, f)
    if (errors.length) return formPage(c, p, f, errors)
    const hidden = (name: keyof RefundForm) => html`<input type="hidden" name="${name}" value="${f[name]}">`
    return page(
      c,
      t.confirmRefund,
      html`<h1>${t.confirmRefund}: ${p.id}</h1>
<div class="card"><p>${t.amount}: <strong>${krw(input.amount)}</strong></p><p>${t.reason}: ${input.reason}</p>
${input.refundAccount ? html`<p>${t.refundAccount}: ${input.refundAccount.bankCode} ${input.refundAccount.accountNumber} ${input.refundAccount.holderName}</p>` : ''}
<form method="post" action="/console/payments/${p.id}/refund/confirm" data-once>${csrfField(c)}
${(['formToken', 'amount', 'reason', 'bankCode', 'accountNumber', 'holderName'] as const).map(hidden)}
<button class="danger" type="submit">${t.confirmRefund}</button> <a href="/console/payments/${p.id}">${t.back}</a></form></div>`,
    )
  })

  app.post('/console/payments/:id/refund/confirm', async (c) => {
    const t = c.get('t')
    const operator = c.get('session').operator
    const p = await ownPayment(rt, c, c.req.param('id'))
    if (!p) return notFoundPage(c)
    const f = fieldsOf(c.get('form'))
    if (!FORM_TOKEN.test(f.formToken))
      return formPage(c, p, f, ['The form expired: open the refund form again'])
    const scope = new IdempotencyScope(
      operator.merchantId,
      `console-refund:${f.formToken}`,
      rt.vault.fingerprint(`POST /v1/cancellations\n${canonicalJson({ paymentId: p.id, form: f })}`),
    )
    // Checked against the payment's total, not what remains: a repeat of a confirmed refund (the balance already
    // reduced by it) must reach the key and find the first answer. The engine checks the balance itself.
    const { input, errors } = check(p, f, p.amount ?? 0)
    if (errors.length) return formPage(c, p, f, errors)
    const outcome = await onPath('console', () =>
      runOperation(rt, cancelOperation, operator.merchantId, input, scope),
    )
    // The same form again (double click, reload): the first refund stands, shown on the payment. The same token
    // with other fields is not a repeat but an altered form: refused, nothing sent.
    if (isKeyTaken(outcome)) {
      if (outcome.claim !== 'mismatch') return c.redirect(`/console/payments/${p.id}`, 303)
      return formPage(c, p, { ...f, formToken: randomBytes(18).toString('base64url') }, [
        'This form was already used for another refund: check the amounts and confirm again',
      ])
    }
    const result =
      'body' in outcome
        ? { cancellationId: outcome.body.id, status: outcome.body.status }
        : { error: outcome.error.code, message: outcome.error.message }
    await recordAction(
      rt.db,
      operator,
      {
        action: 'refund',
        object: { type: 'payment', id: p.id },
        detail: { amount: input.amount, reason: input.reason, ...result },
      },
      rt.now(),
    )
    if ('error' in outcome)
      return page(
        c,
        t.refundNotDone,
        html`<h1>${t.refundNotDone}</h1><p class="error" role="alert">${outcome.error.message}</p><p><a href="/console/payments/${p.id}">${t.back}</a></p>`,
        outcome.status === 404 ? 404 : outcome.status === 409 ? 409 : 422,
      )
    return c.redirect(`/console/payments/${p.id}`, 303)
  })
}
