import { createHmac, timingSafeEqual } from 'node:crypto'

/**
 * CookiePay's TOKEN is an HS256 JWT whose payload is `{__ci_last_regenerate, user, iat, exp = iat + 3600}`
 * (three captured tokens, decoded). The simulator signs its own with a per-instance secret.
 */
export interface TokenClaims {
  __ci_last_regenerate: number
  user: string
  iat: number
  exp: number
}

const b64 = (v: string | Buffer) => Buffer.from(v).toString('base64url')

export function signJwt(claims: TokenClaims, secret: string): string {
  const head = b64(JSON.stringify({ typ: 'JWT', alg: 'HS256' }))
  const body = b64(JSON.stringify(claims))
  const sig = createHmac('sha256', secret).update(`${head}.${body}`).digest('base64url')
  return `${head}.${body}.${sig}`
}

/** The claims of a token this simulator signed, or undefined (forged, truncated, foreign). */
export function verifyJwt(token: string, secret: string): TokenClaims | undefined {
  const parts = token.split('.')
  if (parts.length !== 3) return undefined
  const [head, body, sig] = parts as [string, string, string]
  const want = createHmac('sha256', secret).update(`${head}.${body}`).digest()
  const got = Buffer.from(sig, 'base64url')
  if (got.length !== want.length || !timingSafeEqual(got, want)) return undefined
  try {
    const c = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as TokenClaims
    return typeof c.user === 'string' && typeof c.exp === 'number' ? c : undefined
  } catch {
    return undefined
  }
}
