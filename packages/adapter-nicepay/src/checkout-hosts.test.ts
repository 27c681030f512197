// NextAppURL / NetCancelURL arrive through the browser: only NicePay's approval hosts (or the configured
// simulator's origin) may receive the AuthToken. Spoofing cases after checkout.md §1.3 check 5.
import { describe, expect, it } from 'vitest'
import { APPROVAL_PATH, approvalUrlProblem, checkoutHosts, NET_CANCEL_PATH } from './checkout-hosts.js'

describe('checkout hosts', () => {
  const live = checkoutHosts({})

  it('live: accepts exactly dc1-api and dc2-api over https on 443, on the approval and cancel paths', () => {
    for (const ok of [
      'https://dc1-api.nicepay.co.kr/webapi/pay_process.jsp',
      'https://dc2-api.nicepay.co.kr/webapi/pay_process.jsp',
      'https://dc1-api.nicepay.co.kr:443/webapi/pay_process.jsp',
      'https://DC2-API.nicepay.co.kr/webapi/pay_process.jsp',
    ]) {
      expect(approvalUrlProblem(ok, APPROVAL_PATH, live.approvalOrigins), ok).toBeUndefined()
    }
    expect(
      approvalUrlProblem(
        'https://dc2-api.nicepay.co.kr/webapi/cancel_process.jsp',
        NET_CANCEL_PATH,
        live.approvalOrigins,
      ),
    ).toBeUndefined()
  })

  it('live: refuses look-alikes, other hosts, schemes, ports, paths, user info, queries and fragments', () => {
    for (const bad of [
      'http://dc1-api.nicepay.co.kr/webapi/pay_process.jsp',
      'https://dc1-api.nicepay.co.kr:8443/webapi/pay_process.jsp',
      'https://pg-api.nicepay.co.kr/webapi/pay_process.jsp',
      'https://webapi.nicepay.co.kr/webapi/pay_process.jsp',
      'https://dc1-api.nicepay.co.kr.evil.example/webapi/pay_process.jsp',
      'https://evil.example/dc1-api.nicepay.co.kr/webapi/pay_process.jsp',
      'https://dc1-api.nicepay.co.kr@evil.example/webapi/pay_process.jsp',
      'https://user:pw@dc1-api.nicepay.co.kr/webapi/pay_process.jsp',
      'https://dc1-api.nicepay.co.kr/webapi/pay_process.jsp?x=1',
      'https://dc1-api.nicepay.co.kr/webapi/pay_process.jsp?',
      'https://dc1-api.nicepay.co.kr/webapi/pay_process.jsp#f',
      'https://dc1-api.nicepay.co.kr/webapi/../webapi/pay_process.jsp/',
      'https://dc1-api.nicepay.co.kr/webapi/cancel_process.jsp',
      'https://dc1-api.nicepay.co.kr/WEBAPI/pay_process.jsp',
      'javascript:alert(1)',
      'not a url',
      '',
      undefined,
    ]) {
      expect(approvalUrlProblem(bad, APPROVAL_PATH, live.approvalOrigins), String(bad)).toBeDefined()
    }
  })

  it('a baseUrl off nicepay.co.kr is a simulator: its origin only, and its stand-in script', () => {
    const sim = checkoutHosts({ baseUrl: 'http://127.0.0.1:4567/' })
    expect(sim).toEqual({
      script: 'http://127.0.0.1:4567/v3/common/js/nicepay-pgweb.js',
      pageOrigins: ['http://127.0.0.1:4567'],
      approvalOrigins: ['http://127.0.0.1:4567'],
    })
    expect(
      approvalUrlProblem(
        'https://dc1-api.nicepay.co.kr/webapi/pay_process.jsp',
        APPROVAL_PATH,
        sim.approvalOrigins,
      ),
    ).toContain('host')
    // A baseUrl on NicePay's own domain stays live.
    expect(checkoutHosts({ baseUrl: 'https://webapi.nicepay.co.kr' })).toEqual(live)
    expect(live.script).toBe('https://pg-web.nicepay.co.kr/v3/common/js/nicepay-pgweb.js')
    expect(live.pageOrigins).toContain('https://web.nicepay.co.kr')
  })

  it('the options override both', () => {
    const h = checkoutHosts({
      baseUrl: 'http://127.0.0.1:4567',
      checkoutScriptUrl: 'https://web.nicepay.co.kr/v3/webstd/js/nicepay-3.0.js',
      checkoutApprovalOrigins: ['https://pg-api.nicepay.co.kr'],
    })
    expect(h.script).toBe('https://web.nicepay.co.kr/v3/webstd/js/nicepay-3.0.js')
    expect(h.pageOrigins).toContain('https://pg-web.nicepay.co.kr')
    expect(h.approvalOrigins).toEqual(['https://pg-api.nicepay.co.kr'])
  })
})
