import { crossCheckOperators, operatorSchema } from './console/config.js'
import { readFileSync } from 'node:fs'
import { parse as parseYaml } from 'yaml'
import { z } from 'zod'
import {
  API_KEY_HASH_MESSAGE,
  ConfigError,
  crossCheckMerchants,
  isWebhookSecret,
  WEBHOOK_SECRET_MESSAGE,
} from './config-checks.js'
import { metricsSchema } from './metrics/config.js'
import { yamlErrorLine } from './config-yaml-error.js'
import { isMissing, readableIssues } from './input-problems.js'
import { notificationsSchema } from './notifications/config.js'
import { type AccountConfig, type AnyDescriptor, PROVIDERS } from './providers.js'
import { healthSchema } from './health/config.js'
import { paymentRulesSchema } from './routing/config.js'
import { workersSchema } from './workers-config.js'

const id = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'letters, digits, _ . - (max 64)')
const url = z.string().url()

const common = {
  id,
  /** A sandbox, a proxy or a simulator instead of the PG's production host. */
  baseUrl: url.optional(),
  timeoutMs: z.number().int().min(100).max(300_000).optional(),
  connectTimeoutMs: z.number().int().min(100).max(60_000).optional(),
  /** Adapter-specific options passed through as they are (see each adapter's README). */
  options: z.record(z.string(), z.unknown()).optional(),
}

/**
 * The account entry: one schema per registered PG, each the common fields plus its own, told apart by
 * `provider`. Built from the provider list, so a new PG needs no change here.
 */
export function accountSchemaOf(providers: readonly AnyDescriptor[] = PROVIDERS) {
  const [first, ...rest] = providers.map((p) => p.accountSchema(common))
  if (!first) throw new Error('no provider is registered')
  // Each descriptor's schema is built on `common` with its own `provider` literal, so what it outputs is an
  // AccountConfig; zod cannot see that through the list.
  return z.discriminatedUnion('provider', [first, ...rest]) as unknown as z.ZodType<
    AccountConfig,
    AccountConfig
  >
}
export type { AccountConfig }

const merchantSchemaOf = (providers: readonly AnyDescriptor[]) =>
  z.strictObject({
    id,
    apiKeys: z.array(z.string().regex(/^sha256:[0-9a-f]{64}$/, API_KEY_HASH_MESSAGE)).min(1),
    webhook: z
      .strictObject({
        url,
        /** Standard Webhooks secret(s) (`whsec_…`); two during a rotation. */
        secret: z.union([
          z.string().refine(isWebhookSecret, WEBHOOK_SECRET_MESSAGE),
          z.array(z.string().refine(isWebhookSecret, WEBHOOK_SECRET_MESSAGE)).min(1).max(2),
        ]),
      })
      .optional(),
    accounts: z.array(accountSchemaOf(providers)).min(1),
    routing: z
      .strictObject({
        billing: id.optional(),
        virtualAccount: id.optional(),
        /** Rules for new checkout payments (see routing/config.ts). */
        payments: paymentRulesSchema,
      })
      .default({ payments: [] }),
    /** When an account stops and resumes taking new payments (see health/config.ts). */
    health: healthSchema,
    /** People who sign in to /console (not API keys). */
    operators: z.array(operatorSchema).default([]),
  })

