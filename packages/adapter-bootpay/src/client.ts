import {
  type CallOptions,
  type FetchLike,
  type HttpCallEvent,
  HttpTransport,
  type Logger,
  PaymentError,
  Redactor,
  TokenCache,
} from '@paymux/core'
import { V1_TOKEN_REJECTED, V2_TOKEN_REJECTED } from './codes.js'
import {
  type Answer,
  type ApiVersion,
  type CallContext,
  type Json,
  num,
  obj,
  PROVIDER,
  readAnswer,
  str,
  v1Code,
  v1Success,
  v2ErrorCode,
  v2Success,
} from './wire.js'

export type Credentials =
  | { kind: 'token'; applicationId: string; privateKey: string }
  | { kind: 'basic'; clientKey: string; secretKey: string }

export interface ClientOptions {
  apiVersion: ApiVersion
  credentials: Credentials
  baseUrl: string
  timeoutMs?: number
  connectTimeoutMs?: number
  fetch?: FetchLike
  clock: () => number
  logger?: Logger
  onCall?: (event: HttpCallEvent) => void
  /** Adds `.json` to the v1 routes that older Bootpay clients call with it. */
  v1JsonSuffix?: boolean
}

export interface Call {
  operation: string
  method: 'GET' | 'POST' | 'DELETE'
  /** Path below the version's base URL, without the v1 `.json` suffix. */
  path: string
  /** Whether this v1 route takes `.json` in the older clients (the billing-key DELETE does not). */
  jsonSuffix?: boolean
  query?: string
  body?: Json
  moneyMoving: boolean
  /** The path as logs and errors may show it, when the real one carries a secret (a billing key). */
  logPath?: string
}

/** A receipt id Bootpay never issues (its ids are 24 hex digits of an object id, never all zeros). */
const PROBE_RECEIPT_ID = '000000000000000000000000'

/** Bootpay documents 30 minutes; used when an answer does not say. */
const DEFAULT_TOKEN_TTL_MS = 30 * 60_000

/**
 * Speaks one Bootpay API generation with one credential: authentication (token or Basic), one HTTP transport,
 * and turning answers into data or PaymentErrors.
 */
export class BootpayClient {
  readonly version: ApiVersion
  readonly http: HttpTransport
  readonly redactor = new Redactor()
  readonly tokens: TokenCache | undefined
  #basic: string | undefined
  #credentials: Credentials
  #jsonSuffix: boolean
  #clock: () => number

  constructor(o: ClientOptions) {
    this.version = o.apiVersion
    this.#credentials = o.credentials
    this.#jsonSuffix = o.apiVersion === 'v1' && o.v1JsonSuffix === true
    this.#clock = o.clock
    const c = o.credentials
    if (c.kind === 'basic') {
      this.#basic = `Basic ${Buffer.from(`${c.clientKey}:${c.secretKey}`, 'utf8').toString('base64')}`
      this.redactor.add(c.secretKey)
      this.redactor.add(this.#basic.slice(6))
    } else {
      this.redactor.add(c.privateKey)
      this.tokens = new TokenCache({ issue: () => this.#issueToken(), clock: o.clock })
    }
    this.http = new HttpTransport({
      provider: PROVIDER,
      baseUrl: o.baseUrl,
      redactor: this.redactor,
      ...(o.fetch ? { fetch: o.fetch } : {}),
      ...(o.timeoutMs !== undefined ? { timeoutMs: o.timeoutMs } : {}),
      ...(o.connectTimeoutMs !== undefined ? { connectTimeoutMs: o.connectTimeoutMs } : {}),
      ...(o.logger ? { logger: o.logger } : {}),
      ...(o.onCall ? { onCall: o.onCall } : {}),
    })
  }

  #path(path: string, jsonSuffix: boolean, query?: string): string {
    const p = this.#jsonSuffix && jsonSuffix ? `${path}.json` : path
    return query ? `${p}?${query}` : p
  }

  #headers(auth: string | undefined): Record<string, string> {
    const h: Record<string, string> = { accept: 'application/json', 'content-type': 'application/json' }
    if (auth) h.authorization = auth
    return h
  }

  async #issueToken(): Promise<{ token: string; expiresAt: number }> {
    const c = this.#credentials
    if (c.kind !== 'token') throw new Error('no token in Basic mode')
    const ctx: CallContext = { operation: 'token', moneyMoving: false, redactor: this.redactor }
    const started = this.#clock()
    const res = await this.http.request({
      operation: 'token',
      method: 'POST',
      path: this.#path('/request/token', true),
      headers: this.#headers(undefined),
      body: JSON.stringify({ application_id: c.applicationId, private_key: c.privateKey }),
      moneyMoving: false,
    })
    const answer = readAnswer(res, ctx)
    try {
      return this.#readToken(answer, ctx, started)
    } catch (err) {
      // Bootpay answers an unknown application id with "not found" (-2410): on this call it means bad keys.
      if (err instanceof PaymentError && err.code === 'transaction_not_found') {
        throw new PaymentError({
          code: 'authentication_failed',
          provider: PROVIDER,
          ...(err.providerCode ? { providerCode: err.providerCode } : {}),
          ...(err.providerMessage ? { providerMessage: err.providerMessage } : {}),
          message: 'bootpay did not recognise the application id',
        })
      }
      throw err
    }
  }

