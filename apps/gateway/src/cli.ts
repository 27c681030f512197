#!/usr/bin/env node
import { parseArgs } from 'node:util'
import { loadConfigFile } from './config.js'
import { sha256Hex } from './crypto.js'
import { openDatabase } from './db/index.js'
import { demoBanner, startDemo } from './demo.js'
import { createGateway } from './gateway.js'

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
    const demo = await startDemo({ ...(port !== undefined ? { port } : {}) })
    process.stderr.write(`${demoBanner(demo)}\n`)
    if (demo.gateway.runtime.config.workers.enabled) demo.gateway.startWorkers()
    close = () => demo.close()
  } else {
    const config = loadConfigFile(configPath)
    if (port !== undefined) config.server.port = port
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

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    const e = err as Error
    console.error(e.name === 'ConfigError' ? e.message : `paymux: ${e.stack ?? e.message}`)
    process.exit(1)
  },
)
