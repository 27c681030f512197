import { type HttpResponse, isPaymentError } from '@paymux/core'
import iconv from 'iconv-lite'
import { describe, expect, it } from 'vitest'
import { parseForm } from './encoding.js'
import { decodeAnswer } from './wire.js'

const res = (body: Uint8Array | string, status = 200): HttpResponse => {
  const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body
  return { status, headers: new Headers(), body: bytes, text: () => new TextDecoder().decode(bytes) }
}
const euckr = (s: string) => new Uint8Array(iconv.encode(s, 'cp949'))

function unreadable(fn: () => unknown) {
  try {
    fn()
  } catch (err) {
    if (isPaymentError(err)) return err
    throw err
  }
  throw new Error('expected an error')
}

describe('decodeAnswer reads whatever NicePay sends', () => {
  it('UTF-8 JSON', () => {
    expect(decodeAnswer(res('{"ResultCode":"2001","ResultMsg":"취소 성공","CancelAmt":1004}'), true)).toEqual(
      {
        ResultCode: '2001',
        ResultMsg: '취소 성공',
        CancelAmt: '1004',
      },
    )
  })
  it('EUC-KR JSON, even when its bytes happen to be valid UTF-8 (홍 = C8 AB)', () => {
    expect(decodeAnswer(res(euckr('{"ResultCode":"2012","ResultMsg":"홍"}')), true).ResultMsg).toBe('홍')
    expect(
      decodeAnswer(res(euckr('{"ResultCode":"2012","ResultMsg":"취소 해당거래 없음"}')), true).ResultMsg,
    ).toBe('취소 해당거래 없음')
  })
  it('KV, raw EUC-KR, percent-escaped EUC-KR, raw UTF-8, with a BOM or a trailing newline', () => {
    expect(
      decodeAnswer(res(euckr('ResultCode=2001&ResultMsg=취소 성공&CancelAmt=000000001004')), true),
    ).toMatchObject({
      ResultCode: '2001',
      ResultMsg: '취소 성공',
      CancelAmt: '000000001004',
    })
    expect(decodeAnswer(res('ResultCode=2001&ResultMsg=%C3%EB%BC%D2+%BC%BA%B0%F8'), true).ResultMsg).toBe(
      '취소 성공',
    )
    expect(decodeAnswer(res('\uFEFFResultCode=3001&ResultMsg=카드 결제 성공\r\n'), true)).toMatchObject({
      ResultCode: '3001',
      ResultMsg: '카드 결제 성공',
    })
  })
  it('HTML, truncated JSON, no ResultCode: invalid_response, unknown when money may have moved', () => {
    for (const body of [
      '<html><body>502</body></html>',
      '{"ResultCode":',
      '{"ResultMsg":"x"}',
      'Internal Server Error',
      '',
    ]) {
      const err = unreadable(() => decodeAnswer(res(body, 502), true))
      expect([err.code, err.outcome]).toEqual(['invalid_response', 'unknown'])
    }
    expect(unreadable(() => decodeAnswer(res('<html/>'), false)).outcome).toBe('rejected')
  })
  it('a non-200 is never read as an answer: unknown when money may have moved, a plain failure on a lookup', () => {
    const body = '{"ResultCode":"2001","ResultMsg":"취소 성공","CancelAmt":"000000001004"}'
    for (const status of [201, 400, 500, 503]) {
      const err = unreadable(() => decodeAnswer(res(body, status), true))
      expect([err.code, err.outcome, err.providerCode]).toEqual(['invalid_response', 'unknown', '2001'])
    }
    const lookup = unreadable(() => decodeAnswer(res(body, 503), false))
    expect([lookup.code, lookup.outcome, lookup.retryable]).toEqual([
      'provider_unavailable',
      'rejected',
      true,
    ])
    expect(unreadable(() => decodeAnswer(res(body, 404), false)).outcome).toBe('rejected')
  })
})

describe('parseForm (notifications)', () => {
  it('reads an EUC-KR notification whose only Korean value is valid UTF-8 by accident', () => {
    const body = new TextEncoder().encode('TID=T1&VbankInputName=%C8%AB&Amt=1000')
    expect(parseForm(body, 'auto').VbankInputName).toBe('홍')
  })
  it('reads a UTF-8 re-encoded notification', () => {
    const body = new TextEncoder().encode('TID=T1&VbankInputName=%ED%99%8D%EA%B8%B8%EB%8F%99')
    expect(parseForm(body, 'auto').VbankInputName).toBe('홍길동')
  })
})
