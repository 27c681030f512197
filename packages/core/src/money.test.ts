import { describe, expect, it } from 'vitest'
import { isPaymentError } from './errors.js'
import { assertKrw, isKrw, MAX_KRW, parseKrw } from './money.js'

function codeOf(fn: () => unknown) {
  try {
    fn()
  } catch (err) {
    return isPaymentError(err) ? `${err.code}:${err.param}` : String(err)
  }
  return 'no error'
}

describe('money', () => {
  it('rejects non-integers, negatives, non-numbers and more than 12 digits, naming the field', () => {
    expect(codeOf(() => assertKrw(1.5, 'amount'))).toBe('invalid_request:amount')
    expect(codeOf(() => assertKrw(-1, 'amount'))).toBe('invalid_request:amount')
    expect(codeOf(() => assertKrw(MAX_KRW + 1, 'amount'))).toBe('invalid_request:amount')
    expect(codeOf(() => assertKrw('1000', 'taxFreeAmount'))).toBe('invalid_request:taxFreeAmount')
    expect(codeOf(() => assertKrw(Number.NaN, 'amount'))).toBe('invalid_request:amount')
    expect(codeOf(() => assertKrw(Number.POSITIVE_INFINITY, 'amount'))).toBe('invalid_request:amount')
    expect(codeOf(() => assertKrw(0, 'amount', 1))).toBe('invalid_request:amount')
  })
  it('accepts integer won from 0 to 12 digits', () => {
    expect(assertKrw(0, 'a')).toBe(0)
    expect(assertKrw(MAX_KRW, 'a')).toBe(MAX_KRW)
    expect(isKrw(1000)).toBe(true)
    expect(isKrw(10 ** 12)).toBe(false)
  })
  it('parses PG decimal strings, padded or not, and nothing else', () => {
    expect(parseKrw('000001000')).toBe(1000)
    expect(parseKrw(' 2500 ')).toBe(2500)
    expect(parseKrw(700)).toBe(700)
    expect(parseKrw('1,000')).toBeUndefined()
    expect(parseKrw('1e3')).toBeUndefined()
    expect(parseKrw('-5')).toBeUndefined()
    expect(parseKrw('9999999999999')).toBeUndefined()
    expect(parseKrw(null)).toBeUndefined()
  })
})
