import { describe, expect, it } from 'vitest'
import { demoBanner } from './demo-banner.js'
import { descriptorOf, PROVIDERS } from './providers.js'

/** A simulator's control routes, as its descriptor declares them. */
const routesOf = async (provider: string) =>
  (await descriptorOf(PROVIDERS, provider).simulator!()).controlRoutes

const demo = {
  url: 'http://127.0.0.1:8080',
  apiKey: 'pmx_demo_key',
  merchantId: 'demo-shop',
  dataDir: '/srv/paymux/apps/gateway/.paymux',
  seeded: [
    {
      paymentId: 'pay_n1',
      account: 'nice-demo',
      provider: 'nicepay',
      transactionId: 'nicepayTID1',
      amount: 50_000,
    },
    {
      paymentId: 'pay_b1',
      account: 'boot-demo',
      provider: 'bootpay',
      transactionId: 'receipt1',
      amount: 50_000,
    },
    {
      paymentId: 'pay_c1',
      account: 'cookie-demo',
      provider: 'cookiepay',
      transactionId: 'cookieTID1',
      amount: 50_000,
    },
    {
      paymentId: 'pay_b2',
      account: 'boot-demo',
      provider: 'bootpay',
      transactionId: 'receipt2',
      amount: 12_000,
    },
  ],
  pgSimulators: [
    {
      provider: 'nicepay',
      account: 'nice-demo',
      url: 'http://127.0.0.1:4001',
      controlRoutes: await routesOf('nicepay'),
    },
    {
      provider: 'bootpay',
      account: 'boot-demo',
      url: 'http://127.0.0.1:4002',
      controlRoutes: await routesOf('bootpay'),
    },
    {
      provider: 'cookiepay',
      account: 'cookie-demo',
      url: 'http://127.0.0.1:4003',
      controlRoutes: await routesOf('cookiepay'),
    },
  ],
}

describe('the demo banner', () => {
  const banner = demoBanner(demo)
  const lines = banner.split('\n')

  it('points to the demo shop, where a person pays through each simulated window', () => {
    expect(lines.find((l) => l.startsWith('  Shop '))).toContain(`${demo.url}/demo-shop`)
  })

  it('names the data folder actually used', () => {
    expect(banner).toContain('  Data       /srv/paymux/apps/gateway/.paymux ')
  })

  it('lists every seeded payment by its pay_… id, with account, transaction id and amount', () => {
    for (const p of demo.seeded) {
      const row = lines.find((l) => l.includes(p.paymentId))
      expect(row, p.paymentId).toBeDefined()
      expect(row).toContain(p.account)
      expect(row).toContain(p.transactionId)
      expect(row).toContain(`${p.amount} KRW`)
    }
  })

  it('cancels the first one by its id with a ready curl, the first curl printed', () => {
    const first = banner.slice(banner.indexOf('curl -sS'), banner.indexOf('\n\n', banner.indexOf('curl -sS')))
    expect(first).toContain('-X POST http://127.0.0.1:8080/v1/cancellations')
    expect(first).toContain("-H 'Authorization: Bearer pmx_demo_key'")
    expect(first).toContain('-d \'{"paymentId":"pay_n1","amount":1000,"reason":"demo partial cancel"}\'')
  })

  it("lists each simulator's URL and its control routes as curl commands, with seeded ids where one fits", () => {
    for (const s of demo.pgSimulators) {
      expect(lines.some((l) => l.includes(`${s.provider} (account ${s.account})`) && l.endsWith(s.url))).toBe(
        true,
      )
      expect(banner).toContain(
        `curl -sS -X POST '${s.url}/__sim/seed/payment' -H 'Content-Type: application/json' -d '{"amount":10000}'`,
      )
    }
    expect(banner).toContain("curl -sS 'http://127.0.0.1:4001/__sim/payments/nicepayTID1'")
    expect(banner).toContain(
      "curl -sS -X POST 'http://127.0.0.1:4001/__sim/deposit/<transactionId of a virtual account>'",
    )
    expect(banner).toContain("curl -sS -X POST 'http://127.0.0.1:4002/__sim/webhooks/receipt2'")
    expect(banner).toContain("curl -sS -X POST 'http://127.0.0.1:4002/__sim/pg-cancel/receipt2'")
    expect(banner).toContain("curl -sS -X POST 'http://127.0.0.1:4003/__sim/deposit/<transactionId>'")
    expect(banner).toContain('-X POST http://127.0.0.1:8080/v1/virtual-accounts')
  })
})
