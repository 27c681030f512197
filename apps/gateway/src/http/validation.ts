import { z } from '@hono/zod-openapi'

type Issue = z.core.$ZodIssue

/**
 * The error of a request object (`z.strictObject(shape, unknownKeys())`) that refuses keys it does not know,
 * answering with the nearest known one (`Unrecognized key "payment_id" — did you mean "paymentId"?`).
 * `elsewhere`: the keys of the request's other forms (a cancel names its payment by `paymentId`, or by `account`
 * + `transactionId`), refused here with `exclusive` and known for the suggestion, so every form suggests alike.
 */
export function unknownKeys(elsewhere?: { keys: readonly string[]; exclusive: string }) {
  return {
    error: (iss: z.core.$ZodRawIssue) => {
      if (iss.code !== 'unrecognized_keys') return undefined
      const shape = iss.inst instanceof z.ZodObject ? Object.keys(iss.inst.shape) : []
      // The same key the 400 names as `param` (describeIssues): a key no form knows before one of another form.
      const key = String(iss.keys.find((k) => !elsewhere?.keys.includes(k)) ?? iss.keys[0])
      if (elsewhere?.keys.includes(key)) return `"${key}": ${elsewhere.exclusive}`
      const near = nearestKey(key, [...shape, ...(elsewhere?.keys ?? [])])
      return `Unrecognized key "${key}"${near ? ` — did you mean "${near}"?` : ''}`
    },
  }
}

/** The known key a client most likely meant: the same but for case and separators, or a typo or two away. */
export function nearestKey(key: string, known: readonly string[]): string | undefined {
  const plain = (s: string) => s.toLowerCase().replace(/[_\-\s]/g, '')
  const same = known.find((k) => plain(k) === plain(key))
  if (same) return same
  const limit = key.length >= 5 ? 2 : 1
  let best: { key: string; distance: number } | undefined
  for (const k of known) {
    const d = editDistance(plain(key), plain(k))
    if (d <= limit && (!best || d < best.distance)) best = { key: k, distance: d }
  }
  return best?.key
}

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps cost 1. */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  )
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        v = Math.min(v, d[i - 2]![j - 2]! + 1)
      d[i]![j] = v
    }
  return d[a.length]![b.length]!
}

/**
 * The one problem a 400 reports, and the field it names (`param`, a dotted path; for an unknown key, the key
 * itself). An unknown key comes first: it is usually the misspelling of the field reported missing.
 */
export function describeIssues(issues: readonly Issue[]): { param: string; message: string } | undefined {
  const issue = pick(issues)
  if (!issue) return undefined
  if (issue.code === 'unrecognized_keys') {
    return { param: [...issue.path, issue.keys[0] ?? ''].map(String).join('.'), message: issue.message }
  }
  const param = issue.path.map(String).join('.')
  return { param, message: `${param ? `${param}: ` : ''}${issue.message}` }
}

function pick(issues: readonly Issue[]): Issue | undefined {
  const issue = issues.find((i) => i.code === 'unrecognized_keys') ?? issues[0]
  return issue?.code === 'invalid_union' ? pickFromUnion(issue) : issue
}

/**
 * A request with several forms that matched none: a key no form knows is the fault whichever was meant;
 * otherwise the form with the fewest problems is the one the client meant (the first on a tie).
 */
function pickFromUnion(union: z.core.$ZodIssueInvalidUnion): Issue | undefined {
  const forms = union.errors.filter((f) => f.length > 0)
  const unknownIn = (form: Issue[]) =>
    new Set(form.flatMap((i) => (i.code === 'unrecognized_keys' && i.path.length === 0 ? i.keys : [])))
  const everywhere = forms.map(unknownIn).reduce((a, b) => new Set(Array.from(a).filter((k) => b.has(k))))
  const issue = forms[0]?.find((i) => i.code === 'unrecognized_keys' && i.path.length === 0)
  if (issue?.code === 'unrecognized_keys') {
    const key = issue.keys.find((k) => everywhere.has(k))
    if (key !== undefined) return { ...issue, keys: [key] }
  }
  const meant = forms.reduce((best, f) => (f.length < best.length ? f : best), forms[0] ?? [])
  return pick(meant) ?? union
}
