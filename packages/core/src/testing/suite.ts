import { afterEach, beforeEach, describe, it } from 'vitest'
import { conformanceCases } from './cases.js'
import type { ConformanceHarness, ConformanceSetup } from './harness.js'

/**
 * Registers the conformance suite with vitest for one adapter + simulator pair. Every case runs on a fresh
 * setup; cases outside the adapter's capabilities are skipped, with the reason in the test name.
 */
export function runConformanceSuite(harness: ConformanceHarness): void {
  describe(`conformance: ${harness.name}`, () => {
    let setup: ConformanceSetup | undefined
    beforeEach(async () => {
      setup = await harness.setup()
    })
    afterEach(async () => {
      await setup?.close?.()
      setup = undefined
    })
    for (const c of conformanceCases) {
      it(c.name, async (ctx) => {
        const s = setup!
        const why = c.skip?.(s.provider.capabilities, s)
        if (why) {
          ctx.skip(`skipped: ${why}`)
          return
        }
        await c.run(s, harness)
      }, 20_000)
    }
  })
}

/** Runs every applicable case outside vitest; returns what failed. Core's own tests use it on broken providers. */
export async function runConformanceCases(
  harness: ConformanceHarness,
): Promise<Array<{ name: string; status: 'passed' | 'failed' | 'skipped'; error?: string }>> {
  const out: Array<{ name: string; status: 'passed' | 'failed' | 'skipped'; error?: string }> = []
  for (const c of conformanceCases) {
    const s = await harness.setup()
    try {
      const why = c.skip?.(s.provider.capabilities, s)
      if (why) {
        out.push({ name: c.name, status: 'skipped' })
        continue
      }
      await c.run(s, harness)
      out.push({ name: c.name, status: 'passed' })
    } catch (err) {
      out.push({ name: c.name, status: 'failed', error: err instanceof Error ? err.message : String(err) })
    } finally {
      await s.close?.()
    }
  }
  return out
}
