import { defineConfig } from 'vitest/config'

// The demo gateway starts an embedded database and three simulators: slower than a unit test on a busy machine.
export default defineConfig({ test: { hookTimeout: 120_000, testTimeout: 60_000 } })
