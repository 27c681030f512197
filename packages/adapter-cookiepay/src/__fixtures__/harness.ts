// Test helpers only (not built into dist): an adapter wired to a simulator, and a real HTTP listener for Notis.
import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { HttpCallEvent, NotificationInput, NotificationReply } from '@paymux/core'
import { inProcessFetch } from '@paymux/core/simulator'
import { CookiePay, type CookiePayOptions } from '../index.js'
import {
  COOKIEPAY_DEMO_CREDENTIALS,
  type CookiePaySimulatorOptions,
  createCookiePaySimulator,
} from '../simulator/index.js'

export const T0 = Date.parse('2026-01-31T05:42:53Z')

export function fakeClock(start = T0) {
  let now = start
  return {
    clock: () => now,
    advance: (ms: number) => {
      now += ms
    },
  }
}

export function pair(o: { sim?: CookiePaySimulatorOptions; adapter?: Partial<CookiePayOptions> } = {}) {
  const sim = createCookiePaySimulator(o.sim)
  const calls: HttpCallEvent[] = []
  const provider = new CookiePay({
    ...COOKIEPAY_DEMO_CREDENTIALS,
    environment: 'sandbox',
    baseUrl: 'http://cookiepay.sim',
    fetch: inProcessFetch(sim.app),
    timeoutMs: 500,
    onCall: (e) => calls.push(e),
    ...o.adapter,
  })
  const count = (operation: string) => calls.filter((c) => c.operation === operation).length
  return { sim, provider, calls, count }
}

export function notiInput(body: object | string, headers: Record<string, string> = {}): NotificationInput {
  const text = typeof body === 'string' ? body : JSON.stringify(body)
  return {
    rawBody: new TextEncoder().encode(text),
    headers: { 'content-type': 'application/json', ...headers },
  }
}

export interface Received {
  body: Uint8Array
  headers: IncomingHttpHeaders
}

/** A real local HTTP listener standing in for the merchant's Noti URL. */
export async function startReceiver(handle: (r: Received) => Promise<NotificationReply>) {
  const received: Received[] = []
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const r = { body: new Uint8Array(Buffer.concat(chunks)), headers: req.headers }
      received.push(r)
      handle(r).then(
        (reply) => {
          res.writeHead(reply.status, reply.headers)
          res.end(reply.body)
        },
        (err: unknown) => {
          res.writeHead(500)
          res.end(String(err))
        },
      )
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/cookiepay/noti`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
