// Talks to the simulator with hand-built bodies, the way a JSP/PHP client would, without the adapter.
import { createHash } from 'node:crypto'
import iconv from 'iconv-lite'
import { describe, expect, it } from 'vitest'
import vectors from '../__fixtures__/nicepay-vectors.json' with { type: 'json' }
import { failure, rig } from '../__fixtures__/rig.js'
import { createNicePaySimulator, NICEPAY_DEMO_CREDENTIALS } from './index.js'

const { mid: MID, merchantKey: KEY } = NICEPAY_DEMO_CREDENTIALS
const sha = (s: string) => createHash('sha256').update(s).digest('hex')
const EDI = '20251129103000'

function post(sim: ReturnType<typeof createNicePaySimulator>, path: string, body: string | Uint8Array) {
  return sim.app.request(path, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: typeof body === 'string' ? body : new Uint8Array(body),
  })
}

function cancelBody(tid: string, amt: number, extra = '', msg = '%B0%ED%B0%B4%BF%E4%C3%BB', moid = 'm-1') {
  const sign = sha(`${MID}${amt}${EDI}${KEY}`)
  return `TID=${tid}&MID=${MID}&Moid=${moid}&CancelAmt=${amt}&CancelMsg=${msg}&PartialCancelCode=0&EdiDate=${EDI}&CharSet=utf-8&SignData=${sign}${extra}`
}

