import createClient from 'openapi-fetch'
import { PaymuxConnectionError, PaymuxError } from './errors.js'
import type { components, operations, paths } from './generated/openapi.js'
import { type List, type PagePromise, paged } from './pages.js'
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
/** The query parameters of a GET (filters, `limit`, the `startingAfter` cursor). */
export type Query<P extends keyof paths> = NonNullable<
  Op<P, 'get'> extends { parameters: { query?: infer Q } } ? Q : never
>

type Schemas = components['schemas']
export type Payment = Schemas['Payment']
export type CreatePayment = Schemas['CreatePayment']
export type CreateVirtualAccount = Schemas['CreateVirtualAccount']
export type Cancellation = Schemas['Cancellation']
export type CreateCancellation = Schemas['CreateCancellation']
export type BillingKey = Schemas['BillingKey']
export type CreateBillingKey = Schemas['CreateBillingKey']
export type CreateCharge = Schemas['CreateCharge']
export type Event = Schemas['Event']
export type Account = Schemas['Account']

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

/**
 * The operations of the document that are the merchant's: every `/v1` route but the PGs' notification
 * endpoint (`receiveNotification`), and not the operator's probes (`getHealth`, `getReadiness`). The client
 * has a method named by each one's `operationId` (checked by tsc here, and against the document in a test).
 */
export type MerchantOperation = Exclude<
  keyof operations,
  'receiveNotification' | 'getHealth' | 'getReadiness'
>

export type PaymuxClient = ReturnType<typeof createPaymuxClient>

/** What each method adds to its request: the Idempotency-Key of a mutation, the caller's signal. */
type Init = { headers: Record<string, string>; signal?: AbortSignal }
/** One request through `openapi-fetch`. */
type Send<T> = (init: Init) => Promise<{ data?: T; error?: unknown; response: Response }>

