/** How the client re-sends a request the gateway asked it to send again. */
export interface RetryOptions {
  /** Re-sends after the first attempt. Default 3; 0 turns retrying off. */
  maxRetries?: number
  /** First backoff; doubled on every retry, with jitter. Default 250 ms. */
  baseDelayMs?: number
  /** Longest wait before one retry. A `Retry-After` asking for more ends the retries. Default 10 s. */
  maxDelayMs?: number
}

const MUTATING = new Set(['POST', 'DELETE', 'PUT', 'PATCH'])

/**
 * A fetch that gives every POST/DELETE an Idempotency-Key (unless the caller set one) and re-sends, with the
 * same key, what is safe to re-send: 409 `idempotency_key_in_use` (the first request with this key is still
 * running; the retry gets its answer replayed) and 503 (the gateway could not reach the PG or its database;
 * the key makes the retry a replay if the first attempt got through after all).
 */
export function idempotentFetch(
  base: typeof fetch,
  opts: { retry: RetryOptions; newKey: () => string; sleep?: (ms: number) => Promise<void> },
): (request: Request) => Promise<Response> {
  const maxRetries = opts.retry.maxRetries ?? 3
  const baseDelay = opts.retry.baseDelayMs ?? 250
  const maxDelay = opts.retry.maxDelayMs ?? 10_000
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)))
  return async (request) => {
    if (MUTATING.has(request.method) && !request.headers.has('idempotency-key'))
      request.headers.set('Idempotency-Key', opts.newKey())
    for (let attempt = 0; ; attempt++) {
      // Each attempt sends a copy: a body can be read once.
      const response = await base(attempt < maxRetries ? request.clone() : request)
      if (attempt >= maxRetries || !(await retryable(response))) return response
      const backoff = Math.min(maxDelay, baseDelay * 2 ** attempt * (0.5 + Math.random() / 2))
      const asked = retryAfterMs(response.headers.get('retry-after'))
      if (asked !== undefined && asked > maxDelay) return response
      await response.body?.cancel()
      await sleep(Math.max(backoff, asked ?? 0))
    }
  }
}

async function retryable(response: Response): Promise<boolean> {
  if (response.status === 503) return true
  if (response.status !== 409) return false
  try {
    const body = (await response.clone().json()) as { error?: { code?: unknown } }
    return body?.error?.code === 'idempotency_key_in_use'
  } catch {
    return false
  }
}

/** `Retry-After` in seconds or as an HTTP date → milliseconds from now. */
export function retryAfterMs(value: string | null, now = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000
  const at = Date.parse(value)
  return Number.isNaN(at) ? undefined : Math.max(0, at - now)
}
