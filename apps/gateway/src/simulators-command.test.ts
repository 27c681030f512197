// `paymux simulators` as a person uses it: the real CLI as a child process on fixed ports, its printed
// `accounts:` block pasted into a gateway's config, then a cancel at every simulated PG, a deposit notified back
// to the gateway, and a checkout paid in Chromium (where one is installed) and cancelled.
import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { chromium } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { parseConfig } from './config.js'
import { sha256Hex } from './crypto.js'
import { createGateway, type Gateway } from './gateway.js'
import { PROVIDERS } from './providers.js'
import { BUNDLED_CLI, compileCli } from './test-support/compile-cli.js'
import { eventually } from './test-support/flows.js'
import { caller, openTestDb } from './test-support/harness.js'

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

/** A free port on loopback (closed again: the caller binds it). */
const freePort = () =>
  new Promise<number>((resolvePort, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number }
      s.close(() => resolvePort(port))
    })
  })

/** A base with `count` free ports after it (any of them taken: another base). */
async function freePortRun(count: number): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 30_000)
    const free = await Promise.all(
      Array.from(
        { length: count },
        (_, i) =>
          new Promise<boolean>((ok) => {
            const s = createServer()
            s.once('error', () => ok(false))
            s.listen(base + i, '127.0.0.1', () => s.close(() => ok(true)))
          }),
      ),
    )
    if (free.every(Boolean)) return base
  }
  throw new Error('no run of free ports found')
}

