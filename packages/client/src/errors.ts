/** The gateway's error shape: `{error: {type, code, message, param?, providerCode?, providerMessage?}, requestId}`. */
export interface PaymuxErrorBody {
  type: string
  code: string
  message: string
  param?: string
  providerCode?: string
  providerMessage?: string
}

/** A non-2xx answer from the gateway, with everything it said about why. */
export class PaymuxError extends Error {
  override readonly name = 'PaymuxError'
  /** HTTP status. */
  readonly status: number
  /** `invalid_request_error`, `authentication_error`, `not_found_error`, `conflict_error`, `provider_error`, … */
  readonly type: string
  /** Machine-readable reason, e.g. `amount_exceeds_cancellable`, `idempotency_key_in_use`. */
  readonly code: string
  /** The request field at fault, when one is. */
  readonly param: string | undefined
  readonly providerCode: string | undefined
  readonly providerMessage: string | undefined
  /** The gateway's id for this request: quote it when asking about it. */
  readonly requestId: string | undefined
  /** The key the request was sent with: retrying with it can never move money twice. */
  readonly idempotencyKey: string | undefined

  constructor(
    status: number,
    body: Partial<PaymuxErrorBody>,
    meta: { requestId?: string | undefined; idempotencyKey?: string | undefined },
  ) {
    super(body.message ?? `paymux answered HTTP ${status}`)
    this.status = status
    this.type = body.type ?? 'api_error'
    this.code = body.code ?? `http_${status}`
    this.param = body.param
    this.providerCode = body.providerCode
    this.providerMessage = body.providerMessage
    this.requestId = meta.requestId
    this.idempotencyKey = meta.idempotencyKey
  }

  /** The error of an answer from its parsed body; a body not in the gateway's shape still gives status and request id. */
  static from(response: Response, parsed: unknown, idempotencyKey?: string): PaymuxError {
    const envelope = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as {
      error?: Partial<PaymuxErrorBody>
      requestId?: unknown
    }
    const body = typeof envelope.error === 'object' && envelope.error !== null ? envelope.error : {}
    const requestId =
      typeof envelope.requestId === 'string' && envelope.requestId
        ? envelope.requestId
        : (response.headers.get('request-id') ?? undefined)
    return new PaymuxError(response.status, body, { requestId, idempotencyKey })
  }
}

/**
 * No answer at all (connection refused, reset, aborted). For a POST or DELETE the outcome is unknown: the
 * request may have been carried out. Send it again with `idempotencyKey` to learn which (the gateway replays).
 */
export class PaymuxConnectionError extends Error {
  override readonly name = 'PaymuxConnectionError'
  constructor(
    readonly idempotencyKey: string | undefined,
    options: { cause: unknown },
  ) {
    super(
      `no answer from the paymux gateway${idempotencyKey ? ` (retry with Idempotency-Key ${idempotencyKey})` : ''}: ${(options.cause as Error)?.message ?? String(options.cause)}`,
      options,
    )
  }
}

export function isPaymuxError(err: unknown): err is PaymuxError {
  return err instanceof PaymuxError
}
