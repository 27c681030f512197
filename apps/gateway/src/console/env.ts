import type { Context } from 'hono'
import type { AppEnv } from '../http/env.js'
import type { Lang, Words } from './i18n.js'
import type { Session } from './sessions.js'

/** What a console request carries: its session once signed in, and the language it is shown in. */
export type ConsoleEnv = {
  Bindings: AppEnv['Bindings']
  Variables: AppEnv['Variables'] & {
    session: Session
    lang: Lang
    t: Words
    /** The form fields of a POST, read once by the CSRF check. */
    form: Record<string, string>
  }
}
export type ConsoleContext = Context<ConsoleEnv>

export const SESSION_COOKIE = 'paymux_console'
export const LANG_COOKIE = 'paymux_console_lang'
