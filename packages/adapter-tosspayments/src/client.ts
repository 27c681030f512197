import {
  type CallOptions,
  type CodeMapping,
  type FetchLike,
  type HttpCallEvent,
  HttpTransport,
  type Logger,
  PaymentError,
  Redactor,
} from '@paymux/core'
import { errorForAnswer } from './codes.js'
import { basicAuth, invalidResponse, type Json, jsonObject, PROVIDER, str } from './wire.js'

export interface TossClientOptions {
  secretKey: string
  baseUrl: string
  fetch?: FetchLike
  timeoutMs?: number
  connectTimeoutMs?: number
  logger?: Logger
  onCall?: (event: HttpCallEvent) => void
}

export interface TossCall {
  operation: string
  method: 'GET' | 'POST' | 'DELETE'
  path: string
  /** The path as logs may show it (a billing key is a credential). */
  logPath?: string
  body?: Json
  /** Sent as `Idempotency-Key`: one per logical operation, the same on every re-send of it (spec §1.5). */
  idempotencyKey?: string
  moneyMoving: boolean
  /** Per-call readings of codes (a NOT_FOUND on a billing charge is the key, not a payment). */
  codeOverrides?: Readonly<Record<string, CodeMapping>>
}

/** One Toss answer that is not an error: its status and JSON object. */
export interface TossAnswer {
  status: number
  body: Json
}

/**
 * The Toss wire: JSON over HTTPS with Basic auth on every call (spec §1.1), errors as `{code, message}` with a
 * per-code HTTP status (spec §1.6). Success is a 2xx JSON object; everything else throws a classified error.
 */
export class TossClient {
  readonly redactor = new Redactor()
  readonly #http: HttpTransport
  readonly #auth: string

  constructor(o: TossClientOptions) {
    this.#auth = basicAuth(o.secretKey)
    this.redactor.add(o.secretKey)
    this.redactor.add(this.#auth.slice(6))
    this.#http = new HttpTransport({
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

  async call(call: TossCall, options?: CallOptions): Promise<TossAnswer> {
    const headers: Record<string, string> = {
      authorization: this.#auth,
      accept: 'application/json',
      ...(call.body ? { 'content-type': 'application/json' } : {}),
      ...(call.idempotencyKey ? { 'idempotency-key': call.idempotencyKey } : {}),
    }
    const res = await this.#http.request({
      operation: call.operation,
      method: call.method,
      path: call.path,
      ...(call.logPath ? { logPath: call.logPath } : {}),
      headers,
      ...(call.body ? { body: JSON.stringify(call.body) } : {}),
      moneyMoving: call.moneyMoving,
      ...(options?.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
      ...(options?.signal ? { signal: options.signal } : {}),
    })
    const body = jsonObject(res)
    const ok = res.status >= 200 && res.status < 300
    if (ok) {
      // A success without a JSON object, or one shaped like an error, is not an answer anyone can act on.
      if (!body)
        throw invalidResponse(
          call.operation,
          `HTTP ${res.status} with a body that is not JSON`,
          call.moneyMoving,
        )
      if (typeof body.code === 'string' && typeof body.message === 'string' && body.paymentKey === undefined)
        throw invalidResponse(
          call.operation,
          `HTTP ${res.status} carrying an error ${this.redactor.apply(body.code)}`,
          call.moneyMoving,
        )
      return { status: res.status, body }
    }
    // What Toss sends back is text it chose: an echo of the key in it must not reach an error or a log.
    const raw = str(body?.code)
    const code = raw === undefined ? undefined : this.redactor.apply(raw)
    if (!code) {
      // Not Toss's error shape: a proxy, a load balancer, or a broken answer. Nothing is known.
      if (res.status >= 500)
        throw new PaymentError({
          code: 'provider_unavailable',
          outcome: call.moneyMoving ? 'unknown' : 'rejected',
          retryable: !call.moneyMoving,
          provider: PROVIDER,
          message: `tosspayments ${call.operation}: HTTP ${res.status} without a Toss answer${call.moneyMoving ? '; the outcome is unknown' : ''}`,
        })
      throw invalidResponse(call.operation, `HTTP ${res.status} without a Toss error code`, call.moneyMoving)
    }
    throw errorForAnswer(
      res.status,
      code,
      this.redactor.apply(str(body?.message) ?? ''),
      call.moneyMoving,
      call.codeOverrides,
    )
  }
}
