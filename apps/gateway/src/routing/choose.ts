import { ApiError } from '../errors.js'
import { ConfigError } from '../config-checks.js'
import type { AccountRuntime, MerchantRuntime, Runtime } from '../runtime.js'
import { type RoutedPayment, type RoutingDecision, routePayment, unusableRules } from './rules.js'

/** The checkout methods an account of this merchant takes (none for an unknown id). */
const methodsOf =
  (m: MerchantRuntime) =>
  (account: string): readonly string[] =>
    m.accounts.get(account)?.provider.capabilities.checkoutMethods ?? []

/**
 * The account the merchant's `routing.payments` rules give a new checkout payment, or undefined when no rule
 * applies (the caller keeps its default). A rule that applies but whose accounts are all closed to new payments
 * is a 503: the payment is not sent to an account the merchant did not list for it.
 */
export function routeCheckout(
  rt: Runtime,
  merchant: MerchantRuntime,
  p: RoutedPayment,
): { account: AccountRuntime; decision: RoutingDecision } | undefined {
  const rules = merchant.config.routing.payments
  if (rules.length === 0) return undefined
  const takes = methodsOf(merchant)
  const result = routePayment(rules, p, {
    takes: (a, method) => takes(a).includes(method),
    share: (a) => rt.health?.share(a) ?? 1,
  })
  if (result.kind === 'no_rule') return undefined
  if (result.kind === 'all_closed')
    throw new ApiError(503, {
      type: 'provider_unavailable',
      code: 'no_account_available',
      message: `every account of routing rule ${result.rule} that takes ${p.method} is ejected; retry later`,
    })
  return { account: merchant.accounts.get(result.decision.account)!, decision: result.decision }
}

/** At start, once the adapters exist: a rule that could only choose accounts unable to take what it routes. */
export function checkRoutingRules(merchants: ReadonlyMap<string, MerchantRuntime>): void {
  const problems = [...merchants.values()].flatMap((m) =>
    unusableRules(m.config.routing.payments, methodsOf(m)).map((p) => `merchant ${m.config.id}: ${p}`),
  )
  if (problems.length === 1) throw new ConfigError(`invalid configuration: ${problems[0]}`)
  if (problems.length > 1) throw new ConfigError(`invalid configuration:\n  ${problems.join('\n  ')}`)
}
