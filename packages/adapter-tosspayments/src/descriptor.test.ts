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
})
