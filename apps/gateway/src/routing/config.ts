import { z } from 'zod'

// `routing.payments` in a merchant's config: the rules that pick the account of a new checkout payment
// (POST /v1/payments without `account`). First matching rule wins; see rules.ts for how one is applied.

const accountId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'letters, digits, _ . - (max 64)')
const krw = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER)

export const ROUTED_METHODS = ['card', 'virtual_account'] as const

/** A metadata key as POST /v1/payments takes it. */
export const METADATA_KEY = /^[A-Za-z0-9_.-]{1,40}$/
export const METADATA_MAX_KEYS = 20

/**
 * `when.metadata`: every listed key must be in the payment's metadata with exactly this string value; `"*"`
 * matches any value of a present key (a payment whose metadata lacks the key never matches).
 */
const metadataCondition = z.record(z.string(), z.string().max(500)).superRefine((m, ctx) => {
  const keys = Object.keys(m)
  if (keys.length === 0)
    ctx.addIssue({ code: 'custom', message: 'list at least one key, or leave metadata out' })
  if (keys.length > METADATA_MAX_KEYS)
    ctx.addIssue({ code: 'custom', message: `at most ${METADATA_MAX_KEYS} keys` })
  for (const k of keys)
    if (!METADATA_KEY.test(k))
      ctx.addIssue({
        code: 'custom',
        path: [k],
        message: 'metadata keys are letters, digits, _ . - (max 40)',
      })
})

const whenSchema = z
  .strictObject({
    method: z.enum(ROUTED_METHODS).optional(),
    /** Inclusive lower bound of the amount (KRW). */
    amountAtLeast: krw.optional(),
    /** Exclusive upper bound of the amount (KRW). */
    amountBelow: krw.optional(),
    metadata: metadataCondition.optional(),
  })
  .refine(
    (w) => w.amountAtLeast === undefined || w.amountBelow === undefined || w.amountAtLeast < w.amountBelow,
    {
      message: 'must be greater than amountAtLeast (no amount could match)',
      path: ['amountBelow'],
    },
  )

const shareSchema = z.strictObject({
  account: accountId,
  /** Relative weight (any scale); 0 takes no new payment, as Korean shops set a PG to 0 % during an outage. */
  weight: z.number().int().min(0).max(1_000_000).default(1),
})

export const paymentRuleSchema = z
  .strictObject({
    when: whenSchema.optional(),
    split: z.array(shareSchema).min(1),
    /** Used in order when no account of the split can take the payment. */
    fallback: z.array(accountId).default([]),
  })
  .superRefine((r, ctx) => {
    if (r.split.every((s) => s.weight === 0))
      ctx.addIssue({
        code: 'custom',
        path: ['split'],
        message: 'every weight is 0: give one account a weight',
      })
    const seen = new Set<string>()
    r.split.forEach((s, i) => {
      if (seen.has(s.account))
        ctx.addIssue({
          code: 'custom',
          path: ['split', i, 'account'],
          message: `${s.account} is listed twice`,
        })
      seen.add(s.account)
    })
  })

export const paymentRulesSchema = z.array(paymentRuleSchema).max(100).default([])

export type PaymentRule = z.output<typeof paymentRuleSchema>
