import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    // Creating an embedded PGlite database runs initdb in WebAssembly: seconds on a busy machine.
    hookTimeout: 120_000,
    testTimeout: 60_000,
  },
})
