import type { z } from 'zod'

// What a person reads when their input (a request body, the config file) is refused: a missing field "is
// required", an unknown key names the known key it most likely meant. Shared by the API's 400s and the start-up
// check of the config, so both speak alike.

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
 * The message of an `unrecognized_keys` issue: one line per key, in the issue's key order (lines, because a
 * JSON-quoted key never holds a line break), so each key can be reported as a problem of its own.
 */
export function unknownKeysMessage(keys: readonly PropertyKey[], known: readonly string[]): string {
  return keys
    .map((k) => {
      const near = nearestKey(String(k), known)
      return `Unrecognized key ${JSON.stringify(String(k))}${near ? ` — did you mean "${near}"?` : ''}`
    })
    .join('\n')
}

/** The keys a strict object knows, from the raw issue zod hands an error map. */
export function knownKeysOf(iss: z.core.$ZodRawIssue): string[] {
  const shape = (iss.inst as { shape?: unknown } | undefined)?.shape
  return shape && typeof shape === 'object' ? Object.keys(shape) : []
}

/** An issue that says nothing was given where a value is needed (zod's "expected …, received undefined"). */
export function isMissing(issue: { code: string; message: string }): boolean {
  return issue.code === 'invalid_type' && / received undefined$/.test(issue.message)
}

/**
 * An error map for a whole parse (`schema.safeParse(input, { error: readableIssues })`), for input zod parses
 * without a schema-level map of ours: a missing value "is required", an unknown key names its near match.
 */
export const readableIssues = (iss: z.core.$ZodRawIssue): string | undefined => {
  if (iss.code === 'unrecognized_keys') return unknownKeysMessage(iss.keys, knownKeysOf(iss))
  if (iss.code === 'invalid_type' && iss.input === undefined) return 'is required'
  return undefined
}
