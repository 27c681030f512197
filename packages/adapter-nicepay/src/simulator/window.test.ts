// The simulator's payment window on its own: what it refuses before showing itself (checkout.md §5), how it
// decodes the window post, and its live settings.
import type { CheckoutRequest } from '@paymux/core'
import { inProcessFetch } from '@paymux/core/simulator'
import { describe, expect, it } from 'vitest'
import { CREDS } from '../__fixtures__/rig.js'
import { formBody, postedForm } from '../__fixtures__/window.js'
import { NicePay } from '../nicepay.js'
import { createNicePaySimulator, type NicePaySimulatorOptions } from './index.js'

const BASE = 'http://nicepay.sim'

function env(simOpts: NicePaySimulatorOptions = {}) {
  const sim = createNicePaySimulator(simOpts)
  const fetch = inProcessFetch(sim.app)
  const provider = new NicePay({ ...CREDS, baseUrl: BASE, fetch })
  const post = async (path: string, body?: Uint8Array | string) => {
    const res = await fetch(`${BASE}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      ...(body !== undefined ? { body } : {}),
    })
    return { status: res.status, html: await res.text() }
  }
  return { sim, provider, post, fetch }
}

const order = (over: Partial<CheckoutRequest> = {}): CheckoutRequest => ({
  orderId: `w-${Math.random().toString(36).slice(2)}`,
  amount: 1_000,
  orderName: '테스트상품',
  method: 'card',
  returnUrl: 'https://shop.example/return',
  closeUrl: 'https://shop.example/close',
  expiresAt: new Date(Date.now() + 600_000).toISOString(),
  ...over,
})

async function fields(e: ReturnType<typeof env>, over: Partial<CheckoutRequest> = {}) {
  return { ...(await e.provider.startCheckout(order(over))).form!.fields }
}

describe('NicePay simulator: the payment window', () => {
  it('refuses a window request missing a field (W008), from an unknown MID (A114), or mis-signed (W007)', async () => {
    const e = env()
    const f = await fields(e)
    const { GoodsName: _, ...noGoods } = f
    expect((await e.post('/v3/window', formBody(noGoods, 'euc-kr'))).html).toContain('W008')
    expect((await e.post('/v3/window', formBody({ ...f, MID: 'nicepay99m' }, 'euc-kr'))).html).toContain(
      'A114',
    )
    expect((await e.post('/v3/window', formBody({ ...f, Moid: 'x' }, 'euc-kr'))).html).toContain(
      '<button>Approve',
    )
    expect(
      (await e.post('/v3/window', formBody({ ...f, SignData: '0'.repeat(64) }, 'euc-kr'))).html,
    ).toContain('W007')
    expect(e.sim.checkoutCounts.approvalCalls).toBe(0)
  })

  it('a virtual account needs a deadline (W032) in the right format (W035), not past (W034)', async () => {
    const e = env()
    const f = await fields(e, { method: 'virtual_account' })
    const { VbankExpDate: _, ...none } = f
    expect((await e.post('/v3/window', formBody(none, 'euc-kr'))).html).toContain('W032')
    expect(
      (await e.post('/v3/window', formBody({ ...f, VbankExpDate: '2099-01' }, 'euc-kr'))).html,
    ).toContain('W035')
    expect(
      (await e.post('/v3/window', formBody({ ...f, VbankExpDate: '20200101' }, 'euc-kr'))).html,
    ).toContain('W034')
  })

  it('shows the order decoded as CP949, or as UTF-8 when the browser says so in _charset_', async () => {
    const e = env()
    const f = await fields(e)
    const euc = await e.post('/v3/window', formBody(f, 'euc-kr'))
    expect(euc.html).toContain('테스트상품')
    expect(euc.html).toContain('1,000원')
    const utf8 = await e.post('/v3/window', formBody({ ...f, _charset_: 'UTF-8' }, 'utf-8'))
    expect(utf8.html).toContain('테스트상품')
  })

  it('an order number already paid through the window is refused on reopening (W005)', async () => {
    const e = env()
    const req = order()
    const f = (await e.provider.startCheckout(req)).form!.fields
    const page = await e.post('/v3/window', formBody({ ...f }, 'euc-kr'))
    const approve = /action="([^"]+\/approve)"/.exec(page.html)![1]!
    const result = postedForm((await e.post(approve)).html, 'result')
    const read = await e.provider.readCheckoutReturn(result.received(), {
      orderId: req.orderId,
      amount: req.amount,
      method: 'card',
    })
    if (read.outcome !== 'authenticated') throw new Error(JSON.stringify(read))
    await e.provider.approveCheckout(read.approval, {
      orderId: req.orderId,
      amount: req.amount,
      method: 'card',
    })
    expect((await e.post('/v3/window', formBody({ ...f }, 'euc-kr'))).html).toContain('W005')
  })

  it('a button for an unknown TxTid is a 404; the settings are live and optional ones unset with null', async () => {
    const e = env()
    expect((await e.post('/v3/window/nicepay00m01012501010000000000/approve')).status).toBe(404)
    const set = async (patch: Record<string, unknown>) =>
      (await e.fetch(`${BASE}/__sim/settings`, { method: 'POST', body: JSON.stringify(patch) })).json()
    expect(await set({ approvalRefusalCode: '3095', declineCode: 'I002' })).toMatchObject({
      approvalRefusalCode: '3095',
      declineCode: 'I002',
    })
    expect(e.sim.settings.approvalRefusalCode).toBe('3095')
    expect(await set({ approvalRefusalCode: null })).not.toHaveProperty('approvalRefusalCode')
    const counts = await (await e.fetch(`${BASE}/__sim/checkout`)).json()
    expect(counts).toEqual({ approvalCalls: 0, approvals: 0, netCancelCalls: 0, netCancels: 0 })
  })
})
