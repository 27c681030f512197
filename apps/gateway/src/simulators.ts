// The PG simulators of the provider registry, served on loopback: what the zero-config demo and
// `paymux simulators` both start. Everything per PG (credentials, the account entry, the notification wiring,
// the control routes) comes from each descriptor's `simulator`, so a new PG needs nothing here.
import type { DemoSimulator } from '@paymux/core'
import { type RunningServer, startServer } from '@paymux/core/simulator'
import type { AnyDescriptor } from './providers.js'

export interface RunningSimulator {
  descriptor: AnyDescriptor
  sim: DemoSimulator
  url: string
  port: number
}

export interface RunningSimulators {
  running: RunningSimulator[]
  close(): Promise<void>
}

/**
 * Starts the simulator of every descriptor that has one. `portBase`: the first on that port, the next on the
 * one after, and so on (fixed, so a config file can name them); omitted, each on a free port.
 */
export async function startSimulators(
  providers: readonly AnyDescriptor[],
  opts: { host?: string; portBase?: number } = {},
): Promise<RunningSimulators> {
  const servers: RunningServer[] = []
  const close = async () => {
    await Promise.all(servers.map((s) => s.close()))
  }
  const running: RunningSimulator[] = []
  try {
    for (const descriptor of providers) {
      if (!descriptor.simulator) continue
      const sim = await descriptor.simulator()
      const port = opts.portBase === undefined ? 0 : opts.portBase + running.length
      const server = await startServer(sim, { port, ...(opts.host ? { hostname: opts.host } : {}) })
      servers.push(server)
      running.push({ descriptor, sim, url: server.url, port: server.port })
    }
  } catch (err) {
    await close()
    throw err
  }
  return { running, close }
}

/** The account entry of a running simulator under `id`: its demo credentials, pointing at it. */
export const simulatorAccount = (s: RunningSimulator, id: string): Record<string, unknown> => ({
  id,
  ...s.sim.demoAccount(s.url),
})

/** The simulated PG notifies the gateway at `gatewayUrl`, at the endpoint of the account `accountId`. */
export function notifyGateway(s: RunningSimulator, gatewayUrl: string, accountId: string): void {
  s.sim.notifyTo(`${gatewayUrl.replace(/\/+$/, '')}/v1/notifications/${encodeURIComponent(accountId)}`)
}
