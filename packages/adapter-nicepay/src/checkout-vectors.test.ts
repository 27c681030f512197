// The checkout vectors come from the project's research (checkout-vectors.json, computed with python hashlib and
// checked with openssl; its generator is embedded in the file); copied into src/__fixtures__ so the tests never
// read outside the repository. Every NicePay vector there is exercised through the adapter's own code paths.
import type { CheckoutExpected, FetchLike } from '@paymux/core'
import { describe, expect, it } from 'vitest'
import vectors from './__fixtures__/checkout-vectors.json' with { type: 'json' }
import { failure } from './__fixtures__/rig.js'
import { sha256Hex, signData } from './crypto.js'
import { NicePay } from './nicepay.js'

const I = vectors.nicepay_inputs
const V = vectors.nicepay_vectors
const BODIES = vectors.nicepay_form_bodies
const EXAMPLE = vectors.nicepay_approval_response_example_INVENTED_VALUES
const KEY = I.MerchantKey
const at = (ediDate: string) =>
  Date.parse(
    `${ediDate.slice(0, 4)}-${ediDate.slice(4, 6)}-${ediDate.slice(6, 8)}T${ediDate.slice(8, 10)}:${ediDate.slice(10, 12)}:${ediDate.slice(12, 14)}+09:00`,
  )
const EXPECTED: CheckoutExpected = { orderId: I.Moid, amount: Number(I.Amt), method: 'card' }

/** NicePay's live hosts (no baseUrl), a settable clock, and every request recorded and answered by `answer`. */
function live(answer: (url: string) => { status?: number; body: string } = () => ({ body: '' })) {
  let now = at(I.EdiDate_window)
  const sent: Array<{ url: string; body: string }> = []
  const fetch: FetchLike = async (input, init) => {
    const url = String(input)
    sent.push({ url, body: String(init?.body ?? '') })
    const a = answer(url)
    return new Response(a.body, { status: a.status ?? 200 })
  }
  const provider = new NicePay({ mid: I.MID, merchantKey: KEY, fetch, clock: () => now })
  const setNow = (ediDate: string) => {
    now = at(ediDate)
  }
  return { provider, sent, setNow }
}

const post = (body: string) => ({
  method: 'POST' as const,
  rawBody: new TextEncoder().encode(body),
  query: {},
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
})

async function authenticated(p: NicePay, body: string) {
  const r = await p.readCheckoutReturn(post(body), EXPECTED)
  if (r.outcome !== 'authenticated') throw new Error(`expected authenticated, got ${JSON.stringify(r)}`)
  return r.approval
}

