import { createFetch, type FetchOptions } from 'ofetch'
import { Agent, fetch as undiciFetch } from 'undici'
import { PaymentError } from './errors.js'
import { type Logger, Redactor, silentLogger } from './redact.js'

export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>

export interface HttpTransportOptions {
  provider: string
  baseUrl: string
  /** Injected fetch (tests, proxies, in-process simulators). Defaults to undici with a connect timeout. */
  fetch?: FetchLike
  /** Time allowed to open the connection. A connect timeout means the request never left. Default 5 s. */
  connectTimeoutMs?: number
  /** Time allowed for the whole answer once sent. Default 60 s (PGs are slow; see the README). */
  timeoutMs?: number
  redactor?: Redactor
  logger?: Logger
  /** Observes every call (metrics). */
  onCall?: (event: HttpCallEvent) => void
  /** How often a request that provably never left is sent again. Default 2. */
  retriesWhenNeverSent?: number
}

export interface HttpCallEvent {
  provider: string
  operation: string
  status?: number
  outcome: 'response' | 'never_sent' | 'timeout' | 'broken'
  durationMs: number
}

export interface HttpRequest {
  /** Names the call in logs and metrics: 'cancel', 'token', … */
  operation: string
  method: 'GET' | 'POST' | 'DELETE' | 'PUT'
  /** Appended to baseUrl, or an absolute URL (a PG with a separate host for some calls). */
  path: string
  /**
   * The path as logs and errors may show it, when the real one carries something secret (a billing key in
   * the URL). Defaults to the path, passed through the redactor.
   */
  logPath?: string
  headers?: Record<string, string>
  body?: string | Uint8Array
  /** Moves money or creates something at the PG: never re-sent unless it provably never left. */
  moneyMoving: boolean
  timeoutMs?: number
  signal?: AbortSignal
}

export interface HttpResponse {
  status: number
  headers: Headers
  body: Uint8Array
  /** The body decoded as UTF-8 (adapters decode other charsets themselves). */
  text(): string
}

/** Errors whose cause means the request bytes never reached the PG. */
const NEVER_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
  'ERR_INVALID_URL',
])

function errorCode(err: unknown): string | undefined {
  let e: unknown = err
  for (let depth = 0; depth < 5 && e && typeof e === 'object'; depth++) {
    const code = (e as { code?: unknown }).code
    if (typeof code === 'string') return code
    // fetch refuses ports on its block list before opening anything.
    if ((e as { message?: unknown }).message === 'bad port') return 'ERR_INVALID_URL'
    e = (e as { cause?: unknown }).cause
  }
  return undefined
}

