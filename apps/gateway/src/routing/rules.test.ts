// The rules alone: weighted shares, the order's fixed place in a split, conditions, accounts that cannot take a
// method or are closed. The same rules over HTTP are in routing.test.ts.
import { describe, expect, it } from 'vitest'
import { type PaymentRule, paymentRuleSchema } from './config.js'
import { type AccountFilter, routePayment, unusableRules } from './rules.js'

const rule = (r: unknown): PaymentRule => paymentRuleSchema.parse(r)
const cardAndVa = new Set(['nice-va', 'nice-main'])
const everyone: AccountFilter = {
  takes: (a, method) => method === 'card' || cardAndVa.has(a),
  share: () => 1,
}
const closing = (...closed: string[]): AccountFilter => ({
  ...everyone,
  share: (a) => (closed.includes(a) ? 0 : 1),
})
const pay = (
  orderId: string,
  over: Partial<{ amount: number; method: string; metadata: Record<string, string> }> = {},
) => ({
  merchantId: 'shop',
  orderId,
  amount: 15_000,
  method: 'card',
  ...over,
})
const chosen = (r: ReturnType<typeof routePayment>) => (r.kind === 'chosen' ? r.decision : undefined)

describe('routing rules for new payments', () => {
  const split = [
    rule({ when: { method: 'virtual_account' }, split: [{ account: 'nice-va' }] }),
    rule({
      split: [
        { account: 'boot-a', weight: 70 },
        { account: 'boot-b', weight: 30 },
      ],
      fallback: ['cookie-main'],
    }),
  ]

  it('shares new payments by weight, within 3 % over 3,000 orders', () => {
    const counts = new Map<string, number>()
    for (let i = 0; i < 3000; i++) {
      const d = chosen(routePayment(split, pay(`order-${i}`), everyone))
      counts.set(d!.account, (counts.get(d!.account) ?? 0) + 1)
    }
    expect([...counts.keys()].sort()).toEqual(['boot-a', 'boot-b'])
    expect(Math.abs(counts.get('boot-a')! / 3000 - 0.7)).toBeLessThanOrEqual(0.03)
    expect(Math.abs(counts.get('boot-b')! / 3000 - 0.3)).toBeLessThanOrEqual(0.03)
  })

  it('puts the same order on the same account every time, and says it was the split of rule 1', () => {
    for (let i = 0; i < 200; i++) {
      const first = chosen(routePayment(split, pay(`again-${i}`), everyone))
      expect(chosen(routePayment(split, pay(`again-${i}`), everyone))).toEqual(first)
      expect(first).toMatchObject({ rule: 1, via: 'split' })
    }
  })

  it('the same order id of two merchants is placed independently', () => {
    const differ = Array.from({ length: 200 }, (_, i) => `o-${i}`).filter(
      (o) =>
        chosen(routePayment(split, pay(o), everyone))!.account !==
        chosen(routePayment(split, { ...pay(o), merchantId: 'other' }, everyone))!.account,
    )
    expect(differ.length).toBeGreaterThan(20)
  })

  it('conditions: method, amountAtLeast (inclusive), amountBelow (exclusive); first match wins', () => {
    const rules = [
      rule({ when: { method: 'virtual_account' }, split: [{ account: 'nice-va' }] }),
      rule({ when: { amountAtLeast: 1_000_000 }, split: [{ account: 'nice-main' }] }),
      rule({ when: { amountBelow: 1_000 }, split: [{ account: 'boot-a' }] }),
      rule({ split: [{ account: 'boot-b' }] }),
    ]
    const at = (over: Parameters<typeof pay>[1]) => chosen(routePayment(rules, pay('x', over), everyone))
    expect(at({ method: 'virtual_account', amount: 2_000_000 })).toEqual({
      account: 'nice-va',
      rule: 0,
      via: 'split',
    })
    expect(at({ amount: 1_000_000 })).toEqual({ account: 'nice-main', rule: 1, via: 'split' })
    expect(at({ amount: 999_999 })).toEqual({ account: 'boot-b', rule: 3, via: 'split' })
    expect(at({ amount: 999 })).toEqual({ account: 'boot-a', rule: 2, via: 'split' })
    expect(at({ amount: 1_000 })).toEqual({ account: 'boot-b', rule: 3, via: 'split' })
  })

  it('metadata: every listed key with exactly its value, "*" any value of a present key', () => {
    const rules = [
      rule({ when: { metadata: { channel: 'app', tier: 'vip' } }, split: [{ account: 'nice-main' }] }),
      rule({ when: { metadata: { campaign: '*' } }, split: [{ account: 'boot-a' }] }),
      rule({ split: [{ account: 'boot-b' }] }),
    ]
    const at = (metadata?: Record<string, string>) =>
      chosen(routePayment(rules, pay('m', metadata ? { metadata } : {}), everyone))?.account
    expect(at({ channel: 'app', tier: 'vip', extra: 'x' })).toBe('nice-main')
    expect(at({ channel: 'app' })).toBe('boot-b')
    expect(at({ channel: 'App', tier: 'vip' })).toBe('boot-b')
    expect(at({ campaign: '' })).toBe('boot-a')
    expect(at({ campaign: 'spring' })).toBe('boot-a')
    expect(at({})).toBe('boot-b')
    expect(at()).toBe('boot-b')
    // A key inherited by every object is not in the payment's metadata.
    const inherited = [rule({ when: { metadata: { constructor: '*' } }, split: [{ account: 'boot-a' }] })]
    expect(routePayment(inherited, pay('m', { metadata: {} }), everyone)).toEqual({ kind: 'no_rule' })
  })

  it('a metadata condition is refused when empty, with a bad key, a non-string value, or a misspelt name', () => {
    const issues = (when: unknown) =>
      paymentRuleSchema
        .safeParse({ when, split: [{ account: 'a' }] })
        .error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`)
    expect(issues({ metadata: {} })).toEqual(['when.metadata: list at least one key, or leave metadata out'])
    expect(issues({ metadata: { 'no spaces': 'x' } })?.[0]).toMatch(
      /^when\.metadata\.no spaces: metadata keys/,
    )
    expect(issues({ metadata: { channel: 1 } })?.[0]).toMatch(/^when\.metadata\.channel: /)
    expect(issues({ metdata: { channel: 'app' } })).toHaveLength(1)
  })

  it('no rule matching leaves the choice to the default', () => {
    const rules = [rule({ when: { method: 'virtual_account' }, split: [{ account: 'nice-va' }] })]
    expect(routePayment(rules, pay('x'), everyone)).toEqual({ kind: 'no_rule' })
    expect(routePayment([], pay('x'), everyone)).toEqual({ kind: 'no_rule' })
  })

  it('an account that cannot take the method is never chosen; a rule with none that can does not apply', () => {
    const rules = [
      rule({
        split: [
          { account: 'boot-a', weight: 99 },
          { account: 'nice-main', weight: 1 },
        ],
      }),
    ]
    for (let i = 0; i < 300; i++)
      expect(
        chosen(routePayment(rules, pay(`va-${i}`, { method: 'virtual_account' }), everyone))?.account,
      ).toBe('nice-main')
    const cardOnly = [rule({ split: [{ account: 'boot-a' }] }), rule({ split: [{ account: 'nice-va' }] })]
    expect(chosen(routePayment(cardOnly, pay('v', { method: 'virtual_account' }), everyone))).toEqual({
      account: 'nice-va',
      rule: 1,
      via: 'split',
    })
  })

  it('a closed account gets no new payment: the rest of the split shares, then the fallback in order', () => {
    const rules = [
      rule({
        split: [
          { account: 'boot-a', weight: 70 },
          { account: 'boot-b', weight: 30 },
        ],
        fallback: ['cookie-1', 'cookie-2'],
      }),
    ]
    for (let i = 0; i < 300; i++) {
      expect(chosen(routePayment(rules, pay(`c-${i}`), closing('boot-a')))).toEqual({
        account: 'boot-b',
        rule: 0,
        via: 'split',
      })
      // The fallback never picks a closed account (Hyperswitch #6149): the next one in order.
      expect(chosen(routePayment(rules, pay(`c-${i}`), closing('boot-a', 'boot-b', 'cookie-1')))).toEqual({
        account: 'cookie-2',
        rule: 0,
        via: 'fallback',
      })
    }
    expect(routePayment(rules, pay('c'), closing('boot-a', 'boot-b', 'cookie-1', 'cookie-2'))).toEqual({
      kind: 'all_closed',
      rule: 0,
    })
  })

  it('a weight of 0 takes no new payment', () => {
    const rules = [rule({ split: [{ account: 'boot-a', weight: 0 }, { account: 'boot-b' }] })]
    for (let i = 0; i < 100; i++)
      expect(chosen(routePayment(rules, pay(`z-${i}`), everyone))?.account).toBe('boot-b')
  })

  it('a rule is refused when every weight is 0, an account is listed twice, or no amount could match', () => {
    const problems = (r: unknown) => paymentRuleSchema.safeParse(r).error?.issues.map((i) => i.path.join('.'))
    expect(problems({ split: [{ account: 'a', weight: 0 }] })).toEqual(['split'])
    expect(problems({ split: [{ account: 'a' }, { account: 'a' }] })).toEqual(['split.1.account'])
    expect(problems({ when: { amountAtLeast: 10, amountBelow: 10 }, split: [{ account: 'a' }] })).toEqual([
      'when.amountBelow',
    ])
  })

  it('a rule that could only choose accounts unable to take what it routes is a config error naming it', () => {
    const methods = (a: string) =>
      a === 'nice-va' ? ['card', 'virtual_account'] : a === 'kr-none' ? [] : ['card']
    expect(
      unusableRules(
        [
          rule({ when: { method: 'virtual_account' }, split: [{ account: 'boot-a' }], fallback: ['boot-b'] }),
          rule({
            when: { method: 'virtual_account' },
            split: [{ account: 'boot-a' }],
            fallback: ['nice-va'],
          }),
          rule({ split: [{ account: 'kr-none' }] }),
        ],
        methods,
      ),
    ).toEqual([
      'routing.payments.0: routes virtual_account payments but none of its accounts (boot-a, boot-b) takes virtual_account',
      'routing.payments.2: none of its accounts (kr-none) takes checkout payments',
    ])
  })
})
