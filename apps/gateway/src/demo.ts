import { randomBytes } from 'node:crypto'
import { join, resolve } from 'node:path'
import type { BootpaySimulator } from '@paymux/adapter-bootpay/simulator'
import type { CookiePaySimulator } from '@paymux/adapter-cookiepay/simulator'
import type { NicePaySimulator } from '@paymux/adapter-nicepay/simulator'
import { Redactor } from '@paymux/core'
import { sql } from 'kysely'
import { parseConfig } from './config.js'
import { sha256Hex } from './crypto.js'
import { createGateway, type Gateway } from './gateway.js'
import { demoShop } from './demo-shop.js'
import { createLogger, type GatewayLoggerOptions } from './logger.js'
import { generateWebhookSecret } from '@paymux/webhooks'
import { importPayment } from './operations/payment-ref.js'
import { seedNeedsReview } from './console/demo-seed.js'
import { PROVIDERS } from './providers.js'
import { notifyGateway, type RunningSimulator, simulatorAccount, startSimulators } from './simulators.js'

import type { DemoBannerInput } from './demo-banner.js'

export { type DemoBannerInput, demoBanner } from './demo-banner.js'

export interface DemoOptions {
  port?: number
  host?: string
  dataDir?: string
  logLevel?: string
  logDestination?: GatewayLoggerOptions['destination']
  /** Keep the demo database between runs (default: fresh, since the simulators start empty). */
  keepData?: boolean
}

export interface SeededPayment {
  /** The gateway's id: each seeded payment is recorded (looked up at its PG) before the demo starts. */
  paymentId: string
  account: string
  provider: string
  transactionId: string
  amount: number
}

export interface Demo {
  gateway: Gateway
  url: string
  apiKey: string
  /** Signs in to /console as the demo merchant's operator. */
  operatorKey: string
  merchantId: string
  seeded: SeededPayment[]
  simulators: {
    nicepay: NicePaySimulator
    bootpay: BootpaySimulator
    cookiepay: CookiePaySimulator
  }
  simulatorUrls: Record<string, string>
  /** Each simulator with the demo account on it, for the banner. */
  pgSimulators: DemoBannerInput['pgSimulators']
  /** The data folder used (absolute): the embedded database in demo-db/, the generated master.key. */
  dataDir: string
  redactor: Redactor
  close(): Promise<void>
}

/** The demo accounts' names: nice-demo, boot-demo, cookie-demo (a PG not listed: `<provider>-demo`). */
const DEMO_ACCOUNT_PREFIX: Record<string, string> = { nicepay: 'nice', bootpay: 'boot', cookiepay: 'cookie' }

/** The demo's account at a PG, by the PG's id (a PG not listed above: `<provider>-demo`). */
export const demoAccountId = (provider: string): string => `${DEMO_ACCOUNT_PREFIX[provider] ?? provider}-demo`

/**
 * The zero-config demo: the simulator of every registered PG on loopback, an embedded database, one merchant
 * with one account per PG, and a few paid payments at each PG to cancel.
 */
