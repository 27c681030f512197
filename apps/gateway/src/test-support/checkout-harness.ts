// Test support for checkouts: a gateway with checkout accounts in front of their simulators, a merchant's
// webhook endpoint, and a tiny merchant shop whose success and fail pages record where the customer landed.
// Not part of the built package.
import { randomBytes } from 'node:crypto'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Redactor } from '@paymux/core'
import { startServer } from '@paymux/core/simulator'
import { createToyPg, toyDescriptor } from '@paymux/core/testing'
import { createBootpaySimulator } from '@paymux/adapter-bootpay/simulator'
import { createCookiePaySimulator } from '@paymux/adapter-cookiepay/simulator'
import { createNicePaySimulator } from '@paymux/adapter-nicepay/simulator'
import { parseConfig } from '../config.js'
import { generateMasterKey, sha256Hex } from '../crypto.js'
import type { Db } from '../db/index.js'
import { createGateway, type Gateway } from '../gateway.js'
import { createLogger } from '../logger.js'
import { type AnyDescriptor, PROVIDERS } from '../providers.js'
import { generateWebhookSecret } from '@paymux/webhooks'
import { startListener, type Listener } from './flows.js'
import { type CallResult, caller, type DbTarget, openTestDb } from './harness.js'

/** A PG simulator running for a checkout test, with the account entry that points at it. */
export interface RunningCheckoutSim {
  /** The account entry (without `id`) whose checkout works against this simulator (its `demoAccount`). */
  account: Record<string, unknown>
  /** How many approvals the simulator executed for a PG transaction id (more than one: a double charge). */
  approvals(transactionId: string): Promise<number>
  /** The simulator's own settings for the unhappy paths, where it has them. */
  knobs?: {
    /** The window posts (or redirects) its result twice. */
    resultTwice(on: boolean): void
    /** The approval executes and its answer never comes back (NicePay: the network cancel's case). */
    dropApprovalAnswer?(on: boolean): void
    /** Network cancels executed for a transaction. */
    netCancels?(transactionId: string): Promise<number>
  }
  close(): Promise<void>
}

/** One PG's checkout as a browser or API test runs it. */
export interface CheckoutSetup {
  name: string
  /** Descriptors the gateway needs beyond the built-in ones (the toy's). */
  providers?: readonly AnyDescriptor[]
  /** Made from the PG's descriptor alone: its simulator's knobs are only those its descriptor offers. */
  fromRegistry?: boolean
  start(): Promise<RunningCheckoutSim>
}

/** The toy PG (core's testing package), with or without its network cancel. */
export function toySetup(opts: { netCancel?: boolean } = {}): CheckoutSetup & {
  pg?: ReturnType<typeof createToyPg>
} {
  const setup: CheckoutSetup & { pg?: ReturnType<typeof createToyPg> } = {
    name: opts.netCancel ? 'toy with a network cancel' : 'toy',
    providers: [toyDescriptor],
    async start() {
      const pg = createToyPg()
      setup.pg = pg
      const server = await startServer(pg.app)
      return {
        account: {
          provider: 'toy',
          baseUrl: server.url,
          timeoutMs: 400,
          ...(opts.netCancel ? { options: { netCancel: true } } : {}),
        },
        approvals: async (tx) => pg.checkout.authentications.get(tx)?.approvals ?? 0,
        close: () => server.close(),
      }
    },
  }
  return setup
}

/**
 * A real PG's checkout against its simulator: the simulator descriptor's demo account (as the zero-config
 * demo uses it) with a short timeout, and the simulator's own count of approvals for a transaction.
 */
export function pgSetups(): CheckoutSetup[] {
  const timeoutMs = 3_000
  return [
    {
      name: 'NicePay',
      async start() {
        const sim = createNicePaySimulator()
        const server = await startServer(sim.app)
        return {
          account: { ...(await demoAccountOf('nicepay', server.url)), timeoutMs },
          // An approval a network cancel undid moved no money: what counts is what stands.
          approvals: async (tx) => {
            const c = sim.inspect(tx)?.checkout
            return c ? c.approvals - c.netCancels : 0
          },
          knobs: {
            resultTwice: (on) => {
              sim.settings.resultPostedTwice = on
            },
            dropApprovalAnswer: (on) => {
              sim.settings.approvalAnswerLost = on
            },
            netCancels: async (tx) => sim.inspect(tx)?.checkout?.netCancels ?? 0,
          },
          close: () => server.close(),
        }
      },
    },
    {
      name: 'Bootpay',
      async start() {
        const sim = createBootpaySimulator()
        const server = await startServer(sim.app)
        return {
          account: { ...(await demoAccountOf('bootpay', server.url)), timeoutMs },
          approvals: async (id) => sim.inspect(id)?.confirmsApplied ?? 0,
          knobs: {
            resultTwice: (on) => {
              sim.settings.windowResultTwice = on
            },
          },
          close: () => server.close(),
        }
      },
    },
    {
      name: 'CookiePay',
      async start() {
        const sim = createCookiePaySimulator()
        const server = await startServer(sim.app)
        return {
          account: { ...(await demoAccountOf('cookiepay', server.url)), timeoutMs },
          // CookiePay approves inside its window: each payment it made for the order is one approval.
          approvals: async (tid) => {
            const order = sim.inspect(tid)?.checkout?.orderId
            return order ? sim.paymentsForOrder(order).length : 0
          },
          knobs: {
            resultTwice: (on) => sim.updateCheckoutSettings({ returnPostedTwice: on }),
          },
          close: () => server.close(),
        }
      },
    },
    ...registrySetups(),
  ]
}