describe('the simulator refuses what NicePay refuses', () => {
  it('the research vector body (full cancel, nicepay00m) is accepted and the answer is signed', async () => {
    const sim = createNicePaySimulator()
    const tid = vectors.meta.inputs.TID
    sim.seedPayment({ amount: 1004, transactionId: tid })
    const res = await post(sim, '/webapi/cancel_process.jsp', vectors.form_bodies[0]!.body_ascii)
    const a = (await res.json()) as Record<string, string>
    expect(a).toMatchObject({
      ResultCode: '2001',
      CancelAmt: '000000001004',
      RemainAmt: '000000000000',
      PayMethod: 'CARD',
    })
    // Default: the Signature hashes the 12-digit CancelAmt it returns (the paybridge vector's variant).
    expect(a.Signature).toBe(vectors.sign_vectors[2]!.sha256_hex)
  })

  it('a wrong SignData is A101 and cancels nothing', async () => {
    const sim = createNicePaySimulator()
    const { transactionId } = sim.seedPayment({ amount: 1004 })
    const body = cancelBody(transactionId, 1004).replace(/SignData=[0-9a-f]{4}/, 'SignData=0000')
    const a = (await (await post(sim, '/webapi/cancel_process.jsp', body)).json()) as Record<string, string>
    expect(a.ResultCode).toBe('A101')
    expect(sim.inspect(transactionId)!.cancelledAmount).toBe(0)
  })

  it('UTF-8 percent-escapes and CP949-only bytes are T001 (not KS X 1001); raw EUC-KR bytes are read', async () => {
    const sim = createNicePaySimulator()
    const { transactionId } = sim.seedPayment({ amount: 1004 })
    const utf8 =
      vectors.contrast_encodings_for_simulator_negative_or_tolerance_tests.CancelMsg_percent_utf8.split(
        '=',
      )[1]!
    for (const msg of [utf8, '%8C%63']) {
      const a = (await (
        await post(sim, '/webapi/cancel_process.jsp', cancelBody(transactionId, 1004, '', msg))
      ).json()) as Record<string, string>
      expect(a.ResultCode).toBe('T001')
    }
    // NicePay's .NET sample: unescaped EUC-KR bytes inside the body.
    const raw = Buffer.concat([
      Buffer.from(cancelBody(transactionId, 1004, '', 'X').replace('CancelMsg=X', 'CancelMsg=')),
    ])
    const i = raw.indexOf('CancelMsg=') + 'CancelMsg='.length
    const withRaw = Buffer.concat([raw.subarray(0, i), iconv.encode('고객취소', 'cp949'), raw.subarray(i)])
    const a = (await (await post(sim, '/webapi/cancel_process.jsp', withRaw)).json()) as Record<
      string,
      string
    >
    expect(a.ResultCode).toBe('2001')
  })

  it('CancelMsg over 100 EUC-KR bytes is A147; a missing field is A117; an unknown MID is A114', async () => {
    const sim = createNicePaySimulator()
    const { transactionId } = sim.seedPayment({ amount: 1004 })
    const long = '%B0%A1'.repeat(51)
    const r1 = (await (
      await post(sim, '/webapi/cancel_process.jsp', cancelBody(transactionId, 1004, '', long))
    ).json()) as Record<string, string>
    expect(r1.ResultCode).toBe('A147')
    const r2 = (await (
      await post(sim, '/webapi/cancel_process.jsp', cancelBody(transactionId, 1004).replace('&Moid=m-1', ''))
    ).json()) as Record<string, string>
    expect(r2.ResultCode).toBe('A117')
    const r3 = (await (
      await post(
        sim,
        '/webapi/cancel_process.jsp',
        cancelBody(transactionId, 1004).replace(`MID=${MID}`, 'MID=nictest99m'),
      )
    ).json()) as Record<string, string>
    expect(r3.ResultCode).toBe('A114')
  })

  it('answers EUC-KR when CharSet is absent and KV when EdiType=KV', async () => {
    const sim = createNicePaySimulator()
    const body =
      cancelBody('nicepay00m01012511291030009999', 1004).replace('&CharSet=utf-8', '') + '&EdiType=KV'
    const res = await post(sim, '/webapi/cancel_process.jsp', body)
    expect(res.headers.get('content-type')).toContain('euc-kr')
    const text = iconv.decode(Buffer.from(await res.arrayBuffer()), 'cp949')
    expect(text).toMatch(/^ResultCode=2012&ResultMsg=취소 해당거래 없음/)
  })

  it('a full cancel with another amount is 2011; over the balance is 2032; a second full cancel is 2015', async () => {
    const sim = createNicePaySimulator()
    const { transactionId } = sim.seedPayment({ amount: 1004 })
    const code = async (amt: number, moid: string) =>
      (
        (await (
          await post(sim, '/webapi/cancel_process.jsp', cancelBody(transactionId, amt, '', 'x', moid))
        ).json()) as Record<string, string>
      ).ResultCode
    expect(await code(1000, 'a')).toBe('2011')
    expect(await code(2000, 'b')).toBe('2032')
    expect(await code(1004, 'c')).toBe('2001')
    expect(await code(1004, 'd')).toBe('2015')
    expect(sim.inspect(transactionId)).toMatchObject({
      cancelledAmount: 1004,
      cancelCount: 1,
      status: 'cancelled',
    })
  })

  it('virtual accounts: 2045 for a partial issue-cancel, 2221 for a refund without account, then refunded', async () => {
    const sim = createNicePaySimulator()
    const waiting = sim.seedPayment({ amount: 5000, method: 'virtual_account' })
    const partial = cancelBody(waiting.transactionId, 5000).replace(
      'PartialCancelCode=0',
      'PartialCancelCode=1',
    )
    expect(
      ((await (await post(sim, '/webapi/cancel_process.jsp', partial)).json()) as Record<string, string>)
        .ResultCode,
    ).toBe('2045')
    const dep = sim.seedPayment({ amount: 5000, method: 'virtual_account', deposited: true })
    const noAcct = (await (
      await post(sim, '/webapi/cancel_process.jsp', cancelBody(dep.transactionId, 5000))
    ).json()) as Record<string, string>
    expect(noAcct.ResultCode).toBe('2221')
    const refund = '&RefundAcctNo=1234567890123&RefundBankCd=004&RefundAcctNm=%C8%AB%B1%E6%B5%BF'
    const ok = (await (
      await post(sim, '/webapi/cancel_process.jsp', cancelBody(dep.transactionId, 5000, refund, 'x', 'm-2'))
    ).json()) as Record<string, string>
    expect([ok.ResultCode, ok.PayMethod]).toEqual(['2211', 'VBANK'])
    expect(sim.inspect(dep.transactionId)!.status).toBe('refunded')
  })

  it('get_vacount checks the TID rule and the Moid; deposit notifies the configured URL in EUC-KR', async () => {
    const bodies: string[] = []
    const sim = createNicePaySimulator({
      notifyUrl: 'http://merchant.test/noti',
      notifyAttempts: 2,
      notifyRetryDelayMs: 1,
      notifyFetch: async (_u, init) => {
        bodies.push(String(init?.body))
        return new Response(bodies.length === 1 ? 'FAIL' : 'OK')
      },
    })
    const vaBody = (tid: string, moid: string) =>
      `TID=${tid}&MID=${MID}&EdiDate=${EDI}&Moid=${moid}&Amt=1004&GoodsName=%C5%D7%BD%BA%C6%AE%BB%F3%C7%B0` +
      `&SignData=${sha(`${MID}1004${EDI}${moid}${KEY}`)}&CashReceiptType=0&BankCode=004&VbankExpDate=20991231&CharSet=utf-8`
    const code = async (tid: string, moid: string) =>
      (await (await post(sim, '/webapi/get_vacount.jsp', vaBody(tid, moid))).json()) as Record<string, string>
    expect((await code('nicepay00m01012511291030001234', 'o-1')).ResultCode).toBe('1655')
    expect((await code('nictest04m03012511291030001234', 'o-1')).ResultCode).toBe('1654')
    expect((await code('nicepay00m0301251129103000123', 'o-1')).ResultCode).toBe('1652')
    const ok = await code('nicepay00m03012511291030001234', 'o-1')
    expect(ok).toMatchObject({
      ResultCode: '4100',
      Amt: '000000001004',
      VbankBankCode: '004',
      VbankExpDate: '20991231',
    })
    expect((await code('nicepay00m03012511291030001234', 'o-2')).ResultCode).toBe('1651')
    expect((await code('nicepay00m03012511291030001235', 'o-1')).ResultCode).toBe('A127')
    const dep = (await (
      await sim.app.request('/__sim/deposit/nicepay00m03012511291030001234', { method: 'POST', body: '{}' })
    ).json()) as { notification: unknown }
    expect(dep.notification).toMatchObject({ delivered: true, attempts: 2 })
    expect(bodies[1]).toContain('&GoodsName=%C5%D7%BD%BA%C6%AE%BB%F3%C7%B0&')
    expect(bodies[1]).toContain('&ResultCode=4110&')
    expect(sim.inspect('nicepay00m03012511291030001234')!.status).toBe('deposited')
  })

  it('billing: upper-case hex EncData accepted, bad EncData is A205, approve refuses a reused TID (1651)', async () => {
    const sim = createNicePaySimulator()
    const enc = vectors.encdata_vectors[0]!
    const regist = (encData: string, moid: string) =>
      `MID=${MID}&EdiDate=${EDI}&Moid=${moid}&EncData=${encData}&SignData=${sha(`${MID}${EDI}${moid}${KEY}`)}&CharSet=utf-8`
    const bad = (await (
      await post(sim, '/webapi/billing/billing_regist.jsp', regist('00'.repeat(16), 'r-0'))
    ).json()) as Record<string, string>
    expect(bad.ResultCode).toBe('A205')
    const r = (await (
      await post(sim, '/webapi/billing/billing_regist.jsp', regist(enc.EncData_hex_upper, 'r-1'))
    ).json()) as Record<string, string>
    expect(r.ResultCode).toBe('F100')
    expect(r.BID).toMatch(/^BIKYnicepay00m\d{16}$/)
    const tid = 'nicepay00m01162511291030001234'
    const approve = (moid: string) =>
      `BID=${r.BID}&MID=${MID}&TID=${tid}&EdiDate=${EDI}&Moid=${moid}&Amt=1004&GoodsName=g` +
      `&SignData=${sha(`${MID}${EDI}${moid}1004${r.BID}${KEY}`)}&CardInterest=0&CardQuota=00&CharSet=utf-8`
    const a1 = (await (
      await post(sim, '/webapi/billing/billing_approve.jsp', approve('o-1'))
    ).json()) as Record<string, string>
    expect(a1).toMatchObject({
      ResultCode: '3001',
      TID: tid,
      Amt: '000000001004',
      CardNo: '41111111****1111',
    })
    const a2 = (await (
      await post(sim, '/webapi/billing/billing_approve.jsp', approve('o-2'))
    ).json()) as Record<string, string>
    expect(a2.ResultCode).toBe('1651')
  })

  it('control routes: seed, inspect, faults', async () => {
    const sim = createNicePaySimulator()
    const seeded = (await (
      await sim.app.request('/__sim/seed/payment', { method: 'POST', body: JSON.stringify({ amount: 700 }) })
    ).json()) as { transactionId: string }
    const snap = await (await sim.app.request(`/__sim/payments/${seeded.transactionId}`)).json()
    expect(snap).toMatchObject({ amount: 700, cancelledAmount: 0, cancelCount: 0, status: 'paid' })
    expect((await sim.app.request('/__sim/payments/none')).status).toBe(404)
    await sim.app.request('/__sim/faults', {
      method: 'POST',
      body: JSON.stringify({ fault: { kind: 'status', status: 503 } }),
    })
    expect((await post(sim, '/webapi/cancel_process.jsp', 'x=1')).status).toBe(503)
  })
})

