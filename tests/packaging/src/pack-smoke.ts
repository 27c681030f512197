import { execFileSync } from 'node:child_process'
import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

const root = resolve(import.meta.dirname, '../../..')
const pnpm = ['-y', 'pnpm@10.34.9']

function pack(pkgDir: string, into: string): string {
  const before = new Set(readdirSync(into))
  execFileSync('npx', [...pnpm, 'pack', '--pack-destination', into], { cwd: pkgDir, stdio: 'pipe' })
  const made = readdirSync(into).find((f) => f.endsWith('.tgz') && !before.has(f))
  if (!made) throw new Error(`pnpm pack made no tarball for ${pkgDir}`)
  return join(into, made)
}

/**
 * Packs @paymux/core and one adapter, installs both tarballs with plain npm into an empty project (no
 * workspace, no gateway), and runs the adapter's standalone example there. Returns the example's output.
 */
export function packSmoke(adapter: 'nicepay' | 'bootpay' | 'cookiepay'): string {
  const dir = mkdtempSync(join(tmpdir(), `paymux-pack-${adapter}-`))
  try {
    const core = pack(join(root, 'packages/core'), dir)
    const tgz = pack(join(root, `packages/adapter-${adapter}`), dir)
    writeFileSync(
      join(dir, 'package.json'),
      JSON.stringify({
        name: 'standalone-smoke',
        private: true,
        type: 'module',
        dependencies: { '@paymux/core': `file:${core}`, [`@paymux/adapter-${adapter}`]: `file:${tgz}` },
        overrides: { '@paymux/core': `file:${core}` },
      }),
    )
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], {
      cwd: dir,
      stdio: 'pipe',
    })
    cpSync(join(root, `packages/adapter-${adapter}/examples/standalone.mjs`), join(dir, 'standalone.mjs'))
    // Nothing from the workspace is reachable from here: only what the tarballs brought.
    return execFileSync('node', ['standalone.mjs'], { cwd: dir, stdio: 'pipe', timeout: 60_000 }).toString()
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
