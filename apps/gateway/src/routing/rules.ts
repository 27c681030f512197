import { createHash } from 'node:crypto'
import type { PaymentRule } from './config.js'

/** What a rule looks at in a new payment. */
export interface RoutedPayment {
  merchantId: string
  orderId: string
  amount: number
  method: string
  /** What the merchant sent as `metadata` (string values only). */
  metadata?: Readonly<Record<string, string>>
}

/** `"*"` in a metadata condition: any value, as long as the key is there. */
export const ANY_VALUE = '*'

/** Which rule chose the account, and whether from its split or its fallback list: shown on the Payment. */
export interface RoutingDecision {
  account: string
  rule: number
  via: 'split' | 'fallback'
}

export interface AccountFilter {
  /** The account's PG takes this method: an account that cannot is never chosen. */
  takes(account: string, method: string): boolean
  /** The share of its weight the account takes now: 1 healthy, 0 ejected, a fraction on probation. */
  share(account: string): number
}

export type RoutingResult =
  | { kind: 'chosen'; decision: RoutingDecision }
  /** No rule applies: the caller keeps its default (the only account that takes the method). */
  | { kind: 'no_rule' }
  /** A rule applies but every account it names that takes the method is closed to new payments. */
  | { kind: 'all_closed'; rule: number }

/**
 * A point in [0, 1) fixed by the merchant and the order: the same order always falls at the same place of a
 * split, so a retried create (a lost answer, a double click) lands on the same account.
 */
export function orderPoint(merchantId: string, orderId: string): number {
  const digest = createHash('sha256').update(merchantId).update('\u0000').update(orderId).digest()
  return digest.readUIntBE(0, 6) / 2 ** 48
}

/** The share whose slice of the cumulated weights holds `at` (0 ≤ at < total). */
function pickByWeight<S extends { weight: number }>(shares: readonly S[], at: number): S {
  let left = at
  for (const s of shares) {
    if (left < s.weight) return s
    left -= s.weight
  }
  return shares[shares.length - 1]!
}

function matches(rule: PaymentRule, p: RoutedPayment): boolean {
  const w = rule.when
  if (!w) return true
  if (w.method !== undefined && w.method !== p.method) return false
  if (w.amountAtLeast !== undefined && p.amount < w.amountAtLeast) return false
  if (w.amountBelow !== undefined && p.amount >= w.amountBelow) return false
  if (w.metadata !== undefined) {
    const given = p.metadata ?? {}
    for (const [key, value] of Object.entries(w.metadata)) {
      // Own keys only: a payment's metadata named "constructor" must not match through the prototype.
      if (!Object.hasOwn(given, key)) return false
      if (value !== ANY_VALUE && given[key] !== value) return false
    }
  }
  return true
}

/**
 * The account of a new payment: the first rule whose conditions match and which names an account that takes the
 * payment's method (a rule none of whose accounts can take it does not apply: the next one is tried). Within it,
 * the split's open accounts share by weight (times their health share) at the order's point; when none is open, the first open account of
 * the fallback list. Closed accounts are never chosen, from the split or the fallback.
 */
export function routePayment(
  rules: readonly PaymentRule[],
  p: RoutedPayment,
  filter: AccountFilter,
): RoutingResult {
  for (const [index, rule] of rules.entries()) {
    if (!matches(rule, p)) continue
    const able = (a: string) => filter.takes(a, p.method)
    const split = rule.split.filter((s) => s.weight > 0 && able(s.account))
    const fallback = rule.fallback.filter(able)
    if (split.length === 0 && fallback.length === 0) continue
    const open = split
      .map((s) => ({ account: s.account, weight: s.weight * filter.share(s.account) }))
      .filter((s) => s.weight > 0)
    if (open.length > 0) {
      const total = open.reduce((sum, s) => sum + s.weight, 0)
      const chosen = pickByWeight(open, orderPoint(p.merchantId, p.orderId) * total)
      return { kind: 'chosen', decision: { account: chosen.account, rule: index, via: 'split' } }
    }
    const next = fallback.find((a) => filter.share(a) > 0)
    if (next !== undefined)
      return { kind: 'chosen', decision: { account: next, rule: index, via: 'fallback' } }
    return { kind: 'all_closed', rule: index }
  }
  return { kind: 'no_rule' }
}

/**
 * Rules that could only ever choose accounts unable to take what they route: a config mistake, reported at start
 * with the key to change. Known only once the adapters exist (capabilities are per account).
 */
export function unusableRules(
  rules: readonly PaymentRule[],
  methodsOf: (account: string) => readonly string[],
): string[] {
  const problems: string[] = []
  rules.forEach((rule, i) => {
    const names = [...rule.split.map((s) => s.account), ...rule.fallback]
    const wanted = rule.when?.method
    if (wanted !== undefined) {
      if (!names.some((a) => methodsOf(a).includes(wanted)))
        problems.push(
          `routing.payments.${i}: routes ${wanted} payments but none of its accounts (${names.join(', ')}) takes ${wanted}`,
        )
      return
    }
    if (names.every((a) => methodsOf(a).length === 0))
      problems.push(
        `routing.payments.${i}: none of its accounts (${names.join(', ')}) takes checkout payments`,
      )
  })
  return problems
}