export async function startDemo(opts: DemoOptions = {}): Promise<Demo> {
  const dataDir = resolve(opts.dataDir ?? './.paymux')
  const dbDir = join(dataDir, 'demo-db')

  const sims = await startSimulators(PROVIDERS)
  const closeAll = () => sims.close()
  // The demo's account at each PG (named as the README and the shop name them).
  const accountIds = new Map(sims.running.map((r) => [r, demoAccountId(r.descriptor.id)]))
  const accountOf = (r: RunningSimulator) => accountIds.get(r)!
  const simOf = (provider: string) => sims.running.find((r) => r.descriptor.id === provider)!

  const apiKey = `pmx_demo_${randomBytes(18).toString('base64url')}`
  // The console's operator key, printed in the banner like the API key.
  const operatorKey = `pmx_op_demo_${randomBytes(18).toString('base64url')}`
  const webhookSecret = generateWebhookSecret()
  const merchantId = 'demo-shop'
  const config = parseConfig(
    {
      server: { port: opts.port ?? 8080, host: opts.host ?? '127.0.0.1' },
      database: { path: dbDir },
      log: { level: opts.logLevel ?? 'info' },
      merchants: [
        {
          id: merchantId,
          apiKeys: [`sha256:${sha256Hex(apiKey)}`],
          // The demo shop's own endpoint; its port is set once the gateway listens.
          webhook: { url: 'http://127.0.0.1/demo-shop/webhooks', secret: webhookSecret },
          accounts: sims.running.map((r) => ({ ...simulatorAccount(r, accountOf(r)), timeoutMs: 10_000 })),
          routing: { billing: 'nice-demo', virtualAccount: 'nice-demo' },
          operators: [
            { name: 'Demo operator', keyHash: `sha256:${sha256Hex(operatorKey)}`, role: 'operator' },
          ],
        },
      ],
    },
    {},
  )
  const redactor = new Redactor([apiKey, operatorKey])
  const { logger } = createLogger({
    level: config.log.level,
    redactor,
    ...(opts.logDestination ? { destination: opts.logDestination } : {}),
  })
  let gateway: Gateway
  try {
    // The demo key is printed in the banner already: /docs fills it in, so "try it" works on the first click.
    gateway = await createGateway({ config, dataDir, logger, redactor, docsApiKey: apiKey })
  } catch (err) {
    await closeAll()
    throw err
  }

  // The simulators start empty on every run, so yesterday's demo records would only confuse: start clean
  // (truncating is much faster than creating the embedded database again).
  if (!opts.keepData) {
    await sql`TRUNCATE events, idempotency_keys, cancellations, billing_keys, payments CASCADE`.execute(
      gateway.db.kysely,
    )
  }
  // Mounted before the seeding below: the gateway's first request (a seeding charge) fixes its routes.
  gateway.app.route(
    '/demo-shop',
    demoShop({
      api: gateway.app,
      apiKey,
      webhookSecret,
      accounts: sims.running.map((r) => ({
        id: accountOf(r),
        provider: r.descriptor.id,
        label: r.descriptor.displayName,
      })),
    }),
  )
  // Payments made at the PG (seeded in its simulator) are recorded from its lookup, as a first cancel would record
  // them, so the banner can name them by their pay_… ids. NicePay's lookup reports no amounts, so a payment
  // recorded from it would stay of unknown amount (and an over-cancel would go to the PG to be refused there):
  // NicePay's are made through the gateway instead, charges on a test card's billing key, whose amounts the
  // gateway knows like any payment it made.
  const seeded: SeededPayment[] = []
  try {
    const accounts = gateway.runtime.merchants.get(merchantId)!.accounts
    const chargeNicePay = accounts.has('nice-demo') ? await nicePayCharger(gateway, apiKey) : undefined
    for (const amount of [50_000, 30_000, 12_000])
      for (const r of sims.running) {
        const account = accountOf(r)
        const provider = r.descriptor.id
        if (provider === 'nicepay' && chargeNicePay) {
          seeded.push({ account, provider, amount, ...(await chargeNicePay(amount)) })
          continue
        }
        const atPg = r.sim.seedPayment({ amount })
        const ref = await importPayment(
          gateway.runtime,
          merchantId,
          accounts.get(account)!,
          atPg.transactionId,
        )
        seeded.push({ paymentId: ref.id, account, provider, amount, ...atPg })
      }
    const reviewed = sims.running.find((r) => r.descriptor.id !== 'nicepay')
    if (reviewed)
      await seedNeedsReview(
        gateway.runtime,
        merchantId,
        accounts.get(accountOf(reviewed))!,
        reviewed.sim.seedPayment({ amount: 7_000 }).transactionId,
      )
  } catch (err) {
    await gateway.close()
    await closeAll()
    throw err
  }

  let listening: { url: string }
  try {
    listening = await gateway.listen()
  } catch (err) {
    await gateway.close()
    await closeAll()
    throw err
  }
  const merchant = gateway.runtime.merchants.get(merchantId)!.config
  merchant.webhook = { ...merchant.webhook!, url: `${listening.url}/demo-shop/webhooks` }
  // The simulators send their notifications (deposits, post-deposit cancels, webhooks) to this gateway.
  for (const r of sims.running) notifyGateway(r, listening.url, accountOf(r))
  return {
    gateway,
    url: listening.url,
    apiKey,
    operatorKey,
    merchantId,
    seeded,
    simulators: {
      nicepay: simOf('nicepay').sim.instance as NicePaySimulator,
      bootpay: simOf('bootpay').sim.instance as BootpaySimulator,
      cookiepay: simOf('cookiepay').sim.instance as CookiePaySimulator,
    },
    simulatorUrls: Object.fromEntries(sims.running.map((r) => [r.descriptor.id, r.url])),
    pgSimulators: sims.running.map((r) => ({
      provider: r.descriptor.id,
      account: accountOf(r),
      url: r.url,
      controlRoutes: r.sim.controlRoutes,
    })),
    dataDir,
    redactor,
    async close() {
      await gateway.close()
      await closeAll()
    },
  }
}

/**
 * Charges NicePay through the gateway's own API (in process), as a merchant with a stored card would: one billing
 * key on a test card, then one charge per amount.
 */
async function nicePayCharger(gateway: Gateway, apiKey: string) {
  const call = async (path: string, body: unknown) => {
    const res = await gateway.app.request(path, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })
    const json = (await res.json()) as Record<string, unknown>
    if (res.status !== 200)
      throw new Error(`demo seeding: POST ${path} answered ${res.status} ${JSON.stringify(json)}`)
    return json
  }
  const key = await call('/v1/billing-keys', {
    account: 'nice-demo',
    card: {
      number: '4111111111111111',
      expiryYear: '30',
      expiryMonth: '12',
      ownerId: '800101',
      passwordPrefix: '12',
    },
    customerId: 'demo-customer',
  })
  return async (amount: number) => {
    const p = await call(`/v1/billing-keys/${String(key.id)}/charges`, { amount, goodsName: 'demo seed' })
    return { paymentId: String(p.id), transactionId: String(p.transactionId) }
  }
}
