import { defineConfig } from 'vitest/config'

// npm installs, the demo gateway's embedded database: minutes on a busy machine, not seconds.
export default defineConfig({ test: { include: ['src/**/*.test.ts'], hookTimeout: 600_000, testTimeout: 120_000 } })
