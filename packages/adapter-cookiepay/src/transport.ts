import {
  type CallOptions,
  errorFromTable,
  type HttpCallEvent,
  type HttpResponse,
  HttpTransport,
  type IssuedToken,
  jwtExpiry,
  type Logger,
  PaymentError,
  TokenCache,
} from '@paymux/core'
import type { FetchLike } from '@paymux/core'
import { errorForAnswer, isTokenRejection, SUCCESS, TOKEN_CODES, TOKEN_FALLBACK } from './codes.js'
import { type Answer, invalidResponse, jsonHeaders, PROVIDER, readAnswer, readJson } from './wire.js'

/** The manual states no token lifetime; captured tokens carry exp = iat + 3600 [VENDOR data]. */
export const DEFAULT_TOKEN_LIFETIME_MS = 3600_000

export interface ClientOptions {
  apiId: string
  apiKey: string
  baseUrl: string
  timeoutMs?: number
  connectTimeoutMs?: number
  fetch?: FetchLike
  clock: () => number
  logger?: Logger
  onCall?: (event: HttpCallEvent) => void
  tokenRefreshAheadMs?: number
}

export interface ApiCall {
  operation: string
  path: string
  body: Record<string, unknown>
  moneyMoving: boolean
  /** Send the `ApiKey` header (cancel, deposit account, paycert) or not (paysearch: TOKEN only). */
  apiKeyHeader: boolean
}

/**
 * One CookiePay credential pair on one host: the token cache and the TOKEN-protected calls. A pair is one
 * CookiePay payment type, so a merchant with several types has several clients (one adapter each).
 */
export class CookiePayClient {
  readonly http: HttpTransport
  readonly tokens: TokenCache
  readonly #apiId: string
  readonly #apiKey: string
  readonly #clock: () => number

  constructor(o: ClientOptions) {
    this.#apiId = o.apiId
    this.#apiKey = o.apiKey
    this.#clock = o.clock
    this.http = new HttpTransport({
      provider: PROVIDER,
      baseUrl: o.baseUrl,
      ...(o.fetch ? { fetch: o.fetch } : {}),
      ...(o.timeoutMs !== undefined ? { timeoutMs: o.timeoutMs } : {}),
      ...(o.connectTimeoutMs !== undefined ? { connectTimeoutMs: o.connectTimeoutMs } : {}),
      ...(o.logger ? { logger: o.logger } : {}),
      ...(o.onCall ? { onCall: o.onCall } : {}),
    })
    this.http.redactor.add(o.apiKey)
    this.tokens = new TokenCache({
      issue: () => this.#issueToken(),
      clock: o.clock,
      ...(o.tokenRefreshAheadMs !== undefined ? { refreshAheadMs: o.tokenRefreshAheadMs } : {}),
    })
  }

