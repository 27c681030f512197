import { z } from 'zod'
import type { BaseAccountConfig, ProviderDescriptor } from '../../descriptor.js'
import { createToyPg } from './toy-pg.js'
import { ToyProvider } from './toy-provider.js'

/**
 * The toy PG as a host registers any PG: proof that a host built on descriptors runs a PG it was never
 * written for (the gateway's registry test adds this one to its list and changes nothing else).
 */
export const toyDescriptor: ProviderDescriptor<BaseAccountConfig> = {
  id: 'toy',
  displayName: 'Toy PG',
  accountSchema: (common) => z.strictObject({ ...common, provider: z.literal('toy') }),
  create: (config, context) =>
    new ToyProvider({
      baseUrl: config.baseUrl ?? 'http://127.0.0.1:1',
      timeoutMs: config.timeoutMs ?? 5_000,
      // `options.netCancel: true`: the toy account with a network cancel (what NicePay has).
      netCancel: config.options?.netCancel === true,
      ...(context.onCall ? { onCall: context.onCall } : {}),
    }),
  secrets: () => [],
  simulator: async () => {
    const pg = createToyPg()
    return {
      fetch: (request) => pg.app.fetch(request),
      seedPayment: (input) => pg.seed(input.amount),
      demoAccount: (url) => ({ provider: 'toy', baseUrl: url }),
      // The toy notifies nothing and has no control routes: its tests drive it in process.
      notifyTo: () => {},
      controlRoutes: [],
      instance: pg,
    }
  },
}

export { createToyPg } from './toy-pg.js'
