import { randomBytes, timingSafeEqual } from 'node:crypto'
import type { Operator } from './config.js'

export interface Session {
  id: string
  operator: Operator
  /** Sent in every form and compared with the session's on every POST (missing or wrong: 403). */
  csrf: string
  createdAt: number
  lastSeen: number
}

/** A session ends after this long without a request… */
export const IDLE_MS = 30 * 60_000
/** …and after this long in any case: a key taken away from a person stops working within a shift. */
export const ABSOLUTE_MS = 8 * 3600_000

const token = () => randomBytes(32).toString('base64url')

/**
 * Console sessions, in this process's memory: a restart signs everyone out, which for a handful of operators is
 * the safe failure. The cookie holds only the random id; nothing about the operator is in it.
 */
export class SessionStore {
  readonly #sessions = new Map<string, Session>()

  constructor(private readonly now: () => number) {}

  open(operator: Operator): Session {
    this.#sweep()
    const at = this.now()
    const s: Session = { id: token(), operator, csrf: token(), createdAt: at, lastSeen: at }
    this.#sessions.set(s.id, s)
    return s
  }

  /** The live session with this id (its idle clock restarted), or nothing once it expired. */
  get(id: string | undefined): Session | undefined {
    if (!id) return undefined
    const s = this.#sessions.get(id)
    if (!s) return undefined
    const at = this.now()
    if (at - s.lastSeen > IDLE_MS || at - s.createdAt > ABSOLUTE_MS) {
      this.#sessions.delete(id)
      return undefined
    }
    s.lastSeen = at
    return s
  }

  close(id: string): void {
    this.#sessions.delete(id)
  }

  #sweep(): void {
    const at = this.now()
    for (const [id, s] of this.#sessions)
      if (at - s.lastSeen > IDLE_MS || at - s.createdAt > ABSOLUTE_MS) this.#sessions.delete(id)
  }
}

/** The form's CSRF token against the session's, in constant time. */
export function csrfMatches(session: Session, presented: unknown): boolean {
  if (typeof presented !== 'string' || presented.length === 0) return false
  const a = Buffer.from(session.csrf)
  const b = Buffer.from(presented)
  return a.length === b.length && timingSafeEqual(a, b)
}

/**
 * Failed sign-ins per client address: after `max` failures in `windowMs` the address is refused (429) until the
 * window passes, whether the next key is right or not, so guessing keys costs time.
 */
export class SignInLimiter {
  readonly #failures = new Map<string, number[]>()

  constructor(
    private readonly now: () => number,
    readonly max = 5,
    readonly windowMs = 15 * 60_000,
  ) {}

  blocked(client: string): boolean {
    return this.#recent(client).length >= this.max
  }

  failed(client: string): void {
    const list = this.#recent(client)
    list.push(this.now())
    this.#failures.set(client, list)
  }

  #recent(client: string): number[] {
    const since = this.now() - this.windowMs
    const list = (this.#failures.get(client) ?? []).filter((t) => t > since)
    if (list.length) this.#failures.set(client, list)
    else this.#failures.delete(client)
    return list
  }
}
