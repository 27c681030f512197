import { bootpayDescriptor } from '@paymux/adapter-bootpay'
import { cookiepayDescriptor } from '@paymux/adapter-cookiepay'
import { nicepayDescriptor } from '@paymux/adapter-nicepay'
import { tosspaymentsDescriptor } from '@paymux/adapter-tosspayments'
import type {
  BaseAccountConfig,
  PaymentProvider,
  ProviderContext as AdapterContext,
  ProviderDescriptor,
  ProviderReference,
} from '@paymux/core'

/**
 * The PGs this gateway speaks: the ONLY place they are named. The config union, the API's provider enum, the
 * adapter factory and the log redaction of account secrets are all derived from this list, so adding a PG is
 * adding its package's descriptor here.
 */
export const PROVIDERS: readonly AnyDescriptor[] = [
  nicepayDescriptor,
  bootpayDescriptor,
  cookiepayDescriptor,
  tosspaymentsDescriptor,
]

/**
 * A descriptor seen by the gateway, which only ever reads an entry's common fields: each descriptor's schema has
 * already shaped the entry it is handed.
 */
export type AnyDescriptor = ProviderDescriptor<BaseAccountConfig>

/** One account entry as the gateway sees it: the common fields, and whatever its PG's schema added. */
export type AccountConfig = BaseAccountConfig & Record<string, unknown>

export type ProviderContext = AdapterContext

/** Builds the adapter for one configured account. Tests may replace it to put a controlled provider behind an account. */
export type ProviderFactory = (
  account: AccountConfig,
  ctx: ProviderContext,
) => Promise<PaymentProvider> | PaymentProvider

/** Finds the descriptor of an account entry; the config schema guarantees there is one. */
export function descriptorOf(providers: readonly AnyDescriptor[], id: string): AnyDescriptor {
  const d = providers.find((p) => p.id === id)
  if (!d) throw new Error(`no provider ${id} is registered`)
  return d
}

export function providerFactory(providers: readonly AnyDescriptor[] = PROVIDERS): ProviderFactory {
  return (account, ctx) => descriptorOf(providers, account.provider).create(account, ctx)
}

export const defaultProviderFactory: ProviderFactory = providerFactory(PROVIDERS)

/** Every secret in an account entry: registered with the log redactor. */
export function accountSecrets(
  account: AccountConfig,
  providers: readonly AnyDescriptor[] = PROVIDERS,
): string[] {
  return descriptorOf(providers, account.provider).secrets(account)
}

/** The registered PGs' names, for texts that list them ("NicePay, Bootpay, …"). */
export const providerNames = (providers: readonly AnyDescriptor[] = PROVIDERS): string =>
  providers.map((p) => p.displayName).join(', ')

/**
 * One phrase per registered PG that has it, each led by the PG's name ("NicePay TID, Bootpay receipt_id"): the API
 * reference's per-PG texts are written from the descriptors, so a new PG documents itself.
 */
export function perProvider(
  phrase: (r: ProviderReference) => string | undefined,
  separator = ', ',
  providers: readonly AnyDescriptor[] = PROVIDERS,
): string {
  return providers
    .flatMap((p) => {
      const text = p.reference && phrase(p.reference)
      return text ? [`${p.displayName} ${text}`] : []
    })
    .join(separator)
}
