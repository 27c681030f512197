// What a caller without credentials can learn or steer: the order of checks and the OpenAPI servers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestGateway, type TestGateway } from './test-support/harness.js'

describe('authentication comes first', () => {
  let t: TestGateway
  beforeAll(async () => {
    t = await startTestGateway({ name: 'pglite' })
  })
  afterAll(async () => {
    await t?.close()
  })

  it('/favicon.ico answers 204 (a browser asks for it on every page), not a 404', async () => {
    const res = await fetch(`${t.url}/favicon.ico`)
    expect(res.status).toBe(204)
    expect(await res.text()).toBe('')
  })

  it('a text/plain POST without credentials is 401, not a 400 about its content type', async () => {
    const res = await t.call('POST', '/v1/cancellations', {
      key: null,
      rawBody: 'hello',
      headers: { 'content-type': 'text/plain' },
    })
    expect(res.status).toBe(401)
    expect(res.body.error).toMatchObject({ type: 'authentication_error', code: 'missing_api_key' })
    const wrongKey = await t.call('POST', '/v1/billing-keys', {
      key: 'sk_wrong',
      rawBody: 'x'.repeat(70 * 1024),
      headers: { 'content-type': 'text/plain' },
    })
    expect(wrongKey.status).toBe(401)
    // With a key, the content type is checked as before.
    const keyed = await t.call('POST', '/v1/cancellations', {
      rawBody: 'hello',
      headers: { 'content-type': 'text/plain' },
    })
    expect(keyed.status).toBe(400)
    expect(keyed.body.error.code).toBe('unsupported_content_type')
  })

  it('/openapi.json never takes its server from the Host header', async () => {
    const res = await fetch(`${t.url}/openapi.json`, { headers: { host: 'evil.example' } })
    const doc = (await res.json()) as { servers: Array<{ url: string }> }
    expect(doc.servers).toEqual([{ url: '/' }])
    expect(JSON.stringify(doc)).not.toContain('evil.example')
  })
})
