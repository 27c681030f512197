import { readFileSync } from 'node:fs'
import { parse as parseYaml } from 'yaml'
import { z } from 'zod'
import { type AccountConfig, type AnyDescriptor, PROVIDERS } from './providers.js'
import { workersSchema } from './workers/config.js'

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
  z
    .strictObject({
      id,
      apiKeys: z
        .array(z.string().regex(/^sha256:[0-9a-f]{64}$/, 'must be "sha256:" + 64 lowercase hex characters'))
        .min(1),
      webhook: z
        .strictObject({
          url,
          /** Standard Webhooks secret(s) (`whsec_…`); two during a rotation. */
          secret: z.union([z.string().min(1), z.array(z.string().min(1)).min(1).max(2)]),
        })
        .optional(),
      accounts: z.array(accountSchemaOf(providers)).min(1),
      routing: z.strictObject({ billing: id.optional(), virtualAccount: id.optional() }).default({}),
    })
    .superRefine((m, ctx) => {
      const seen = new Set<string>()
      m.accounts.forEach((a, i) => {
        if (seen.has(a.id))
          ctx.addIssue({
            code: 'custom',
            path: ['accounts', i, 'id'],
            message: `duplicate account id ${a.id}`,
          })
        seen.add(a.id)
      })
      for (const op of ['billing', 'virtualAccount'] as const) {
        const target = m.routing[op]
        if (target !== undefined && !seen.has(target)) {
          ctx.addIssue({
            code: 'custom',
            path: ['routing', op],
            message: `no account ${target} in this merchant`,
          })
        }
      }
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
          poolSize: z.number().int().min(1).max(200).default(20),
          /**
           * `durable` (default): the record of a PG's answer is flushed to disk before the client hears it.
           * `async`: it is committed with synchronous_commit off, saving one disk flush per request; if the
           * PostgreSQL server itself crashes within a fraction of a second after, the cancellation falls back to
           * `pending` with its amount still reserved and is reconciled: never a double cancel, never a lost row.
           */
          settleCommit: z.enum(['durable', 'async']).default('durable'),
        })
        .default({ path: './.paymux/db', poolSize: 20, settleCommit: 'durable' }),
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
    })
    .superRefine((c, ctx) => {
      // Account ids are global: PG notifications arrive at /v1/notifications/{accountId}.
      const seen = new Map<string, string>()
      c.merchants.forEach((m, mi) => {
        m.accounts.forEach((a, ai) => {
          const other = seen.get(a.id)
          if (other !== undefined) {
            ctx.addIssue({
              code: 'custom',
              path: ['merchants', mi, 'accounts', ai, 'id'],
              message: `account id ${a.id} is also used by merchant ${other}`,
            })
          }
          seen.set(a.id, m.id)
        })
      })
      const merchants = new Set<string>()
      c.merchants.forEach((m, mi) => {
        if (merchants.has(m.id))
          ctx.addIssue({
            code: 'custom',
            path: ['merchants', mi, 'id'],
            message: `duplicate merchant id ${m.id}`,
          })
        merchants.add(m.id)
      })
    })

export const configSchema = configSchemaOf(PROVIDERS)

export type GatewayConfig = z.output<typeof configSchema>
export type GatewayConfigInput = z.input<typeof configSchema>
export type MerchantConfig = GatewayConfig['merchants'][number]

export class ConfigError extends Error {
  override readonly name = 'ConfigError'
}

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
): unknown {
  if (typeof value === 'string') {
    const whole = /^\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}$/.exec(value)
    if (whole) {
      const v = env[whole[1]!] ?? whole[2]
      if (v === undefined || v === '') {
        unset.set(path.join('.'), whole[1]!)
        return undefined
      }
      return v
    }
    return value.replace(ENV_REF, (_m, name: string, def: string | undefined) => {
      const v = env[name] ?? def
      if (v === undefined) throw new ConfigError(`${path.join('.')}: environment variable ${name} is not set`)
      return v
    })
  }
  if (Array.isArray(value)) return value.map((v, i) => interpolateEnv(v, env, [...path, String(i)], unset))
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) {
      const r = interpolateEnv(v, env, [...path, k], unset)
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
  const interpolated = interpolateEnv(raw ?? {}, env, [], unset)
  const result = (providers === PROVIDERS ? configSchema : configSchemaOf(providers)).safeParse(interpolated)
  if (!result.success) {
    const lines = result.error.issues.map((i) => {
      const key = i.path.map(String).join('.') || '(root)'
      const envName = unset.get(key)
      return envName ? `${key}: environment variable ${envName} is not set` : `${key}: ${i.message}`
    })
    throw new ConfigError(`invalid configuration:\n  ${lines.join('\n  ')}`)
  }
  const cfg = result.data
  if (!cfg.database.url && env.DATABASE_URL) cfg.database.url = env.DATABASE_URL
  if (!cfg.masterKey && env.PAYMUX_MASTER_KEY) cfg.masterKey = env.PAYMUX_MASTER_KEY
  return cfg
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
    throw new ConfigError(`config file ${path} is not valid YAML: ${(err as Error).message}`)
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
