// GET /metrics says how much money moves through which account: closed beyond loopback unless a token is set
// or the operator opens it explicitly.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type GatewayConfigInput, parseConfig } from '../config.js'
import { createGateway } from '../gateway.js'
import { createLogger } from '../logger.js'
import { openTestDb } from '../test-support/harness.js'

describe('GET /metrics access', () => {
  let opened: Awaited<ReturnType<typeof openTestDb>>
  beforeAll(async () => {
    opened = await openTestDb({ name: 'pglite' })
  })
  afterAll(async () => {
    await opened?.drop()
  })

  const HASH = `sha256:${'a'.repeat(64)}`
  /** A gateway app (not listening) with these server and metrics settings; its log lines. */
  async function appWith(server: GatewayConfigInput['server'], metrics?: GatewayConfigInput['metrics']) {
    const logs: string[] = []
    const config = parseConfig(
      {
        server,
        ...(metrics ? { metrics } : {}),
        masterKey: 'a'.repeat(64),
        merchants: [
          {
            id: 'shop',
            apiKeys: [HASH],
            accounts: [{ id: 'n', provider: 'nicepay', mid: 'nicepay00m', merchantKey: 'k'.repeat(32) }],
          },
        ],
      },
      {},
    )
    const { logger } = createLogger({
      level: 'warn',
      destination: { write: (s: string) => void logs.push(s) },
    })
    const g = await createGateway({ config, db: opened.db, logger })
    return { app: g.app, logs, close: () => g.close() }
  }

  it('beyond loopback without a token: closed (401 naming the settings), and said at start', async () => {
    const g = await appWith({ host: '0.0.0.0' })
    const res = await g.app.request('/metrics')
    expect(res.status).toBe(401)
    const body = (await res.json()) as { error: { code: string; message: string } }
    expect(body.error.code).toBe('metrics_token_required')
    expect(body.error.message).toContain('metrics.token')
    expect(g.logs.some((l) => l.includes('GET /metrics is closed'))).toBe(true)
    await g.close()
  })

  it('with metrics.token: only that bearer token reads it; the token never reaches a log line', async () => {
    const token = 'metrics-token-0123456789abcdef'
    const g = await appWith({ host: '0.0.0.0' }, { token })
    expect((await g.app.request('/metrics')).status).toBe(401)
    const wrong = await g.app.request('/metrics', {
      headers: { authorization: 'Bearer metrics-token-0123456789abcdeX' },
    })
    expect(wrong.status).toBe(401)
    const ok = await g.app.request('/metrics', { headers: { authorization: `Bearer ${token}` } })
    expect(ok.status).toBe(200)
    expect(await ok.text()).toContain('paymux_http_requests_total')
    expect(g.logs.join('\n')).not.toContain(token)
    await g.close()
  })

  it('open on a loopback bind, or beyond it only with metrics.public: true', async () => {
    for (const host of ['127.0.0.1', '::1', 'localhost']) {
      const g = await appWith({ host })
      expect((await g.app.request('/metrics')).status, host).toBe(200)
      await g.close()
    }
    const pub = await appWith({ host: '0.0.0.0' }, { public: true })
    expect((await pub.app.request('/metrics')).status).toBe(200)
    await pub.close()
    expect(() =>
      parseConfig(
        {
          metrics: { public: true, token: 'metrics-token-0123456789abcdef' },
          merchants: [
            {
              id: 's',
              apiKeys: [HASH],
              accounts: [{ id: 'n', provider: 'nicepay', mid: 'm', merchantKey: 'k' }],
            },
          ],
        },
        {},
      ),
    ).toThrow(/metrics.public: set either metrics.token or metrics.public: true, not both/)
  })
})
