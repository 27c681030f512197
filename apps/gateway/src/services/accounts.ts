import type { ProviderCapabilities } from '@paymux/core'
import { ApiError, badRequest } from '../errors.js'
import type { AccountRuntime, MerchantRuntime, Runtime } from '../runtime.js'

export function merchantOf(rt: Runtime, merchantId: string): MerchantRuntime {
  const m = rt.merchants.get(merchantId)
  if (!m)
    throw new ApiError(401, {
      type: 'authentication_error',
      code: 'unknown_merchant',
      message: 'unknown merchant',
    })
  return m
}

/** The account that created an object: always the one that handles it afterwards. */
export function accountOf(rt: Runtime, merchantId: string, accountId: string): AccountRuntime {
  const a = merchantOf(rt, merchantId).accounts.get(accountId)
  if (!a) {
    throw new ApiError(503, {
      type: 'provider_unavailable',
      code: 'account_not_configured',
      message: `account ${accountId} is no longer configured`,
    })
  }
  return a
}

/** What each capability lets an account do, for the refusal when a named account cannot. */
const CAPABILITY_WORDS: Partial<Record<keyof ProviderCapabilities, string>> = {
  billingKeys: 'issue billing keys',
  virtualAccounts: 'issue virtual accounts',
}

/** A named or routed account that lacks the capability the operation needs: a client mistake, 400. */
function requireCapability(
  a: AccountRuntime,
  capability: keyof ProviderCapabilities | undefined,
): AccountRuntime {
  if (capability === undefined || a.provider.capabilities[capability] === true) return a
  throw new ApiError(400, {
    type: 'invalid_request_error',
    code: 'unsupported_operation',
    message: `account ${a.config.id} cannot ${CAPABILITY_WORDS[capability] ?? capability}`,
    param: 'account',
  })
}

/**
 * The account for a new operation: the one named, else the merchant's routing default for the operation,
 * else the only account able to do it (optionally of the given provider). An account named or routed to that
 * lacks `capability` is refused.
 */
export function pickAccount(
  rt: Runtime,
  merchantId: string,
  opts: {
    account?: string
    provider?: string
    routingDefault?: string
    capability?: keyof ProviderCapabilities
  },
): AccountRuntime {
  const m = merchantOf(rt, merchantId)
  if (opts.account !== undefined) {
    const a = m.accounts.get(opts.account)
    if (!a) throw badRequest('account', `no account ${opts.account} for this merchant`, 'unknown_account')
    if (opts.provider !== undefined && a.config.provider !== opts.provider) {
      throw badRequest('provider', `account ${opts.account} is a ${a.config.provider} account`)
    }
    return requireCapability(a, opts.capability)
  }
  if (opts.routingDefault !== undefined && opts.provider === undefined) {
    const a = m.accounts.get(opts.routingDefault)
    if (a) return requireCapability(a, opts.capability)
  }
  const candidates = [...m.accounts.values()].filter(
    (a) =>
      (opts.provider === undefined || a.config.provider === opts.provider) &&
      (opts.capability === undefined || a.provider.capabilities[opts.capability] === true),
  )
  if (candidates.length === 1) return candidates[0]!
  throw badRequest(
    'account',
    candidates.length === 0
      ? `no account${opts.provider ? ` of provider ${opts.provider}` : ''} can do this`
      : `several accounts match${opts.provider ? ` provider ${opts.provider}` : ''}: name one in "account"`,
    'account_required',
  )
}
