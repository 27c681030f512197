import { execFile, execFileSync } from 'node:child_process'
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { type Demo, startDemo } from '@paymux/gateway'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const root = resolve(import.meta.dirname, '../../..')
const packed = join(root, 'dist-packages')
const run = promisify(execFile)
const npm = (args: string[], cwd: string) =>
  execFileSync('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], { cwd, stdio: 'pipe' })

/** The README's install lines for the packed tarballs, with the clone's path filled in. */
function readmeInstallLines(): string[] {
  const readme = readFileSync(join(root, 'README.md'), 'utf8')
  const lines = readme.split('\n').filter((l) => /^npm install .*dist-packages\//.test(l))
  return lines.map((l) => l.replaceAll('/path/to/paymux', root))
}

/** Every source map in the installed @paymux packages points at files the package ships. */
function missingSources(nodeModules: string): string[] {
  const missing: string[] = []
  const walk = (dir: string) => {
    for (const f of readdirSync(dir)) {
      const p = join(dir, f)
      if (statSync(p).isDirectory()) walk(p)
      else if (f.endsWith('.map')) {
        const map = JSON.parse(readFileSync(p, 'utf8')) as { sources: string[]; sourceRoot?: string }
        for (const s of map.sources) {
          const src = resolve(dirname(p), map.sourceRoot ?? '', s)
          if (!existsSync(src)) missing.push(`${p.slice(nodeModules.length)} -> ${s}`)
        }
      }
    }
  }
  walk(join(nodeModules, '@paymux'))
  return missing
}

beforeAll(() => {
  // The README's pack command, as a user runs it from the clone.
  execFileSync('npx', ['-y', 'pnpm@10.34.9', 'pack:all'], { cwd: root, stdio: 'pipe' })
}, 600_000)

describe('the README install lines, each as written in an empty folder with npm', () => {
  it('names tarballs that pack:all made, and each line installs', () => {
    const lines = readmeInstallLines()
    expect(lines.length).toBeGreaterThanOrEqual(2)
    for (const line of lines) {
      const dir = mkdtempSync(join(tmpdir(), 'paymux-readme-'))
      try {
        execFileSync('sh', ['-c', `${line} --no-audit --no-fund --loglevel=error`], {
          cwd: dir,
          stdio: 'pipe',
        })
        expect(
          existsSync(join(dir, 'node_modules/@paymux/core')) ||
            existsSync(join(dir, 'node_modules/@paymux/client')),
          line,
        ).toBe(true)
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
    }
  }, 600_000)
})

describe('a project that installed the tarballs with npm (no workspace, no gateway)', () => {
  let dir: string
  let demo: Demo
  let demoDir: string
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'paymux-pack-'))
    writeFileSync(
      join(dir, 'package.json'),
      JSON.stringify({ name: 'consumer', private: true, type: 'module' }),
    )
    const tarballs = readdirSync(packed)
      .filter((f) => f.endsWith('.tgz') && !f.startsWith('paymux-gateway-'))
      .map((f) => join(packed, f))
    npm(['install', ...tarballs], dir)
    npm(['install', '--save-dev', 'typescript@5.9.3', '@types/node@^20.19.0'], dir)
    demoDir = mkdtempSync(join(tmpdir(), 'paymux-pack-demo-'))
    demo = await startDemo({ port: 0, dataDir: demoDir, logLevel: 'silent' })
  }, 600_000)
  afterAll(async () => {
    await demo?.close()
    if (dir) rmSync(dir, { recursive: true, force: true })
    if (demoDir) rmSync(demoDir, { recursive: true, force: true })
  })

  for (const adapter of ['nicepay', 'bootpay', 'cookiepay', 'tosspayments'] as const) {
    it(`runs @paymux/adapter-${adapter}'s standalone example`, async () => {
      // The example the tarball ships (its README tells an installer to run it from there), not the clone's.
      cpSync(
        join(dir, `node_modules/@paymux/adapter-${adapter}/examples/standalone.mjs`),
        join(dir, `${adapter}.mjs`),
      )
      // The example exits non-zero (and run rejects) when anything it checks fails.
      const { stdout } = await run('node', [`${adapter}.mjs`], { cwd: dir, timeout: 60_000 })
      expect(stdout.length).toBeGreaterThan(0)
    }, 90_000)
  }

  it('runs a @paymux/client script against a gateway: cancel, replay, typed error, webhook', async () => {
    cpSync(join(import.meta.dirname, '../fixtures/client.mjs'), join(dir, 'client.mjs'))
    const p = demo.seeded.find((s) => s.provider === 'nicepay')!
    const { stdout } = await run('node', ['client.mjs'], {
      cwd: dir,
      timeout: 60_000,
      env: {
        ...process.env,
        API_URL: demo.url,
        API_KEY: demo.apiKey,
        ACCOUNT: p.account,
        TRANSACTION_ID: p.transactionId,
      },
    })
    expect(JSON.parse(stdout)).toMatchObject({
      status: 'succeeded',
      amount: 1000,
      replayed: true,
      webhook: true,
      error: { status: 404, requestId: expect.stringMatching(/^req_/) },
    })
    expect(demo.simulators.nicepay.inspect(p.transactionId)).toMatchObject({ cancelledAmount: 1000 })
  }, 90_000)

  /**
   * tsc (strict, NodeNext) over a TypeScript file using every package, and over the client script twice: as
   * an ES module (.mts) and as CommonJS (.cts, typed by the packages' CommonJS declarations). Once; its
   * output (empty when all is well) is shared by the tests that run what it compiled.
   */
  let compiled: Promise<string> | undefined
  const compile = () => {
    compiled ??= (async () => {
      cpSync(join(import.meta.dirname, '../fixtures/usage.ts'), join(dir, 'usage.ts'))
      for (const ext of ['mts', 'cts'])
        cpSync(
          join(import.meta.dirname, '../fixtures/every-operation.ts'),
          join(dir, `every-operation.${ext}`),
        )
      writeFileSync(
        join(dir, 'tsconfig.json'),
        JSON.stringify({
          compilerOptions: {
            strict: true,
            module: 'NodeNext',
            moduleResolution: 'NodeNext',
            target: 'ES2022',
            outDir: 'out',
            types: ['node'],
          },
          files: ['usage.ts', 'every-operation.mts', 'every-operation.cts'],
        }),
      )
      const tsc = join(dir, 'node_modules/typescript/bin/tsc')
      return run('node', [tsc, '-p', '.'], { cwd: dir, timeout: 120_000 }).then(
        () => '',
        (err: { stdout?: string }) => err.stdout ?? String(err),
      )
    })()
    return compiled
  }

  it('type-checks TypeScript using every package, and the client from an ES module and from CommonJS (tsc, strict, NodeNext)', async () => {
    expect(await compile()).toBe('')
  }, 120_000)

  /** Every merchant operation of the gateway's document (all `/v1` routes but the PGs' notifications). */
  const operations = () => {
    const doc = JSON.parse(
      readFileSync(join(root, 'packages/client/src/generated/openapi.json'), 'utf8'),
    ) as {
      paths: Record<string, Record<string, { operationId: string }>>
    }
    return Object.entries(doc.paths)
      .filter(([path]) => path.startsWith('/v1/'))
      .flatMap(([path, ops]) =>
        Object.entries(ops).map(([method, op]) => ({
          operationId: op.operationId,
          method: method.toUpperCase(),
          path: new RegExp(`^${path.replace(/\{[^}]+\}/g, '[^/]+')}$`),
        })),
      )
      .filter((op) => op.operationId !== 'receiveNotification')
  }

  for (const [format, file, seededIndex] of [
    ['an ES module', 'out/every-operation.mjs', 1],
    ['CommonJS', 'out/every-operation.cjs', 2],
  ] as const) {
    it(`calls every /v1 operation from ${format} compiled from TypeScript; for await over listPayments crosses pages`, async () => {
      expect(await compile()).toBe('')
      const payment = demo.seeded.filter((s) => s.provider === 'nicepay')[seededIndex]!
      const { stdout } = await run('node', [file], {
        cwd: dir,
        timeout: 60_000,
        env: {
          ...process.env,
          API_URL: demo.url,
          API_KEY: demo.apiKey,
          ACCOUNT: payment.account,
          PAYMENT_ID: payment.paymentId,
          RUN: `${format.replace(/\W/g, '')}-${Date.now()}`,
        },
      })
      const out = JSON.parse(stdout)
      const sent = out.sent as Array<{ method: string; path: string; status: number }>
      const ops = operations()
      expect(ops.length).toBeGreaterThanOrEqual(15)
      const unanswered = ops
        .filter((op) => !sent.some((s) => s.method === op.method && op.path.test(s.path) && s.status < 300))
        .map((op) => op.operationId)
      expect(unanswered).toEqual([])
      expect(out.paging.pages).toBeGreaterThanOrEqual(2)
      expect(out.paging.walked).toEqual(out.paging.all)
      expect(out.paging.all.length).toBeGreaterThan(2)
      expect(out).toMatchObject({
        checkout: { status: 'requires_authentication', read: true },
        virtualAccount: 'closed',
        billing: { charge: 'paid', deleted: 'deleted' },
        cancellation: { status: 'succeeded' },
        event: { type: 'cancellation.succeeded', resent: true },
        accounts: { listed: true, ejected: 'ejected', restored: 'healthy' },
        error: { status: 404 },
      })
      expect(demo.simulators.nicepay.inspect(payment.transactionId)).toMatchObject({ cancelledAmount: 1_000 })
    }, 90_000)
  }

  it('loads every package with require() from plain CommonJS: the adapters cancel at their simulators, errors and webhooks check', async () => {
    cpSync(join(import.meta.dirname, '../fixtures/require.cjs'), join(dir, 'require.cjs'))
    // The script exits non-zero (and run rejects) when anything it checks fails.
    const { stdout } = await run('node', ['require.cjs'], { cwd: dir, timeout: 60_000 })
    expect(JSON.parse(stdout)).toMatchObject({
      cancels: { nicepay: 'cancelled', bootpay: 'cancelled', cookiepay: 'cancelled' },
      paymentError: true,
      webhook: { type: 'payment.paid', tampered: 'no_matching_signature' },
      client: 'function',
    })
  }, 90_000)

  it('ships what its source maps point at, and the client brings neither the gateway nor its database', () => {
    expect(missingSources(join(dir, 'node_modules'))).toEqual([])
    expect(existsSync(join(dir, 'node_modules/@paymux/gateway'))).toBe(false)
    expect(existsSync(join(dir, 'node_modules/@electric-sql'))).toBe(false)
  })
})

describe('the gateway as npm installs it', () => {
  it('ships the bundled `paymux` command, and it runs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'paymux-gateway-'))
    try {
      writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'ops', private: true }))
      npm(
        [
          'install',
          ...readdirSync(packed)
            .filter((f) => f.endsWith('.tgz'))
            .map((f) => join(packed, f)),
        ],
        dir,
      )
      expect(existsSync(join(dir, 'node_modules/@paymux/gateway/dist/bundle/paymux.js'))).toBe(true)
      const { stdout } = await run(join(dir, 'node_modules/.bin/paymux'), ['hash-key', 'sk_live_example'], {
        cwd: dir,
        timeout: 60_000,
      })
      expect(stdout.trim()).toMatch(/^sha256:[0-9a-f]{64}$/)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }, 600_000)
})
