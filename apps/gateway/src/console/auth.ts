import { getCookie, setCookie, deleteCookie } from 'hono/cookie'
import { html } from 'hono/html'
import type { Hono, MiddlewareHandler } from 'hono'
import { sha256Hex } from '../crypto.js'
import type { Runtime } from '../runtime.js'
import { recordAction } from './audit.js'
import { type ConsoleContext, type ConsoleEnv, LANG_COOKIE, SESSION_COOKIE } from './env.js'
import { langOf, WORDS } from './i18n.js'
import { page } from './layout.js'
import type { OperatorIndex } from './config.js'
import { csrfMatches, type Session, type SessionStore, type SignInLimiter } from './sessions.js'

/** POSTs a viewer may still make: they change nothing but the viewer's own session. */
const VIEWER_POSTS = new Set(['/console/sign-out', '/console/language'])

/** The cookie's Secure flag when the browser reached us over TLS (directly or through a proxy that says so). */
function overTls(c: ConsoleContext): boolean {
  return new URL(c.req.url).protocol === 'https:' || c.req.header('x-forwarded-proto') === 'https'
}

function clientOf(c: ConsoleContext): string {
  return c.env?.incoming?.socket?.remoteAddress ?? 'local'
}

async function formOf(c: ConsoleContext): Promise<Record<string, string>> {
  const type = c.req.header('content-type') ?? ''
  if (!type.startsWith('application/x-www-form-urlencoded') && !type.startsWith('multipart/form-data'))
    return {}
  const body = await c.req.parseBody()
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(body)) if (typeof v === 'string') out[k] = v
  return out
}

/** Every request: its language (a cookie; English by default). */
export const language: MiddlewareHandler<ConsoleEnv> = async (c, next) => {
  const lang = langOf(getCookie(c, LANG_COOKIE))
  c.set('lang', lang)
  c.set('t', WORDS[lang])
  await next()
}

export const forbidden = (c: ConsoleContext) =>
  page(c, c.get('t').forbidden, html`<h1>${c.get('t').forbidden}</h1>`, 403)
export const notFoundPage = (c: ConsoleContext) =>
  page(c, c.get('t').notFound, html`<h1>${c.get('t').notFound}</h1>`, 404)

/**
 * Every page behind sign-in: a live session (else the sign-in page; a POST is refused), and on every POST the
 * form's CSRF token (missing or wrong: 403) and a role allowed to change things (a viewer: 403).
 */
export function requireSession(sessions: SessionStore): MiddlewareHandler<ConsoleEnv> {
  return async (c, next) => {
    const session = await sessions.get(getCookie(c, SESSION_COOKIE))
    if (!session) {
      if (c.req.method === 'GET') return c.redirect('/console/sign-in', 303)
      return forbidden(c)
    }
    c.set('session', session)
    if (c.req.method === 'POST') {
      const form = await formOf(c)
      if (!csrfMatches(session, form.csrf)) return forbidden(c)
      if (session.operator.role !== 'operator' && !VIEWER_POSTS.has(c.req.path)) return forbidden(c)
      c.set('form', form)
    }
    await next()
  }
}

function signInPage(c: ConsoleContext, error?: string, status: 200 | 422 | 429 = 200) {
  const t = c.get('t')
  return page(
    c,
    t.signIn,
    html`<div class="signin card"><h1>${t.title}</h1>
${error ? html`<p class="error" role="alert">${error}</p>` : ''}
<form method="post" action="/console/sign-in">
<label>${t.operatorKey}<input name="key" type="password" autocomplete="current-password" required></label>
<button class="primary" type="submit">${t.signIn}</button></form></div>`,
    status,
  )
}

/** Sign-in, sign-out and the language switch. */
export function authRoutes(
  app: Hono<ConsoleEnv>,
  rt: Runtime,
  deps: { operators: OperatorIndex; sessions: SessionStore; limiter: SignInLimiter },
): void {
  app.get('/console/sign-in', (c) => {
    const asked = c.req.query('lang')
    if (asked === 'en' || asked === 'ko') {
      setCookie(c, LANG_COOKIE, asked, { path: '/console', sameSite: 'Strict', httpOnly: true })
      c.set('lang', asked)
      c.set('t', WORDS[asked])
    }
    return signInPage(c)
  })

  app.post('/console/sign-in', async (c) => {
    const t = c.get('t')
    // No session yet, so no CSRF token: a sign-in posted from another site's page (signing the victim in as
    // the attacker) is refused by its Origin, which browsers send on every cross-site POST.
    const origin = c.req.header('origin')
    if (origin && origin !== new URL(c.req.url).origin) return forbidden(c)
    const client = clientOf(c)
    if (await deps.limiter.blocked(client)) return signInPage(c, t.tooManyAttempts, 429)
    const key = (await formOf(c)).key ?? ''
    const keyHash = key ? sha256Hex(key) : ''
    const operator = keyHash ? deps.operators.byHash(keyHash) : undefined
    if (!operator) {
      await deps.limiter.failed(client)
      return signInPage(c, t.signInFailed, 422)
    }
    const { token } = await deps.sessions.open(keyHash)
    setCookie(c, SESSION_COOKIE, token, {
      path: '/console',
      httpOnly: true,
      sameSite: 'Strict',
      secure: overTls(c),
    })
    await recordAction(rt.db, operator, { action: 'sign_in' }, rt.now())
    return c.redirect('/console/payments', 303)
  })
}

/** Sign-out and the language switch (behind the session and its CSRF check). */
export function sessionRoutes(app: Hono<ConsoleEnv>, rt: Runtime, sessions: SessionStore): void {
  app.post('/console/sign-out', async (c) => {
    const s: Session = c.get('session')
    await sessions.revoke(s.hash)
    deleteCookie(c, SESSION_COOKIE, { path: '/console' })
    await recordAction(rt.db, s.operator, { action: 'sign_out' }, rt.now())
    return c.redirect('/console/sign-in', 303)
  })
  app.post('/console/language', (c) => {
    const lang = langOf(c.get('form').lang)
    setCookie(c, LANG_COOKIE, lang, { path: '/console', sameSite: 'Strict', httpOnly: true })
    // Back to the page it was switched on: only a console path of this origin, never a URL the header names.
    let back = '/console/payments'
    try {
      const ref = new URL(c.req.header('referer') ?? '')
      if (ref.origin === new URL(c.req.url).origin && ref.pathname.startsWith('/console/'))
        back = ref.pathname + ref.search
    } catch {}
    return c.redirect(back, 303)
  })
}