describe('paymux simulators', () => {
  const simulated = PROVIDERS.filter((p) => p.simulator)
  let child: ChildProcess
  let stdout = ''
  let stderr = ''
  let portBase: number
  let outDir: string
  let gatewayPort: number
  let gateway: Gateway
  let dropDb: () => Promise<void>
  let call: ReturnType<typeof caller>
  let accounts: Array<Record<string, unknown>>
  const apiKey = 'sk_test_simulators_0123456789'

  beforeAll(async () => {
    outDir = await compileCli('paymux-simulators-test')
    portBase = await freePortRun(simulated.length)
    gatewayPort = await freePort()
    child = spawn(
      process.execPath,
      [
        join(outDir, BUNDLED_CLI),
        'simulators',
        '--port-base',
        String(portBase),
        '--gateway-url',
        `http://127.0.0.1:${gatewayPort}`,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    )
    child.stdout!.on('data', (b) => {
      stdout += String(b)
    })
    child.stderr!.on('data', (b) => {
      stderr += String(b)
    })
    await eventually(() => stderr.includes('Ctrl-C stops them') && stdout.includes('accounts:'), 30_000)

    // The printed block, as a person pastes it under a merchant of paymux.yaml.
    accounts = (parse(stdout) as { accounts: Array<Record<string, unknown>> }).accounts
    const opened = await openTestDb({ name: 'pglite' })
    dropDb = opened.drop
    const config = parseConfig(
      {
        server: { host: '127.0.0.1', port: gatewayPort },
        masterKey: 'b'.repeat(64),
        log: { level: 'warn' },
        merchants: [{ id: 'shop', apiKeys: [`sha256:${sha256Hex(apiKey)}`], accounts }],
      },
      {},
    )
    gateway = await createGateway({ config, db: opened.db })
    gateway.startWorkers()
    const { url } = await gateway.listen()
    call = caller(url, apiKey)
  }, 180_000)

  afterAll(async () => {
    await gateway?.close()
    await dropDb?.()
    if (child && child.exitCode === null) child.kill('SIGKILL')
  })

  it('prints every simulator on fixed ports with its credentials and control routes; stdout is only YAML', () => {
    expect(accounts.map((a) => a.provider)).toEqual(simulated.map((p) => p.id))
    accounts.forEach((a, i) => {
      expect(a.baseUrl).toBe(`http://127.0.0.1:${portBase + i}`)
      expect(stderr).toContain(`http://127.0.0.1:${portBase + i}`)
      expect(stderr).toContain(`/v1/notifications/${String(a.id)}`)
      expect(stderr).toContain(`curl -sS -X POST 'http://127.0.0.1:${portBase + i}/__sim/seed/payment'`)
    })
    expect(stderr).toContain('webApplicationId=')
    expect(stderr).toContain('merchantKey=')
    expect(stdout).not.toContain('Ctrl-C')
  })

  it('the gateway configured from that block cancels at every simulated PG', async () => {
    for (const a of accounts) {
      const seeded = await fetch(`${String(a.baseUrl)}/__sim/seed/payment`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ amount: 10_000 }),
      })
      const { transactionId } = (await seeded.json()) as { transactionId: string }
      const r = await call('POST', '/v1/cancellations', {
        idem: `sim-cancel-${String(a.id)}`,
        body: { account: a.id, transactionId, amount: 2_000, reason: 'simulators test' },
      })
      expect(r.status, `${String(a.id)}: ${JSON.stringify(r.body)}`).toBe(200)
      expect(r.body).toMatchObject({ status: 'succeeded', amount: 2_000 })
    }
  })

  it('a deposit at the NicePay simulator is notified to the gateway (notify URL and sender allow-list wired)', async () => {
    const nice = accounts.find((a) => a.provider === 'nicepay')!
    const va = await call('POST', '/v1/virtual-accounts', {
      idem: 'sim-va',
      body: { account: nice.id, amount: 7_000, goodsName: 'x', bankCode: '004', dueDate: '2099-12-31' },
    })
    expect(va.status, JSON.stringify(va.body)).toBe(200)
    const deposited = await fetch(`${String(nice.baseUrl)}/__sim/deposit/${va.body.transactionId}`, {
      method: 'POST',
    })
    expect(deposited.status).toBe(200)
    await eventually(async () => (await call('GET', `/v1/payments/${va.body.id}`)).body.status === 'paid')
  })

  it.skipIf(!existsSync(CHROMIUM))(
    'a checkout paid at the NicePay simulator window, then cancelled',
    async () => {
      const nice = accounts.find((a) => a.provider === 'nicepay')!
      const landing = `http://127.0.0.1:${gatewayPort}/healthz`
      const created = await call('POST', '/v1/payments', {
        idem: 'sim-checkout',
        body: {
          orderId: 'sim-order-1',
          amount: 15_000,
          orderName: 'T-shirt',
          method: 'card',
          successUrl: landing,
          failUrl: `${landing}?failed=1`,
          account: nice.id,
        },
      })
      expect(created.status, JSON.stringify(created.body)).toBe(201)
      const browser = await chromium.launch({
        executablePath: CHROMIUM,
        headless: true,
        args: ['--no-sandbox', '--disable-gpu'],
      })
      try {
        const page = await browser.newPage()
        await page.goto(created.body.checkoutUrl)
        await page.getByRole('button', { name: 'Approve' }).click({ timeout: 30_000 })
        await page.waitForURL(`${landing}?**`, { timeout: 30_000 })
        expect(new URL(page.url()).searchParams.get('paymentId')).toBe(created.body.id)
      } finally {
        await browser.close()
      }
      expect((await call('GET', `/v1/payments/${created.body.id}`)).body).toMatchObject({ status: 'paid' })
      const cancel = await call('POST', '/v1/cancellations', {
        idem: 'sim-checkout-cancel',
        body: { paymentId: created.body.id, amount: 5_000, reason: 'one item returned' },
      })
      expect(cancel.status, JSON.stringify(cancel.body)).toBe(200)
      expect(cancel.body).toMatchObject({ status: 'succeeded', amount: 5_000 })
    },
  )

  it('a port of the run already taken: one line naming it and --port-base, exit 1', async () => {
    const r = await new Promise<{ code: number | null; stderr: string }>((done) => {
      const again = spawn(
        process.execPath,
        [join(outDir, BUNDLED_CLI), 'simulators', '--port-base', String(portBase + 1)],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      )
      let err = ''
      again.stderr!.on('data', (b) => {
        err += String(b)
      })
      again.once('exit', (code) => done({ code, stderr: err }))
    })
    expect(r.code).toBe(1)
    expect(r.stderr.trim()).toBe(
      `port ${portBase + 1} is already in use: the simulators take ${simulated.length} ports from --port-base ${portBase + 1}; choose another base`,
    )
  })

  it('stops cleanly on SIGTERM (exit 0), its ports free again', async () => {
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)))
    child.kill('SIGTERM')
    expect(await exited).toBe(0)
    const again = createServer()
    await new Promise<void>((ok, fail) => {
      again.once('error', fail)
      again.listen(portBase, '127.0.0.1', () => again.close(() => ok()))
    })
  })
})
