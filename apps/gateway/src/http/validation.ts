import type { z } from '@hono/zod-openapi'
import { isMissing, knownKeysOf, unknownKeysMessage } from '../input-problems.js'

export { nearestKey } from '../input-problems.js'

type Issue = z.core.$ZodIssue

/** One thing wrong with a request: the field (a dotted path; for an unknown key, the key itself) and why. */
export interface Problem {
  param: string
  message: string
}

/**
 * The error of a request object (`z.strictObject(shape, unknownKeys())`) that refuses keys it does not know,
 * answering with the nearest known one (`Unrecognized key "payment_id" — did you mean "paymentId"?`), one line
 * per key. `elsewhere`: the keys of the request's other forms (a cancel names its payment by `paymentId`, or by
 * `account` + `transactionId`), refused here with `exclusive` and known for the suggestion, so every form
 * suggests alike.
 */
export function unknownKeys(elsewhere?: { keys: readonly string[]; exclusive: string }) {
  return {
    error: (iss: z.core.$ZodRawIssue) => {
      if (iss.code !== 'unrecognized_keys') return undefined
      const known = [...knownKeysOf(iss), ...(elsewhere?.keys ?? [])]
      return iss.keys
        .map((k) =>
          elsewhere?.keys.includes(String(k))
            ? `${JSON.stringify(String(k))}: ${elsewhere.exclusive}`
            : unknownKeysMessage([k], known),
        )
        .join('\n')
    },
  }
}

/**
 * Every problem of a refused request, the one a 400 names first (`param`, `message`) leading. An unknown key
 * comes first: it is usually the misspelling of the field reported missing. A request with several forms that
 * matched none is reported in the form the client meant (see `meantForm`).
 */
export function describeIssues(
  issues: readonly Issue[],
): { param: string; message: string; errors: Problem[] } | undefined {
  const errors = problemsOf(issues, new Set())
  const first = errors[0]
  return first ? { ...first, errors } : undefined
}

/** The problems of one form, unknown keys first (`nowhere`: keys no form of the request knows, first of all). */
function problemsOf(issues: readonly Issue[], nowhere: ReadonlySet<PropertyKey>): Problem[] {
  const ranked = issues.flatMap((issue): Array<Problem & { rank: number }> => {
    if (issue.code === 'invalid_union') {
      const { form, nowhere: unknownToAll } = meantForm(issue)
      return form ? problemsOf(form, unknownToAll).map((p, i) => ({ ...p, rank: i === 0 ? 0 : 2 })) : []
    }
    if (issue.code === 'unrecognized_keys') {
      const lines = issue.message.split('\n')
      return issue.keys.map((k, i) => ({
        param: [...issue.path, k].map(String).join('.'),
        message: lines.length === issue.keys.length ? lines[i]! : issue.message,
        rank: nowhere.size === 0 || nowhere.has(k) ? 0 : 1,
      }))
    }
    const param = issue.path.map(String).join('.')
    const message = isMissing(issue)
      ? `${param || 'the body'} is required`
      : `${param ? `${param}: ` : ''}${issue.message}`
    return [{ param, message, rank: 2 }]
  })
  // Unknown keys of the body itself before those of its objects; otherwise the order zod reported (stable sort).
  const depth = (p: { param: string; rank: number }) => (p.rank < 2 ? p.param.split('.').length : 0)
  return ranked
    .sort((a, b) => a.rank - b.rank || depth(a) - depth(b))
    .map(({ param, message }) => ({ param, message }))
}

/**
 * The form a client meant when a request matched none of its forms: the one with the fewest problems (the first
 * on a tie). A key no form knows is the fault whichever was meant, so it is reported first.
 */
function meantForm(union: z.core.$ZodIssueInvalidUnion): {
  form: Issue[] | undefined
  nowhere: Set<PropertyKey>
} {
  const forms = union.errors.filter((f) => f.length > 0)
  const unknownIn = (form: Issue[]) =>
    new Set(form.flatMap((i) => (i.code === 'unrecognized_keys' && i.path.length === 0 ? i.keys : [])))
  const nowhere =
    forms.length === 0
      ? new Set<PropertyKey>()
      : forms.map(unknownIn).reduce((a, b) => new Set(Array.from(a).filter((k) => b.has(k))))
  const meant = forms.reduce((best, f) => (f.length < best.length ? f : best), forms[0] ?? [])
  return { form: meant.length ? meant : undefined, nowhere }
}