  /**
   * Issuing a token moves no money, so an unreadable token answer (an HTML error page, `0000` without TOKEN,
   * as integrators have seen) is asked once more. A refused pair is not: asking again cannot fix it.
   */
  async #issueToken(): Promise<IssuedToken> {
    try {
      return await this.#issueTokenOnce()
    } catch (err) {
      if (!(err instanceof PaymentError) || err.code !== 'invalid_response') throw err
      return this.#issueTokenOnce()
    }
  }

  /**
   * The health probe's call: one token issued now, never the cached one (which asks CookiePay nothing), and not
   * asked again when unreadable (a probe reports what it heard). A refused pair (E003) throws
   * `authentication_failed`.
   */
  async probe(): Promise<void> {
    await this.#issueTokenOnce()
  }

  async #issueTokenOnce(): Promise<IssuedToken> {
    const res = await this.http.request({
      operation: 'token',
      method: 'POST',
      path: '/payAuth/token',
      headers: jsonHeaders(),
      body: JSON.stringify({ pay2_id: this.#apiId, pay2_key: this.#apiKey }),
      moneyMoving: false,
    })
    const a = readAnswer(res, 'token', false)
    if (a.code !== SUCCESS) throw errorFromTable(TOKEN_CODES, PROVIDER, a.code, a.message, TOKEN_FALLBACK)
    const token = a.fields.get('TOKEN')
    // [3P] a 0000 answer without TOKEN has been seen in the wild: nothing to cache, nothing moved.
    if (!token) throw invalidResponse('token', 'RTN_CD 0000 without a TOKEN', false)
    this.http.redactor.add(token)
    const now = this.#clock()
    const exp = jwtExpiry(token)
    // A JWT that already looks expired by our clock (skew) still gets a short life rather than one call.
    const expiresAt = exp === undefined ? now + DEFAULT_TOKEN_LIFETIME_MS : Math.max(exp, now + 60_000)
    return { token, expiresAt }
  }

  /**
   * POSTs JSON with TOKEN (+ ApiKey) and reads the answer. A refused TOKEN is dropped and the call made once
   * more with a fresh one; that is safe for money-moving calls because a refusal means nothing was done.
   */
  async call(c: ApiCall, options?: CallOptions): Promise<Answer> {
    const send = (token: string) =>
      this.#post(c, token, options).then((res) => readAnswer(res, c.operation, c.moneyMoving))
    const answer = await this.tokens.withToken(send, (r) => {
      // Only an answer can refuse a token: an error (timeout, broken connection) is never repeated.
      if (r instanceof Error) return false
      const a = r as Partial<Answer> | undefined
      return typeof a?.code === 'string' && isTokenRejection(a.code, a.message ?? '')
    })
    if (isTokenRejection(answer.code, answer.message)) {
      const err = errorForAnswer(answer.code, answer.message, false)
      throw new PaymentError({
        code: 'authentication_failed',
        provider: PROVIDER,
        providerCode: answer.code,
        providerMessage: answer.message,
        message: `cookiepay ${c.operation}: a fresh TOKEN was refused as well (${err.message})`,
      })
    }
    return answer
  }

  /** Like `call`, for endpoints that answer a JSON array (paysearch). Token refusals come back as objects. */
  async callRaw(c: ApiCall, options?: CallOptions): Promise<{ value: unknown; status: number }> {
    const send = async (token: string) => {
      const res = await this.#post(c, token, options)
      return { value: readJson(res, c.operation, c.moneyMoving).value, status: res.status }
    }
    return this.tokens.withToken(send, (r) => {
      if (r instanceof Error) return false
      const v = (r as { value?: unknown } | undefined)?.value
      if (typeof v !== 'object' || v === null || Array.isArray(v)) return false
      const o = v as Record<string, unknown>
      const code = String(o.RESULTCODE ?? o.resultcode ?? '')
      return code !== '' && isTokenRejection(code, String(o.RESULTMSG ?? o.resultmsg ?? ''))
    })
  }

  /**
   * A call authenticated by the `ApiKey` header alone, without a TOKEN: the payment window (`/pay/ready`) and
   * the ENC_DATA decrypt, as CookiePay's own plugins make them. The raw answer: pay/ready answers HTML.
   */
  postWithApiKey(
    c: { operation: string; path: string; body: string; contentType: string; accept: string },
    options?: CallOptions,
  ): Promise<HttpResponse> {
    return this.http.request({
      operation: c.operation,
      method: 'POST',
      path: c.path,
      headers: { 'content-type': c.contentType, accept: c.accept, ApiKey: this.#apiKey },
      body: c.body,
      moneyMoving: false,
      ...(options?.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
      ...(options?.signal ? { signal: options.signal } : {}),
    })
  }

  #post(c: ApiCall, token: string, options?: CallOptions): Promise<HttpResponse> {
    return this.http.request({
      operation: c.operation,
      method: 'POST',
      path: c.path,
      headers: jsonHeaders(c.apiKeyHeader ? { TOKEN: token, ApiKey: this.#apiKey } : { TOKEN: token }),
      body: JSON.stringify(c.body),
      moneyMoving: c.moneyMoving,
      ...(options?.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
      ...(options?.signal ? { signal: options.signal } : {}),
    })
  }
}
