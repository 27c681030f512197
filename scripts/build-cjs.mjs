// Writes the CommonJS copy of the package in the current folder into dist/cjs, after `tsc` wrote its ES modules
// and declarations into dist. Run by the `build` script of every published library package.
//
// Why a second copy and not require(esm): the packages support Node >= 20.11, where require() of an ES module
// throws (it works unflagged only from Node 22.12). Why file by file and not one bundle: each export path
// (`@paymux/core` and `@paymux/core/simulator`, …) must share one copy of the modules behind it, or an error
// class made in one would fail `instanceof` in the other. Dependencies stay `require`d from node_modules.
//
// dist/cjs/package.json says `"type": "commonjs"`, so its `.js` files and the `.d.ts` copied next to them are
// CommonJS to Node and to TypeScript alike, and the relative `./x.js` imports need no rewriting.
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { basename, dirname, join, relative } from 'node:path'
import { transform } from 'esbuild'

const pkg = process.cwd()
const src = join(pkg, 'src')
const dist = join(pkg, 'dist')
const out = join(dist, 'cjs')

/** Every file under `dir` (relative paths), skipping the folders named. */
function files(dir, skip = new Set()) {
  const found = []
  for (const name of readdirSync(dir)) {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) {
      if (!skip.has(path)) found.push(...files(path, skip).map((f) => join(name, f)))
    } else found.push(name)
  }
  return found
}

rmSync(out, { recursive: true, force: true })
const sources = files(src).filter(
  (f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.endsWith('.d.ts') && !f.includes('__fixtures__'),
)
// The transform API, file by file: `build` would read `"type": "module"` in package.json and give a default
// import of a CommonJS dependency Node's meaning (the whole `module.exports`), where the ES build gets that
// dependency's own ES default (openapi-fetch's `createClient`). Without a package.json in sight, esbuild uses
// the `__esModule` convention, which gives both builds the same function.
for (const f of sources) {
  const js = join(out, f.replace(/\.ts$/, '.js'))
  mkdirSync(dirname(js), { recursive: true })
  const { code, map } = await transform(readFileSync(join(src, f), 'utf8'), {
    loader: 'ts',
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    // ES modules are strict; their CommonJS copies must be too.
    banner: '"use strict";',
    sourcemap: 'external',
    sourcesContent: false,
    sourcefile: relative(dirname(js), join(src, f)),
  })
  writeFileSync(js, `${code}//# sourceMappingURL=${basename(js)}.map\n`)
  writeFileSync(`${js}.map`, map)
}
writeFileSync(join(out, 'package.json'), `${JSON.stringify({ type: 'commonjs' })}\n`)

// The declarations tsc wrote, next to the CommonJS files; their maps point one folder further up to src.
for (const f of files(dist, new Set([out, join(dist, 'bundle')]))) {
  if (!f.endsWith('.d.ts') && !f.endsWith('.d.ts.map')) continue
  const to = join(out, f)
  mkdirSync(dirname(to), { recursive: true })
  if (f.endsWith('.d.ts')) {
    copyFileSync(join(dist, f), to)
    continue
  }
  const map = JSON.parse(readFileSync(join(dist, f), 'utf8'))
  const from = dirname(join(dist, f))
  map.sources = map.sources.map((s) => relative(dirname(to), join(from, map.sourceRoot ?? '', s)))
  delete map.sourceRoot
  writeFileSync(to, JSON.stringify(map))
}
