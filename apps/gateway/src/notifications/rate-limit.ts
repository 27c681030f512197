import { AsyncLocalStorage } from 'node:async_hooks'
import type { Runtime } from '../runtime.js'

/** A token bucket; a token is taken before a notification is verified and given back if it called no PG. */
class Bucket {
  #tokens: number
  #at: number
  constructor(
    private readonly burst: number,
    private readonly perMs: number,
    now: number,
  ) {
    this.#tokens = burst
    this.#at = now
  }
  #refill(now: number) {
    this.#tokens = Math.min(this.burst, this.#tokens + (now - this.#at) * this.perMs)
    this.#at = now
  }
  take(now: number): number | undefined {
    this.#refill(now)
    if (this.#tokens >= 1) {
      this.#tokens -= 1
      return undefined
    }
    return Math.max(1, Math.ceil((1 - this.#tokens) / this.perMs / 1000))
  }
  giveBack(now: number) {
    this.#refill(now)
    this.#tokens = Math.min(this.burst, this.#tokens + 1)
  }
}

/** PG calls made by the notification being verified in this async context. */
const callsOfThisNotification = new AsyncLocalStorage<{ calls: number }>()

/** Called for every PG call (the adapters' onCall): counts it for the notification it belongs to, if any. */
export function countNotificationPgCall(): void {
  const s = callsOfThisNotification.getStore()
  if (s) s.calls++
}

export interface Limited {
  limited: true
  retryAfterSeconds: number
}

const buckets = new WeakMap<Runtime, Map<string, Bucket>>()

/**
 * Runs the verification of one notification under the account's limit. Taking the token first keeps a burst
 * of concurrent forgeries from all getting through before any is counted; a notification that turned out to
 * need no PG call gets its token back.
 */
export async function underLookupLimit<T>(
  rt: Runtime,
  accountId: string,
  run: () => Promise<T>,
): Promise<T | Limited> {
  const cfg = rt.config.notifications.lookupRateLimit
  let perAccount = buckets.get(rt)
  if (!perAccount) {
    perAccount = new Map()
    buckets.set(rt, perAccount)
  }
  let bucket = perAccount.get(accountId)
  if (!bucket) {
    bucket = new Bucket(cfg.burst, cfg.perMinute / 60_000, Date.now())
    perAccount.set(accountId, bucket)
  }
  const wait = bucket.take(Date.now())
  if (wait !== undefined) return { limited: true, retryAfterSeconds: wait }
  const counter = { calls: 0 }
  try {
    return await callsOfThisNotification.run(counter, run)
  } finally {
    if (counter.calls === 0) bucket.giveBack(Date.now())
  }
}

export function isLimited(v: unknown): v is Limited {
  return typeof v === 'object' && v !== null && (v as { limited?: unknown }).limited === true
}
