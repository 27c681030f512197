// `paymux simulators`: every PG simulator of the registry on fixed ports, for a config file to point at. What a
// person reads (URLs, credentials, control routes) goes to stderr; stdout is only the `accounts:` block, so
// `paymux simulators > accounts.yaml` captures exactly what paymux.yaml needs.
import { stringify } from 'yaml'
import { ConfigError } from './config-checks.js'
import { controlRouteLines } from './demo-banner.js'
import type { AnyDescriptor } from './providers.js'
import { notifyGateway, type RunningSimulators, simulatorAccount, startSimulators } from './simulators.js'

export interface SimulatorsCommandOptions {
  portBase: number
  /** The gateway the simulators notify (`/v1/notifications/<account>` under it). */
  gatewayUrl: string
  host?: string
}

/** The account id a simulator's entry gets: `<provider>-sim`. */
export const simulatorAccountId = (d: AnyDescriptor) => `${d.id}-sim`

/** Starts the simulators and prints both parts; the caller keeps them running until it is told to stop. */
export async function runSimulators(
  providers: readonly AnyDescriptor[],
  opts: SimulatorsCommandOptions,
  write: { out: (text: string) => void; err: (text: string) => void },
): Promise<RunningSimulators> {
  const sims = await startSimulators(providers, {
    portBase: opts.portBase,
    ...(opts.host ? { host: opts.host } : {}),
  }).catch((err: NodeJS.ErrnoException & { port?: number }) => {
    if (err.code === 'EADDRINUSE')
      throw new ConfigError(
        `port ${err.port ?? '?'} is already in use: the simulators take ${providers.filter((p) => p.simulator).length} ports from --port-base ${opts.portBase}; choose another base`,
      )
    throw err
  })
  const accounts = sims.running.map((r) => {
    notifyGateway(r, opts.gatewayUrl, simulatorAccountId(r.descriptor))
    return simulatorAccount(r, simulatorAccountId(r.descriptor))
  })

  const human = sims.running.flatMap((r, i) => {
    const id = simulatorAccountId(r.descriptor)
    // The entry's own fields (the demo credentials), not the ones every entry has.
    const credentials = Object.entries(accounts[i]!).filter(
      ([k]) => !['id', 'provider', 'baseUrl', 'options'].includes(k),
    )
    return [
      `  ${r.descriptor.displayName} simulator  ${r.url}   (account ${id})`,
      `    credentials   ${credentials.map(([k, v]) => `${k}=${String(v)}`).join('  ')}`,
      `    notifies      ${opts.gatewayUrl.replace(/\/+$/, '')}/v1/notifications/${id}`,
      '    control routes:',
      ...controlRouteLines(r.url, r.sim.controlRoutes, undefined, '      '),
      '',
    ]
  })
  write.err(
    [
      '',
      `paymux simulators: ${sims.running.length} PG simulators on ${opts.host ?? '127.0.0.1'} (simulated PGs: no real money, demo credentials)`,
      '',
      ...human,
      '  The accounts: block for paymux.yaml is on standard output (put it under a merchant).',
      '  Ctrl-C stops them.',
      '',
    ].join('\n'),
  )
  write.out(
    `# paymux simulators: the accounts of one merchant in paymux.yaml; the simulators notify ${opts.gatewayUrl}\n${stringify({ accounts })}`,
  )
  return sims
}
