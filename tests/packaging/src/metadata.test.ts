import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'

const root = resolve(import.meta.dirname, '../../..')
const REPOSITORY = 'https://github.com/paymux/paymux'

/** Every publishable package of the workspace, with its folder relative to the repository. */
function publishable(): Array<{ dir: string; pkg: Record<string, unknown> }> {
  return ['apps', 'packages'].flatMap((group) =>
    readdirSync(join(root, group))
      .map((name) => `${group}/${name}`)
      .filter((dir) => existsSync(join(root, dir, 'package.json')))
      .map((dir) => ({ dir, pkg: JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')) }))
      .filter(({ pkg }) => pkg.private !== true),
  )
}

describe('package metadata', () => {
  it(`every publishable package points at ${REPOSITORY}, its own folder, its README and the issue tracker`, () => {
    const packages = publishable()
    expect(packages.length).toBeGreaterThanOrEqual(7)
    for (const { dir, pkg } of packages) {
      const repository = pkg.repository as { type?: string; url?: string; directory?: string }
      // npm's normal form of the same URL: git+https://github.com/paymux/paymux.git
      expect(repository, dir).toEqual({ type: 'git', url: `git+${REPOSITORY}.git`, directory: dir })
      expect(pkg.homepage, dir).toBe(`${REPOSITORY}/tree/main/${dir}#readme`)
      expect(pkg.bugs, dir).toEqual({ url: `${REPOSITORY}/issues` })
    }
  })

  it('every library package answers require() as well as import, each with its own types (Node 20 has no require(esm))', () => {
    const libraries = publishable().filter(({ dir }) => dir.startsWith('packages/'))
    expect(libraries.length).toBeGreaterThanOrEqual(6)
    for (const { dir, pkg } of libraries) {
      const exports = pkg.exports as Record<string, { import?: unknown; require?: unknown }>
      for (const [path, conditions] of Object.entries(exports)) {
        expect(conditions.import, `${dir} ${path}`).toMatchObject({
          types: expect.stringMatching(/^\.\/dist\//),
        })
        expect(conditions.require, `${dir} ${path}`).toMatchObject({
          types: expect.stringMatching(/^\.\/dist\/cjs\/.*\.d\.ts$/),
          default: expect.stringMatching(/^\.\/dist\/cjs\/.*\.js$/),
        })
      }
    }
  })
})
