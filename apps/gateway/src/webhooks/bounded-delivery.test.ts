// A merchant's webhook endpoint is not a PG: whatever it answers (600 MB, a trickle, a body that never ends),
// the gateway reads a few KiB of it at most, within one deadline per delivery, and records the status.
import { createServer, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DB_TARGETS } from '../test-support/harness.js'
import { type FlowGateway, type Listener, startFlowGateway } from '../test-support/flows.js'
import { deliverDueEvents } from './outbox.js'

type Behaviour = (res: ServerResponse) => void

const CHUNK = Buffer.alloc(64 * 1024, 0x61)

/** Writes `total` bytes as fast as the reader takes them (never more in memory than one chunk). */
function stream(res: ServerResponse, total: number): void {
  let sent = 0
  const pump = () => {
    while (sent < total) {
      sent += CHUNK.length
      if (!res.write(CHUNK)) return void res.once('drain', pump)
    }
    res.end()
  }
  res.on('close', () => {
    sent = total
  })
  pump()
}

const behaviours: Record<string, Behaviour> = {
  huge: (res) => {
    res.writeHead(500, { 'content-type': 'text/plain', 'content-length': String(600 * 1024 * 1024) })
    stream(res, 600 * 1024 * 1024)
  },
  endless: (res) => {
    res.writeHead(200, { 'content-type': 'text/plain' })
    stream(res, Number.POSITIVE_INFINITY)
  },
  trickle: (res) => {
    res.writeHead(503, { 'content-type': 'text/plain' })
    const t = setInterval(() => res.write('x'), 100)
    res.on('close', () => clearInterval(t))
  },
  silent: () => {},
}

/** A real endpoint on loopback whose answer is the current behaviour. */
async function startHostileEndpoint(): Promise<Listener & { behaviour: string }> {
  const l = {
    url: '',
    received: [],
    respond: () => ({ status: 200 }),
    behaviour: 'huge',
    close: async () => {},
  }
  const server = createServer((req, res) => {
    req.resume()
    req.on('end', () => behaviours[l.behaviour]!(res))
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  l.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`
  l.close = () =>
    new Promise<void>((r) => {
      server.closeAllConnections()
      server.close(() => r())
    })
  return l
}

// PGlite only: the database is not what is tested, and a 600 MB body twice would only cost time.
describe.each(DB_TARGETS.slice(0, 1))('bounded reads from webhook endpoints on %o', (target) => {
  let t: FlowGateway
  let hooks: Awaited<ReturnType<typeof startHostileEndpoint>>
  beforeAll(async () => {
    hooks = await startHostileEndpoint()
    t = await startFlowGateway(target, { hooks })
  })
  afterAll(async () => {
    await t?.close()
    await hooks?.close()
  })

  /** Makes one event (a virtual account issued) and delivers it once, final on its first attempt. */
  async function deliverOnce(timeoutMs: number) {
    const va = await t.call('POST', '/v1/virtual-accounts', {
      body: { account: 'a-nice', amount: 1_000, goodsName: 'x', bankCode: '004', dueDate: '2099-12-31' },
    })
    expect(va.status, JSON.stringify(va.body)).toBe(200)
    const rt = t.gateway.runtime
    const cfg = { ...rt.config.workers.outbox, timeoutMs, retryScheduleSeconds: [] }
    const started = performance.now()
    const before = process.memoryUsage().rss
    let peak = before
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss)
    }, 5)
    try {
      await deliverDueEvents(rt, cfg)
    } finally {
      clearInterval(sampler)
    }
    peak = Math.max(peak, process.memoryUsage().rss)
    const row = await rt.db
      .selectFrom('webhook_deliveries as d')
      .innerJoin('events as e', 'e.id', 'd.event_id')
      .select(['d.status_code', 'd.outcome', 'd.error', 'd.duration_ms', 'e.status as eventStatus'])
      .where('e.object_id', '=', va.body.id as string)
      .executeTakeFirstOrThrow()
    return { row, growthMb: (peak - before) / 1024 / 1024, ms: performance.now() - started }
  }

  it('a 500 with a 600 MB body: resident memory grows by less than 50 MB, the delivery is failed with its status', async () => {
    hooks.behaviour = 'huge'
    // A deadline long enough to read all 600 MB: what bounds the read must be the size, not the clock.
    const { row, growthMb, ms } = await deliverOnce(30_000)
    process.stdout.write(
      `[bounded-read] 600 MB answer: rss +${growthMb.toFixed(1)} MB, ${Math.round(ms)} ms\n`,
    )
    expect(row).toMatchObject({
      status_code: 500,
      outcome: 'failed',
      error: 'HTTP 500',
      eventStatus: 'failed',
    })
    expect(growthMb).toBeLessThan(50)
    expect(ms).toBeLessThan(10_000)
  })

  it('a 2xx whose body never ends is delivered after a few KiB; a trickling 503 is cut at the deadline', async () => {
    hooks.behaviour = 'endless'
    const endless = await deliverOnce(5_000)
    expect(endless.row).toMatchObject({ status_code: 200, outcome: 'delivered', eventStatus: 'delivered' })
    expect(endless.ms).toBeLessThan(4_000)
    expect(endless.growthMb).toBeLessThan(50)

    hooks.behaviour = 'trickle'
    const trickle = await deliverOnce(800)
    expect(trickle.row).toMatchObject({ status_code: 503, outcome: 'failed', error: 'HTTP 503' })
    expect(trickle.row.duration_ms).toBeLessThan(3_000)
  })

  it('an endpoint that never answers: a timeout, no status, within the deadline', async () => {
    hooks.behaviour = 'silent'
    const silent = await deliverOnce(500)
    expect(silent.row).toMatchObject({ status_code: null, outcome: 'failed', error: 'timeout after 500 ms' })
    expect(silent.ms).toBeLessThan(3_000)
  })
})
