import { z } from 'zod'
import { sha256Hex } from '../crypto.js'

/** What an operator may do: `viewer` sees everything and changes nothing (the server refuses, not the page). */
export const OPERATOR_ROLES = ['operator', 'viewer'] as const
export type OperatorRole = (typeof OPERATOR_ROLES)[number]

/**
 * `merchants[].operators`: the people who run the shop's payments, separate from API keys. Only the key's hash
 * is in the config (`paymux hash-key` makes it), like API keys.
 */
export const operatorSchema = z.strictObject({
  name: z.string().trim().min(1).max(100),
  keyHash: z
    .string()
    .regex(/^sha256:[0-9a-f]{64}$/, 'keyHash must be "sha256:<64 hex>" (paymux hash-key makes it)'),
  role: z.enum(OPERATOR_ROLES).default('operator'),
})
export type OperatorConfig = z.infer<typeof operatorSchema>

export interface Operator {
  merchantId: string
  name: string
  role: OperatorRole
}

/** Every merchant's operators by key hash: a presented key finds its operator (and so its merchant) or nothing. */
export class OperatorIndex {
  readonly #byHash = new Map<string, Operator>()

  constructor(merchants: ReadonlyArray<{ id: string; operators?: readonly OperatorConfig[] | undefined }>) {
    for (const m of merchants)
      for (const o of m.operators ?? [])
        this.#byHash.set(o.keyHash.slice('sha256:'.length), { merchantId: m.id, name: o.name, role: o.role })
  }

  get size(): number {
    return this.#byHash.size
  }

  /** The operator whose key this is: looked up by its SHA-256, so the key itself is never compared or kept. */
  find(presentedKey: string): Operator | undefined {
    return this.byHash(sha256Hex(presentedKey))
  }

  /** The operator whose key has this SHA-256 (hex, as a session records it), if still configured. */
  byHash(keyHashHex: string): Operator | undefined {
    return this.#byHash.get(keyHashHex)
  }
}

/**
 * An operator key names one person at one merchant: the same hash twice (even at two merchants), or an operator
 * key that is also an API key, is refused at start-up, naming both places.
 */
export function crossCheckOperators(
  merchants: ReadonlyArray<{ apiKeys: readonly string[]; operators?: readonly OperatorConfig[] | undefined }>,
  ctx: z.RefinementCtx,
): void {
  const apiKeys = new Set(merchants.flatMap((m) => m.apiKeys))
  const seen = new Map<string, string>()
  merchants.forEach((m, mi) => {
    for (const [oi, o] of (m.operators ?? []).entries()) {
      const path = ['merchants', mi, 'operators', oi, 'keyHash']
      const first = seen.get(o.keyHash)
      if (first)
        ctx.addIssue({
          code: 'custom',
          path,
          message: `the same operator key is configured at ${first}: one key per person`,
        })
      else seen.set(o.keyHash, `merchants.${mi}.operators.${oi}`)
      if (apiKeys.has(o.keyHash))
        ctx.addIssue({ code: 'custom', path, message: 'an operator key must not also be an API key' })
    }
  })
}
