import type { AddressInfo } from 'node:net'
import { serve } from '@hono/node-server'
import type { FetchLike } from '../http.js'

export interface RunningServer {
  url: string
  port: number
  close(): Promise<void>
}

interface FetchApp {
  fetch: (request: Request, env?: unknown) => Response | Promise<Response>
}

/** Serves a Hono app (a simulator, usually) on loopback. Port 0 picks a free one. */
export function startServer(
  app: FetchApp,
  opts: { port?: number; hostname?: string } = {},
): Promise<RunningServer> {
  const hostname = opts.hostname ?? '127.0.0.1'
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port: opts.port ?? 0, hostname }, (info: AddressInfo) => {
      resolve({
        url: `http://${hostname}:${info.port}`,
        port: info.port,
        close: () =>
          new Promise<void>((done) => {
            const s = server as unknown as { closeAllConnections?: () => void; close(cb: () => void): void }
            s.closeAllConnections?.()
            s.close(() => done())
          }),
      })
    })
    server.once('error', reject)
  })
}

/**
 * A fetch that calls the app in process: no socket, same code path otherwise. It honours the abort signal
 * the way a socket would: the caller stops waiting, while the app goes on with what it was doing.
 */
export function inProcessFetch(app: FetchApp): FetchLike {
  return async (input, init) => {
    const req = input instanceof Request ? input : new Request(String(input), init)
    const signal = init?.signal ?? undefined
    if (!signal) return app.fetch(req)
    signal.throwIfAborted()
    return new Promise<Response>((resolve, reject) => {
      const onAbort = () => reject(signal.reason ?? new DOMException('aborted', 'AbortError'))
      signal.addEventListener('abort', onAbort, { once: true })
      Promise.resolve(app.fetch(req)).then(
        (res) => {
          signal.removeEventListener('abort', onAbort)
          resolve(res)
        },
        (err) => {
          signal.removeEventListener('abort', onAbort)
          reject(err)
        },
      )
    })
  }
}
