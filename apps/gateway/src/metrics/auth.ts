import { createHash, timingSafeEqual } from 'node:crypto'
import type { MiddlewareHandler } from 'hono'
import { ApiError } from '../errors.js'
import type { Runtime } from '../runtime.js'
import type { MetricsConfig } from './config.js'

const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|localhost|::ffff:127\.\d{1,3}\.\d{1,3}\.\d{1,3})$/i

export function isLoopbackHost(host: string): boolean {
  return LOOPBACK.test(host.replace(/^\[|\]$/g, ''))
}

export type MetricsAccess = 'token' | 'open' | 'closed'

export function metricsAccess(cfg: MetricsConfig, host: string): MetricsAccess {
  if (cfg.token) return 'token'
  return cfg.public || isLoopbackHost(host) ? 'open' : 'closed'
}

const digest = (s: string) => createHash('sha256').update(s).digest()

/** Guards GET /metrics as `metricsAccess` says; says once at start when the endpoint is closed. */
export function metricsGuard(rt: Runtime): MiddlewareHandler {
  const cfg = rt.config.metrics
  const access = metricsAccess(cfg, rt.config.server.host)
  if (access === 'closed')
    rt.logger.warn(
      { host: rt.config.server.host },
      'GET /metrics is closed: the gateway listens beyond loopback; set metrics.token (or metrics.public: true)',
    )
  // Hashes compared in constant time: neither the length nor a prefix of the token shows in the timing.
  const expected = cfg.token ? digest(cfg.token) : undefined
  return async (c, next) => {
    if (access === 'closed')
      throw new ApiError(401, {
        type: 'authentication_error',
        code: 'metrics_token_required',
        message: 'GET /metrics beyond loopback needs metrics.token (or metrics.public: true) in the config',
      })
    if (expected) {
      const m = /^Bearer\s+(\S{1,512})\s*$/i.exec(c.req.header('authorization') ?? '')
      if (!m || !timingSafeEqual(digest(m[1]!), expected))
        throw new ApiError(401, {
          type: 'authentication_error',
          code: m ? 'invalid_metrics_token' : 'missing_metrics_token',
          message: 'send Authorization: Bearer <metrics.token>',
        })
    }
    await next()
  }
}
