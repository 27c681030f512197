import createClient from 'openapi-fetch'
import { PaymuxConnectionError, PaymuxError } from './errors.js'
import type { paths } from './generated/openapi.js'
import { idempotentFetch, type RetryOptions } from './retry.js'

type Json<R> = R extends { content: { 'application/json': infer B } } ? B : never
type Op<P extends keyof paths, M extends 'get' | 'post' | 'delete'> = NonNullable<paths[P][M]>
/** The JSON body an operation takes. */
export type RequestBody<P extends keyof paths, M extends 'post'> = Op<P, M> extends { requestBody?: infer R }
  ? Json<NonNullable<R>>
  : never
/** The JSON an operation answers on success (200, 201 or 202). */
export type SuccessBody<P extends keyof paths, M extends 'get' | 'post' | 'delete'> = Op<P, M> extends {
  responses: infer Rs
}
  ? { [S in keyof Rs]: S extends 200 | 201 | 202 ? Json<Rs[S]> : never }[keyof Rs]
  : never
type Query<P extends keyof paths> = Op<P, 'get'> extends { parameters: { query?: infer Q } } ? Q : never

export type Cancellation = SuccessBody<'/v1/cancellations', 'post'>
export type CreateCancellation = RequestBody<'/v1/cancellations', 'post'>

export interface PaymuxClientOptions {
  /** The gateway, e.g. `https://payments.internal.example` (no `/v1`). */
  baseUrl: string
  /** The merchant's API key (sent as `Authorization: Bearer …`). Server-side only: it moves money. */
  apiKey: string
  /** Re-sending of 409 `idempotency_key_in_use` and 503 with the same key; `false` turns it off. */
  retry?: RetryOptions | false
  /** Makes the Idempotency-Key of a POST/DELETE that was given none. Default `crypto.randomUUID()`. */
  idempotencyKey?: () => string
  /** The fetch to send with (a proxy agent, instrumentation). Default the global fetch. */
  fetch?: typeof fetch
  /** Extra headers on every request. */
  headers?: Record<string, string>
}

export interface CallOptions {
  /** Reuse the key of an earlier attempt to make this call a replay of it. Default: a fresh key. */
  idempotencyKey?: string
  signal?: AbortSignal
}

export type PaymuxClient = ReturnType<typeof createPaymuxClient>

/**
 * The official client. Each method returns the gateway's answer or throws a `PaymuxError` (an answer that is
 * not a success) or a `PaymuxConnectionError` (no answer). `api` is the full generated client for every route.
 */
export function createPaymuxClient(options: PaymuxClientOptions) {
  const newKey = options.idempotencyKey ?? (() => globalThis.crypto.randomUUID())
  const base = options.fetch ?? globalThis.fetch
  const api = createClient<paths>({
    baseUrl: options.baseUrl.replace(/\/+$/, ''),
    headers: { ...options.headers, authorization: `Bearer ${options.apiKey}` },
    fetch: idempotentFetch(base, {
      retry: options.retry === false ? { maxRetries: 0 } : (options.retry ?? {}),
      newKey,
    }),
  })

  async function call<T>(
    send: (key: string | undefined) => Promise<{ data?: T; error?: unknown; response: Response }>,
    mutating: boolean,
    o: CallOptions = {},
  ): Promise<T> {
    const key = mutating ? (o.idempotencyKey ?? newKey()) : undefined
    let result: { data?: T; error?: unknown; response: Response }
    try {
      result = await send(key)
    } catch (err) {
      throw new PaymuxConnectionError(key, { cause: err })
    }
    if (!result.response.ok) throw PaymuxError.from(result.response, result.error, key)
    return result.data as T
  }
  const header = (key: string | undefined) => (key ? { 'Idempotency-Key': key } : {})

  return {
    api,
    /** Cancels a payment in whole or in part (`paymentId`, or `account` + `transactionId`). */
    cancel: (body: CreateCancellation, o?: CallOptions) =>
      call(
        (key) =>
          api.POST('/v1/cancellations', {
            body,
            params: { header: header(key) },
            ...(o?.signal ? { signal: o.signal } : {}),
          }),
        true,
        o,
      ),
    getCancellation: (id: string, o?: CallOptions) =>
      call(
        () =>
          api.GET('/v1/cancellations/{id}', {
            params: { path: { id } },
            ...(o?.signal ? { signal: o.signal } : {}),
          }),
        false,
        o,
      ),
    listCancellations: (query?: Query<'/v1/cancellations'>, o?: CallOptions) =>
      call(
        () => api.GET('/v1/cancellations', { params: { query }, ...(o?.signal ? { signal: o.signal } : {}) }),
        false,
        o,
      ),
    getPayment: (id: string, o?: CallOptions) =>
      call(
        () =>
          api.GET('/v1/payments/{id}', {
            params: { path: { id } },
            ...(o?.signal ? { signal: o.signal } : {}),
          }),
        false,
        o,
      ),
    createVirtualAccount: (body: RequestBody<'/v1/virtual-accounts', 'post'>, o?: CallOptions) =>
      call(
        (key) =>
          api.POST('/v1/virtual-accounts', {
            body,
            params: { header: header(key) },
            ...(o?.signal ? { signal: o.signal } : {}),
          }),
        true,
        o,
      ),
    createBillingKey: (body: RequestBody<'/v1/billing-keys', 'post'>, o?: CallOptions) =>
      call(
        (key) =>
          api.POST('/v1/billing-keys', {
            body,
            params: { header: header(key) },
            ...(o?.signal ? { signal: o.signal } : {}),
          }),
        true,
        o,
      ),
    getBillingKey: (id: string, o?: CallOptions) =>
      call(
        () =>
          api.GET('/v1/billing-keys/{id}', {
            params: { path: { id } },
            ...(o?.signal ? { signal: o.signal } : {}),
          }),
        false,
        o,
      ),
    deleteBillingKey: (id: string, o?: CallOptions) =>
      call(
        (key) =>
          api.DELETE('/v1/billing-keys/{id}', {
            params: { path: { id }, header: header(key) },
            ...(o?.signal ? { signal: o.signal } : {}),
          }),
        true,
        o,
      ),
    chargeBillingKey: (
      id: string,
      body: RequestBody<'/v1/billing-keys/{id}/charges', 'post'>,
      o?: CallOptions,
    ) =>
      call(
        (key) =>
          api.POST('/v1/billing-keys/{id}/charges', {
            body,
            params: { path: { id }, header: header(key) },
            ...(o?.signal ? { signal: o.signal } : {}),
          }),
        true,
        o,
      ),
  }
}
