import { request } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DB_TARGETS, startTestGateway, type TestGateway } from '../test-support/harness.js'

/**
 * The body as Node's stream delivers it (the gateway reads it there, not through a web Request): in pieces,
 * without a length, with a BOM, cut off. Each request names an unknown payment, so a 404 says the body was read
 * and parsed whole, and nothing can be recorded.
 */
describe('the request body, read from the stream', () => {
  let t: TestGateway
  beforeAll(async () => {
    t = await startTestGateway(DB_TARGETS[0]!)
  })
  afterAll(async () => {
    await t?.close()
  })

  /** POSTs `pieces` one write each; `length`: announce Content-Length (else chunked); `cut`: hang up after them. */
  const send = (pieces: Buffer[], opts: { length?: boolean; cut?: boolean } = {}) =>
    new Promise<{ status: number | 'closed'; body: string }>((resolve) => {
      const size = pieces.reduce((n, p) => n + p.length, 0)
      const req = request(`${t.url}/v1/cancellations`, {
        method: 'POST',
        agent: false,
        headers: {
          authorization: `Bearer ${t.keyA}`,
          'content-type': 'application/json',
          ...(opts.length ? { 'content-length': String(size) } : { 'transfer-encoding': 'chunked' }),
        },
      })
      req.on('response', (res) => {
        let body = ''
        res.setEncoding('utf8').on('data', (d: string) => {
          body += d
        })
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
      })
      req.on('error', () => resolve({ status: 'closed', body: '' }))
      for (const p of pieces) req.write(p)
      if (opts.cut) setTimeout(() => req.destroy(), 50)
      else req.end()
    })
  const json = (v: unknown) => Buffer.from(JSON.stringify(v))
  const unknown = { paymentId: 'pay_nobody', reason: '부분 취소' }

  it('refuses a body over the limit streamed without a length (413), and one whose length says so', async () => {
    const streamed = await send(Array.from({ length: 12 }, () => Buffer.alloc(8192, 0x20)))
    expect([413, 'closed']).toContain(streamed.status)
    if (streamed.status === 413) expect(JSON.parse(streamed.body).error.code).toBe('body_too_large')
    const announced = await send([Buffer.alloc(70_000, 0x20)], { length: true })
    expect([413, 'closed']).toContain(announced.status)
  })

  it('reads a body sent in pieces (a multi-byte character split between two) and one with a BOM', async () => {
    const whole = json(unknown)
    const split = whole.indexOf(Buffer.from('부')) + 1
    const pieces = await send([whole.subarray(0, split), whole.subarray(split)])
    expect(pieces.status).toBe(404)
    expect(JSON.parse(pieces.body).error.code).toBe('resource_missing')
    const bom = await send([Buffer.from([0xef, 0xbb, 0xbf]), json(unknown)], { length: true })
    expect(bom.status).toBe(404)
  })

  it('answers 400 to a body that is not JSON, and bytes that are not UTF-8 never make a 500', async () => {
    const broken = await send([Buffer.from('{"reason": "x",')])
    expect(broken.status).toBe(400)
    expect(JSON.parse(broken.body).error.code).toBe('invalid_json')
    const latin1 = await send([
      Buffer.from('{"paymentId":"pay_nobody","reason":"caf'),
      Buffer.from([0xe9, 0x22, 0x7d]),
    ])
    expect(latin1.status).toBe(404)
  })

  it('survives a client that hangs up mid-body, and serves the next request', async () => {
    const cut = await send([Buffer.from('{"paymentId":"pay_nobody",')], { cut: true })
    expect(cut.status).toBe('closed')
    const next = await send([json(unknown)], { length: true })
    expect(next.status).toBe(404)
  })
})
