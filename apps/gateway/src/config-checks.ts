import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { z } from 'zod'
import { parseMasterKey } from './crypto.js'

/** A mistake in the configuration or the environment: the CLI prints its message alone, as one line. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError'
}

/** The accounts a routing.payments rule names (routing/config.ts has the whole schema). */
interface RuleShape {
  split: Array<{ account: string }>
  fallback: string[]
}

/** The parts of a merchant the cross-checks read (the schema's output, before the whole file is built). */
interface MerchantShape {
  id: string
  apiKeys: string[]
  accounts: Array<{ id: string }>
  routing: { billing?: string | undefined; virtualAccount?: string | undefined; payments: RuleShape[] }
}

/**
 * Checks that need the whole file: ids that must be unique, routing that must point somewhere, and API keys
 * that must belong to one merchant. Each problem is reported once, at the key to change, naming what it
 * collides with.
 */
export function crossCheckMerchants(merchants: MerchantShape[], ctx: z.RefinementCtx): void {
  const issue = (path: Array<string | number>, message: string) =>
    ctx.addIssue({ code: 'custom', path: ['merchants', ...path], message })

  const merchantIds = new Map<string, number>()
  merchants.forEach((m, mi) => {
    const first = merchantIds.get(m.id)
    if (first !== undefined) issue([mi, 'id'], `duplicate merchant id ${m.id} (also merchants.${first})`)
    else merchantIds.set(m.id, mi)
  })

  // Account ids are global: PG notifications arrive at /v1/notifications/{accountId}.
  const accountOwner = new Map<string, { merchant: string; path: string }>()
  merchants.forEach((m, mi) => {
    m.accounts.forEach((a, ai) => {
      const first = accountOwner.get(a.id)
      const path = `merchants.${mi}.accounts.${ai}`
      if (first === undefined) accountOwner.set(a.id, { merchant: m.id, path })
      else if (first.merchant === m.id)
        issue(
          [mi, 'accounts', ai, 'id'],
          `duplicate account id ${a.id} in merchant ${m.id} (also ${first.path})`,
        )
      else
        issue(
          [mi, 'accounts', ai, 'id'],
          `account id ${a.id} is already used by merchant ${first.merchant} (${first.path}); account ids are unique across the file`,
        )
    })
    // Routing is checked against the merchant's own accounts only: a duplicate above is not repeated here.
    const own = new Set(m.accounts.map((a) => a.id))
    for (const op of ['billing', 'virtualAccount'] as const) {
      const target = m.routing[op]
      if (target !== undefined && !own.has(target))
        issue([mi, 'routing', op], `no account ${target} in merchant ${m.id}`)
    }
    m.routing.payments.forEach((rule, ri) => {
      const at = (...rest: Array<string | number>) => [mi, 'routing', 'payments', ri, ...rest]
      rule.split.forEach((share, si) => {
        if (!own.has(share.account))
          issue(at('split', si, 'account'), `no account ${share.account} in merchant ${m.id}`)
      })
      rule.fallback.forEach((a, fi) => {
        if (!own.has(a)) issue(at('fallback', fi), `no account ${a} in merchant ${m.id}`)
      })
    })
  })

  // One key, one merchant: otherwise the key acts on whichever merchant is found first.
  const keyOwner = new Map<string, string>()
  merchants.forEach((m, mi) => {
    m.apiKeys.forEach((k, ki) => {
      const hash = k.toLowerCase()
      const first = keyOwner.get(hash)
      if (first === undefined) keyOwner.set(hash, m.id)
      else if (first !== m.id)
        issue(
          [mi, 'apiKeys', ki],
          `the same API key is configured for merchants ${first} and ${m.id}; give each merchant its own key`,
        )
    })
  })
}

/** Standard Webhooks secrets, as the README documents them: `whsec_` + base64 of 24 to 64 bytes. */
export const WEBHOOK_SECRET_FORM = /^whsec_[A-Za-z0-9+/]+={0,2}$/

export function isWebhookSecret(s: string): boolean {
  if (!WEBHOOK_SECRET_FORM.test(s)) return false
  const bytes = Buffer.from(s.slice('whsec_'.length), 'base64').length
  return bytes >= 24 && bytes <= 64
}

export const WEBHOOK_SECRET_MESSAGE =
  'must be "whsec_" + base64 of 24 to 64 random bytes (Standard Webhooks), e.g. whsec_$(openssl rand -base64 32)'

export const API_KEY_HASH_MESSAGE =
  'must be "sha256:" + 64 lowercase hex characters: make one with `paymux hash-key <api key>`'

/** The master key, refused at start with the place it came from (never its value) when it is not 32 bytes. */
export function checkedMasterKey(value: string, source: string): string {
  try {
    parseMasterKey(value)
  } catch {
    throw new ConfigError(
      `${source}: the master key must be 32 bytes, written as 64 hex characters or base64 (e.g. openssl rand -base64 32)`,
    )
  }
  return value
}

/**
 * The master key as given (the config or PAYMUX_MASTER_KEY), else the embedded database's `master.key` in
 * `dataDir`; undefined when the embedded database has none yet. Refused when not 32 bytes, or absent with
 * PostgreSQL (every process needs the same key). Creates nothing, so it can run before any other check.
 */
export function existingMasterKey(
  config: { masterKey?: string | undefined; database: { url?: string | undefined } },
  dataDir: string,
): string | undefined {
  if (config.masterKey) return checkedMasterKey(config.masterKey, 'masterKey (or PAYMUX_MASTER_KEY)')
  if (config.database.url)
    throw new ConfigError('PAYMUX_MASTER_KEY (or masterKey in the config) is required with database.url')
  const file = join(dataDir, 'master.key')
  return existsSync(file) ? checkedMasterKey(readFileSync(file, 'utf8').trim(), file) : undefined
}
