import { Bootpay, type BootpayOptions } from '@paymux/adapter-bootpay'
import { CookiePay } from '@paymux/adapter-cookiepay'
import { NicePay } from '@paymux/adapter-nicepay'
import type { HttpCallEvent, Logger, PaymentProvider } from '@paymux/core'
import type { AccountConfig } from './config.js'

export interface ProviderContext {
  logger: Logger
  /** The payment amount the gateway recorded, for PGs that need it on a whole cancel (NicePay). */
  paymentAmountOf?: (accountId: string, transactionId: string) => Promise<number | undefined>
  /** Every HTTP call to the PG (metrics). */
  onCall?: (event: HttpCallEvent) => void
}

/** Builds the adapter for one configured account. Tests may replace it to put a controlled provider behind an account. */
export type ProviderFactory = (
  account: AccountConfig,
  ctx: ProviderContext,
) => Promise<PaymentProvider> | PaymentProvider

function common(account: AccountConfig, ctx: ProviderContext) {
  return {
    ...(account.options ?? {}),
    ...(account.baseUrl ? { baseUrl: account.baseUrl } : {}),
    ...(account.timeoutMs ? { timeoutMs: account.timeoutMs } : {}),
    ...(account.connectTimeoutMs ? { connectTimeoutMs: account.connectTimeoutMs } : {}),
    logger: ctx.logger,
    ...(ctx.onCall ? { onCall: ctx.onCall } : {}),
  }
}

export const defaultProviderFactory: ProviderFactory = (account, ctx) => {
  switch (account.provider) {
    case 'nicepay':
      return new NicePay({
        ...common(account, ctx),
        mid: account.mid,
        merchantKey: account.merchantKey,
        ...(account.cancelBaseUrl ? { cancelBaseUrl: account.cancelBaseUrl } : {}),
        ...(ctx.paymentAmountOf
          ? { paymentAmountOf: (tid: string) => ctx.paymentAmountOf!(account.id, tid) }
          : {}),
      })
    case 'bootpay': {
      const creds =
        account.clientKey && account.secretKey
          ? { apiVersion: 'v2' as const, clientKey: account.clientKey, secretKey: account.secretKey }
          : {
              apiVersion: account.apiVersion,
              applicationId: account.applicationId!,
              privateKey: account.privateKey!,
            }
      return new Bootpay({
        ...common(account, ctx),
        ...(account.environment ? { environment: account.environment } : {}),
        ...creds,
      } as BootpayOptions)
    }
    case 'cookiepay':
      return new CookiePay({
        ...common(account, ctx),
        apiId: account.apiId,
        apiKey: account.apiKey,
        environment: account.environment as 'live' | 'sandbox',
      })
  }
}

/** Every secret in an account entry: registered with the log redactor. */
export function accountSecrets(account: AccountConfig): string[] {
  switch (account.provider) {
    case 'nicepay':
      return [account.merchantKey, account.cancelPassword].filter((s): s is string => !!s)
    case 'bootpay':
      return [account.privateKey, account.secretKey, account.clientKey].filter((s): s is string => !!s)
    case 'cookiepay':
      return [account.apiKey]
  }
}