export const configSchemaOf = (providers: readonly AnyDescriptor[] = PROVIDERS) =>
  z
    .strictObject({
      server: z
        .strictObject({
          port: z.number().int().min(0).max(65535).default(8080),
          host: z.string().default('0.0.0.0'),
          /** Requests larger than this get 413. */
          bodyLimitBytes: z
            .number()
            .int()
            .min(1024)
            .max(10_000_000)
            .default(64 * 1024),
          /** Public base URL (printed, used in docs). */
          publicUrl: url.optional(),
          /**
           * Proxies in front of the gateway whose X-Forwarded-For is trusted for a notification's source IP.
           * 0 (default): the socket peer is the source.
           */
          forwardedForHops: z.number().int().min(0).max(10).optional(),
        })
        .default({ port: 8080, host: '0.0.0.0', bodyLimitBytes: 64 * 1024 }),
      database: z
        .strictObject({
          url: z
            .string()
            .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
            .optional(),
          /** Embedded PGlite data folder when no url is set. */
          path: z.string().default('./.paymux/db'),
          schema: z
            .string()
            .regex(/^[a-z_][a-z0-9_]{0,62}$/)
            .optional(),
          /**
           * Connections to the database. No request holds one across a PG call (each statement takes one and
           * gives it back), so a few serve hundreds of requests waiting on PGs; more only add contention
           * in the database server (and memory on both sides).
           */
          poolSize: z.number().int().min(1).max(200).default(10),
          /**
           * `durable` (default): the record of a PG's answer is flushed to disk before the client hears it.
           * `async`: it is committed with synchronous_commit off, saving one disk flush per request; if the
           * PostgreSQL server itself crashes within a fraction of a second after, the cancellation falls back to
           * `pending` with its amount still reserved and is reconciled: never a double cancel, never a lost row.
           */
          settleCommit: z.enum(['durable', 'async']).default('durable'),
          /** PostgreSQL unreachable at start: retried this long (a log line per attempt), then exit 1. 0: exit at once. */
          startupWaitSeconds: z.number().int().min(0).max(3600).default(30),
          /** Connecting to PostgreSQL, and waiting for a free connection of the pool: then 503. */
          connectTimeoutMs: z.number().int().min(100).max(120_000).default(5_000),
          /** PostgreSQL's statement_timeout for the gateway's statements (migrations excepted). */
          statementTimeoutMs: z.number().int().min(100).max(600_000).default(10_000),
          /**
           * How long the gateway waits for any answer, even from a server it cannot hear any more (a silent
           * network partition, where statement_timeout never fires): then 503 and the connection is dropped.
           */
          queryTimeoutMs: z.number().int().min(100).max(600_000).default(12_000),
        })
        .default({
          path: './.paymux/db',
          poolSize: 10,
          settleCommit: 'durable',
          startupWaitSeconds: 30,
          connectTimeoutMs: 5_000,
          statementTimeoutMs: 10_000,
          queryTimeoutMs: 12_000,
        }),
      /** AES-256-GCM key for secrets at rest; usually `${PAYMUX_MASTER_KEY}`. */
      masterKey: z.string().min(1).optional(),
      idempotency: z
        .strictObject({
          retentionHours: z
            .number()
            .min(24)
            .max(24 * 90)
            .default(24),
        })
        .default({ retentionHours: 24 }),
      log: z
        .strictObject({
          level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
        })
        .default({ level: 'info' }),
      merchants: z.array(merchantSchemaOf(providers)).min(1),
      /** Webhook delivery and reconciliation (see workers/config.ts). */
      workers: workersSchema,
      /** Checkout links (POST /v1/payments): how long a checkoutUrl can be opened. */
      checkout: z
        .strictObject({
          expiresInMinutes: z
            .number()
            .int()
            .min(1)
            .max(24 * 60)
            .default(30),
        })
        .default({ expiresInMinutes: 30 }),
      /** Who may read GET /metrics (see metrics/config.ts, metrics/auth.ts). */
      metrics: metricsSchema,
      /** Limits on PG notifications (see notifications/config.ts, notifications/rate-limit.ts). */
      notifications: notificationsSchema,
    })
    .superRefine((c, ctx) => {
      crossCheckMerchants(c.merchants, ctx)
      crossCheckOperators(c.merchants, ctx)
    })

export const configSchema = configSchemaOf(PROVIDERS)

export type GatewayConfig = z.output<typeof configSchema>
export type GatewayConfigInput = z.input<typeof configSchema>
export type MerchantConfig = GatewayConfig['merchants'][number]

export { ConfigError }

const ENV_REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g

/**
 * Replaces `${VAR}` and `${VAR:-default}` in string values (after YAML parsing, so a secret containing YAML
 * syntax stays a plain string). A value that is only a reference to an unset variable is removed, so an
 * optional key (database.url) falls back to its default and a required one is reported by name.
 */
export function interpolateEnv(
  value: unknown,
  env: NodeJS.ProcessEnv,
  path: string[] = [],
  unset: Map<string, string> = new Map(),
  whole: Map<string, string> = new Map(),
): unknown {
  if (typeof value === 'string') {
    const ref = /^\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}$/.exec(value)
    if (ref) {
      const v = env[ref[1]!] ?? ref[2]
      if (v === undefined || v === '') {
        unset.set(path.join('.'), ref[1]!)
        return undefined
      }
      whole.set(path.join('.'), ref[1]!)
      return v
    }
    return value.replace(ENV_REF, (_m, name: string, def: string | undefined) => {
      const v = env[name] ?? def
      if (v === undefined) throw new ConfigError(`${path.join('.')}: environment variable ${name} is not set`)
      return v
    })
  }
  if (Array.isArray(value))
    return value.map((v, i) => interpolateEnv(v, env, [...path, String(i)], unset, whole))
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) {
      const r = interpolateEnv(v, env, [...path, k], unset, whole)
      if (r !== undefined) out[k] = r
    }
    return out
  }
  return value
}

