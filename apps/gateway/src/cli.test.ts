// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are configuration text with ${ENV} references
// The operator's mistakes through the real CLI, as a child process: each is one line naming the key or the
// cause, no stack trace, a non-zero exit, and nothing done first (no migration for a gateway that cannot start).
import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BUNDLED_CLI, compileCli } from './test-support/compile-cli.js'
import { sha256Hex } from './crypto.js'

const pkgDir = resolve(dirname(fileURLToPath(import.meta.url)), '..')
// Inside the package's node_modules so the compiled CLI resolves the same dependencies.
const outDir = join(pkgDir, 'node_modules', '.cache', 'paymux-cli-test')
const MASTER = 'a'.repeat(64)
const NICE_KEY = 'n'.repeat(32)

interface Run {
  code: number | null
  stderr: string
  stdout: string
}

function cli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolveRun) => {
    execFile(
      process.execPath,
      [join(outDir, BUNDLED_CLI), ...args],
      {
        env: { PATH: process.env.PATH ?? '', NICE_KEY, ...env },
        timeout: 60_000,
      },
      (err, stdout, stderr) => {
        const code = err ? ((err as { code?: number }).code ?? 1) : 0
        resolveRun({ code: typeof code === 'number' ? code : 1, stdout, stderr })
      },
    )
  })
}

/** The operator-facing rule: a non-zero exit, the expected last line, no stack frame anywhere. */
function expectOneLineError(r: Run, ...parts: Array<string | RegExp>) {
  expect(r.code, r.stderr).not.toBe(0)
  expect(r.stderr, 'no stack trace').not.toMatch(/^\s+at /m)
  const last = r.stderr.trim().split('\n').at(-1)!
  for (const p of parts) expect(last).toMatch(p)
  return last
}

let dir: string
const config = (name: string, yaml: string) => {
  const path = join(dir, name)
  writeFileSync(path, yaml)
  return path
}
const merchant = (id: string, key: string, accounts: string) => `  - id: ${id}
    apiKeys: ["sha256:${sha256Hex(key)}"]
    accounts:
${accounts}`
const nice = (id: string) =>
  `      - { id: ${id}, provider: nicepay, mid: nicepay00m, merchantKey: \${NICE_KEY} }\n`