const sharedAgents = new Map<number, Agent>()
function agentFor(connectTimeoutMs: number): Agent {
  let a = sharedAgents.get(connectTimeoutMs)
  if (!a) {
    a = new Agent({
      connect: { timeout: connectTimeoutMs },
      keepAliveTimeout: 4_000,
      headersTimeout: 0,
      bodyTimeout: 0,
    })
    sharedAgents.set(connectTimeoutMs, a)
  }
  return a
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/**
 * The one HTTP layer the adapters share. It never retries a money-moving call unless the request provably
 * never left, classifies every failure as `rejected` or `unknown`, and keeps secrets out of what it says.
 */
export class HttpTransport {
  readonly provider: string
  readonly baseUrl: string
  readonly redactor: Redactor
  #logger: Logger
  #timeoutMs: number
  #retries: number
  #onCall: ((e: HttpCallEvent) => void) | undefined
  #fetch: ReturnType<typeof createFetch>

  constructor(opts: HttpTransportOptions) {
    this.provider = opts.provider
    this.baseUrl = opts.baseUrl.replace(/\/+$/, '')
    this.redactor = opts.redactor ?? new Redactor()
    this.#logger = opts.logger ?? silentLogger
    this.#timeoutMs = opts.timeoutMs ?? 60_000
    this.#retries = opts.retriesWhenNeverSent ?? 2
    this.#onCall = opts.onCall
    const dispatcher = agentFor(opts.connectTimeoutMs ?? 5_000)
    const base: FetchLike =
      opts.fetch ??
      ((input, init) =>
        undiciFetch(
          input as string,
          { ...(init as object), dispatcher } as never,
        ) as unknown as Promise<Response>)
    this.#fetch = createFetch({ fetch: base as typeof fetch, Headers, AbortController })
  }

  url(path: string): string {
    return /^https?:\/\//.test(path) ? path : `${this.baseUrl}${path.startsWith('/') ? '' : '/'}${path}`
  }

  async request(req: HttpRequest): Promise<HttpResponse> {
    const attempts = 1 + Math.max(0, this.#retries)
    let last: unknown
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        return await this.#once(req)
      } catch (err) {
        last = err
        const neverSent = err instanceof PaymentError && err.code === 'provider_unavailable'
        if (!neverSent || attempt === attempts || req.signal?.aborted) throw err
        await sleep(50 * 3 ** (attempt - 1))
      }
    }
    throw last
  }

  async #once(req: HttpRequest): Promise<HttpResponse> {
    const url = this.url(req.path)
    const where = `${req.method} ${req.logPath ?? this.redactor.apply(new URL(url).pathname)}`
    const started = performance.now()
    const timeoutMs = req.timeoutMs ?? this.#timeoutMs
    const ctrl = new AbortController()
    const timedOut = Symbol('timeout')
    const timer = setTimeout(() => ctrl.abort(timedOut), timeoutMs)
    const onOuterAbort = () => ctrl.abort(req.signal?.reason)
    req.signal?.addEventListener('abort', onOuterAbort, { once: true })
    const done = (outcome: HttpCallEvent['outcome'], status?: number) => {
      const durationMs = performance.now() - started
      this.#onCall?.({
        provider: this.provider,
        operation: req.operation,
        outcome,
        durationMs,
        ...(status ? { status } : {}),
      })
      this.#logger.debug(
        {
          provider: this.provider,
          operation: req.operation,
          where,
          status,
          outcome,
          ms: Math.round(durationMs),
        },
        'pg call',
      )
    }
    try {
      const opts: FetchOptions<'arrayBuffer'> = {
        method: req.method,
        headers: req.headers ?? {},
        retry: 0,
        ignoreResponseError: true,
        responseType: 'arrayBuffer',
        signal: ctrl.signal,
      }
      if (req.body !== undefined) opts.body = req.body as string
      const res = await this.#fetch.raw(url, opts)
      const body = new Uint8Array((res._data as ArrayBuffer | undefined) ?? new ArrayBuffer(0))
      done('response', res.status)
      return {
        status: res.status,
        headers: res.headers,
        body,
        text: () => new TextDecoder('utf-8').decode(body),
      }
    } catch (err) {
      const code = errorCode(err)
      if (ctrl.signal.aborted && ctrl.signal.reason === timedOut) {
        done('timeout')
        throw new PaymentError({
          code: 'timeout',
          provider: this.provider,
          message: `${this.provider} did not answer ${where} within ${timeoutMs} ms; the outcome is unknown`,
          cause: err,
        })
      }
      if (code && NEVER_SENT_CODES.has(code)) {
        done('never_sent')
        throw new PaymentError({
          code: 'provider_unavailable',
          provider: this.provider,
          retryable: true,
          message: `${this.provider} could not be reached for ${where} (${code}); nothing was sent`,
          cause: err,
        })
      }
      done('broken')
      const why = req.signal?.aborted
        ? 'the call was aborted'
        : `the connection broke (${code ?? 'network error'})`
      throw new PaymentError({
        code: 'invalid_response',
        outcome: req.moneyMoving ? 'unknown' : 'rejected',
        provider: this.provider,
        message: this.redactor.apply(
          `${this.provider} ${where}: ${why} before a complete answer; the outcome is unknown`,
        ),
        cause: err,
      })
    } finally {
      clearTimeout(timer)
      req.signal?.removeEventListener('abort', onOuterAbort)
    }
  }
}

/** Form-encodes already percent-encoded pairs (adapters choose the charset of each value). */
export function joinForm(pairs: ReadonlyArray<readonly [string, string]>): string {
  return pairs.map(([k, v]) => `${k}=${v}`).join('&')
}
