// A PG is one package and one line: the gateway's source names a PG only in the provider registry
// (providers.ts). The demo, its banner, `paymux simulators`, the API reference, the notification route and the
// shared test harness all derive from the registry and each descriptor, so a PG that lands after the first three
// must be named in exactly one file of src/ (tests aside, which may exercise it by name).
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { PROVIDERS } from './providers.js'

const SRC = dirname(fileURLToPath(import.meta.url))

/** Every source file of src/ that is not a test: test-support included, since the per-PG harness is in it. */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name)
    if (e.isDirectory()) return e.name === '__fixtures__' ? [] : sources(path)
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [path] : []
  })
}

/** The files of src/ (non-test) that contain `word`, case-insensitively. */
function filesNaming(word: string): string[] {
  const needle = word.toLowerCase()
  return sources(SRC)
    .filter((f) => readFileSync(f, 'utf8').toLowerCase().includes(needle))
    .map((f) => relative(SRC, f))
    .sort()
}

// The first three PGs predate the registry's reach: their hand-written test setups and a few comments still name
// them. Every PG after them is held to the rule.
const BEFORE_THE_REGISTRY = new Set(['nicepay', 'bootpay', 'cookiepay'])

describe('a PG is one package and one line', () => {
  it('registers Toss Payments', () => {
    expect(PROVIDERS.map((p) => p.id)).toContain('tosspayments')
  })

  it.each(
    PROVIDERS.filter((p) => !BEFORE_THE_REGISTRY.has(p.id)).map((p) => p.id),
  )('%s is named in one file of the gateway source: the registry', (id) => {
    expect(filesNaming(id)).toEqual(['providers.ts'])
  })

  it('the check reads the source it claims to (it finds the first PGs wherever they are still named)', () => {
    const nice = filesNaming('nicepay')
    expect(nice).toContain('providers.ts')
    expect(nice.length).toBeGreaterThan(1)
  })
})
