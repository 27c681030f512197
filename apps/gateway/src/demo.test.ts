import { execFile, execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { BOOTPAY_DEMO_CREDENTIALS } from '@paymux/adapter-bootpay/simulator'
import { COOKIEPAY_DEMO_CREDENTIALS } from '@paymux/adapter-cookiepay/simulator'
import { NICEPAY_DEMO_CREDENTIALS } from '@paymux/adapter-nicepay/simulator'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Demo, demoBanner, startDemo } from './demo.js'
import { accountSecrets, PROVIDERS } from './providers.js'
import { caller, findLeaks } from './test-support/harness.js'

const hasCurl = (() => {
  try {
    execFileSync('curl', ['--version'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
})()

/** Every registered PG with a simulator: the demo has an account, seeded payments and control routes at each. */
const SIMULATED = PROVIDERS.filter((p) => p.simulator).map((p) => p.id)

describe('zero-config demo', () => {
  let demo: Demo
  let dir: string
  const logs: string[] = []
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'paymux-demo-'))
    demo = await startDemo({
      port: 0,
      dataDir: dir,
      logLevel: 'debug',
      logDestination: { write: (s: string) => void logs.push(s) },
    })
  })
  afterAll(async () => {
    await demo?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('creates its master key in the data folder, readable only by its owner', () => {
    const file = join(dir, 'master.key')
    expect(existsSync(file)).toBe(true)
    expect(statSync(file).mode & 0o077).toBe(0)
    expect(Buffer.from(readFileSync(file, 'utf8').trim(), 'base64')).toHaveLength(32)
  })

  it('every seeded payment has the amount the banner shows, so an over-cancel is refused here, never sent to the PG', async () => {
    const call = caller(demo.url, demo.apiKey)
    expect(new Set(demo.seeded.map((p) => p.provider))).toEqual(new Set(SIMULATED))
    for (const p of demo.seeded) {
      const got = await call('GET', `/v1/payments/${p.paymentId}`)
      expect(got.body, `${p.provider} ${p.paymentId}`).toMatchObject({
        account: p.account,
        transactionId: p.transactionId,
        amount: p.amount,
        cancellableAmount: p.amount,
      })
      expect(got.body.balanceSource).not.toBe('unknown')
    }
    for (const provider of SIMULATED) {
      const p = demo.seeded.find((s) => s.provider === provider)!
      const over = await call('POST', '/v1/cancellations', {
        body: { paymentId: p.paymentId, amount: p.amount + 1, reason: 'more than was paid' },
      })
      expect([over.status, over.body.error?.code], provider).toEqual([409, 'amount_exceeds_cancellable'])
      // Refused before anything was recorded or sent: no (failed) cancellation, nothing at the PG.
      const listed = await call('GET', `/v1/cancellations?paymentId=${p.paymentId}`)
      expect(listed.body.data, provider).toEqual([])
    }
  })

  it.skipIf(!hasCurl)('the printed curl cancels a seeded payment', async () => {
    const banner = demoBanner(demo)
    const start = banner.indexOf('curl -sS')
    const command = banner.slice(start, banner.indexOf('\n\n', start))
    // Asynchronously: the gateway answering curl runs in this very process.
    const { stdout: out } = await promisify(execFile)('sh', ['-c', command], {
      encoding: 'utf8',
      timeout: 30_000,
    })
    const body = JSON.parse(out)
    expect(body).toMatchObject({ status: 'succeeded', amount: 1000, account: demo.seeded[0]!.account })
    expect(demo.simulators.nicepay.inspect(demo.seeded[0]!.transactionId)).toMatchObject({
      cancelledAmount: 1000,
    })
  })

  it.skipIf(!hasCurl)(
    "each simulator control curl runs as printed; the printed virtual account is issued and the simulator's deposit pays it",
    async () => {
      const sh = async (command: string) =>
        (await promisify(execFile)('sh', ['-c', command], { encoding: 'utf8', timeout: 30_000 })).stdout
      const banner = demoBanner(demo)
      const controls = banner
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l.startsWith('curl -sS') && l.includes('/__sim/'))
      expect(controls.length).toBe(demo.pgSimulators.reduce((n, s) => n + s.controlRoutes.length, 0))
      expect(controls.length).toBeGreaterThanOrEqual(SIMULATED.length)
      // -f: an HTTP error fails the command. Placeholders (<…>) stand for ids the API gives first.
      for (const c of controls.filter((l) => !l.includes('<'))) JSON.parse(await sh(`${c} -f`))

      const start = banner.indexOf('curl -sS -X POST', banner.indexOf('/v1/virtual-accounts') - 40)
      const va = JSON.parse(await sh(banner.slice(start, banner.indexOf('\n\n', start))))
      expect(va).toMatchObject({ status: 'waiting_for_deposit', account: 'nice-demo' })
      const deposit = controls.find((l) => l.includes('/__sim/deposit/<transactionId of a virtual account>'))!
      await sh(`${deposit.replace('<transactionId of a virtual account>', va.transactionId)} -f`)
      const call = caller(demo.url, demo.apiKey)
      await expect
        .poll(async () => (await call('GET', `/v1/payments/${va.id}`)).body.status, { timeout: 15_000 })
        .toBe('paid')
    },
  )

  it('cancels at every PG, issues and charges a billing key; the logs of the whole run hold no secret and no card number', async () => {
    const call = caller(demo.url, demo.apiKey)
    // One seeded payment at each PG (the second amount's round).
    for (const p of demo.seeded.slice(SIMULATED.length, 2 * SIMULATED.length)) {
      const r = await call('POST', '/v1/cancellations', {
        idem: `d-${p.transactionId}`,
        body: { account: p.account, transactionId: p.transactionId, amount: 2_000, reason: 'demo' },
      })
      expect(r.status, JSON.stringify(r.body)).toBe(200)
    }
    const card = {
      number: '4111111111111111',
      expiryYear: '30',
      expiryMonth: '12',
      ownerId: '800101',
      passwordPrefix: '12',
    }
    const bk = await call('POST', '/v1/billing-keys', { body: { card } })
    expect(bk.status).toBe(200)
    const charge = await call('POST', `/v1/billing-keys/${bk.body.id}/charges`, {
      body: { amount: 1_000, goodsName: 'demo' },
    })
    expect(charge.status).toBe(200)
    // A failed card registration (its error path logs too).
    const bad = await call('POST', '/v1/billing-keys', {
      body: { card: { ...card, number: '4000000000000002' } },
    })
    expect(bad.status).toBe(422)
    const unauth = await call('GET', '/v1/cancellations', { key: `${demo.apiKey}x` })
    expect(unauth.status).toBe(401)

    expect(logs.length).toBeGreaterThan(5)
    for (const line of logs) expect(() => JSON.parse(line)).not.toThrow()
    const requestLines = logs.map((l) => JSON.parse(l)).filter((l) => l.msg === 'request')
    expect(requestLines.length).toBeGreaterThan(5)
    for (const l of requestLines) expect(l.requestId).toMatch(/^req_/)
    const masterKey = readFileSync(join(dir, 'master.key'), 'utf8').trim()
    const secrets = [
      demo.apiKey,
      masterKey,
      NICEPAY_DEMO_CREDENTIALS.merchantKey,
      BOOTPAY_DEMO_CREDENTIALS.privateKey,
      BOOTPAY_DEMO_CREDENTIALS.secretKey,
      COOKIEPAY_DEMO_CREDENTIALS.apiKey,
      // Every demo account's secrets, whatever its PG (Toss Payments' secretKey, …).
      ...[...demo.gateway.runtime.merchants.get(demo.merchantId)!.accounts.values()].flatMap((a) =>
        accountSecrets(a.config),
      ),
      card.number,
      '4000000000000002',
    ]
    expect(findLeaks(logs, secrets)).toEqual([])
  })
})