export function parseConfig(
  raw: unknown,
  env: NodeJS.ProcessEnv = process.env,
  providers: readonly AnyDescriptor[] = PROVIDERS,
): GatewayConfig {
  const unset = new Map<string, string>()
  const whole = new Map<string, string>()
  const interpolated = interpolateEnv(raw ?? {}, env, [], unset, whole)
  const schema = providers === PROVIDERS ? configSchema : configSchemaOf(providers)
  // A missing key "is required", an unknown one names its near match (`server.hots` → `server.host`).
  const parse = () => schema.safeParse(interpolated, { error: readableIssues })
  let result = parse()
  const notScalar = new Map<string, string>()
  // The environment only holds text: a numeric or boolean key given whole as `${VAR}` takes the text's value.
  // Which keys are numeric is the schema's to say, so its own type errors point at them.
  while (!result.success && coerceScalars(interpolated, result.error.issues, whole, notScalar))
    result = parse()
  if (!result.success) {
    const lines = result.error.issues.flatMap((i) => {
      const key = i.path.map(String).join('.') || '(root)'
      if (i.code === 'unrecognized_keys') {
        const each = i.message.split('\n')
        return i.keys.map((k, n) => `${[...i.path, k].join('.')}: ${each[n] ?? i.message}`)
      }
      const envName = unset.get(key)
      if (envName) return [`${key}: environment variable ${envName} is not set`]
      const wrong = notScalar.get(key)
      if (wrong) return [`${key}: ${wrong}`]
      return [isMissing(i) || i.message === 'is required' ? `${key} is required` : `${key}: ${i.message}`]
    })
    // One line per problem; a single problem is a single line.
    throw new ConfigError(
      lines.length === 1
        ? `invalid configuration: ${lines[0]}`
        : `invalid configuration:\n  ${lines.join('\n  ')}`,
    )
  }
  const cfg = result.data
  if (!cfg.database.url && env.DATABASE_URL) cfg.database.url = env.DATABASE_URL
  if (!cfg.masterKey && env.PAYMUX_MASTER_KEY) cfg.masterKey = env.PAYMUX_MASTER_KEY
  return cfg
}

/**
 * Replaces, in place, each whole `${VAR}` value the schema wanted as a number or a boolean by the number or
 * boolean its text spells; text that spells none is noted in `notScalar` (never quoted: it may be anything).
 * Answers whether anything changed.
 */
function coerceScalars(
  config: unknown,
  issues: readonly z.core.$ZodIssue[],
  whole: ReadonlyMap<string, string>,
  notScalar: Map<string, string>,
): boolean {
  let changed = false
  for (const issue of issues) {
    if (issue.code !== 'invalid_type' || (issue.expected !== 'number' && issue.expected !== 'boolean'))
      continue
    const key = issue.path.map(String).join('.')
    const name = whole.get(key)
    const last = issue.path.at(-1)
    const parent = issue.path
      .slice(0, -1)
      .reduce<unknown>((o, k) => (o as Record<PropertyKey, unknown> | undefined)?.[k], config)
    if (name === undefined || last === undefined || !parent || typeof parent !== 'object') continue
    const text = (parent as Record<PropertyKey, unknown>)[last]
    if (typeof text !== 'string') continue
    const value =
      issue.expected === 'number'
        ? /^\s*-?\d+(\.\d+)?\s*$/.test(text)
          ? Number(text)
          : undefined
        : /^\s*(true|false)\s*$/i.test(text)
          ? text.trim().toLowerCase() === 'true'
          : undefined
    if (value === undefined) {
      notScalar.set(key, `environment variable ${name} must be a ${issue.expected}`)
      continue
    }
    ;(parent as Record<PropertyKey, unknown>)[last] = value
    changed = true
  }
  return changed
}

export function loadConfigFile(
  path: string,
  env: NodeJS.ProcessEnv = process.env,
  providers: readonly AnyDescriptor[] = PROVIDERS,
): GatewayConfig {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (err) {
    throw new ConfigError(`cannot read config file ${path}: ${(err as Error).message}`)
  }
  // `merchantKey: ${NICE_KEY} }` inside a flow mapping is not valid YAML (braces are flow indicators), yet it
  // is the natural way to write it: references become inert tokens for parsing and are restored after.
  const refs: string[] = []
  const masked = text.replace(
    /\$\{[A-Za-z_][A-Za-z0-9_]*(?::-[^}\n]*)?\}/g,
    (m) => `__paymux_env_${refs.push(m) - 1}__`,
  )
  let raw: unknown
  try {
    raw = parseYaml(masked)
  } catch (err) {
    throw new ConfigError(yamlErrorLine(path, text, masked, refs, err))
  }
  return parseConfig(restoreRefs(raw, refs), env, providers)
}

function restoreRefs(value: unknown, refs: string[]): unknown {
  if (typeof value === 'string')
    return value.replace(/__paymux_env_(\d+)__/g, (m, i: string) => refs[Number(i)] ?? m)
  if (Array.isArray(value)) return value.map((v) => restoreRefs(v, refs))
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, restoreRefs(v, refs)]))
  }
  return value
}
