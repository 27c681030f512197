#!/usr/bin/env node
import { parseArgs } from 'node:util'
import { type GatewayConfig, loadConfigFile } from './config.js'
import { sha256Hex } from './crypto.js'
import { openDatabase } from './db/index.js'
import { isDatabaseUnavailable } from './errors.js'
import { createGateway } from './gateway.js'
import { assertAdaptersBuild, assertPortFree, waitForDatabase } from './startup.js'

const HELP = `paymux gateway

Usage:
  paymux [serve] [--config <file>] [--port <n>]   start (no config: the zero-config demo)
  paymux migrate [--config <file>]                 apply database migrations and exit
  paymux worker --config <file>                    run only the webhook outbox and reconciliation workers
  paymux hash-key <api key>                        print the sha256:<hex> entry for merchants[].apiKeys

The config path may also come from PAYMUX_CONFIG. DATABASE_URL and PAYMUX_MASTER_KEY are read from the
environment when the file does not set database.url / masterKey.`

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      config: { type: 'string', short: 'c' },
      port: { type: 'string', short: 'p' },
      help: { type: 'boolean', short: 'h' },
    },
  })
  const command = positionals[0] ?? 'serve'
  if (values.help || command === 'help') {
    console.log(HELP)
    return 0
  }
  const configPath = values.config ?? process.env.PAYMUX_CONFIG
  const port =
    values.port !== undefined ? Number(values.port) : process.env.PORT ? Number(process.env.PORT) : undefined
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) {
    console.error('--port must be a port number')
    return 2
  }

  if (command === 'hash-key') {
    const key = positionals[1]
    if (!key) {
      console.error('usage: paymux hash-key <api key>')
      return 2
    }
    console.log(`sha256:${sha256Hex(key)}`)
    return 0
  }

  if (command === 'migrate') {
    const config = configPath ? loadConfigFile(configPath) : undefined
    const url = config?.database.url ?? process.env.DATABASE_URL
    if (url) await waitForDatabase(url, config?.database.startupWaitSeconds ?? 30, say)
    const db = await openDatabase({
      ...(url ? { url } : { dataDir: config?.database.path ?? './.paymux/db' }),
      ...(config?.database.schema ? { schema: config.database.schema } : {}),
    })
    try {
      const applied = await db.migrate()
      console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date')
    } finally {
      await db.close()
    }
    return 0
  }

  if (command === 'worker') {
    // The same workers `serve` runs, without the HTTP API: scale them separately; SKIP LOCKED shares the work.
    if (!configPath) {
      console.error('usage: paymux worker --config <file> (or PAYMUX_CONFIG)')
      return 2
    }
    const config = loadConfigFile(configPath)
    if (!config.database.url) {
      console.error(
        'paymux worker needs database.url (PostgreSQL): the embedded database belongs to one process',
      )
      return 2
    }
    await preflight(config)
    const gateway = await createGateway({ config })
    gateway.startWorkers()
    gateway.logger.info('paymux workers running (outbox, reconciliation)')
    await new Promise<void>((resolveStop) => {
      process.once('SIGINT', () => resolveStop())
      process.once('SIGTERM', () => resolveStop())
    })
    await gateway.close()
    return 0
  }

  if (command !== 'serve') {
    console.error(`unknown command ${command}\n\n${HELP}`)
    return 2
  }

  let close: () => Promise<void>
  if (!configPath) {
    await assertPortFree('127.0.0.1', port ?? 8080)
    // The demo brings three PG simulators and a shop: a configured gateway never loads them.
    const { demoBanner, startDemo } = await import('./demo.js')
    const demo = await startDemo({ ...(port !== undefined ? { port } : {}) })
    process.stderr.write(`${demoBanner(demo)}\n`)
    if (demo.gateway.runtime.config.workers.enabled) demo.gateway.startWorkers()
    close = () => demo.close()
  } else {
    const config = loadConfigFile(configPath)
    if (port !== undefined) config.server.port = port
    // Before the database is touched: a gateway that cannot listen must not run migrations first.
    await assertPortFree(config.server.host, config.server.port)
    await preflight(config)
    const gateway = await createGateway({ config })
    const { url } = await gateway.listen()
    if (config.workers.enabled) gateway.startWorkers()
    gateway.logger.info(
      { url, docs: `${url}/docs`, merchants: config.merchants.length },
      'paymux gateway listening',
    )
    close = () => gateway.close()
  }
  await new Promise<void>((resolveStop) => {
    const stop = () => resolveStop()
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
  })
  await close()
  return 0
}

const say = (line: string) => console.error(line)

/** What must hold before the database is touched: every adapter accepts its account, PostgreSQL answers. */
async function preflight(config: GatewayConfig): Promise<void> {
  await assertAdaptersBuild(config)
  if (config.database.url) await waitForDatabase(config.database.url, config.database.startupWaitSeconds, say)
}

/** An operator's mistake is one line; a stack trace is kept for what is a bug. */
function oneLine(err: unknown): string | undefined {
  const e = err as NodeJS.ErrnoException
  if (e?.name === 'ConfigError') return e.message
  if (typeof e?.code === 'string' && e.code.startsWith('ERR_PARSE_ARGS_'))
    return `paymux: ${e.message} (see paymux --help)`
  if (e?.code === 'EADDRINUSE')
    return 'paymux: the port is already in use: choose another with --port <n> or PORT (or server.port in the config)'
  if (isDatabaseUnavailable(err))
    return `paymux: the database became unreachable during start (${e.code ?? e.message})`
  return undefined
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    const e = err as Error
    console.error(oneLine(err) ?? `paymux: ${e.stack ?? e.message}`)
    process.exit(1)
  },
)
