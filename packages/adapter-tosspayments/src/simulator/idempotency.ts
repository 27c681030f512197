// The Idempotency-Key store, scoped as Toss scopes it (spec §1.5): key + API key + URL + HTTP method, never the
// body. A reused key on another request to the same URL therefore replays the first answer, which is the forum
// case (a fixed key on /v1/payments/confirm returned another payment's answer).
import type { MiddlewareHandler } from 'hono'
import { errorBody } from './errors.js'

interface Stored {
  status: number
  body: string
  contentType: string
  storedAt: number
}

export const MAX_KEY_LENGTH = 300

export class IdempotencyStore {
  readonly #answers = new Map<string, Stored>()
  readonly #inFlight = new Set<string>()
  /** Answers replayed from the store (tests read it). */
  replays = 0

  constructor(
    readonly ttlMs: () => number,
    readonly storesErrors: () => boolean,
    readonly clock: () => number,
  ) {}

  static scope(apiKey: string, method: string, path: string, key: string): string {
    return JSON.stringify([apiKey, method, path, key])
  }

  middleware(
    apiKeyOf: (authorization: string | undefined) => string,
    statusOf: (code: string) => number,
  ): MiddlewareHandler {
    return async (c, next) => {
      const key = c.req.header('idempotency-key')
      if (key === undefined || c.req.method !== 'POST') return next()
      if (key.length === 0 || key.length > MAX_KEY_LENGTH) {
        return c.json(errorBody('INVALID_IDEMPOTENCY_KEY'), statusOf('INVALID_IDEMPOTENCY_KEY') as 400)
      }
      const scope = IdempotencyStore.scope(apiKeyOf(c.req.header('authorization')), 'POST', c.req.path, key)
      const stored = this.#answers.get(scope)
      if (stored && this.clock() - stored.storedAt < this.ttlMs()) {
        this.replays++
        return c.body(stored.body, stored.status as 200, { 'content-type': stored.contentType })
      }
      if (this.#inFlight.has(scope)) {
        return c.json(
          errorBody('IDEMPOTENT_REQUEST_PROCESSING'),
          statusOf('IDEMPOTENT_REQUEST_PROCESSING') as 409,
        )
      }
      this.#inFlight.add(scope)
      try {
        await next()
        const status = c.res.status
        if (status < 300 || (this.storesErrors() && status < 500)) {
          const body = await c.res.clone().text()
          this.#answers.set(scope, {
            status,
            body,
            contentType: c.res.headers.get('content-type') ?? 'application/json',
            storedAt: this.clock(),
          })
        }
      } finally {
        this.#inFlight.delete(scope)
      }
    }
  }
}
