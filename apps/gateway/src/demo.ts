import { randomBytes } from 'node:crypto'
import { join, resolve } from 'node:path'
import { BOOTPAY_DEMO_CREDENTIALS, createBootpaySimulator } from '@paymux/adapter-bootpay/simulator'
import { COOKIEPAY_DEMO_CREDENTIALS, createCookiePaySimulator } from '@paymux/adapter-cookiepay/simulator'
import { createNicePaySimulator, NICEPAY_DEMO_CREDENTIALS } from '@paymux/adapter-nicepay/simulator'
import { Redactor } from '@paymux/core'
import { type RunningServer, startServer } from '@paymux/core/simulator'
import { sql } from 'kysely'
import { parseConfig } from './config.js'
import { sha256Hex } from './crypto.js'
import { createGateway, type Gateway } from './gateway.js'
import { demoShop } from './demo-shop.js'
import { createLogger, type GatewayLoggerOptions } from './logger.js'
import { generateWebhookSecret } from '@paymux/webhooks'
import { importPayment } from './operations/payment-ref.js'

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
  merchantId: string
  seeded: SeededPayment[]
  simulators: {
    nicepay: ReturnType<typeof createNicePaySimulator>
    bootpay: ReturnType<typeof createBootpaySimulator>
    cookiepay: ReturnType<typeof createCookiePaySimulator>
  }
  simulatorUrls: Record<string, string>
  /** Each simulator with the demo account on it, for the banner. */
  pgSimulators: Array<{ provider: string; account: string; url: string }>
  /** The data folder used (absolute): the embedded database in demo-db/, the generated master.key. */
  dataDir: string
  redactor: Redactor
  close(): Promise<void>
}

/**
 * The zero-config demo: the three PG simulators on loopback, an embedded database, one merchant with one
 * account per PG, and a few paid payments at each PG to cancel.
 */
export async function startDemo(opts: DemoOptions = {}): Promise<Demo> {
  const dataDir = resolve(opts.dataDir ?? './.paymux')
  const dbDir = join(dataDir, 'demo-db')

  const nicepay = createNicePaySimulator()
  const bootpay = createBootpaySimulator()
  const cookiepay = createCookiePaySimulator()
  const servers: RunningServer[] = []
  const closeAll = async () => {
    await Promise.all(servers.map((s) => s.close()))
  }
  try {
    servers.push(
      await startServer(nicepay.app),
      await startServer(bootpay.app),
      await startServer(cookiepay.app),
    )
  } catch (err) {
    await closeAll()
    throw err
  }
  const [niceSrv, bootSrv, cookieSrv] = servers as [RunningServer, RunningServer, RunningServer]

  const apiKey = `pmx_demo_${randomBytes(18).toString('base64url')}`
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
          accounts: [
            {
              id: 'nice-demo',
              provider: 'nicepay',
              ...NICEPAY_DEMO_CREDENTIALS,
              baseUrl: niceSrv.url,
              timeoutMs: 10_000,
              // The simulator notifies from loopback, not from NicePay's published sender addresses.
              options: { notificationIpAllowList: ['127.0.0.1', '::1'] },
            },
            {
              id: 'boot-demo',
              provider: 'bootpay',
              apiVersion: 'v2',
              applicationId: BOOTPAY_DEMO_CREDENTIALS.applicationId,
              privateKey: BOOTPAY_DEMO_CREDENTIALS.privateKey,
              webApplicationId: BOOTPAY_DEMO_CREDENTIALS.webApplicationId,
              checkoutPg: 'nicepay',
              baseUrl: bootSrv.url,
              timeoutMs: 10_000,
              options: { notificationIpAllowList: [] },
            },
            {
              id: 'cookie-demo',
              provider: 'cookiepay',
              environment: 'sandbox',
              ...COOKIEPAY_DEMO_CREDENTIALS,
              baseUrl: cookieSrv.url,
              timeoutMs: 10_000,
            },
          ],
          routing: { billing: 'nice-demo', virtualAccount: 'nice-demo' },
        },
      ],
    },
    {},
  )
  const redactor = new Redactor([apiKey])
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
      accounts: [
        { id: 'nice-demo', provider: 'nicepay', label: 'NicePay' },
        { id: 'boot-demo', provider: 'bootpay', label: 'Bootpay' },
        { id: 'cookie-demo', provider: 'cookiepay', label: 'CookiePay' },
      ],
    }),
  )
  // Bootpay and CookiePay payments are made at the PG (seeded in its simulator) and recorded from its lookup, as
  // a first cancel would record them, so the banner can name them by their pay_… ids. NicePay's lookup reports
  // no amounts, so a payment recorded from it would stay of unknown amount (and an over-cancel would go to the
  // PG to be refused there): NicePay's are made through the gateway instead, charges on a test card's billing
  // key, whose amounts the gateway knows like any payment it made.
  const seeded: SeededPayment[] = []
  try {
    const accounts = gateway.runtime.merchants.get(merchantId)!.accounts
    const chargeNicePay = await nicePayCharger(gateway, apiKey)
    for (const amount of [50_000, 30_000, 12_000]) {
      seeded.push({ account: 'nice-demo', provider: 'nicepay', amount, ...(await chargeNicePay(amount)) })
      for (const [account, provider, sim] of [
        ['boot-demo', 'bootpay', bootpay],
        ['cookie-demo', 'cookiepay', cookiepay],
      ] as const) {
        const { transactionId } = sim.seedPayment({ amount })
        const ref = await importPayment(gateway.runtime, merchantId, accounts.get(account)!, transactionId)
        seeded.push({ paymentId: ref.id, account, provider, transactionId, amount })
      }
    }
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
  nicepay.settings.notifyUrl = `${listening.url}/v1/notifications/nice-demo`
  cookiepay.setNotifyUrl(`${listening.url}/v1/notifications/cookie-demo`)
  bootpay.settings.webhookUrl = `${listening.url}/v1/notifications/boot-demo`
  return {
    gateway,
    url: listening.url,
    apiKey,
    merchantId,
    seeded,
    simulators: { nicepay, bootpay, cookiepay },
    simulatorUrls: { nicepay: niceSrv.url, bootpay: bootSrv.url, cookiepay: cookieSrv.url },
    pgSimulators: [
      { provider: 'nicepay', account: 'nice-demo', url: niceSrv.url },
      { provider: 'bootpay', account: 'boot-demo', url: bootSrv.url },
      { provider: 'cookiepay', account: 'cookie-demo', url: cookieSrv.url },
    ],
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
