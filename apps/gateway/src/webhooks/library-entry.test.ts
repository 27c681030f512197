// The gateway embedded through the package's library entry (createGateway, startWorkers) lives in the host
// application's process, whose global fetch is the application's: here instrumented the way request loggers and
// interceptors do it, reading a copy of every response. A merchant endpoint answering 500 with 400 MB must still
// cost the gateway only the few KiB it reads: the endpoint counts the bytes it managed to send.
import { randomBytes } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Redactor } from '@paymux/core'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createGateway, type Gateway, generateWebhookSecret, parseConfig } from '../index.js'
import { createLogger } from '../logger.js'
import { eventually } from '../test-support/flows.js'
import { DB_TARGETS, openTestDb, type Sims, startSims, testConfig } from '../test-support/harness.js'

const BODY = 400 * 1024 * 1024
const CHUNK = Buffer.alloc(64 * 1024, 0x61)

describe('a huge webhook answer, gateway embedded through the library entry', () => {
  let endpoint: Server
  let sent = 0
  let sims: Sims
  let gateway: Gateway
  let drop: () => Promise<void>
  const hostFetch = globalThis.fetch

  beforeAll(async () => {
    endpoint = createServer((req, res) => {
      req.resume()
      req.on('end', () => {
        res.writeHead(500, { 'content-type': 'text/plain', 'content-length': String(BODY) })
        let closed = false
        res.on('close', () => {
          closed = true
        })
        let mine = 0
        const pump = () => {
          while (!closed && mine < BODY) {
            mine += CHUNK.length
            sent += CHUNK.length
            if (!res.write(CHUNK)) return void res.once('drain', pump)
          }
          if (!closed) res.end()
        }
        pump()
      })
    })
    await new Promise<void>((r) => endpoint.listen(0, '127.0.0.1', r))
    // The host application's fetch: it logs a copy of every answer's body, as interceptors do.
    globalThis.fetch = async (...args: Parameters<typeof fetch>) => {
      const res = await hostFetch(...args)
      void res
        .clone()
        .arrayBuffer()
        .catch(() => undefined)
      return res
    }
    sims = await startSims()
    const raw = testConfig(sims, {
      a: `sk_a_${randomBytes(8).toString('hex')}`,
      b: `sk_b_${randomBytes(8).toString('hex')}`,
    })
    raw.merchants[0]!.webhook = {
      url: `http://127.0.0.1:${(endpoint.address() as AddressInfo).port}/hooks`,
      secret: generateWebhookSecret(),
    }
    raw.workers = {
      outbox: { intervalMs: 50, timeoutMs: 20_000, retryScheduleSeconds: [600, 600, 600, 600, 600] },
    }
    const opened = await openTestDb(DB_TARGETS[0]!)
    drop = opened.drop
    const redactor = new Redactor()
    const { logger } = createLogger({ level: 'fatal', redactor, destination: { write: () => {} } })
    gateway = await createGateway({ config: parseConfig(raw, {}), db: opened.db, logger, redactor })
  })
  afterAll(async () => {
    globalThis.fetch = hostFetch
    await gateway?.close()
    await drop?.()
    await sims?.close()
    endpoint?.closeAllConnections()
    await new Promise<void>((r) => endpoint?.close(() => r()))
  })

  it('reads a few KiB and records the 500: the endpoint could send a few MB of its 400 MB at most', async () => {
    const now = new Date()
    await sql`INSERT INTO events (id, merchant_id, type, object_type, object_id, data, created_at, next_attempt_at)
      VALUES ('evt_library0000000000001', 'shop-a', 'payment.paid', 'payment', 'pay_library1', '{}'::jsonb,
        ${now}::timestamptz, ${now}::timestamptz)`.execute(gateway.runtime.db)
    gateway.startWorkers({ reconcile: false })
    const row = await eventually(
      () =>
        sql<{ status_code: number | null; outcome: string; error: string | null }>`
          SELECT status_code, outcome, error FROM webhook_deliveries WHERE event_id = 'evt_library0000000000001'`
          .execute(gateway.runtime.db)
          .then((r) => r.rows[0]),
      30_000,
    )
    expect(row).toMatchObject({ status_code: 500, outcome: 'retry', error: 'HTTP 500' })
    // Whatever was still in flight when the gateway hung up (socket buffers) is all the endpoint got out.
    await new Promise((r) => setTimeout(r, 500))
    process.stdout.write(`[library entry] endpoint sent ${(sent / 1024 / 1024).toFixed(1)} MB of 400\n`)
    expect(sent).toBeLessThan(32 * 1024 * 1024)
  }, 60_000)
})