  #readToken(answer: Answer, ctx: CallContext, started: number): { token: string; expiresAt: number } {
    let token: string | undefined
    let ttlMs: number | undefined
    if (this.version === 'v1') {
      const data = v1Success(answer, ctx)
      token = str(data.token)
      const expiredAt = num(data.expired_at)
      const serverTime = num(data.server_time)
      // Relative to the server's own clock, so a skewed local clock does not shorten or stretch the token.
      if (expiredAt !== undefined && serverTime !== undefined && expiredAt > serverTime) {
        ttlMs = (expiredAt - serverTime) * 1000
      }
    } else {
      const data = v2Success(answer, ctx)
      token = str(data.access_token)
      const expireIn = num(data.expire_in)
      if (expireIn !== undefined && expireIn > 0) ttlMs = expireIn * 1000
    }
    if (!token) {
      throw new PaymentError({
        code: 'invalid_response',
        outcome: 'rejected',
        provider: PROVIDER,
        message: 'bootpay token: the answer carries no token',
      })
    }
    this.redactor.add(token)
    return { token, expiresAt: started + (ttlMs ?? DEFAULT_TOKEN_TTL_MS) }
  }

  /** Fetches a token now (Basic mode: nothing to do), so the first real call does not pay for it. */
  async warmUp(): Promise<void> {
    await this.tokens?.get()
  }

  /**
   * The health probe's call: a token issued now, never the cached one (which asks Bootpay nothing); in Basic
   * mode, which has no token call, a lookup of a receipt id no receipt has, answered by Bootpay's "not found".
   * Refused keys throw `authentication_failed`.
   */
  async probe(options?: CallOptions): Promise<void> {
    if (!this.#basic) {
      await this.#issueToken()
      return
    }
    try {
      await this.call(
        {
          operation: 'probe',
          method: 'GET',
          path: `/receipt/${PROBE_RECEIPT_ID}`,
          query: 'lookup_user_data=false',
          moneyMoving: false,
        },
        options,
      )
    } catch (err) {
      if (err instanceof PaymentError && err.code === 'transaction_not_found') return
      throw err
    }
    throw new PaymentError({
      code: 'invalid_response',
      outcome: 'rejected',
      provider: PROVIDER,
      message: 'bootpay probe: a receipt was found under an id no receipt has',
    })
  }

  #isTokenRejected = (a: Answer | unknown): boolean => {
    if (!a || typeof a !== 'object' || !('status' in a) || !('json' in a)) return false
    const answer = a as Answer
    if (this.version === 'v2') {
      const code = v2ErrorCode(answer)
      return code !== undefined && V2_TOKEN_REJECTED.has(code)
    }
    const code = v1Code(answer)
    return (code !== undefined && V1_TOKEN_REJECTED.has(code)) || (answer.status === 401 && code !== '0')
  }

  async #send(call: Call, auth: string, options?: CallOptions): Promise<Answer> {
    const ctx: CallContext = {
      operation: call.operation,
      moneyMoving: call.moneyMoving,
      redactor: this.redactor,
    }
    const res = await this.http.request({
      operation: call.operation,
      method: call.method,
      path: this.#path(call.path, call.jsonSuffix ?? true, call.query),
      ...(call.logPath ? { logPath: call.logPath } : {}),
      headers: this.#headers(auth),
      ...(call.body ? { body: JSON.stringify(call.body) } : {}),
      moneyMoving: call.moneyMoving,
      ...(options?.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
      ...(options?.signal ? { signal: options.signal } : {}),
    })
    return readAnswer(res, ctx)
  }

  /**
   * Sends a call with the credential and returns the success body (v1: the envelope's `data`). A refused token
   * is replaced and the call sent once more: the refusal means Bootpay did nothing with the first one.
   */
  async call(call: Call, options?: CallOptions): Promise<Json> {
    const ctx: CallContext = {
      operation: call.operation,
      moneyMoving: call.moneyMoving,
      redactor: this.redactor,
    }
    let answer: Answer
    if (this.#basic) {
      answer = await this.#send(call, this.#basic, options)
    } else {
      const prefix = this.version === 'v2' ? 'Bearer ' : ''
      answer = await this.tokens!.withToken(
        (t) => this.#send(call, `${prefix}${t}`, options),
        this.#isTokenRejected,
      )
    }
    if (this.version === 'v1') {
      if (this.#isTokenRejected(answer)) return this.#authFailed(answer)
      return v1Success(answer, ctx)
    }
    return v2Success(answer, ctx)
  }

  #authFailed(a: Answer): never {
    throw new PaymentError({
      code: 'authentication_failed',
      provider: PROVIDER,
      providerCode: v1Code(a) ?? String(a.status),
      providerMessage: this.redactor.apply(str(obj(a.json)?.message) ?? ''),
      message: 'bootpay refused a freshly issued token',
    })
  }
}
