import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    // CI runs on two busy cores: a test that makes dozens of HTTP calls to the simulator (every forced code, the
    // lost-cancel flow) can take seconds there. Vitest's 5 s default would fail it for being slow, not wrong.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
})
