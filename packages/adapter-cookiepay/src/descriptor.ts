import { commonAdapterOptions, type BaseAccountConfig, type ProviderDescriptor } from '@paymux/core'
import { z } from 'zod'
import { CookiePay } from './cookiepay.js'

/** A CookiePay account entry of a host's configuration (one CookiePay payment type of one merchant). */
export interface CookiePayAccountConfig extends BaseAccountConfig {
  provider: 'cookiepay'
  environment: 'live' | 'sandbox'
  apiId: string
  apiKey: string
}

export const cookiepayDescriptor: ProviderDescriptor<CookiePayAccountConfig> = {
  id: 'cookiepay',
  displayName: 'CookiePay',
  accountSchema: (common) =>
    z.strictObject({
      ...common,
      provider: z.literal('cookiepay'),
      /** `live` (alias `production`) or `sandbox`. */
      environment: z
        .enum(['sandbox', 'live', 'production'])
        .default('live')
        .transform((e) => (e === 'production' ? 'live' : e)),
      apiId: z.string().min(1),
      apiKey: z.string().min(1),
    }),
  create: (config, context) =>
    new CookiePay({
      ...commonAdapterOptions(config, context),
      apiId: config.apiId,
      apiKey: config.apiKey,
      environment: config.environment,
    }),
  reference: {
    transactionIdName: 'tid',
    notificationSetting: 'the Noti URL',
    notificationForm: 'Noti form (ORDERNO, TID, …)',
    notificationReply: '`<RESULT>SUCCESS</RESULT>` as HTML; an empty body when refused',
  },
  secrets: (config) => [config.apiKey],
  simulator: async () => {
    const { createCookiePaySimulator, COOKIEPAY_DEMO_CREDENTIALS } = await import('./simulator/index.js')
    const sim = createCookiePaySimulator()
    return {
      fetch: (request) => sim.app.fetch(request),
      seedPayment: (input) => sim.seedPayment(input),
      demoAccount: (simUrl) => ({
        provider: 'cookiepay',
        environment: 'sandbox',
        ...COOKIEPAY_DEMO_CREDENTIALS,
        baseUrl: simUrl,
      }),
      notifyTo: (notifyUrl) => sim.setNotifyUrl(notifyUrl),
      controlRoutes: [
        {
          what: 'seed a paid card payment',
          method: 'POST',
          path: '/__sim/seed/payment',
          body: '{"amount":10000}',
        },
        { what: 'look a payment up', method: 'GET', path: '/__sim/payments/{transactionId}' },
        {
          what: "the merchant's deposit that finishes a deposit_required cancel",
          method: 'POST',
          path: '/__sim/deposit/<transactionId>',
        },
      ],
      instance: sim,
    }
  },
}