describe('NicePay checkout vectors (checkout-vectors.json)', () => {
  it('each plaintext is what its formula concatenates, and hashes to the vector', () => {
    const cases: Array<[keyof typeof V, string]> = [
      ['window_SignData', signData.window(I.EdiDate_window, I.MID, I.Amt, KEY)],
      ['auth_result_Signature', signData.authResult(I.AuthToken, I.MID, I.Amt, KEY)],
      ['approval_SignData', signData.approval(I.AuthToken, I.MID, I.Amt, I.EdiDate_approval, KEY)],
      [
        'approval_response_Signature_padded_Amt',
        signData.approvalResponse(I.TxTid, I.MID, I.Amt_as_printed_in_responses, KEY),
      ],
      ['approval_response_Signature_plain_Amt', signData.approvalResponse(I.TxTid, I.MID, I.Amt, KEY)],
      [
        'netcancel_SignData_reusing_approval_EdiDate',
        signData.approval(I.AuthToken, I.MID, I.Amt, I.EdiDate_approval, KEY),
      ],
      [
        'netcancel_SignData_fresh_EdiDate',
        signData.approval(I.AuthToken, I.MID, I.Amt, I.EdiDate_netcancel_fresh, KEY),
      ],
      [
        'netcancel_response_Signature_padded_CancelAmt',
        signData.cancelResponse(I.TxTid, I.MID, I.Amt_as_printed_in_responses, KEY),
      ],
      ['netcancel_response_Signature_plain_CancelAmt', signData.cancelResponse(I.TxTid, I.MID, I.Amt, KEY)],
      [
        'NEGATIVE_auth_result_Signature_if_Amt_tampered_to_1500',
        signData.authResult(I.AuthToken, I.MID, '1500', KEY),
      ],
    ]
    expect(cases.map(([name]) => name).sort()).toEqual(Object.keys(V).sort())
    for (const [name, computed] of cases) {
      expect(computed, name).toBe(V[name].sha256_hex)
      expect(sha256Hex(V[name].plaintext), name).toBe(V[name].sha256_hex)
    }
    expect(V.NEGATIVE_auth_result_Signature_if_Amt_tampered_to_1500.sha256_hex).not.toBe(
      V.auth_result_Signature.sha256_hex,
    )
  })

  it("the window's form carries the vector SignData for EdiDate 20260315093000", async () => {
    const { provider } = live()
    const launch = await provider.startCheckout({
      orderId: I.Moid,
      amount: Number(I.Amt),
      orderName: '테스트상품',
      method: 'card',
      returnUrl: 'https://shop.example/checkout/t/return',
      closeUrl: 'https://shop.example/checkout/t/close',
      expiresAt: '2026-03-15T10:00:00+09:00',
    })
    const f = launch.form!.fields
    expect([f.EdiDate, f.MID, f.Amt, f.Moid, f.PayMethod]).toEqual([
      I.EdiDate_window,
      I.MID,
      I.Amt,
      I.Moid,
      'CARD',
    ])
    expect(f.SignData).toBe(V.window_SignData.sha256_hex)
    expect(launch.scripts).toEqual(['https://pg-web.nicepay.co.kr/v3/common/js/nicepay-pgweb.js'])
  })

  for (const charset of ['euc-kr', 'utf-8'] as const) {
    it(`the auth result posted in ${charset} verifies and names NicePay's dc1 hosts`, async () => {
      const { provider } = live()
      const approval = await authenticated(provider, BODIES[`auth_result_post_CharSet_${charset}`])
      expect(approval.transactionId).toBe(I.TxTid)
      expect(approval.amount).toBe(15_000)
      expect(approval.data.nextAppUrl).toBe(I.NextAppURL)
      expect(approval.data.netCancelUrl).toBe(I.NetCancelURL)
    })
  }

  it('negative: the result with Amt tampered to 1500 is refused, for the stored 15000 and for a stored 1500', async () => {
    const { provider } = live()
    const tampered = BODIES['auth_result_post_CharSet_euc-kr'].replace('&Amt=15000&', '&Amt=1500&')
    const a = await provider.readCheckoutReturn(post(tampered), EXPECTED)
    expect(a).toMatchObject({ outcome: 'refused', reason: expect.stringContaining('amount') })
    // Even an order stored at 1500 does not make NicePay's Signature (over 15000) verify.
    const b = await provider.readCheckoutReturn(post(tampered), { ...EXPECTED, amount: 1500 })
    expect(b).toMatchObject({ outcome: 'refused', reason: expect.stringContaining('Signature') })
  })

  it('the approval body is the vector body, posted to NextAppURL; the example answer (padded Amt) is an approval', async () => {
    const rig = live(() => ({ body: JSON.stringify(EXAMPLE) }))
    rig.setNow(I.EdiDate_approval)
    const approval = await authenticated(rig.provider, BODIES['auth_result_post_CharSet_utf-8'])
    const approved = await rig.provider.approveCheckout(approval, EXPECTED)
    expect(rig.sent).toEqual([{ url: I.NextAppURL, body: BODIES.approval_request_body }])
    expect(approved).toMatchObject({
      status: 'paid',
      transactionId: I.TxTid,
      amount: 15_000,
      method: 'card',
      approvalNumber: '30012345',
      cardName: '신한',
      paidAt: '2026-03-15T09:31:43+09:00',
      providerCode: '3001',
    })
  })

  it('an approval answer signed over the plain Amt is accepted too; one signed over neither is unknown', async () => {
    const plain = { ...EXAMPLE, Signature: V.approval_response_Signature_plain_Amt.sha256_hex }
    const ok = live(() => ({ body: JSON.stringify(plain) }))
    const approval = await authenticated(ok.provider, BODIES['auth_result_post_CharSet_utf-8'])
    expect((await ok.provider.approveCheckout(approval, EXPECTED)).status).toBe('paid')
    const forged = {
      ...EXAMPLE,
      Signature: V.NEGATIVE_auth_result_Signature_if_Amt_tampered_to_1500.sha256_hex,
    }
    const bad = live(() => ({ body: JSON.stringify(forged) }))
    const err = await failure(bad.provider.approveCheckout(approval, EXPECTED))
    expect([err.code, err.outcome]).toEqual(['signature_mismatch', 'unknown'])
  })

  it('the network cancel resends the approval body plus NetCancel=1 to NetCancelURL; padded and plain CancelAmt verify', async () => {
    for (const sig of [
      V.netcancel_response_Signature_padded_CancelAmt.sha256_hex,
      V.netcancel_response_Signature_plain_CancelAmt.sha256_hex,
    ]) {
      const answer = {
        ResultCode: '2001',
        ResultMsg: '취소 성공',
        CancelAmt: I.Amt_as_printed_in_responses,
        MID: I.MID,
        TID: I.TxTid,
        Signature: sig,
      }
      const rig = live(() => ({ body: JSON.stringify(answer) }))
      rig.setNow(I.EdiDate_approval)
      const approval = await authenticated(rig.provider, BODIES['auth_result_post_CharSet_euc-kr'])
      rig.setNow(I.EdiDate_netcancel_fresh)
      const undone = await rig.provider.undoCheckout(approval, 'approval answer lost')
      expect(rig.sent).toEqual([{ url: I.NetCancelURL, body: BODIES.netcancel_request_body_sample_style }])
      expect(undone).toMatchObject({ status: 'net_cancelled', providerCode: '2001' })
    }
  })
})
