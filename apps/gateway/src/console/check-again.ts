import type { Hono } from 'hono'
import { html } from 'hono/html'
import { onPath } from '../call-log/path.js'
import { isLimited, underLookupLimit } from '../notifications/rate-limit.js'
import { resumeReviewedCancellation } from '../operations/resume-cancellation.js'
import { resumeReviewedPayment } from '../operations/resume-payment.js'
import type { ReviewCheck } from '../operations/resume-schedule.js'
import type { Runtime } from '../runtime.js'
import { recordAction } from './audit.js'
import { notFoundPage } from './auth.js'
import type { ConsoleEnv } from './env.js'
import { page } from './layout.js'
import { isReviewKind, ownReviewItem, REVIEW_KINDS } from './review-items.js'

/**
 * "Check again now": the reconciler's settle step for that one item, at once, under the account's PG lookup
 * limit (the one notifications use: an operator clicking cannot flood a PG either). Settled, the item leaves the
 * queue with its new status; not, it stays with what the PG showed. Either way the audit records who asked and
 * what came of it, and the queue shows the last answer next to the item.
 */
export function checkAgainRoutes(app: Hono<ConsoleEnv>, rt: Runtime): void {
  app.post('/console/review/:kind/:id/check', async (c) => {
    const t = c.get('t')
    const operator = c.get('session').operator
    const kind = c.req.param('kind')
    if (!isReviewKind(kind)) return notFoundPage(c)
    const row = await ownReviewItem(rt, kind, operator.merchantId, c.req.param('id'))
    if (!row) return notFoundPage(c)
    const account = rt.merchants.get(operator.merchantId)?.accounts.get(row.account_id)
    let check: ReviewCheck
    if (!account)
      check = { settled: false, status: row.status, evidence: `account ${row.account_id} is gone` }
    else {
      // Its PG calls are logged as the console's, whichever resume step makes them.
      const out = await underLookupLimit(rt, account.config.id, () =>
        onPath('console', () =>
          kind === 'payments'
            ? resumeReviewedPayment(rt, account, row as Parameters<typeof resumeReviewedPayment>[2])
            : resumeReviewedCancellation(
                rt,
                row as Parameters<typeof resumeReviewedCancellation>[1],
                account,
              ),
        ),
      )
      if (isLimited(out))
        return page(
          c,
          t.checkAgain,
          html`<h1>${t.checkAgain}</h1><p class="error" role="alert">${t.tooManyLookups} ${out.retryAfterSeconds} ${t.seconds}.</p><p><a href="/console/review">${t.back}</a></p>`,
          429,
        )
      check = out
    }
    await recordAction(
      rt.db,
      operator,
      {
        action: 'check_again',
        object: { type: REVIEW_KINDS[kind].objectType, id: row.id },
        detail: {
          settled: check.settled,
          status: check.status,
          evidence: check.evidence,
          ...(check.shown ? { shown: check.shown } : {}),
          ...('payment_id' in row ? { paymentId: row.payment_id } : {}),
        },
      },
      rt.now(),
    )
    if (!check.settled) return c.redirect('/console/review', 303)
    return page(
      c,
      t.checkAgain,
      html`<h1>${t.checkAgain}</h1><p class="note" role="status" data-settled="${check.status}">${t.settledAs} <strong>${check.status}</strong> — ${check.evidence}</p>
<p><a href="/console/payments/${'payment_id' in row ? row.payment_id : row.id}">${row.id}</a> · <a href="/console/review">${t.needsReview}</a></p>`,
    )
  })
}
