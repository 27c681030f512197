// Checks `paymux serve` (and `migrate`, `worker`) makes before touching the database, so an operator's mistake
// is one line naming the setting, and never half a start: no migration runs for a gateway that cannot listen.
import { createServer } from 'node:net'
import { Redactor } from '@paymux/core'
import pg from 'pg'
import { ConfigError } from './config-checks.js'
import type { GatewayConfig } from './config.js'
import { isDatabaseUnavailable } from './errors.js'
import { accountSecrets, defaultProviderFactory } from './providers.js'

/** Fails when the port is taken (or not ours to take), naming the ways to choose another. */
export async function assertPortFree(host: string, port: number): Promise<void> {
  if (port === 0) return
  await new Promise<void>((resolve, reject) => {
    const probe = createServer()
    probe.once('error', (err: NodeJS.ErrnoException) => {
      const how = 'choose another with --port <n> or PORT (or server.port in the config)'
      if (err.code === 'EADDRINUSE')
        reject(new ConfigError(`port ${port} on ${host} is already in use: ${how}`))
      else if (err.code === 'EACCES')
        reject(new ConfigError(`not allowed to listen on port ${port} on ${host}: ${how}`))
      else if (err.code === 'EADDRNOTAVAIL')
        reject(new ConfigError(`server.host ${host} is not an address of this machine`))
      else reject(err)
    })
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve()))
  })
}

/** Every account's adapter built once, so a credential the adapter refuses is named before anything runs. */
export async function assertAdaptersBuild(config: GatewayConfig): Promise<void> {
  const silent = { debug() {}, info() {}, warn() {}, error() {} }
  for (const [mi, m] of config.merchants.entries())
    for (const [ai, a] of m.accounts.entries()) {
      try {
        await defaultProviderFactory(a, { logger: silent })
      } catch (err) {
        // The message is the adapter's; a credential must not show in it even if an adapter ever quotes one.
        const why = new Redactor(accountSecrets(a)).apply((err as Error).message ?? String(err))
        throw new ConfigError(`merchants.${mi}.accounts.${ai} (${a.id}): ${why}`)
      }
    }
}

/** host:port/database, never the user or password of the URL. */
export function databaseWhere(url: string): string {
  try {
    const u = new URL(url)
    return `${u.hostname}:${u.port || '5432'}${u.pathname}`
  } catch {
    return '(unparseable database.url)'
  }
}

const codeOf = (err: unknown) =>
  String((err as { code?: unknown })?.code ?? (err as Error)?.message ?? err).slice(0, 80)

/**
 * PostgreSQL at start: waits for it while it is unreachable (started at the same time, restarting), with a
 * line per attempt, up to `waitSeconds`; then, or at once for anything else (login refused, no such
 * database), one line and the caller exits.
 */
export async function waitForDatabase(
  url: string,
  waitSeconds: number,
  say: (line: string) => void,
  everyMs = 2_000,
): Promise<void> {
  const where = databaseWhere(url)
  const until = Date.now() + waitSeconds * 1000
  for (let attempt = 1; ; attempt++) {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 })
    client.on('error', () => {})
    try {
      await client.connect()
      await client.query('SELECT 1')
      return
    } catch (err) {
      if (!isDatabaseUnavailable(err))
        throw new ConfigError(
          `database ${where} refused the gateway: ${(err as Error)?.message ?? codeOf(err)} (check database.url / DATABASE_URL)`,
        )
      const left = Math.ceil((until - Date.now()) / 1000)
      if (left <= 0)
        throw new ConfigError(
          `database ${where} is unreachable (${codeOf(err)})${waitSeconds > 0 ? ` after ${waitSeconds} s` : ''}: check database.url / DATABASE_URL and that PostgreSQL runs (database.startupWaitSeconds sets the wait)`,
        )
      say(
        `paymux: database ${where} is unreachable (${codeOf(err)}), attempt ${attempt}; retrying for ${left} s more`,
      )
      await new Promise((r) => setTimeout(r, Math.min(everyMs, left * 1000)))
    } finally {
      await client.end().catch(() => {})
    }
  }
}