/**
 * The official client. Each method is named by its operation's `operationId` in the gateway's OpenAPI document
 * and returns the gateway's answer or throws a `PaymuxError` (an answer that is not a success) or a
 * `PaymuxConnectionError` (no answer). Arguments follow the route: path ids first, then the JSON body (or the
 * query of a GET/DELETE), then `CallOptions`. List methods page (see `PagePromise`). `api` is the generated
 * `openapi-fetch` client, for a route before this package has a method for it.
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

  /**
   * Sends one request and answers its JSON or throws. A mutation (POST, DELETE) gets its key here, not in
   * the fetch, so that a `PaymuxError` or `PaymuxConnectionError` can say which key to retry with. The key
   * goes as a header even where the document declares none (an event resend): the gateway checks it on every
   * POST and DELETE.
   */
  async function call<T>(mutating: boolean, o: CallOptions | undefined, send: Send<T>): Promise<T> {
    const key = mutating ? (o?.idempotencyKey ?? newKey()) : undefined
    let result: Awaited<ReturnType<Send<T>>>
    try {
      result = await send({
        headers: key ? { 'Idempotency-Key': key } : {},
        ...(o?.signal ? { signal: o.signal } : {}),
      })
    } catch (err) {
      throw new PaymuxConnectionError(key, { cause: err })
    }
    if (!result.response.ok) throw PaymuxError.from(result.response, result.error, key)
    return result.data as T
  }
  const read = <T>(o: CallOptions | undefined, send: Send<T>) => call(false, o, send)
  const write = <T>(o: CallOptions | undefined, send: Send<T>) => call(true, o, send)
  /** A list: its first page now, the later ones as they are iterated (with the same signal). */
  const list = <T extends { id: string }, Q extends { startingAfter?: string }>(
    query: Q | undefined,
    o: CallOptions | undefined,
    send: (query: Q, init: Init) => ReturnType<Send<List<T>>>,
  ): PagePromise<T> => paged((q: Q) => read(o, (init) => send(q, init)), query ?? ({} as Q))

  const createCancellation = (body: CreateCancellation, o?: CallOptions) =>
    write(o, (init) => api.POST('/v1/cancellations', { body, ...init }))

  const methods = {
    /** Creates a checkout: the order is recorded and answered with the `checkoutUrl` to send the customer to. */
    createPayment: (body: CreatePayment, o?: CallOptions) =>
      write(o, (init) => api.POST('/v1/payments', { body, ...init })),
    /** The merchant's payments, newest first; `orderId` finds the payment of an order. */
    listPayments: (query?: Query<'/v1/payments'>, o?: CallOptions) =>
      list(query, o, (q, init) => api.GET('/v1/payments', { params: { query: q }, ...init })),
    getPayment: (id: string, o?: CallOptions) =>
      read(o, (init) => api.GET('/v1/payments/{id}', { params: { path: { id } }, ...init })),
    /** Closes a virtual account still awaiting its deposit (`closed`, or `closing` while the PG is unknown). */
    closePayment: (id: string, o?: CallOptions) =>
      write(o, (init) => api.POST('/v1/payments/{id}/close', { params: { path: { id } }, ...init })),
    /** Issues a virtual account: a payment awaiting deposit (bank, account number, due date). */
    createVirtualAccount: (body: CreateVirtualAccount, o?: CallOptions) =>
      write(o, (init) => api.POST('/v1/virtual-accounts', { body, ...init })),
    /** Cancels a payment in whole or in part (`paymentId`, or `account` + `transactionId`). */
    createCancellation,
    listCancellations: (query?: Query<'/v1/cancellations'>, o?: CallOptions) =>
      list(query, o, (q, init) => api.GET('/v1/cancellations', { params: { query: q }, ...init })),
    getCancellation: (id: string, o?: CallOptions) =>
      read(o, (init) => api.GET('/v1/cancellations/{id}', { params: { path: { id } }, ...init })),
    /** Registers a card: card data in, a `bk_…` billing key out. */
    createBillingKey: (body: CreateBillingKey, o?: CallOptions) =>
      write(o, (init) => api.POST('/v1/billing-keys', { body, ...init })),
    getBillingKey: (id: string, o?: CallOptions) =>
      read(o, (init) => api.GET('/v1/billing-keys/{id}', { params: { path: { id } }, ...init })),
    /** Deletes the billing key at the PG and here; `reason` is passed to the PG. */
    deleteBillingKey: (id: string, query?: { reason?: string }, o?: CallOptions) =>
      write(o, (init) =>
        api.DELETE('/v1/billing-keys/{id}', { params: { path: { id }, query: query ?? {} }, ...init }),
      ),
    /** Charges a billing key: a `Payment`. */
    chargeBillingKey: (id: string, body: CreateCharge, o?: CallOptions) =>
      write(o, (init) =>
        api.POST('/v1/billing-keys/{id}/charges', { params: { path: { id } }, body, ...init }),
      ),
    /** The merchant's events, newest first, with their delivery state. */
    listEvents: (query?: Query<'/v1/events'>, o?: CallOptions) =>
      list(query, o, (q, init) => api.GET('/v1/events', { params: { query: q }, ...init })),
    /** One event with every delivery attempt. */
    getEvent: (id: string, o?: CallOptions) =>
      read(o, (init) => api.GET('/v1/events/{id}', { params: { path: { id } }, ...init })),
    /** Queues one more delivery of the event now, with the same `webhook-id`. */
    resendEvent: (id: string, o?: CallOptions) =>
      write(o, (init) => api.POST('/v1/events/{id}/resend', { params: { path: { id } }, ...init })),
    /** The merchant's PG accounts: the methods each takes and its health (one page: a merchant has a few). */
    listAccounts: (o?: CallOptions) => read(o, (init) => api.GET('/v1/accounts', init)),
    /** Holds an account out of routing (no new routed payment) until `restoreAccount`. */
    ejectAccount: (id: string, o?: CallOptions) =>
      write(o, (init) => api.POST('/v1/accounts/{id}/eject', { params: { path: { id } }, ...init })),
    /** Puts an account back into routing, healthy at once. */
    restoreAccount: (id: string, o?: CallOptions) =>
      write(o, (init) => api.POST('/v1/accounts/{id}/restore', { params: { path: { id } }, ...init })),
  } satisfies Record<MerchantOperation, (...args: never[]) => Promise<unknown>>

  return {
    api,
    ...methods,
    /** `createCancellation` under its earlier name. */
    cancel: createCancellation,
  }
}
