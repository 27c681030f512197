import { describe, expect, it } from 'vitest'
import { BANKS, isBankCode } from './banks.js'
import { errorFromTable, PaymentError } from './errors.js'

describe('PaymentError', () => {
  it('a timeout can never be a rejection', () => {
    expect(new PaymentError({ code: 'timeout', message: 't' }).outcome).toBe('unknown')
    expect(() => new PaymentError({ code: 'timeout', outcome: 'rejected', message: 't' })).toThrow(
      /never a rejection/,
    )
  })
  it('unreadable and badly signed answers default to unknown; declines to rejected', () => {
    expect(new PaymentError({ code: 'invalid_response', message: 'x' }).outcome).toBe('unknown')
    expect(new PaymentError({ code: 'signature_mismatch', message: 'x' }).outcome).toBe('unknown')
    expect(new PaymentError({ code: 'card_declined', message: 'x' }).outcome).toBe('rejected')
  })
  it('only a request that never left is retryable by default', () => {
    expect(new PaymentError({ code: 'provider_unavailable', message: 'x' }).retryable).toBe(true)
    expect(new PaymentError({ code: 'timeout', message: 'x' }).retryable).toBe(false)
  })
  it('maps PG codes through a data table and keeps unknown codes raw', () => {
    const table = { '2013': { code: 'already_cancelled' as const } }
    const known = errorFromTable(table, 'nicepay', '2013', '기취소 거래')
    expect([known.code, known.providerCode, known.outcome]).toEqual(['already_cancelled', '2013', 'rejected'])
    const unknown = errorFromTable(table, 'nicepay', '9999', '알 수 없음')
    expect([unknown.code, unknown.providerCode, unknown.providerMessage]).toEqual([
      'provider_rejected',
      '9999',
      '알 수 없음',
    ])
  })
  it('serialises without its cause', () => {
    const e = new PaymentError({
      code: 'invalid_response',
      message: 'm',
      cause: new Error('secret-bearing cause'),
    })
    expect(JSON.stringify(e)).not.toContain('secret-bearing')
  })
})

describe('banks', () => {
  it('knows the KFTC codes the contract names', () => {
    for (const code of [
      '004',
      '088',
      '020',
      '081',
      '011',
      '003',
      '023',
      '027',
      '031',
      '032',
      '034',
      '035',
      '037',
      '039',
      '045',
      '048',
      '071',
      '089',
      '090',
      '092',
    ]) {
      expect(isBankCode(code), code).toBe(true)
    }
    expect(BANKS.get('090')?.name).toBe('카카오뱅크')
    expect(isBankCode('04')).toBe(false)
    expect(isBankCode(4)).toBe(false)
  })
})
