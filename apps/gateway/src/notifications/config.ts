import { z } from 'zod'

/**
 * `notifications:` in the config. Some PGs' notifications are verified by asking the PG (CookiePay's paycert,
 * Bootpay's receipt): anyone can post one, and each costs a call made with the merchant's credentials. Those
 * are limited per account; notifications verified without a PG call (NicePay) are not counted.
 */
export const notificationsSchema = z
  .strictObject({
    lookupRateLimit: z
      .strictObject({
        /** Sustained rate, per account. */
        perMinute: z.number().int().min(1).max(1_000_000).default(120),
        /** How many may come at once before the rate applies. */
        burst: z.number().int().min(1).max(100_000).default(30),
      })
      .prefault({}),
  })
  .prefault({})

export type NotificationsConfig = z.output<typeof notificationsSchema>
