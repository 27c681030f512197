import { defineConfig } from 'vitest/config'

// One scenario at a time: each starts its own simulator, gateways and database, and they would only slow
// each other down on a small machine.
export default defineConfig({
  test: {
    include: ['src/**/*.chaos.ts'],
    fileParallelism: false,
    testTimeout: 240_000,
    hookTimeout: 120_000,
    reporters: ['verbose'],
    sequence: { shuffle: false },
  },
})
