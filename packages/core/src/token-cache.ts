export interface IssuedToken {
  token: string
  /** Epoch milliseconds at which the PG stops accepting the token. */
  expiresAt: number
}

export interface TokenCacheOptions {
  /** Asks the PG for a new token. Called at most once at a time. */
  issue: () => Promise<IssuedToken>
  clock?: () => number
  /** Refresh this long before expiry (clock skew, slow calls). Default 5 minutes, capped at half the lifetime. */
  refreshAheadMs?: number
}

/**
 * A token cache for one credential. Single-flight: however many calls arrive while a token is being issued,
 * the PG sees one token request. Refreshes ahead of expiry, and `withToken` retries once with a fresh token
 * when the PG says the token is no longer valid.
 */
export class TokenCache {
  #issue: () => Promise<IssuedToken>
  #clock: () => number
  #ahead: number
  #current: (IssuedToken & { issuedAt: number }) | undefined
  #inflight: Promise<string> | undefined
  /** How many tokens were issued: for tests and metrics. */
  issued = 0

  constructor(opts: TokenCacheOptions) {
    this.#issue = opts.issue
    this.#clock = opts.clock ?? Date.now
    this.#ahead = opts.refreshAheadMs ?? 5 * 60_000
  }

  #fresh(now: number): boolean {
    const t = this.#current
    if (!t) return false
    const ahead = Math.min(this.#ahead, (t.expiresAt - t.issuedAt) / 2)
    return now < t.expiresAt - ahead
  }

  get(): Promise<string> {
    const now = this.#clock()
    if (this.#current && this.#fresh(now)) return Promise.resolve(this.#current.token)
    if (this.#inflight) return this.#inflight
    const p = (async () => {
      try {
        const issuedAt = this.#clock()
        const t = await this.#issue()
        this.issued++
        this.#current = { ...t, issuedAt }
        return t.token
      } finally {
        this.#inflight = undefined
      }
    })()
    this.#inflight = p
    return p
  }

  /** Forgets `token` (or whatever is cached) so the next `get` issues a new one. */
  invalidate(token?: string): void {
    if (!token || this.#current?.token === token) this.#current = undefined
  }

  /**
   * Runs `call` with a token. When `isTokenRejected` says the PG refused the token, the token is dropped and
   * `call` runs once more with a fresh one; a second refusal is returned to the caller as it is.
   */
  async withToken<T>(
    call: (token: string) => Promise<T>,
    isTokenRejected: (result: T | unknown) => boolean,
  ): Promise<T> {
    const token = await this.get()
    let first: T
    try {
      first = await call(token)
    } catch (err) {
      if (!isTokenRejected(err)) throw err
      this.invalidate(token)
      return call(await this.get())
    }
    if (!isTokenRejected(first)) return first
    this.invalidate(token)
    return call(await this.get())
  }
}

/** Reads `exp` (seconds) from a JWT without verifying it; undefined when the token is not a JWT. */
export function jwtExpiry(token: string): number | undefined {
  const part = token.split('.')[1]
  if (!part) return undefined
  try {
    const json = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as { exp?: unknown }
    return typeof json.exp === 'number' && Number.isFinite(json.exp) ? json.exp * 1000 : undefined
  } catch {
    return undefined
  }
}
