import { describe, expect, it } from 'vitest'
import { COOKIEPAY_DEMO_CREDENTIALS, createCookiePaySimulator } from './index.js'
import { resolveSettings } from './settings.js'
import { SimState } from './state.js'

const sim0 = () => createCookiePaySimulator()
async function token(sim: ReturnType<typeof sim0>) {
  const res = await sim.app.request('/payAuth/token', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      pay2_id: COOKIEPAY_DEMO_CREDENTIALS.apiId,
      pay2_key: COOKIEPAY_DEMO_CREDENTIALS.apiKey,
    }),
  })
  return ((await res.json()) as { TOKEN: string }).TOKEN
}
async function post(
  sim: ReturnType<typeof sim0>,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
) {
  const res = await sim.app.request(path, {
    method: 'POST',
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })
  return { status: res.status, body: (await res.json()) as Record<string, string> }
}

describe('simulator: what CookiePay validates', () => {
  it('token: missing fields and wrong pairs are refused with HTTP 200', async () => {
    const sim = sim0()
    expect(await post(sim, '/payAuth/token', {})).toEqual({
      status: 200,
      body: { RTN_CD: 'E001', RTN_MSG: expect.any(String) },
    })
    expect(
      (await post(sim, '/payAuth/token', { pay2_id: COOKIEPAY_DEMO_CREDENTIALS.apiId, pay2_key: 'x' })).body,
    ).toEqual({
      RTN_CD: 'E003',
      RTN_MSG: 'ID & KEY 불일치',
    })
  })

  it('cancel: no TOKEN, a forged TOKEN, or a wrong ApiKey never cancels', async () => {
    const sim = sim0()
    const { transactionId: tid } = sim.seedPayment({ amount: 1000 })
    const t = await token(sim)
    const forged = `${t.split('.').slice(0, 2).join('.')}.AAAA`
    expect(
      (await post(sim, '/api/cancel', { tid, reason: 'x' }, { ApiKey: COOKIEPAY_DEMO_CREDENTIALS.apiKey }))
        .body.cancel_code,
    ).toBe('E002')
    expect(
      (
        await post(
          sim,
          '/api/cancel',
          { tid, reason: 'x' },
          { TOKEN: forged, ApiKey: COOKIEPAY_DEMO_CREDENTIALS.apiKey },
        )
      ).body.cancel_code,
    ).toBe('E002')
    expect(
      (await post(sim, '/api/cancel', { tid, reason: 'x' }, { TOKEN: t, ApiKey: 'nope' })).body.cancel_code,
    ).toBe('E003')
    expect(sim.inspect(tid)?.cancelledAmount).toBe(0)
  })

  it('cancel: a missing reason, a broken body or a non-numeric amount is refused', async () => {
    const sim = sim0()
    const { transactionId: tid } = sim.seedPayment({ amount: 1000 })
    const h = { TOKEN: await token(sim), ApiKey: COOKIEPAY_DEMO_CREDENTIALS.apiKey }
    for (const body of [
      { tid },
      '{"tid":',
      { tid, reason: 'x', amount: '1,000' },
      { tid, reason: 'x', amount: '0' },
    ]) {
      expect((await post(sim, '/api/cancel', body, h)).body.cancel_code).toBe('E001')
    }
    expect(sim.inspect(tid)?.cancelledAmount).toBe(0)
  })

  it('get_cancel_bank_account requires the amount, and only for settled payments', async () => {
    const sim = sim0()
    const h = { TOKEN: await token(sim), ApiKey: COOKIEPAY_DEMO_CREDENTIALS.apiKey }
    const settled = sim.seedPayment({ amount: 5000, settled: true }).transactionId
    const plain = sim.seedPayment({ amount: 5000 }).transactionId
    expect(
      (await post(sim, '/api/get_cancel_bank_account', { tid: settled, reason: 'x' }, h)).body.RESULTCODE,
    ).toBe('E001')
    expect(
      (await post(sim, '/api/get_cancel_bank_account', { tid: plain, reason: 'x', amount: '5000' }, h)).body
        .RESULTCODE,
    ).toBe('9030')
    const ok = await post(
      sim,
      '/api/get_cancel_bank_account',
      { tid: settled, reason: 'x', amount: '5000' },
      h,
    )
    expect(ok.body).toMatchObject({ RESULTCODE: '0000', TID: settled, CANCELAMT: '5000', DEPOSITAMT: '5000' })
    expect(ok.body.DEPOSITENDDATE).toMatch(/^\d{14}$/)
    expect(sim.inspect(settled)?.pendingDeposit?.amount).toBe(5000)
  })

  it('a settled payment answers 9029 in cancel_code and moves nothing', async () => {
    const sim = sim0()
    const h = { TOKEN: await token(sim), ApiKey: COOKIEPAY_DEMO_CREDENTIALS.apiKey }
    const tid = sim.seedPayment({ amount: 5000, settled: true }).transactionId
    expect((await post(sim, '/api/cancel', { tid, reason: 'x' }, h)).body).toMatchObject({
      cancel_code: '9029',
      cancel_amt: '0',
    })
    expect(sim.inspect(tid)?.cancelledAmount).toBe(0)
  })

  it('paysearch answers an array with CANCLE_SUM_AMOUNT, or E008', async () => {
    const sim = sim0()
    const t = await token(sim)
    const tid = sim.seedPayment({ amount: 5000 }).transactionId
    const hit = await sim.app.request('/api/paysearch', {
      method: 'POST',
      headers: { TOKEN: t },
      body: JSON.stringify({ API_ID: COOKIEPAY_DEMO_CREDENTIALS.apiId, TID: tid }),
    })
    const rows = (await hit.json()) as Array<Record<string, string>>
    expect(rows).toHaveLength(1)
    expect(rows[0]).toMatchObject({ TID: tid, CANCLE_SUM_AMOUNT: '0', AMOUNT: '5000' })
    expect(
      (
        await post(
          sim,
          '/api/paysearch',
          { API_ID: COOKIEPAY_DEMO_CREDENTIALS.apiId, TID: 'nope' },
          { TOKEN: t },
        )
      ).body.RESULTCODE,
    ).toBe('E008')
  })

  it('control routes: seed, inspect, and faults never touch them', async () => {
    const sim = sim0()
    sim.faults.inject({ kind: 'html' })
    const seeded = await post(sim, '/__sim/seed/payment', {
      amount: 4200,
      method: 'virtual_account',
      deposited: true,
    })
    const tid = seeded.body.transactionId!
    const st = await sim.app.request(`/__sim/payments/${tid}`)
    expect(await st.json()).toEqual({ amount: 4200, cancelledAmount: 0, cancelCount: 0, status: 'paid' })
    expect((await sim.app.request('/__sim/payments/none')).status).toBe(404)
    expect(sim.faults.pending).toBe(1)
    expect(sim.faults.calls).toBe(0)
  })
})

describe('simulator: seeded payments', () => {
  it('gives every seeded payment its own order number, even within one clock tick', () => {
    const state = new SimState(resolveSettings({ clock: () => Date.UTC(2026, 11, 2, 5, 0, 0) }))
    const orders = new Set(Array.from({ length: 12_000 }, () => state.seed({ amount: 1_000 }).orderNo))
    expect(orders.size).toBe(12_000)
  })
})
