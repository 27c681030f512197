import { Hono } from 'hono'
import type { Runtime } from '../runtime.js'
import { CONSOLE_CSS, CONSOLE_JS } from './assets.js'
import { authRoutes, language, notFoundPage, requireSession, sessionRoutes } from './auth.js'
import type { ConsoleEnv } from './env.js'
import { OperatorIndex } from './config.js'
import { paymentPageRoutes } from './payment-page.js'
import { paymentsListRoutes } from './payments-list.js'
import { refundRoutes } from './refund.js'
import { SessionStore, SignInLimiter } from './sessions.js'
import { workRoutes } from './work-pages.js'

const ASSET_HEADERS = { 'cache-control': 'public, max-age=3600', 'x-content-type-options': 'nosniff' }

/**
 * /console: the operators' pages, served by the gateway itself (no CDN, no build step). Sign-in and the assets
 * are open; everything else needs a session, and every POST its CSRF token and the operator role.
 */
export function consoleRoutes(rt: Runtime) {
  const app = new Hono<ConsoleEnv>()
  const now = () => rt.now()
  const operators = new OperatorIndex(rt.config.merchants)
  // Both in the database: every gateway process accepts the same sessions and counts the same failures.
  const sessions = new SessionStore(rt.db, operators, now)
  const limiter = new SignInLimiter(rt.db, now)

  app.get('/console/assets/console.css', (c) =>
    c.body(CONSOLE_CSS, 200, { ...ASSET_HEADERS, 'content-type': 'text/css; charset=utf-8' }),
  )
  app.get('/console/assets/console.js', (c) =>
    c.body(CONSOLE_JS, 200, { ...ASSET_HEADERS, 'content-type': 'text/javascript; charset=utf-8' }),
  )
  app.use('/console', language)
  app.use('/console/*', language)
  authRoutes(app, rt, { operators, sessions, limiter })
  app.use('/console', requireSession(sessions))
  app.use('/console/*', requireSession(sessions))
  app.get('/console', (c) => c.redirect('/console/payments', 303))
  sessionRoutes(app, rt, sessions)
  paymentsListRoutes(app, rt)
  paymentPageRoutes(app, rt)
  refundRoutes(app, rt)
  workRoutes(app, rt)
  app.all('/console/*', (c) => notFoundPage(c))
  return app
}
