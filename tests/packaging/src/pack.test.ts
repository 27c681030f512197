import { describe, expect, it } from 'vitest'
import { packSmoke } from './pack-smoke.js'

describe('each adapter works installed alone from its packed tarball', () => {
  for (const adapter of ['nicepay', 'bootpay', 'cookiepay'] as const) {
    it(`@paymux/adapter-${adapter}`, () => {
      // The example exits non-zero (and execFileSync throws) when anything it checks fails.
      const out = packSmoke(adapter)
      expect(out.length).toBeGreaterThan(0)
    }, 180_000)
  }
})
