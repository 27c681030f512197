import type { MiddlewareHandler } from 'hono'
import type { ApiKeyIndex } from '../crypto.js'
import { ApiError, badRequest } from '../errors.js'
import { newId } from '../ids.js'
import { requestContext } from '../logger.js'
import type { Runtime } from '../runtime.js'
import type { AppEnv } from './env.js'

/** A request id on every answer and log line, and one access-log line per request. */
export function requestLog(rt: Runtime): MiddlewareHandler<AppEnv> {
  // The request line holds four fixed fields and nothing else, none of them a censored key: pino's path
  // redaction (17 paths, wildcards) cost ~17 us of the ~22 us of each line and is skipped for it. The line
  // still passes through the Redactor (registered secrets, card numbers) like every other line.
  const accessLog = rt.logger.child({}, { redact: [] })
  return async (c, next) => {
    const requestId = newId('req')
    c.set('requestId', requestId)
    const started = performance.now()
    await requestContext.run({ requestId }, async () => {
      await next()
      c.res.headers.set('request-id', requestId)
      const status = c.res.status
      const fields = {
        method: c.req.method,
        path: c.req.path,
        status,
        ms: Math.round((performance.now() - started) * 10) / 10,
      }
      if (status >= 500) accessLog.warn(fields, 'request')
      else accessLog.info(fields, 'request')
    })
  }
}

/** Merchant authentication: `Authorization: Bearer <api key>`, looked up by its hash in constant time. */
export function authenticate(keys: ApiKeyIndex): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const header = c.req.header('authorization') ?? ''
    const m = /^Bearer\s+(\S{1,512})\s*$/i.exec(header)
    const merchantId = m ? keys.lookup(m[1]!) : undefined
    if (!merchantId) {
      throw new ApiError(401, {
        type: 'authentication_error',
        code: header ? 'invalid_api_key' : 'missing_api_key',
        message: header ? 'the API key is not valid' : 'send Authorization: Bearer <api key>',
      })
    }
    c.set('merchantId', merchantId)
    const store = requestContext.getStore()
    if (store) store.merchantId = merchantId
    await next()
  }
}

/** POST bodies are JSON (an empty body is accepted for routes that take none). */
export const requireJson: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (c.req.method === 'POST') {
    const type = c.req.header('content-type') ?? ''
    const length = c.req.header('content-length')
    if (!/^application\/(.+\+)?json\b/i.test(type) && !(length === '0' || (length === undefined && !type))) {
      throw badRequest('Content-Type', 'Content-Type must be application/json', 'unsupported_content_type')
    }
  }
  await next()
}