describe('operator errors through the CLI', () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'paymux-cli-'))
    // The CLI compiled from the sources under test.
    await compileCli('paymux-cli-test')
  }, 120_000)
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true })
  })

  it('a master key that is not 32 bytes: named by where it came from, never quoted', async () => {
    const path = config('mk.yaml', `masterKey: \${MK}\nmerchants:\n${merchant('shop-a', 'k1', nice('n1'))}`)
    const r = await cli(['--config', path], { MK: 'not-a-master-key' })
    const line = expectOneLineError(r, /masterKey \(or PAYMUX_MASTER_KEY\)/, /32 bytes/)
    expect(line).not.toContain('not-a-master-key')
  })

  it("a YAML syntax error quotes the operator's ${VAR} and its real position, not the parser's placeholder", async () => {
    const path = config(
      'syntax.yaml',
      'merchants:\n  - id: shop-a\n    accounts: [ { id: x, merchantKey: ${NICE_KEY} } ] ]\n',
    )
    const r = await cli(['--config', path])
    const line = expectOneLineError(r, /is not valid YAML at line 3, column 55: /)
    expect(line).not.toContain('__paymux_env_')
    expect(r.stderr.trim().split('\n')).toHaveLength(1)
  })

  it('a duplicate account id names the merchant that has it first, once, with no knock-on error', async () => {
    const path = config(
      'dup.yaml',
      `masterKey: ${MASTER}\nmerchants:\n${merchant('shop-a', 'k1', nice('nice-main'))}    routing: { billing: nice-main }\n${merchant('shop-b', 'k2', nice('nice-main') + nice('nice-main'))}    routing: { billing: nice-main }\n`,
    )
    const r = await cli(['--config', path])
    expect(r.code).toBe(1)
    expect(r.stderr.trim().split('\n')).toEqual([
      'invalid configuration:',
      '  merchants.1.accounts.0.id: account id nice-main is already used by merchant shop-a (merchants.0.accounts.0); account ids are unique across the file',
      '  merchants.1.accounts.1.id: account id nice-main is already used by merchant shop-a (merchants.0.accounts.0); account ids are unique across the file',
    ])
    const within = config(
      'dup-within.yaml',
      `masterKey: ${MASTER}\nmerchants:\n${merchant('shop-a', 'k1', nice('n1') + nice('n1'))}`,
    )
    expectOneLineError(
      await cli(['--config', within]),
      /^invalid configuration: merchants\.0\.accounts\.1\.id: duplicate account id n1 in merchant shop-a \(also merchants\.0\.accounts\.0\)$/,
    )
  })

  it('the same API key on two merchants is refused, naming both', async () => {
    const path = config(
      'samekey.yaml',
      `masterKey: ${MASTER}\nmerchants:\n${merchant('shop-a', 'same', nice('n1'))}${merchant('shop-b', 'same', nice('n2'))}`,
    )
    expectOneLineError(
      await cli(['--config', path]),
      /merchants\.1\.apiKeys\.0: the same API key is configured for merchants shop-a and shop-b/,
    )
  })

  it('an apiKeys entry that is not sha256:<hex> says that `paymux hash-key` makes one, and that command does', async () => {
    const path = config(
      'plainkey.yaml',
      `masterKey: ${MASTER}\nmerchants:\n  - id: shop-a\n    apiKeys: [sk_live_plain]\n    accounts:\n${nice('n1')}`,
    )
    const line = expectOneLineError(
      await cli(['--config', path]),
      /merchants\.0\.apiKeys\.0: /,
      /paymux hash-key <api key>/,
    )
    expect(line).not.toContain('sk_live_plain')
    const hashed = await cli(['hash-key', 'sk_live_plain'])
    expect(hashed.code).toBe(0)
    expect(hashed.stdout.trim()).toBe(`sha256:${sha256Hex('sk_live_plain')}`)
  })

  it('a webhook secret not in the documented whsec_ form is named, never quoted', async () => {
    const path = config(
      'whsec.yaml',
      `masterKey: ${MASTER}\nmerchants:\n${merchant('shop-a', 'k1', nice('n1'))}    webhook: { url: "https://shop.example/hook", secret: "my-plain-secret" }\n`,
    )
    const line = expectOneLineError(
      await cli(['--config', path]),
      /merchants\.0\.webhook\.secret: must be "whsec_" \+ base64 of 24 to 64/,
    )
    expect(line).not.toContain('my-plain-secret')
  })

  it('a credential the adapter refuses names the account before anything runs', async () => {
    const path = config(
      'shortkey.yaml',
      `masterKey: ${MASTER}\nmerchants:\n${merchant('shop-a', 'k1', nice('n1'))}`,
    )
    expectOneLineError(
      await cli(['--config', path], { NICE_KEY: 'short' }),
      /merchants\.0\.accounts\.0 \(n1\): NicePay: merchantKey/,
    )
  })

  describe('the port already in use', () => {
    let taken: Server
    let port: number
    beforeAll(async () => {
      taken = createServer()
      await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r))
      port = (taken.address() as { port: number }).port
    })
    afterAll(async () => {
      await new Promise<void>((r) => taken.close(() => r()))
    })

    it('is named with --port and PORT, before the database is created or migrated', async () => {
      const db = join(dir, 'port-db')
      const path = config(
        'port.yaml',
        `server: { host: 127.0.0.1 }\ndatabase: { path: ${db} }\nmasterKey: ${MASTER}\nmerchants:\n${merchant('shop-a', 'k1', nice('n1'))}`,
      )
      const viaFlag = await cli(['--config', path, '--port', String(port)])
      expectOneLineError(
        viaFlag,
        new RegExp(`port ${port} on 127\\.0\\.0\\.1 is already in use`),
        /--port <n> or PORT/,
      )
      expect(viaFlag.stderr.trim().split('\n')).toHaveLength(1)
      expectOneLineError(await cli(['--config', path], { PORT: String(port) }), /already in use/)
      expect(existsSync(db)).toBe(false)
    })

    it('comes after the file: a bad master key (or a credential the adapter refuses) is what is reported', async () => {
      const path = config(
        'port-and-key.yaml',
        `server: { host: 127.0.0.1, port: ${port} }\nmasterKey: \${MK}\nmerchants:\n${merchant('shop-a', 'k1', nice('n1'))}`,
      )
      expectOneLineError(
        await cli(['--config', path], { MK: 'too-short' }),
        /masterKey \(or PAYMUX_MASTER_KEY\)/,
      )
      expectOneLineError(
        await cli(['--config', path], { MK: MASTER, NICE_KEY: 'short' }),
        /merchants\.0\.accounts\.0 \(n1\): NicePay: merchantKey/,
      )
    })
  })

  it('a mistyped option: exit 2, one clean line naming the option meant', async () => {
    const r = await cli(['--prot', '8090'])
    expect(r.code).toBe(2)
    expect(r.stderr.trim()).toBe('paymux: unknown option --prot — did you mean --port? (see paymux --help)')
    const far = await cli(['serve', '--colour'])
    expect(far.code).toBe(2)
    expect(far.stderr.trim()).toBe('paymux: unknown option --colour (see paymux --help)')
  })

  it('PostgreSQL down at start: a line per retry for database.startupWaitSeconds, then one line and exit 1', async () => {
    const path = config(
      'dbdown.yaml',
      `server: { host: 127.0.0.1, port: 0 }\ndatabase: { url: "postgres://paymux:s3cret-pw@127.0.0.1:1/paymux", startupWaitSeconds: 2 }\nmasterKey: ${MASTER}\nmerchants:\n${merchant('shop-a', 'k1', nice('n1'))}`,
    )
    const started = Date.now()
    const r = await cli(['--config', path])
    const elapsed = Date.now() - started
    expectOneLineError(
      r,
      /^database 127\.0\.0\.1:1\/paymux is unreachable \(ECONNREFUSED\) after 2 s: check database\.url \/ DATABASE_URL/,
    )
    expect(r.stderr).toMatch(
      /database 127\.0\.0\.1:1\/paymux is unreachable \(ECONNREFUSED\), attempt 1; retrying/,
    )
    expect(r.stderr).not.toContain('s3cret-pw')
    expect(elapsed).toBeGreaterThanOrEqual(1_500)
    expect(elapsed).toBeLessThan(20_000)
  })
})
