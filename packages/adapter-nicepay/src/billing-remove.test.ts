// billkey_remove.jsp: Amt is "필수" in seed 002's table but absent from its samples and SignData.
import { describe, expect, it } from 'vitest'
import { CREDS, failure, field, rig } from './__fixtures__/rig.js'
import { sha256Hex } from './crypto.js'

const CARD = { number: '4111111111111111', expiryYear: '30', expiryMonth: '12' }

describe('deleteBillingKey works whether NicePay requires Amt or not', () => {
  for (const billkeyRemoveRequiresAmt of [false, true]) {
    it(`simulator billkeyRemoveRequiresAmt=${billkeyRemoveRequiresAmt}`, async () => {
      const { provider, bodies } = rig({}, { billkeyRemoveRequiresAmt })
      const bk = await provider.issueBillingKey({ card: CARD, requestId: 'r-1' })
      const r = await provider.deleteBillingKey({ billingKey: bk.billingKey, requestId: 'd-1' })
      expect(r.providerCode).toBe('F101')
      expect(field(bodies[1], 'Amt')).toBe('0')
      const again = await failure(provider.deleteBillingKey({ billingKey: bk.billingKey, requestId: 'd-2' }))
      expect(again.code).toBe('billing_key_invalid')
    })
  }

  it('the simulator requiring Amt refuses a removal without it (A117), as the table would', async () => {
    const { sim, provider } = rig({}, { billkeyRemoveRequiresAmt: true })
    const bk = await provider.issueBillingKey({ card: CARD, requestId: 'r-1' })
    const edi = '20251129103000'
    const sign = sha256Hex(CREDS.mid, edi, 'd-3', bk.billingKey, CREDS.merchantKey)
    const body = `BID=${bk.billingKey}&MID=${CREDS.mid}&EdiDate=${edi}&Moid=d-3&SignData=${sign}&CharSet=utf-8`
    const res = await sim.app.request('/webapi/billing/billkey_remove.jsp', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
    })
    expect(((await res.json()) as { ResultCode: string }).ResultCode).toBe('A117')
  })
})
