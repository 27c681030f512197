#!/usr/bin/env node
import { parseArgs } from 'node:util'
import { type GatewayConfig, loadConfigFile } from './config.js'
import { sha256Hex } from './crypto.js'
import { openDatabase } from './db/index.js'
import { isDatabaseUnavailable } from './errors.js'
import { createGateway } from './gateway.js'
import { nearestKey } from './input-problems.js'
import { assertAdaptersBuild, assertMasterKey, assertPortFree, waitForDatabase } from './startup.js'

const HELP = `paymux gateway

Usage:
  paymux [serve] [--config <file>] [--port <n>]   start (no config: the zero-config demo)
  paymux migrate [--config <file>]                 apply database migrations and exit
  paymux worker --config <file>                    run only the webhook outbox and reconciliation workers
  paymux hash-key <api key>                        print the sha256:<hex> entry for merchants[].apiKeys or operators[].keyHash
  paymux simulators [--port-base <n>] [--gateway-url <url>]
                                                   every PG simulator on ports n, n+1, … (default 4010); prints
                                                   the accounts: block for paymux.yaml on stdout, the rest on
                                                   stderr; they notify the gateway at --gateway-url
                                                   (default http://127.0.0.1:8080)

The config path may also come from PAYMUX_CONFIG. DATABASE_URL and PAYMUX_MASTER_KEY are read from the
environment when the file does not set database.url / masterKey.`

async function main(argv: string[]): Promise<number> {
  const parsed = parseCommandLine(argv)
  if (typeof parsed === 'string') {
    console.error(parsed)
    return 2
  }
  const { values, positionals } = parsed
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

  if (command === 'simulators') {
    const portBase = values['port-base'] !== undefined ? Number(values['port-base']) : 4010
    if (!Number.isInteger(portBase) || portBase < 1 || portBase > 65535) {
      console.error('--port-base must be a port number')
      return 2
    }
    const gatewayUrl = values['gateway-url'] ?? 'http://127.0.0.1:8080'
    if (!URL.canParse(gatewayUrl)) {
      console.error('--gateway-url must be an absolute URL, e.g. http://127.0.0.1:8080')
      return 2
    }
    const { PROVIDERS } = await import('./providers.js')
    const { runSimulators } = await import('./simulators-command.js')
    const sims = await runSimulators(
      PROVIDERS,
      { portBase, gatewayUrl },
      { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) },
    )
    await stopped()
    await sims.close()
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
    // The demo brings every PG simulator and a shop: a configured gateway never loads them.
    const { demoBanner, startDemo } = await import('./demo.js')
    const demo = await startDemo({ ...(port !== undefined ? { port } : {}) })
    process.stderr.write(`${demoBanner(demo)}\n`)
    if (demo.gateway.runtime.config.workers.enabled) demo.gateway.startWorkers()
    close = () => demo.close()
  } else {
    const config = loadConfigFile(configPath)
    if (port !== undefined) config.server.port = port
    // The order the README gives: what the file says (master key, credentials) before the port, all before the
    // database is touched: a gateway that cannot listen must not run migrations first.
    assertMasterKey(config)
    await assertAdaptersBuild(config)
    await assertPortFree(config.server.host, config.server.port)
    if (config.database.url)
      await waitForDatabase(config.database.url, config.database.startupWaitSeconds, say)
    const gateway = await createGateway({ config })
    const { url } = await gateway.listen()
    if (config.workers.enabled) gateway.startWorkers()
    gateway.logger.info(
      { url, docs: `${url}/docs`, merchants: config.merchants.length },
      'paymux gateway listening',
    )
    close = () => gateway.close()
  }
  await stopped()
  await close()
  return 0
}

/** Resolves at SIGINT or SIGTERM: the process then closes what it runs and exits 0. */
const stopped = () =>
  new Promise<void>((resolveStop) => {
    const stop = () => resolveStop()
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
  })

const OPTIONS = {
  config: { type: 'string', short: 'c' },
  port: { type: 'string', short: 'p' },
  'port-base': { type: 'string' },
  'gateway-url': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const

/** The command line, or the one line that says what is wrong with it (exit 2), naming the option meant. */
function parseCommandLine(argv: string[]) {
  try {
    return parseArgs({ args: argv, allowPositionals: true, options: OPTIONS })
  } catch (err) {
    const e = err as NodeJS.ErrnoException
    if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      const given = /'(-[^']*)'/.exec(e.message)?.[1] ?? argv.find((a) => a.startsWith('-')) ?? ''
      const near = nearestKey(given.replace(/^-+/, '').split('=')[0]!, Object.keys(OPTIONS))
      return `paymux: unknown option ${given}${near ? ` — did you mean --${near}?` : ''} (see paymux --help)`
    }
    if (typeof e.code === 'string' && e.code.startsWith('ERR_PARSE_ARGS_'))
      return `paymux: ${e.message} (see paymux --help)`
    throw err
  }
}

const say = (line: string) => console.error(line)

/**
 * What must hold before the database is touched: the master key, every adapter accepts its account,
 * PostgreSQL answers.
 */
async function preflight(config: GatewayConfig): Promise<void> {
  assertMasterKey(config)
  await assertAdaptersBuild(config)
  if (config.database.url) await waitForDatabase(config.database.url, config.database.startupWaitSeconds, say)
}

/** An operator's mistake is one line; a stack trace is kept for what is a bug. */
function oneLine(err: unknown): string | undefined {
  const e = err as NodeJS.ErrnoException
  if (e?.name === 'ConfigError') return e.message
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
