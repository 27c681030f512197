// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are configuration text with ${ENV} references
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { readFileSync as readText } from 'node:fs'
import { ConfigError, loadConfigFile, parseConfig } from './config.js'
import { PROVIDERS } from './providers.js'

const HASH = `sha256:${'a'.repeat(64)}`
const base = () => ({
  merchants: [
    {
      id: 'shop-a',
      apiKeys: [HASH],
      accounts: [{ id: 'nice-main', provider: 'nicepay', mid: 'nicepay00m', merchantKey: '${NICE_KEY}' }],
    },
  ],
})

function errorOf(fn: () => unknown): string {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError)
    return (err as Error).message
  }
  throw new Error('expected a ConfigError')
}

describe('config', () => {
  it('interpolates ${ENV} and applies defaults; DATABASE_URL and PAYMUX_MASTER_KEY fill in', () => {
    const cfg = parseConfig(base(), {
      NICE_KEY: 'k3y-value',
      DATABASE_URL: 'postgres://x@h/db',
      PAYMUX_MASTER_KEY: 'mk',
    })
    expect(cfg.merchants[0]!.accounts[0]).toMatchObject({ merchantKey: 'k3y-value' })
    expect(cfg.server).toMatchObject({ port: 8080, bodyLimitBytes: 65536 })
    expect(cfg.database.url).toBe('postgres://x@h/db')
    expect(cfg.masterKey).toBe('mk')
    expect(cfg.idempotency.retentionHours).toBe(24)
  })

  it('names the key whose environment variable is missing', () => {
    expect(errorOf(() => parseConfig(base(), {}))).toContain(
      'merchants.0.accounts.0.merchantKey: environment variable NICE_KEY is not set',
    )
  })

  it('an optional key referencing an unset variable falls back (database.url → embedded database)', () => {
    const cfg = parseConfig({ ...base(), database: { url: '${DATABASE_URL}' } }, { NICE_KEY: 'k' })
    expect(cfg.database.url).toBeUndefined()
    expect(cfg.database.path).toBe('./.paymux/db')
  })

  it('a numeric or boolean key given whole as ${VAR} or ${VAR:-default} takes the number or boolean', () => {
    const dir = mkdtempSync(join(tmpdir(), 'paymux-cfg-'))
    try {
      const file = join(dir, 'numbers.yaml')
      writeFileSync(
        file,
        `server: { port: \${PORT:-30}, bodyLimitBytes: \${BODY_LIMIT} }
database: { poolSize: \${POOL:-4}, startupWaitSeconds: \${WAIT:-0} }
metrics: { public: \${METRICS_PUBLIC:-false} }
merchants:
  - id: shop-a
    apiKeys: [ "${HASH}" ]
    accounts:
      - { id: n1, provider: nicepay, mid: nicepay00m, merchantKey: \${NICE_KEY}, timeoutMs: \${NICE_TIMEOUT:-5000} }
`,
      )
      const cfg = loadConfigFile(file, {
        NICE_KEY: 'k',
        BODY_LIMIT: '2048',
        POOL: '7',
        METRICS_PUBLIC: 'true',
      })
      expect(cfg.server).toMatchObject({ port: 30, bodyLimitBytes: 2048 })
      expect(cfg.database).toMatchObject({ poolSize: 7, startupWaitSeconds: 0 })
      expect(cfg.metrics.public).toBe(true)
      expect(cfg.merchants[0]!.accounts[0]).toMatchObject({ timeoutMs: 5000 })
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('a ${VAR} that is not a number where one is wanted is named with its key, its value never quoted', () => {
    const msg = errorOf(() =>
      parseConfig({ ...base(), server: { port: '${PORT}' } }, { NICE_KEY: 'k', PORT: 'eighty' }),
    )
    expect(msg).toBe('invalid configuration: server.port: environment variable PORT must be a number')
    // Only a whole reference is read as a number: a literal string stays the schema's type error.
    expect(errorOf(() => parseConfig({ ...base(), server: { port: '80' } }, { NICE_KEY: 'k' }))).toMatch(
      /server\.port: .*expected number/,
    )
  })

  it('names bad keys: unknown fields, bad hashes, wrong types, duplicate and dangling account ids', () => {
    const env = { NICE_KEY: 'k' }
    expect(errorOf(() => parseConfig({ ...base(), servr: {} }, env))).toMatch(/servr/)
    const badHash = base()
    badHash.merchants[0]!.apiKeys = ['plain-key']
    expect(errorOf(() => parseConfig(badHash, env))).toContain('merchants.0.apiKeys.0')
    expect(errorOf(() => parseConfig({ ...base(), server: { port: 'eighty' } }, env))).toContain(
      'server.port',
    )
    const dup = base()
    dup.merchants[0]!.accounts.push({ ...dup.merchants[0]!.accounts[0]! })
    expect(errorOf(() => parseConfig(dup, env))).toContain('merchants.0.accounts.1.id')
    const dangling = { ...base(), merchants: [{ ...base().merchants[0]!, routing: { billing: 'nope' } }] }
    expect(errorOf(() => parseConfig(dangling, env))).toContain('merchants.0.routing.billing')
    const bootNoKey = base()
    bootNoKey.merchants[0]!.accounts = [{ id: 'b', provider: 'bootpay', applicationId: 'x' } as never]
    expect(errorOf(() => parseConfig(bootNoKey, env))).toContain('merchants.0.accounts.0.privateKey')
    const typo = base()
    ;(typo.merchants[0]!.accounts[0] as Record<string, unknown>).merchantKy = 'x'
    expect(errorOf(() => parseConfig(typo, env))).toMatch(/merchants\.0\.accounts\.0.*merchantKy/)
  })

  it('an unknown key names the key meant, a missing one says it is required, each problem on its line', () => {
    const env = { NICE_KEY: 'k' }
    expect(errorOf(() => parseConfig({ ...base(), server: { hots: '127.0.0.1' } }, env))).toBe(
      'invalid configuration: server.hots: Unrecognized key "hots" — did you mean "host"?',
    )
    const noMid = base()
    delete (noMid.merchants[0]!.accounts[0] as Record<string, unknown>).mid
    ;(noMid.merchants[0]!.accounts[0] as Record<string, unknown>).merchant_key = 'x'
    expect(errorOf(() => parseConfig(noMid, env))).toBe(
      [
        'invalid configuration:',
        '  merchants.0.accounts.0.mid is required',
        '  merchants.0.accounts.0.merchant_key: Unrecognized key "merchant_key" — did you mean "merchantKey"?',
      ].join('\n'),
    )
  })

  it("the README's provider-fields table names every field each descriptor's account schema takes", () => {
    const readme = readText(new URL('../README.md', import.meta.url), 'utf8')
    const common = ['id', 'provider', 'baseUrl', 'timeoutMs', 'connectTimeoutMs', 'options']
    for (const d of PROVIDERS) {
      const row = readme.split('\n').find((l) => l.startsWith(`| \`${d.id}\` |`))
      expect(row, `a row for ${d.id}`).toBeDefined()
      const fields = Object.keys(d.accountSchema({}).shape).filter((k) => !common.includes(k))
      for (const f of fields) expect(row, `${d.id}: ${f}`).toContain(`\`${f}`)
    }
  })

  it('loads YAML from a file; a secret with YAML syntax stays a plain string', () => {
    const dir = mkdtempSync(join(tmpdir(), 'paymux-config-'))
    try {
      const file = join(dir, 'paymux.yaml')
      writeFileSync(
        file,
        [
          'server: { port: 9090 }',
          'merchants:',
          '  - id: shop-a',
          `    apiKeys: [ "${HASH}" ]`,
          '    accounts:',
          '      - { id: nice-main, provider: nicepay, mid: nicepay00m, merchantKey: ${NICE_KEY} }',
          '      - { id: cookie, provider: cookiepay, environment: production, apiId: id1, apiKey: "${COOKIE_KEY}", baseUrl: "http://127.0.0.1:9" }',
          '    routing: { billing: nice-main }',
        ].join('\n'),
      )
      const cfg = loadConfigFile(file, { NICE_KEY: 'a: b # not a comment', COOKIE_KEY: 'c' })
      expect(cfg.server.port).toBe(9090)
      expect(cfg.merchants[0]!.accounts[0]).toMatchObject({ merchantKey: 'a: b # not a comment' })
      expect(cfg.merchants[0]!.accounts[1]).toMatchObject({
        environment: 'live',
        baseUrl: 'http://127.0.0.1:9',
      })
      writeFileSync(file, 'merchants: [ {')
      expect(errorOf(() => loadConfigFile(file, {}))).toContain('not valid YAML')
      expect(errorOf(() => loadConfigFile(join(dir, 'missing.yaml'), {}))).toContain('cannot read')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it("accepts the issue's example file as written", () => {
    const dir = mkdtempSync(join(tmpdir(), 'paymux-config-'))
    try {
      const file = join(dir, 'paymux.yaml')
      writeFileSync(
        file,
        `server: { port: 8080 }
database: { url: \${DATABASE_URL} }     # omitted: embedded PGlite in ./.paymux/db
merchants:
  - id: shop-a
    apiKeys: [ "${HASH}" ]
    webhook: { url: "https://shop-a.example/paymux", secret: \${SHOP_A_WEBHOOK_SECRET} }
    accounts:
      - { id: nice-main, provider: nicepay, mid: nicepay00m, merchantKey: \${NICE_KEY} }
      - { id: boot, provider: bootpay, apiVersion: v2, applicationId: "...", privateKey: \${BOOT_KEY} }
      - { id: cookie-card, provider: cookiepay, environment: sandbox, apiId: "...", apiKey: \${COOKIE_KEY} }
    routing: { billing: nice-main, virtualAccount: nice-main }   # defaults per operation
`,
      )
      const env = {
        NICE_KEY: 'n',
        BOOT_KEY: 'b',
        COOKIE_KEY: 'c',
        // The documented form: whsec_ + base64 of 24 to 64 random bytes.
        SHOP_A_WEBHOOK_SECRET: `whsec_${Buffer.from('testsecret'.repeat(3)).toString('base64')}`,
      }
      const cfg = loadConfigFile(file, env)
      expect(cfg.database.url).toBeUndefined()
      expect(cfg.merchants[0]!.accounts.map((a) => a.id)).toEqual(['nice-main', 'boot', 'cookie-card'])
      expect(cfg.merchants[0]!.routing).toEqual({
        payments: [],
        billing: 'nice-main',
        virtualAccount: 'nice-main',
      })
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
