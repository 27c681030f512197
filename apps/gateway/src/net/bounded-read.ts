/**
 * Reading answers from peers that are not a PG (a merchant's webhook endpoint): their body never decides
 * anything, so at most `maxBytes` of it are read and the rest is refused by closing the connection. A body that
 * is huge, trickles, or never ends costs at most `maxBytes` of memory and never outlives `signal`.
 *
 * `postBounded` counts the bytes where they arrive, on Node's own socket: what a fetch does with a body before
 * the reader sees it is the host process's (a global fetch replaced or instrumented by the application that
 * embeds the gateway, a dispatcher of another undici), and one that buffers it would read all of it.
 */
import { type IncomingHttpHeaders, request as httpRequest } from 'node:http'
import { request as httpsRequest } from 'node:https'

/** What is kept of a webhook endpoint's answer: enough to show in a log, never more. */
export const MAX_PEER_BODY_BYTES = 4 * 1024

export interface BoundedBody {
  bytes: Uint8Array
  /** The peer sent more than `maxBytes` (or was still sending when the deadline came): the rest was cancelled. */
  truncated: boolean
}

export async function readBounded(
  res: Response,
  opts: { maxBytes?: number; signal?: AbortSignal } = {},
): Promise<BoundedBody> {
  const max = opts.maxBytes ?? MAX_PEER_BODY_BYTES
  if (!res.body) return { bytes: new Uint8Array(), truncated: false }
  const reader = res.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  let truncated = false
  // A body still arriving when the deadline comes is cut off there, whatever the peer does.
  const stop = () => void reader.cancel().catch(() => undefined)
  if (opts.signal?.aborted) stop()
  else opts.signal?.addEventListener('abort', stop, { once: true })
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) {
        truncated ||= opts.signal?.aborted ?? false
        break
      }
      const room = max - size
      if (value.length >= room) {
        if (room > 0) chunks.push(value.subarray(0, room))
        size = max
        // Whether anything follows is not worth waiting for: a peer at the limit counts as cut off.
        truncated = true
        break
      }
      chunks.push(value)
      size += value.length
    }
  } catch {
    // Reset mid-body or cancelled by the deadline: what arrived is all there is.
    truncated = true
  } finally {
    opts.signal?.removeEventListener('abort', stop)
    await reader.cancel().catch(() => undefined)
  }
  const bytes = new Uint8Array(size)
  let at = 0
  for (const c of chunks) {
    bytes.set(c, at)
    at += c.length
  }
  return { bytes, truncated }
}

export interface PeerAnswer extends BoundedBody {
  status: number
  headers: IncomingHttpHeaders
}

/**
 * POSTs `body` to `url` (http or https, no redirect followed) and reads at most `maxBytes` of the answer: past
 * them the connection is destroyed at once. Rejects only when no answer came (network, or `signal`'s reason).
 */
export function postBounded(
  url: string,
  opts: { headers: Record<string, string>; body: string; signal: AbortSignal; maxBytes?: number },
): Promise<PeerAnswer> {
  const max = opts.maxBytes ?? MAX_PEER_BODY_BYTES
  const target = new URL(url)
  const send =
    target.protocol === 'https:' ? httpsRequest : target.protocol === 'http:' ? httpRequest : undefined
  if (!send) return Promise.reject(new Error(`unsupported protocol ${target.protocol}`))
  return new Promise((resolve, reject) => {
    // A connection of its own: it is destroyed whenever the peer sends more than we read.
    const req = send(target, {
      method: 'POST',
      agent: false,
      headers: { ...opts.headers, 'content-length': String(Buffer.byteLength(opts.body)) },
    })
    const abort = () => req.destroy(opts.signal.reason)
    if (opts.signal.aborted) abort()
    else opts.signal.addEventListener('abort', abort, { once: true })
    const done = () => opts.signal.removeEventListener('abort', abort)
    let answered = false
    req.on('error', (err) => {
      // After the headers the answer is what arrived: the response's own events end it.
      if (answered) return
      done()
      reject(opts.signal.aborted ? opts.signal.reason : err)
    })
    req.on('response', (res) => {
      answered = true
      const chunks: Buffer[] = []
      let size = 0
      let settled = false
      const finish = (truncated: boolean) => {
        if (settled) return
        settled = true
        done()
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          bytes: Buffer.concat(chunks, size),
          truncated,
        })
      }
      res.on('data', (chunk: Buffer) => {
        if (settled) return
        const room = max - size
        if (chunk.length >= room) {
          if (room > 0) chunks.push(chunk.subarray(0, room))
          size = max
          // Whether anything follows is not worth waiting for: a peer at the limit counts as cut off.
          finish(true)
          req.destroy()
          return
        }
        chunks.push(chunk)
        size += chunk.length
      })
      res.on('end', () => finish(false))
      // Reset mid-body or cut by the deadline: what arrived is all there is.
      res.on('error', () => finish(true))
      res.on('close', () => finish(true))
    })
    req.end(opts.body)
  })
}
