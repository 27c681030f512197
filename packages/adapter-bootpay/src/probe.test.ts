// The health probe against the simulator over real HTTP, in each way of signing in: a token issued afresh (v1,
// v2 legacy keys) or, with Basic keys, a receipt that cannot exist answered by "not found". Refused keys, a 5xx,
// an unreadable answer and no PG at all are failures.
import { isPaymentError } from '@paymux/core'
import { type RunningServer, startServer } from '@paymux/core/simulator'
import { afterEach, describe, expect, it } from 'vitest'
import { Bootpay, type BootpayOptions } from './bootpay.js'
import { BOOTPAY_DEMO_CREDENTIALS, createBootpaySimulator } from './simulator/index.js'

let server: RunningServer | undefined
afterEach(async () => {
  await server?.close()
  server = undefined
})

const KEYS = {
  'v1 token': { apiVersion: 'v1', wrong: { privateKey: 'not-the-private-key' } },
  'v2 token': { apiVersion: 'v2', wrong: { privateKey: 'not-the-private-key' } },
  'v2 Basic': { apiVersion: 'v2', wrong: { secretKey: 'not-the-secret-key' } },
} as const

async function setup(mode: keyof typeof KEYS, wrong = false) {
  const sim = createBootpaySimulator()
  server = await startServer(sim.app)
  const d = BOOTPAY_DEMO_CREDENTIALS
  const keys =
    mode === 'v2 Basic'
      ? { clientKey: d.clientKey, secretKey: d.secretKey }
      : { applicationId: d.applicationId, privateKey: d.privateKey }
  const provider = new Bootpay({
    apiVersion: KEYS[mode].apiVersion,
    ...keys,
    ...(wrong ? KEYS[mode].wrong : {}),
    baseUrl: server.url,
  } as BootpayOptions)
  return { sim, provider }
}

const failure = (p: Promise<void>) =>
  p.then(
    () => undefined,
    (err: unknown) => (isPaymentError(err) ? err.code : err),
  )

describe.each(Object.keys(KEYS) as (keyof typeof KEYS)[])('the Bootpay probe (%s)', (mode) => {
  it('resolves when Bootpay answers as it does for working keys, and asks it every time', async () => {
    const { sim, provider } = await setup(mode)
    const calls = () => sim.state.stats.tokenRequests.v1 + sim.state.stats.tokenRequests.v2
    await expect(provider.probe()).resolves.toBeUndefined()
    await expect(provider.probe()).resolves.toBeUndefined()
    // A cached token would answer the second probe without asking Bootpay anything.
    if (mode !== 'v2 Basic') expect(calls()).toBe(2)
  })

  it('fails on refused keys', async () => {
    const { provider } = await setup(mode, true)
    expect(await failure(provider.probe())).toBe('authentication_failed')
  })

  it('fails on a 5xx and on an answer it cannot read', async () => {
    const { sim, provider } = await setup(mode)
    sim.faults.inject({ fault: { kind: 'status', status: 503 } })
    // An empty 503 has no Bootpay envelope: either code is a failure the gateway counts.
    expect(['provider_unavailable', 'invalid_response']).toContain(await failure(provider.probe()))
    sim.faults.inject({ fault: { kind: 'html' } })
    expect(await failure(provider.probe())).toBe('invalid_response')
    await expect(provider.probe()).resolves.toBeUndefined()
  })

  it('fails when the PG cannot be reached', async () => {
    const { provider } = await setup(mode)
    await server!.close()
    server = undefined
    expect(await failure(provider.probe())).toBe('provider_unavailable')
  })
})
