import type { IncomingMessage } from 'node:http'
import type { MiddlewareHandler } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { HTTPException } from 'hono/http-exception'
import type { AppEnv } from './env.js'

/**
 * The request body, read once and bounded: over `maxBytes` it is refused with 413 (before a byte is read when
 * Content-Length says so, else as soon as the stream passes the limit).
 *
 * Under @hono/node-server the body is read straight from Node's stream into Hono's body cache, so that
 * `c.req.json()` and the validators never make @hono/node-server build a web Request with its streams and
 * abort signal for it (~8% of a cancel's CPU in the profile, and garbage that lives across the PG call).
 * Anywhere else (`app.request` in tests, another runtime) Hono's own bodyLimit does the same job.
 */
export function readBody(maxBytes: number): MiddlewareHandler<AppEnv> {
  const tooLarge = (): never => {
    throw new HTTPException(413)
  }
  const viaWebRequest = bodyLimit({ maxSize: maxBytes, onError: tooLarge })
  return async (c, next) => {
    const incoming = c.env?.incoming
    if (!incoming) return viaWebRequest(c, next)
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next()
    const bytes = await readIncoming(incoming, maxBytes)
    if (!bytes) return tooLarge()
    // The same text Request.text() gives (UTF-8, a BOM dropped, bad bytes replaced); json() parses it. The raw
    // bytes stay on the message, where @hono/node-server looks first should anything still ask for c.req.raw.
    // Hono keeps promises in its body cache (its type names the values they resolve to).
    Object.assign(c.req.bodyCache, { text: Promise.resolve(new TextDecoder().decode(bytes)) })
    Object.assign(incoming, { rawBody: bytes })
    await next()
  }
}

/** The whole body, or undefined once it is larger than `max` (the rest is left to drain). */
function readIncoming(incoming: IncomingMessage, max: number): Promise<Buffer | undefined> {
  const declared = Number(incoming.headers['content-length'] ?? Number.NaN)
  if (incoming.headers['transfer-encoding'] === undefined && declared > max) return Promise.resolve(undefined)
  if (incoming.readableEnded) return Promise.resolve(Buffer.alloc(0))
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    const done = (end: () => void) => {
      incoming.off('data', onData).off('end', onEnd).off('error', onError).off('close', onClose)
      end()
    }
    const onData = (chunk: Buffer) => {
      size += chunk.length
      if (size > max) done(() => resolve(undefined))
      else chunks.push(chunk)
    }
    const onEnd = () => done(() => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)))
    const onError = (err: Error) => done(() => reject(err))
    // The client hung up mid-body: nothing was read that could be acted on.
    const onClose = () =>
      done(() => reject(new HTTPException(400, { message: 'the request body ended before its end' })))
    incoming.on('data', onData).on('end', onEnd).on('error', onError).on('close', onClose)
  })
}
