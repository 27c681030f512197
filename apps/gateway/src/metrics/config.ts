import { z } from 'zod'

/**
 * `metrics:` in the config. The counters say how much money moves through which PG account and how often it
 * fails: not for everyone who can reach the port. Open without a token only on a loopback bind, or when the
 * operator says so with `public: true` (a scrape network of its own).
 */
export const metricsSchema = z
  .strictObject({
    /** Scrapers send `Authorization: Bearer <token>`. */
    token: z.string().min(16, 'must be at least 16 characters (e.g. `openssl rand -hex 32`)').optional(),
    /** No token needed even on a non-loopback bind. */
    public: z.boolean().default(false),
  })
  .refine((m) => !(m.public && m.token), {
    message: 'set either metrics.token or metrics.public: true, not both',
    path: ['public'],
  })
  .prefault({})

export type MetricsConfig = z.output<typeof metricsSchema>