describe('trans_status.jsp, as the manual describes it', () => {
  const statusBody = (tid: string, sign = sha(`${tid}${MID}${EDI}${KEY}`)) =>
    `TID=${tid}&MID=${MID}&EdiDate=${EDI}&SignData=${sign}&CharSet=utf-8`
  const ask = async (sim: ReturnType<typeof createNicePaySimulator>, body: string) =>
    (await (await post(sim, '/webapi/inquery/trans_status.jsp', body)).json()) as Record<string, string>

  it('checks SignData = TID+MID+EdiDate+MerchantKey (A101) and requires the TID (A117)', async () => {
    const sim = createNicePaySimulator()
    const { transactionId } = sim.seedPayment({ amount: 1_004 })
    expect(
      (await ask(sim, statusBody(transactionId, sha(`${MID}${transactionId}${EDI}${KEY}`)))).ResultCode,
    ).toBe('A101')
    expect(
      (await ask(sim, `MID=${MID}&EdiDate=${EDI}&SignData=${sha(`${MID}${EDI}${KEY}`)}`)).ResultCode,
    ).toBe('A117')
    expect(await ask(sim, statusBody(transactionId))).toMatchObject({ ResultCode: '0000', Status: '0' })
  })

  it('Status 0 → 1 after a full cancel; 9 for no approval; the cancel detail only when set', async () => {
    const sim = createNicePaySimulator()
    const { transactionId } = sim.seedPayment({ amount: 1_004 })
    await post(sim, '/webapi/cancel_process.jsp', cancelBody(transactionId, 1004, '', 'x', 'moid-77'))
    const plain = await ask(sim, statusBody(transactionId))
    expect(plain).toMatchObject({ ResultCode: '0000', Status: '1' })
    expect(plain).not.toHaveProperty('CancelMOID')
    expect(plain).not.toHaveProperty('CancelAmt')
    sim.settings.transStatusCancelDetail = true
    expect(await ask(sim, statusBody(transactionId))).toMatchObject({
      Status: '1',
      StateCd: '1',
      CancelMOID: 'moid-77',
      CancelDate: expect.stringMatching(/^\d{8}$/),
    })
    expect((await ask(sim, statusBody('nicepay00m01012511291030000000'))).Status).toBe('9')
  })

  it('an unpaid virtual account answers the invented transStatusUnpaidVbank (4109 by default); a deposited one 0', async () => {
    const sim = createNicePaySimulator()
    const { transactionId } = sim.seedPayment({ amount: 1_004, method: 'virtual_account' })
    const unpaid = await ask(sim, statusBody(transactionId))
    expect(unpaid).toMatchObject({ ResultCode: '4109', ResultMsg: '입금대기상태', TID: transactionId })
    expect(unpaid).not.toHaveProperty('Status')
    await sim.app.request('/__sim/settings', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ transStatusUnpaidVbank: 'status9' }),
    })
    expect(await ask(sim, statusBody(transactionId))).toMatchObject({ ResultCode: '0000', Status: '9' })
    expect((await sim.app.request(`/__sim/deposit/${transactionId}`, { method: 'POST' })).status).toBe(200)
    expect(await ask(sim, statusBody(transactionId))).toMatchObject({ ResultCode: '0000', Status: '0' })
  })
})

// The seeds say "Unique하게 구성" to the merchant; that NicePay refuses a repeat is the simulator's invention,
// so it is a setting that can be turned off.
describe('invented answers are settings', () => {
  const va = (orderId: string) => ({
    orderId,
    amount: 1_000,
    goodsName: 'g',
    bankCode: '004',
    dueDate: '2099-12-31',
  })

  it('reusedOrderIdCode: a repeated get_vacount Moid is A127 by default, accepted once unset over HTTP', async () => {
    const { sim, provider } = rig()
    await provider.issueVirtualAccount(va('same-order'))
    const err = await failure(provider.issueVirtualAccount(va('same-order')))
    expect([err.code, err.providerCode]).toEqual(['duplicate_request', 'A127'])
    await sim.app.request('/__sim/settings', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ reusedOrderIdCode: null }),
    })
    expect((await provider.issueVirtualAccount(va('same-order'))).amount).toBe(1_000)
  })
})
