import { startServer } from '@paymux/core/simulator'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { type TossPaymentsAccountConfig, tosspaymentsDescriptor } from './descriptor.js'

const common = { id: z.string(), baseUrl: z.string().optional(), timeoutMs: z.number().optional() }

describe('tosspaymentsDescriptor', () => {
  it('takes { id, provider, secretKey, clientKey? } and refuses an entry without a secretKey', () => {
    const schema = tosspaymentsDescriptor.accountSchema(common)
    expect(schema.safeParse({ id: 'a', provider: 'tosspayments', secretKey: 'test_sk_x' }).success).toBe(true)
    expect(schema.safeParse({ id: 'a', provider: 'tosspayments', clientKey: 'test_ck_x' }).success).toBe(
      false,
    )
    expect(schema.safeParse({ id: 'a', provider: 'tosspayments', secretKey: 'k', extra: 1 }).success).toBe(
      false,
    )
    const entry = {
      id: 'a',
      provider: 'tosspayments',
      secretKey: 'test_sk_abcdef',
    } as TossPaymentsAccountConfig
    expect(tosspaymentsDescriptor.secrets(entry)).toEqual(['test_sk_abcdef'])
    // Without a clientKey the account takes no checkout.
    expect(tosspaymentsDescriptor.create(entry, {}).capabilities.checkoutMethods).toEqual([])
  })

  it('serves a demo simulator whose account cancels a seeded payment', async () => {
    const demo = await tosspaymentsDescriptor.simulator!()
    const server = await startServer({ fetch: (r) => demo.fetch(r) })
    try {
      const account = { id: 'demo', ...demo.demoAccount(server.url) } as TossPaymentsAccountConfig
      const toss = tosspaymentsDescriptor.create(account, {})
      expect(toss.capabilities.checkoutMethods).toEqual(['card', 'virtual_account'])
      const { transactionId } = demo.seedPayment({ amount: 5_000 })
      const r = await toss.cancel({ transactionId, reason: 'demo', cancelId: 'demo-1' })
      expect(r).toMatchObject({ status: 'cancelled', cancelledAmount: 5_000 })
    } finally {
      await server.close()
    }
  })

  it('sends the deposit webhook where notifyTo says, and every control route without a placeholder answers', async () => {
    const demo = await tosspaymentsDescriptor.simulator!()
    const received: string[] = []
    const host = await startServer({
      fetch: async (r) => {
        received.push(await r.text())
        return new Response('ok')
      },
    })
    const server = await startServer({ fetch: (r) => demo.fetch(r) })
    try {
      for (const route of demo.controlRoutes.filter((r) => !/[{<]/.test(r.path))) {
        const res = await fetch(`${server.url}${route.path}`, {
          method: route.method,
          ...(route.body ? { body: route.body, headers: { 'content-type': 'application/json' } } : {}),
        })
        expect(res.status, route.what).toBe(200)
      }
      demo.notifyTo(`${host.url}/v1/notifications/toss-demo`)
      const va = (await (
        await fetch(`${server.url}/__sim/payments`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{"amount":10000,"method":"virtual_account"}',
        })
      ).json()) as { transactionId: string }
      const deposit = demo.controlRoutes.find((r) => r.path.startsWith('/__sim/deposit/'))!
      const res = await fetch(`${server.url}${deposit.path.replace('<transactionId>', va.transactionId)}`, {
        method: deposit.method,
      })
      expect(res.status).toBe(200)
      const instance = demo.instance as { webhooks: { settled(): Promise<unknown> } }
      await instance.webhooks.settled()
      expect(received.some((b) => b.includes(va.transactionId))).toBe(true)
      // No URL: nothing is sent.
      demo.notifyTo(undefined)
      const before = received.length
      const other = demo.seedPayment({ amount: 1_000 })
      expect(other.transactionId).toBeTruthy()
      await instance.webhooks.settled()
      expect(received.length).toBe(before)
    } finally {
      await server.close()
      await host.close()
    }
  })
})
