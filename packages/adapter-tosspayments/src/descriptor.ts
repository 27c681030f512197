import { type BaseAccountConfig, commonAdapterOptions, type ProviderDescriptor } from '@paymux/core'
import { z } from 'zod'
import { TossPayments } from './tosspayments.js'

/** A Toss Payments account entry of a host's configuration: one merchant's key pair. */
export interface TossPaymentsAccountConfig extends BaseAccountConfig {
  provider: 'tosspayments'
  secretKey: string
  /** Needed for checkouts (the payment window); an account without one takes none. */
  clientKey?: string
}

export const tosspaymentsDescriptor: ProviderDescriptor<TossPaymentsAccountConfig> = {
  id: 'tosspayments',
  displayName: 'Toss Payments',
  accountSchema: (common) =>
    z.strictObject({
      ...common,
      provider: z.literal('tosspayments'),
      secretKey: z.string().min(1),
      clientKey: z.string().min(1).optional(),
    }),
  create: (config, context) =>
    new TossPayments({
      ...commonAdapterOptions(config, context),
      secretKey: config.secretKey,
      ...(config.clientKey ? { clientKey: config.clientKey } : {}),
    }),
  reference: {
    transactionIdName: 'paymentKey',
    notificationSetting: 'the webhook URL (developer center)',
    notificationForm:
      "unsigned webhook JSON `{eventType, createdAt, data}` (PAYMENT_STATUS_CHANGED; DEPOSIT_CALLBACK with the account's `secret`)",
    notificationReply:
      'status 200 (Toss retries anything else); 400 for a virtual-account event whose `secret` differs',
  },
  secrets: (config) => [config.secretKey],
  simulator: async () => {
    const { createTossSimulator, TOSS_DEMO_CREDENTIALS } = await import('./simulator/index.js')
    const sim = createTossSimulator()
    return {
      fetch: (request) => sim.app.fetch(request),
      seedPayment: (input) => sim.seedPayment(input),
      demoAccount: (simUrl) => ({
        provider: 'tosspayments',
        secretKey: TOSS_DEMO_CREDENTIALS.secretKey,
        clientKey: TOSS_DEMO_CREDENTIALS.clientKey,
        baseUrl: simUrl,
      }),
      notifyTo: (notifyUrl) => sim.setWebhookUrl(notifyUrl),
      controlRoutes: [
        {
          what: 'seed a paid card payment',
          method: 'POST',
          path: '/__sim/seed/payment',
          body: '{"amount":10000}',
        },
        {
          what: 'seed a virtual account waiting for its deposit',
          method: 'POST',
          path: '/__sim/seed/payment',
          body: '{"amount":10000,"method":"virtual_account"}',
        },
        { what: 'look a payment up', method: 'GET', path: '/__sim/payments/{transactionId}' },
        {
          what: "the customer's deposit into a waiting virtual account (sends the webhooks)",
          method: 'POST',
          path: '/__sim/deposit/<transactionId>',
        },
        { what: 'every cancel request with its Idempotency-Key', method: 'GET', path: '/__sim/cancels' },
      ],
      instance: sim,
      approvals: (paymentKey) => sim.inspect(paymentKey)?.confirms ?? 0,
      resultTwice: (on) => {
        sim.settings.successArrivesTwice = on
      },
    }
  },
}
