import { randomBytes } from 'node:crypto'
import { signJwt, verifyJwt } from './jwt.js'
import type { ResolvedSettings } from './settings.js'

/** Issued TOKENs. A token is good while signed by us, issued by us, not revoked and before its `exp`. */
export class TokenStore {
  readonly #secret = randomBytes(32).toString('hex')
  readonly #live = new Map<string, { apiId: string; expMs: number }>()
  readonly #s: ResolvedSettings
  issued = 0

  constructor(s: ResolvedSettings) {
    this.#s = s
  }

  issue(apiId: string): string {
    const now = this.#s.clock()
    const iat = Math.floor(now / 1000)
    const exp = iat + this.#s.tokenTtlSeconds
    const token =
      this.#s.tokenFormat === 'jwt'
        ? signJwt({ __ci_last_regenerate: iat, user: apiId, iat, exp }, this.#secret)
        : randomBytes(24).toString('hex')
    this.#live.set(token, { apiId, expMs: exp * 1000 })
    this.issued++
    return token
  }

  /** The 연동 ID a valid token belongs to. */
  check(token: string | undefined): string | undefined {
    if (!token) return undefined
    const rec = this.#live.get(token)
    if (!rec) return undefined
    if (this.#s.tokenFormat === 'jwt' && !verifyJwt(token, this.#secret)) return undefined
    if (this.#s.clock() >= rec.expMs) {
      this.#live.delete(token)
      return undefined
    }
    return rec.apiId
  }

  /** Makes every issued token invalid (a CookiePay-side logout / key rotation). */
  revokeAll(): void {
    this.#live.clear()
  }
}
