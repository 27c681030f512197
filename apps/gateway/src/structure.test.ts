// The module graph of src/: no import cycle (type imports included: a cycle of types is still two modules that
// cannot be understood apart), and the layers import downwards (the outbox is not an HTTP handler).
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const SRC = dirname(fileURLToPath(import.meta.url))

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name)
    if (e.isDirectory()) return e.name === 'test-support' ? [] : sources(path)
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [path] : []
  })
}

/** Each module's relative imports (static, dynamic and type-only), as paths under src/. */
function graph(): Map<string, string[]> {
  const g = new Map<string, string[]>()
  for (const file of sources(SRC)) {
    const text = readFileSync(file, 'utf8')
    const specifiers = [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)].map((m) => m[1]!)
    g.set(
      relative(SRC, file),
      specifiers.map((s) => relative(SRC, resolve(dirname(file), s.replace(/\.js$/, '.ts')))),
    )
  }
  return g
}

function cycles(g: Map<string, string[]>): string[][] {
  const found: string[][] = []
  const state = new Map<string, 'open' | 'done'>()
  const stack: string[] = []
  const visit = (m: string) => {
    state.set(m, 'open')
    stack.push(m)
    for (const next of g.get(m) ?? []) {
      if (state.get(next) === 'open') found.push([...stack.slice(stack.indexOf(next)), next])
      else if (!state.has(next) && g.has(next)) visit(next)
    }
    stack.pop()
    state.set(m, 'done')
  }
  for (const m of g.keys()) if (!state.has(m)) visit(m)
  return found
}

describe('the module graph of src/', () => {
  const g = graph()

  it('has no import cycle', () => {
    expect(cycles(g).map((c) => c.join(' > '))).toEqual([])
  })

  it('keeps the outbox and the config below the HTTP layer and the runtime', () => {
    expect(g.get('webhooks/outbox.ts')?.filter((m) => m.startsWith('http/'))).toEqual([])
    const fromConfig = (g.get('config.ts') ?? []).flatMap((m) => [m, ...(g.get(m) ?? [])])
    expect(fromConfig).not.toContain('runtime.ts')
  })

  // Layers, lowest first: a module imports only its own layer or those below (data flows one way: route →
  // operation → ledger → store). The config schemas in any folder (`*/config.ts`) belong to the config layer.
  const LAYERS: string[][] = [
    [
      'errors.ts',
      'ids.ts',
      'crypto.ts',
      'logger.ts',
      'net',
      'config-yaml-error.ts',
      'config-checks.ts',
      'input-problems.ts',
    ],
    ['db'],
    ['config', 'config.ts', 'workers-config.ts', 'providers.ts', 'runtime.ts', 'idempotency-keys.ts'],
    ['ledger', 'call-log', 'services', 'routing', 'health', 'metrics', 'render.ts', 'queries.ts'],
    ['operations'],
    ['webhooks'],
    ['workers'],
    ['http', 'schemas.ts', 'examples.ts', 'routes', 'checkout', 'notifications', 'console'],
    [
      'app.ts',
      'gateway.ts',
      'startup.ts',
      'simulators.ts',
      'demo.ts',
      'demo-banner.ts',
      'demo-shop.ts',
      'simulators-command.ts',
      'cli.ts',
      'index.ts',
    ],
  ]
  const layerOf = (m: string): number => {
    const unit = m.endsWith('/config.ts') ? 'config' : m.split('/')[0]!
    const i = LAYERS.findIndex((l) => l.includes(unit))
    if (i < 0) throw new Error(`${m} has no layer: add its folder to LAYERS`)
    return i
  }

  it('imports only its own layer or those below', () => {
    const upward = [...g].flatMap(([m, deps]) =>
      deps.filter((d) => g.has(d) && layerOf(d) > layerOf(m)).map((d) => `${m} > ${d}`),
    )
    expect(upward).toEqual([])
  })

  it('imports every module it has (no dead file left behind)', () => {
    const imported = new Set([...g.values()].flat())
    const entries = ['index.ts', 'cli.ts', 'webhooks/index.ts']
    const dead = [...g.keys()].filter((m) => !imported.has(m) && !entries.includes(m))
    expect(dead).toEqual([])
  })
})
