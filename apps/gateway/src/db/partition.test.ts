// A silent network partition between the gateway and PostgreSQL: connections stay open, nothing comes back.
// Without timeouts every statement waited for ever (/readyz and API calls hung past 45 s). A TCP relay on
// loopback that stops forwarding plays the partition.
import { randomBytes } from 'node:crypto'
import { createServer, connect, type Server, type Socket } from 'node:net'
import type { AddressInfo } from 'node:net'
import { Redactor } from '@paymux/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseConfig } from '../config.js'
import { createGateway, type Gateway } from '../gateway.js'
import { createLogger } from '../logger.js'
import { caller, newSchemaName, type Sims, startSims, testConfig } from '../test-support/harness.js'
import { dropSchema, openDatabase } from './index.js'

const DATABASE_URL = process.env.DATABASE_URL

/** Relays TCP to `target`; while paused it accepts connections and holds every byte in both directions. */
async function startRelay(target: { host: string; port: number }) {
  let paused = false
  const held: Array<() => void> = []
  const sockets = new Set<Socket>()
  const forward = (from: Socket, to: Socket) =>
    from.on('data', (chunk) => {
      if (paused) held.push(() => to.write(chunk))
      else to.write(chunk)
    })
  const server: Server = createServer((client) => {
    const upstream = connect(target.port, target.host)
    for (const s of [client, upstream]) {
      sockets.add(s)
      s.on('error', () => {})
      s.on('close', () => {
        client.destroy()
        upstream.destroy()
      })
    }
    forward(client, upstream)
    forward(upstream, client)
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return {
    port: (server.address() as AddressInfo).port,
    pause() {
      paused = true
    },
    resume() {
      paused = false
      for (const f of held.splice(0)) f()
    },
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy()
        server.close(() => r())
      }),
  }
}

describe.skipIf(!DATABASE_URL)('PostgreSQL out of reach behind a silent partition', () => {
  let relay: Awaited<ReturnType<typeof startRelay>>
  let gateway: Gateway
  let sims: Sims
  let call: ReturnType<typeof caller>
  let url: string
  const schema = newSchemaName()
  const keyA = `sk_test_a_${randomBytes(12).toString('hex')}`

  beforeAll(async () => {
    const direct = new URL(DATABASE_URL!)
    relay = await startRelay({ host: direct.hostname, port: Number(direct.port || 5432) })
    const viaRelay = new URL(DATABASE_URL!)
    viaRelay.hostname = '127.0.0.1'
    viaRelay.port = String(relay.port)
    sims = await startSims()
    const raw = testConfig(sims, { a: keyA, b: `sk_test_b_${randomBytes(12).toString('hex')}` })
    raw.database = {
      url: viaRelay.href,
      schema,
      poolSize: 4,
      connectTimeoutMs: 1_000,
      statementTimeoutMs: 1_000,
      queryTimeoutMs: 1_500,
    }
    const redactor = new Redactor([keyA])
    const { logger } = createLogger({ level: 'fatal', redactor, destination: { write: () => {} } })
    gateway = await createGateway({ config: parseConfig(raw, {}), logger, redactor })
    url = (await gateway.listen(0, '127.0.0.1')).url
    call = caller(url, keyA)
  })
  afterAll(async () => {
    relay?.resume()
    await gateway?.close()
    await relay?.close()
    await sims?.close()
    const db = await openDatabase({ url: DATABASE_URL!, schema })
    await dropSchema(db, schema)
    await db.close()
  })

  /** The answer and how long it took; a request still unanswered after 10 s fails the test. */
  const timed = async (f: () => Promise<{ status: number; body: unknown }>) => {
    const started = performance.now()
    const r = await f()
    return { ...r, ms: performance.now() - started }
  }
  const readyz = () =>
    timed(async () => {
      const res = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(10_000) })
      return { status: res.status, body: await res.json() }
    })

  it('/readyz and the API answer 503 within seconds, and recover when the network does', async () => {
    expect((await readyz()).status).toBe(200)
    const payments = '/v1/payments?limit=1'
    expect((await call('GET', payments)).status).toBe(200)

    relay.pause()
    const ready = await readyz()
    expect(ready.status).toBe(503)
    expect(ready.ms).toBeLessThan(3_000)

    const withTimeout = (method: string, path: string, body?: unknown) =>
      timed(() =>
        Promise.race([
          call(method, path, { ...(body ? { body, idem: `partition-${path}` } : {}) }),
          new Promise<never>((_, reject) =>
            setTimeout(() => reject(new Error(`${method} ${path} unanswered after 10 s`)), 10_000),
          ),
        ]),
      )
    // Several at once: more than the pool holds, so some wait for a connection the pool cannot give.
    const answers = await Promise.all([
      withTimeout('GET', payments),
      withTimeout('GET', '/v1/payments/pay_nobody'),
      withTimeout('GET', '/v1/cancellations?limit=1'),
      withTimeout('GET', '/v1/events?limit=1'),
      withTimeout('POST', '/v1/cancellations', { paymentId: 'pay_nobody', reason: 'r' }),
      withTimeout('GET', payments),
    ])
    for (const a of answers) {
      expect(a.status, JSON.stringify(a.body)).toBe(503)
      expect((a.body as { error: { code: string } }).error.code).toBe('database_unavailable')
      expect(a.ms).toBeLessThan(6_000)
    }

    relay.resume()
    const until = Date.now() + 15_000
    let back = await readyz()
    while (back.status !== 200 && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 200))
      back = await readyz()
    }
    expect(back.status).toBe(200)
    expect((await call('GET', payments)).status).toBe(200)
  }, 60_000)
})
