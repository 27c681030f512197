// Scenarios 3 and 4 need the reconciler and the outbox worker (`workers:` in the config). This says whether
// the gateway being tested has them, so that a build without them reports what is missing instead of failing
// to start.
import { readFileSync } from 'node:fs'
import { gatewayCli } from '@paymux/bench/procs'
import { parseConfig } from '@paymux/gateway'
import type { ChaosEnv } from './env.js'
import { sleep } from './env.js'

export function reconcilerAvailable(): boolean {
  // `paymux serve` must start the workers, and the config must take their settings.
  try {
    if (!readFileSync(gatewayCli(), 'utf8').includes('startWorkers')) return false
  } catch {
    return false
  }
  try {
    parseConfig(
      {
        masterKey: 'x'.repeat(64),
        merchants: [
          {
            id: 'm',
            apiKeys: [`sha256:${'0'.repeat(64)}`],
            accounts: [{ id: 'a', provider: 'nicepay', mid: 'nicepay00m', merchantKey: 'k'.repeat(20) }],
          },
        ],
        workers: { reconcile: { intervalMs: 500 } },
      },
      {},
    )
    return true
  } catch {
    return false
  }
}

/** Fast workers for a test: pending items are looked at after a second, retried within seconds. */
export const FAST_WORKERS = {
  workers: {
    enabled: true,
    outbox: { intervalMs: 300, retryScheduleSeconds: [1, 2, 4, 8, 16] },
    reconcile: { intervalMs: 300, minAgeMs: 1_500, backoffSeconds: [1, 2], giveUpAfterSeconds: 600 },
  },
}

/** Waits until no cancellation is pending (or the time is up); returns how long it took, NaN on time-out. */
export async function waitNoPending(env: ChaosEnv, timeoutMs: number): Promise<number> {
  const started = performance.now()
  while (performance.now() - started < timeoutMs) {
    const n = (
      await env.db.pool.query(`SELECT count(*)::int AS n FROM cancellations WHERE status = 'pending'`)
    ).rows[0].n
    if (n === 0) return performance.now() - started
    await sleep(250)
  }
  return Number.NaN
}