/** The PGs whose setup above is written by hand (their simulators' own knobs); every other comes from the registry. */
const HAND_WRITTEN = new Set(['nicepay', 'bootpay', 'cookiepay'])

/**
 * The checkout of every registered PG not written out above, from its descriptor alone: its demo simulator on
 * loopback, its demo account, and the simulator's approval count (a PG whose simulator does not count approvals
 * cannot be held to exactly one, and fails here rather than pass unchecked).
 */
export function registrySetups(providers: readonly AnyDescriptor[] = PROVIDERS): CheckoutSetup[] {
  return providers
    .filter((d) => d.simulator && !HAND_WRITTEN.has(d.id))
    .map((d) => ({
      name: d.displayName,
      fromRegistry: true,
      async start() {
        const sim = await d.simulator!()
        const server = await startServer({ fetch: (r) => sim.fetch(r) })
        return {
          account: { ...sim.demoAccount(server.url), timeoutMs: 3_000 },
          approvals: async (tx) => {
            if (!sim.approvals) throw new Error(`${d.displayName}'s simulator counts no approvals`)
            return sim.approvals(tx)
          },
          ...(sim.resultTwice ? { knobs: { resultTwice: sim.resultTwice } } : {}),
          close: () => server.close(),
        }
      },
    }))
}

/** The demo account an adapter's descriptor gives for its simulator at `url`. */
async function demoAccountOf(id: string, url: string): Promise<Record<string, unknown>> {
  const sim = await PROVIDERS.find((p) => p.id === id)?.simulator?.()
  if (!sim) throw new Error(`no simulator for ${id}`)
  return sim.demoAccount(url)
}

/** The merchant's shop: success and fail pages that record every landing (path and query). */
export interface Shop {
  url: string
  landings: Array<{ path: string; query: Record<string, string> }>
  close(): Promise<void>
}

export async function startShop(): Promise<Shop> {
  const landings: Shop['landings'] = []
  const server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://shop.local')
    landings.push({ path: u.pathname, query: Object.fromEntries(u.searchParams) })
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
    res.end(
      `<!DOCTYPE html><title>Shop</title><h1>${u.pathname === '/paid' ? 'Thank you' : 'Payment failed'}</h1>`,
    )
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    landings,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections()
        server.close(() => r())
      }),
  }
}

export interface CheckoutGateway {
  url: string
  gateway: Gateway
  db: Db
  hooks: Listener
  shop: Shop
  webhookSecret: string
  /** Account ids, in the order of the simulators given. */
  accounts: string[]
  call(method: string, path: string, opts?: Parameters<ReturnType<typeof caller>>[2]): Promise<CallResult>
  close(): Promise<void>
}

/**
 * A gateway with one checkout account per running simulator (`co-0`, `co-1`, …) for the merchant `shop`, its
 * webhook endpoint, and the shop. `workers`: delivery and reconciliation run in the process (browser tests);
 * off, tests drive the reconciler themselves.
 */
export async function startCheckoutGateway(
  target: DbTarget,
  sims: RunningCheckoutSim[],
  opts: { providers?: readonly AnyDescriptor[]; workers?: boolean } = {},
): Promise<CheckoutGateway> {
  const providers = [...PROVIDERS, ...(opts.providers ?? [])]
  const apiKey = `sk_test_${randomBytes(12).toString('hex')}`
  const webhookSecret = generateWebhookSecret()
  const hooks = await startListener()
  const shop = await startShop()
  const accounts = sims.map((_, i) => `co-${i}`)
  const config = parseConfig(
    {
      masterKey: generateMasterKey(),
      log: { level: 'debug' },
      merchants: [
        {
          id: 'shop',
          apiKeys: [`sha256:${sha256Hex(apiKey)}`],
          webhook: { url: hooks.url, secret: webhookSecret },
          accounts: sims.map((s, i) => ({ ...s.account, id: accounts[i] })) as never,
        },
      ],
      workers: {
        enabled: opts.workers === true,
        outbox: { intervalMs: 50, timeoutMs: 2_000, retryScheduleSeconds: [0.1, 0.1, 0.2, 0.2, 0.2] },
        reconcile: {
          intervalMs: 50,
          minAgeMs: 300,
          backoffSeconds: [0.1],
          giveUpAfterSeconds: 600,
          failAfterNoChangeLookups: 2,
        },
      },
    },
    {},
    providers,
  )
  const opened = await openTestDb(target)
  const redactor = new Redactor([apiKey, webhookSecret])
  const { logger } = createLogger({ level: 'warn', redactor, destination: { write: () => {} } })
  const gateway = await createGateway({ config, db: opened.db, providers, logger, redactor })
  const { url } = await gateway.listen(0, '127.0.0.1')
  if (opts.workers) gateway.startWorkers()
  return {
    url,
    gateway,
    db: opened.db,
    hooks,
    shop,
    webhookSecret,
    accounts,
    call: caller(url, apiKey),
    async close() {
      await gateway.close()
      await opened.drop()
      await hooks.close()
      await shop.close()
    },
  }
}

/** A checkout's create body, for the shop's pages. */
export function createBody(shop: Shop, account: string, over: Record<string, unknown> = {}) {
  return {
    orderId: `ord-${randomBytes(6).toString('hex')}`,
    amount: 15_000,
    orderName: 'T-shirt',
    method: 'card',
    customer: { name: 'Hong Gildong', email: 'buyer@example.com' },
    successUrl: `${shop.url}/paid`,
    failUrl: `${shop.url}/failed`,
    account,
    ...over,
  }
}
