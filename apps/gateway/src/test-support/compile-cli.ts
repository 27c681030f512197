// Test support: the CLI compiled from the sources under test, for tests that run it as a real OS process.
import { execFile } from 'node:child_process'
import { createRequire } from 'node:module'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

/** The gateway package's folder. */
export const GATEWAY_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../..')

/** The CLI inside a compileCli folder: the bundle, as the `paymux` command runs it. */
export const BUNDLED_CLI = join('bundle', 'paymux.js')

/**
 * Compiles the gateway into `node_modules/.cache/<name>` (inside the package, so the compiled CLI resolves the
 * same dependencies) and bundles it as the package's build does; answers that folder. `BUNDLED_CLI` in it is
 * what the `paymux` command runs. Type errors do not stop emitting; a compiler that failed outright stops the
 * bundling.
 */
export async function compileCli(name: string): Promise<string> {
  const outDir = join(GATEWAY_DIR, 'node_modules', '.cache', name)
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc')
  await promisify(execFile)(
    process.execPath,
    [
      tsc,
      '-p',
      join(GATEWAY_DIR, 'tsconfig.build.json'),
      '--outDir',
      outDir,
      '--declaration',
      'false',
      '--declarationMap',
      'false',
      '--sourceMap',
      'false',
    ],
    { cwd: GATEWAY_DIR },
  ).catch(() => undefined)
  // And bundled as the package's build bundles it: `bundle/paymux.js` is what the `paymux` command runs.
  await promisify(execFile)(process.execPath, [join(GATEWAY_DIR, 'scripts', 'bundle.mjs'), outDir], {
    cwd: GATEWAY_DIR,
  })
  return outDir
}
