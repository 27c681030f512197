import { describe, expect, it } from 'vitest'
import { COOKIEPAY_DEMO_CREDENTIALS, createCookiePaySimulator } from './index.js'

const base = {
  API_ID: COOKIEPAY_DEMO_CREDENTIALS.apiId,
  ORDERNO: 'ORD-SIM-1',
  PRODUCTNAME: '상품',
  AMOUNT: '1000',
  BUYERNAME: '홍길동',
  RETURNURL: 'https://shop.example/return',
  HOMEURL: 'https://shop.example/return',
}

async function ready(
  sim: ReturnType<typeof createCookiePaySimulator>,
  fields: Record<string, string>,
  apiKey: string | null = COOKIEPAY_DEMO_CREDENTIALS.apiKey,
) {
  const res = await sim.app.request('/pay/ready', {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(apiKey ? { ApiKey: apiKey } : {}),
    },
    body: new URLSearchParams(fields).toString(),
  })
  return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() }
}

describe('simulator: pay/ready', () => {
  it('a missing or wrong ApiKey is the pair mismatch, and no window opens', async () => {
    const sim = createCookiePaySimulator()
    for (const key of [null, 'wrong']) {
      const r = await ready(sim, base, key)
      expect(JSON.parse(r.text)).toEqual({ RTN_CD: 'E003', RTN_MSG: 'ID & KEY 불일치' })
    }
    expect(sim.checkoutStats.windowsOpened).toBe(0)
  })

  it('each missing required field is named in RTN_MSG; HOMEURL is E004 as integrators saw', async () => {
    const sim = createCookiePaySimulator()
    const { HOMEURL: _, ...noHome } = base
    expect(JSON.parse((await ready(sim, noHome)).text)).toEqual({
      RTN_CD: 'E004',
      RTN_MSG: 'HOMEURL을 입력하시오',
    })
    for (const field of ['ORDERNO', 'PRODUCTNAME', 'AMOUNT', 'BUYERNAME', 'RETURNURL']) {
      const body = JSON.parse((await ready(sim, { ...base, [field]: '' })).text) as Record<string, string>
      expect(body.RTN_CD).not.toBe('0000')
      expect(body.RTN_MSG).toContain(field)
    }
    expect(JSON.parse((await ready(sim, { ...base, AMOUNT: '1,000' })).text).RTN_MSG).toContain('AMOUNT')
    // Without the HOMEURL rule (a setting) the request opens a window.
    sim.updateCheckoutSettings({ requireHomeUrl: false })
    expect((await ready(sim, noHome)).type).toMatch(/^text\/html/)
  })

  it('opens a window showing the order, with Approve and Decline posting to the simulator', async () => {
    const sim = createCookiePaySimulator()
    const r = await ready(sim, base)
    expect(r.type).toMatch(/^text\/html/)
    expect(r.text).toContain('<button type="submit">Approve</button>')
    expect(r.text).toContain('<button type="submit">Decline</button>')
    expect(r.text).toContain('1,000원')
    expect(r.text).not.toContain(COOKIEPAY_DEMO_CREDENTIALS.apiKey)
    expect(r.text).toMatch(/action="http:\/\/localhost\/pay\/window\/[0-9a-f]{32}\/approve"/)
  })

  it('settings change at runtime through /__sim/settings/checkout, and bad values are refused', async () => {
    const sim = createCookiePaySimulator()
    const post = (body: unknown) =>
      sim.app.request('/__sim/settings/checkout', { method: 'POST', body: JSON.stringify(body) })
    expect((await post({ returnMode: 'enc', paycertLagCalls: 2, returnPostedTwice: true })).status).toBe(200)
    expect(sim.settings).toMatchObject({ returnMode: 'enc', paycertLagCalls: 2, returnPostedTwice: true })
    expect((await post({ returnMode: 'zip' })).status).toBe(400)
    expect((await post({ nonsense: true })).status).toBe(400)
    expect((await post({ tamperedWindowAmount: 100 })).status).toBe(200)
    expect((await post({ tamperedWindowAmount: null })).status).toBe(200)
    expect(sim.settings.tamperedWindowAmount).toBeUndefined()
  })

  it('the decrypt endpoint wants the pair’s ApiKey and an ENC_DATA it issued', async () => {
    const sim = createCookiePaySimulator()
    const decrypt = async (body: unknown, key?: string) => {
      const res = await sim.app.request('/EdiAuth/cookiepay_edi_decrypt', {
        method: 'POST',
        headers: key ? { ApiKey: key } : {},
        body: JSON.stringify(body),
      })
      return (await res.json()) as Record<string, unknown>
    }
    const body = { API_ID: COOKIEPAY_DEMO_CREDENTIALS.apiId, ENC_DATA: 'nope' }
    expect((await decrypt(body)).RESULTCODE).toBe('E003')
    expect((await decrypt(body, COOKIEPAY_DEMO_CREDENTIALS.apiKey)).RESULTCODE).toBe('E101')
    expect(sim.checkoutStats.decrypts).toBe(0)
  })
})
