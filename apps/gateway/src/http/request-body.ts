import type { IncomingMessage } from 'node:http'
import type { MiddlewareHandler } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { HTTPException } from 'hono/http-exception'
import { badRequest } from '../errors.js'
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

/** Deeper than any request of the API needs by far; deep enough nesting overflows a recursive reader. */
export const MAX_JSON_DEPTH = 64

/**
 * Parses a JSON request body once, for every validator and the Idempotency-Key fingerprint, after two checks
 * JSON.parse does not make: nesting deeper than MAX_JSON_DEPTH (a client's mistake, refused before anything
 * walks it), and a string holding a lone UTF-16 surrogate (`"\ud800"`), which no UTF-8 text can carry: stored, it
 * would silently become U+FFFD and a later read would differ from the answer. Both are a 400 naming the field
 * (the body itself for depth) before anything is recorded. Malformed JSON is left to the validators' own 400.
 */
export const jsonBody: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (c.req.method !== 'POST' || !/^application\/(.+\+)?json\b/i.test(c.req.header('content-type') ?? ''))
    return next()
  const text = await c.req.text()
  if (jsonDepth(text) > MAX_JSON_DEPTH)
    throw badRequest('body', `the JSON body is nested deeper than ${MAX_JSON_DEPTH} levels`)
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return next()
  }
  const bad = SURROGATE_ESCAPE.test(text) ? loneSurrogateAt(value, []) : undefined
  if (bad !== undefined) {
    const param = bad.join('.') || 'body'
    throw badRequest(param, `${param}: contains a lone UTF-16 surrogate, which is not text`)
  }
  Object.assign(c.req.bodyCache, { json: Promise.resolve(value) })
  await next()
}

/** The deepest nesting of arrays and objects in JSON text (strings skipped), without parsing it. */
function jsonDepth(text: string): number {
  let depth = 0
  let max = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i)
    if (inString) {
      if (ch === 0x5c) i++
      else if (ch === 0x22) inString = false
    } else if (ch === 0x22) inString = true
    else if (ch === 0x5b || ch === 0x7b) max = Math.max(max, ++depth)
    else if (ch === 0x5d || ch === 0x7d) depth--
  }
  return max
}

/**
 * Decoded request text never holds a lone surrogate (the decoder replaces bad bytes): only a `\uD800`–`\uDFFF`
 * escape can make one, so a body without such an escape is not walked at all.
 */
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/

// With the u flag a pair is one code point: only a surrogate standing alone matches.
const LONE_SURROGATE = /\p{Cs}/u

/** The path of the first key or string value that is not well-formed UTF-16 (depth already bounded). */
function loneSurrogateAt(value: unknown, path: string[]): string[] | undefined {
  if (typeof value === 'string') return LONE_SURROGATE.test(value) ? path : undefined
  if (value === null || typeof value !== 'object') return undefined
  const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value)
  for (const [k, v] of entries) {
    if (LONE_SURROGATE.test(k)) return [...path, k.replace(/\p{Cs}/gu, '\ufffd')]
    const found = loneSurrogateAt(v, [...path, k])
    if (found) return found
  }
  return undefined
}
