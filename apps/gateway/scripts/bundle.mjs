// Bundles the compiled CLI (`<dist>/cli.js`) into `<dist>/bundle/paymux.js`, which the `paymux` command runs.
//
// Why: a start-up of the unbundled CLI is ~90% module loading (Node resolving, reading and compiling about a
// thousand ES modules of zod, Kysely, Hono, undici and the adapters): ~670 ms to ready. One file for what
// `paymux serve` needs is ~350 ms. Node's compile cache would do the same on Node 22; the package supports 20.
//
// What stays outside: the embedded database (PGlite loads its WebAssembly from its own package folder) and
// pg's optional native binding. The demo, the docs renderer and PGlite are imported when first used, so they
// land in chunks of their own and a configured gateway on PostgreSQL never reads them. No source map: the
// package ships only maps that point at files it ships. Nothing is minified, so stack traces keep their
// function names without `keepNames` (whose per-closure __name calls showed in the profile).
import { rmSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { build } from 'esbuild'

const dist = resolve(process.argv[2] ?? 'dist')
const outdir = join(dist, 'bundle')
rmSync(outdir, { recursive: true, force: true })
await build({
  entryPoints: { paymux: join(dist, 'cli.js') },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: ['@electric-sql/pglite', '@electric-sql/pglite/*', 'pg-native'],
  // CommonJS dependencies call require() for Node's own modules; an ES module has none of its own.
  banner: {
    js: "import { createRequire as __paymuxRequire } from 'node:module'; const require = __paymuxRequire(import.meta.url);",
  },
  logLevel: 'warning',
})
