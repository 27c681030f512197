import { commonAdapterOptions, type BaseAccountConfig, type ProviderDescriptor } from '@paymux/core'
import { z } from 'zod'
import { Bootpay, type BootpayEnvironment, type BootpayOptions } from './bootpay.js'

/** A Bootpay account entry of a host's configuration: applicationId + privateKey, or (v2) clientKey + secretKey. */
export interface BootpayAccountConfig extends BaseAccountConfig {
  provider: 'bootpay'
  apiVersion: 'v1' | 'v2'
  environment?: BootpayEnvironment
  applicationId?: string
  privateKey?: string
  clientKey?: string
  secretKey?: string
  /** The Bootpay web (JavaScript) application's id, for checkouts; without it the account takes none. */
  webApplicationId?: string
  /** The checkout window's `pg` (`nicepay`, `kcp`, …); default none: Bootpay lists the merchant's PGs. */
  checkoutPg?: string
}

export const bootpayDescriptor: ProviderDescriptor<BootpayAccountConfig> = {
  id: 'bootpay',
  displayName: 'Bootpay',
  accountSchema: (common) =>
    z
      .strictObject({
        ...common,
        provider: z.literal('bootpay'),
        apiVersion: z.enum(['v1', 'v2']).default('v2'),
        /** Bootpay's host when baseUrl is not given. */
        environment: z.enum(['production', 'stage', 'development']).optional(),
        applicationId: z.string().min(1).optional(),
        privateKey: z.string().min(1).optional(),
        clientKey: z.string().min(1).optional(),
        secretKey: z.string().min(1).optional(),
        webApplicationId: z.string().min(1).optional(),
        checkoutPg: z.string().min(1).optional(),
      })
      .superRefine((a: Partial<BootpayAccountConfig>, ctx) => {
        const appPair = a.applicationId !== undefined && a.privateKey !== undefined
        const clientPair = a.clientKey !== undefined && a.secretKey !== undefined
        if (!appPair && !clientPair) {
          ctx.addIssue({
            code: 'custom',
            path: ['privateKey'],
            message: 'set applicationId + privateKey (or, for v2, clientKey + secretKey)',
          })
        }
        if (clientPair && a.apiVersion !== 'v2') {
          ctx.addIssue({
            code: 'custom',
            path: ['clientKey'],
            message: 'clientKey/secretKey need apiVersion v2',
          })
        }
      }),
  create: (config, context) => {
    const credentials =
      config.clientKey && config.secretKey
        ? { apiVersion: 'v2' as const, clientKey: config.clientKey, secretKey: config.secretKey }
        : {
            apiVersion: config.apiVersion,
            applicationId: config.applicationId ?? '',
            privateKey: config.privateKey ?? '',
          }
    const options: BootpayOptions = {
      ...commonAdapterOptions(config, context),
      ...(config.environment ? { environment: config.environment } : {}),
      ...(config.webApplicationId ? { webApplicationId: config.webApplicationId } : {}),
      ...(config.checkoutPg ? { checkoutPg: config.checkoutPg } : {}),
      ...credentials,
    }
    return new Bootpay(options)
  },
  reference: {
    transactionIdName: 'receipt_id',
    notificationSetting: 'the feedback (v1) or webhook (v2) URL',
    notificationForm: 'v1 feedback form (receipt_id, private_key, …) or v2 webhook JSON',
    notificationReply:
      'v1 `OK` as text, v2 `{"success":true}`; v2 `{"success":false}` (403) from a sender not allowed; 400 for a body that is no Bootpay notification',
  },
  secrets: (config) =>
    [config.privateKey, config.secretKey, config.clientKey].filter((s): s is string => !!s),
  simulator: async () => {
    const { createBootpaySimulator, BOOTPAY_DEMO_CREDENTIALS } = await import('./simulator/index.js')
    const sim = createBootpaySimulator()
    return {
      fetch: (request) => sim.app.fetch(request),
      seedPayment: (input) => sim.seedPayment(input),
      demoAccount: (simUrl) => ({
        provider: 'bootpay',
        apiVersion: 'v2',
        applicationId: BOOTPAY_DEMO_CREDENTIALS.applicationId,
        privateKey: BOOTPAY_DEMO_CREDENTIALS.privateKey,
        webApplicationId: BOOTPAY_DEMO_CREDENTIALS.webApplicationId,
        checkoutPg: 'nicepay',
        baseUrl: simUrl,
        options: { notificationIpAllowList: [] },
      }),
      notifyTo: (notifyUrl) => {
        sim.settings.webhookUrl = notifyUrl
      },
      controlRoutes: [
        {
          what: 'seed a paid card payment',
          method: 'POST',
          path: '/__sim/seed/payment',
          body: '{"amount":10000}',
        },
        { what: 'look a payment up', method: 'GET', path: '/__sim/payments/{transactionId}' },
        { what: "send the payment's webhook", method: 'POST', path: '/__sim/webhooks/{transactionId}' },
        { what: 'cancel it at Bootpay itself', method: 'POST', path: '/__sim/pg-cancel/{transactionId}' },
      ],
      instance: sim,
    }
  },
}
