import { z } from 'zod'

/**
 * `health` in a merchant's config, beside `routing`: when one of its accounts stops taking new payments and
 * when it takes them again. An account is judged alone, never by its PG: two accounts at one PG can differ
 * (a revoked key, a different host, a contract limit).
 */
export const healthSchema = z
  .strictObject({
    /** How often each account is probed (an authenticated call that moves nothing). */
    probeIntervalSeconds: z.number().int().min(1).max(3600).default(10),
    /** Technical failures in a row (probes and real traffic) that eject an account. */
    ejectAfterFailures: z.number().int().min(1).max(1000).default(5),
    /** Share of technical failures among the last minute's calls that ejects an account… */
    errorRate: z.number().gt(0).max(1).default(0.5),
    /** …once the minute holds at least this many calls. */
    minRequests: z.number().int().min(1).max(100_000).default(20),
    /** Probe successes in a row that put an ejected account on probation. */
    restoreAfterSuccesses: z.number().int().min(1).max(100).default(3),
    /** On probation the account takes this share of what its weight would give it… */
    probationShare: z.number().gt(0).max(1).default(0.1),
    /** …for this long without a failure, then it is healthy again (at most a minute). */
    probationSeconds: z.number().int().min(0).max(60).default(30),
  })
  .default({
    probeIntervalSeconds: 10,
    ejectAfterFailures: 5,
    errorRate: 0.5,
    minRequests: 20,
    restoreAfterSuccesses: 3,
    probationShare: 0.1,
    probationSeconds: 30,
  })

export type HealthSettings = z.output<typeof healthSchema>

/** The window `errorRate` is counted over. */
export const WINDOW_MS = 60_000
