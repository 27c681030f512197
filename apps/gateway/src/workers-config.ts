import { z } from 'zod'

const ms = (max: number) => z.number().int().min(1).max(max)

/**
 * `workers:` in the config. Everything has a default; the delivery schedule follows the Standard Webhooks
 * example (5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h: ten attempts over three days).
 */
export const workersSchema = z
  .strictObject({
    /** Run the outbox and reconciliation workers inside `paymux serve` (a `paymux worker` runs them too). */
    enabled: z.boolean().default(true),
    outbox: z
      .strictObject({
        intervalMs: ms(3_600_000).default(1_000),
        batchSize: z.number().int().min(1).max(500).default(20),
        /** Per delivery attempt; the spec asks for 15–30 s. */
        timeoutMs: z.number().int().min(100).max(60_000).default(15_000),
        /** Waits before each retry; attempts = 1 + its length. */
        retryScheduleSeconds: z
          .array(
            z
              .number()
              .min(0)
              .max(7 * 86_400),
          )
          .min(5)
          .default([5, 300, 1800, 7200, 18_000, 36_000, 50_400, 72_000, 86_400]),
        /** The most a `Retry-After` may push a retry out. */
        maxRetryAfterSeconds: z.number().min(0).max(86_400).default(3_600),
        /** Manual resends allowed per event. */
        maxResends: z.number().int().min(0).max(100).default(10),
      })
      .prefault({}),
    reconcile: z
      .strictObject({
        intervalMs: ms(3_600_000).default(5_000),
        batchSize: z.number().int().min(1).max(200).default(10),
        /** A pending item is left to its request this long; default the account's in-flight window (2 × timeout + 30 s). */
        minAgeMs: z.number().int().min(0).max(86_400_000).optional(),
        /** Waits between attempts on one item; the last value repeats. */
        backoffSeconds: z
          .array(z.number().min(0).max(86_400))
          .min(1)
          .default([30, 60, 120, 300, 600, 1800, 3600]),
        /** After this long unresolved, an item becomes `needs_review`. */
        giveUpAfterSeconds: z
          .number()
          .min(1)
          .max(30 * 86_400)
          .default(24 * 3600),
        /** Lookups showing nothing moved (after minAge) before a cancel is declared failed. */
        failAfterNoChangeLookups: z.number().int().min(1).max(20).default(2),
      })
      .prefault({}),
  })
  .prefault({})

export type WorkersConfig = z.output<typeof workersSchema>
