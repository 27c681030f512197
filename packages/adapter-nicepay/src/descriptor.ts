import { commonAdapterOptions, type BaseAccountConfig, type ProviderDescriptor } from '@paymux/core'
import { z } from 'zod'
import { NicePay } from './nicepay.js'

const url = z.string().url()

/** A NicePay account entry of a host's configuration. */
export interface NicePayAccountConfig extends BaseAccountConfig {
  provider: 'nicepay'
  mid: string
  merchantKey: string
  cancelBaseUrl?: string
  cancelPassword?: string
  /** The account has NicePay's per-cancel Moid duplicate guard, a separate contract (seed 000, `Moid`). */
  cancelDuplicateGuard?: boolean
}

export const nicepayDescriptor: ProviderDescriptor<NicePayAccountConfig> = {
  id: 'nicepay',
  displayName: 'NicePay',
  accountSchema: (common) =>
    z.strictObject({
      ...common,
      provider: z.literal('nicepay'),
      mid: z.string().min(1),
      merchantKey: z.string().min(1),
      cancelBaseUrl: url.optional(),
      cancelPassword: z.string().optional(),
      cancelDuplicateGuard: z.boolean().optional(),
    }),
  create: (config, context) =>
    new NicePay({
      ...commonAdapterOptions(config, context),
      mid: config.mid,
      merchantKey: config.merchantKey,
      ...(config.cancelBaseUrl ? { cancelBaseUrl: config.cancelBaseUrl } : {}),
      ...(config.cancelDuplicateGuard !== undefined
        ? { cancelDuplicateGuard: config.cancelDuplicateGuard }
        : {}),
    }),
  reference: {
    transactionIdName: 'TID',
    notificationSetting: 'the deposit notification URL',
    notificationForm: 'deposit notification, an EUC-KR form (TID, MID, ResultCode, Amt, MOID, StateCd, …)',
    notificationReply: '`OK` as text; `FAIL` (403) from a sender not allowed',
  },
  secrets: (config) => [config.merchantKey, config.cancelPassword].filter((s): s is string => !!s),
  simulator: async () => {
    const { createNicePaySimulator, NICEPAY_DEMO_CREDENTIALS } = await import('./simulator/index.js')
    const sim = createNicePaySimulator()
    return {
      fetch: (request) => sim.app.fetch(request),
      seedPayment: (input) => sim.seedPayment(input),
      demoAccount: (simUrl) => ({
        provider: 'nicepay',
        ...NICEPAY_DEMO_CREDENTIALS,
        baseUrl: simUrl,
        // The simulator notifies from loopback, not from NicePay's published sender addresses.
        options: { notificationIpAllowList: ['127.0.0.1', '::1'] },
      }),
      notifyTo: (notifyUrl) => {
        sim.settings.notifyUrl = notifyUrl
      },
      controlRoutes: [
        {
          what: 'seed a paid card payment',
          method: 'POST',
          path: '/__sim/seed/payment',
          body: '{"amount":10000}',
        },
        { what: 'look a payment up', method: 'GET', path: '/__sim/payments/{transactionId}' },
        {
          what: 'deposit into a virtual account (then paid, notified)',
          method: 'POST',
          path: '/__sim/deposit/<transactionId of a virtual account>',
        },
      ],
      instance: sim,
    }
  },
}
