import { describe, expect, it } from 'vitest'
import { CreateBillingKeySchema, CreateCancellationSchema } from '../schemas.js'
import { describeIssues, nearestKey } from './validation.js'

// The problem a 400 names first (`param`, `message`); `errors` lists it with the others.
const first = (issues: Parameters<typeof describeIssues>[0]) => {
  const d = describeIssues(issues)
  return d && { param: d.param, message: d.message }
}
const cancel = (body: unknown) => {
  const r = CreateCancellationSchema.safeParse(body)
  return r.success ? 'accepted' : first(r.error.issues)
}

describe('a 400 for a request body names the field at fault', () => {
  it('an unknown key: the key itself as param, and the near match', () => {
    expect(cancel({ payment_id: 'pay_x', reason: 'r' })).toEqual({
      param: 'payment_id',
      message: 'Unrecognized key "payment_id" — did you mean "paymentId"?',
    })
    expect(cancel({ transaction_id: 't', account: 'a', reason: 'r' })).toEqual({
      param: 'transaction_id',
      message: 'Unrecognized key "transaction_id" — did you mean "transactionId"?',
    })
    expect(cancel({ paymentId: 'p', ammount: 5, reason: 'r' })).toMatchObject({
      param: 'ammount',
      message: 'Unrecognized key "ammount" — did you mean "amount"?',
    })
    expect(
      cancel({
        paymentId: 'p',
        reason: 'r',
        refundAccount: { bank_code: '004', accountNumber: '123456', holderName: 'x' },
      }),
    ).toEqual({
      param: 'refundAccount.bank_code',
      message: 'Unrecognized key "bank_code" — did you mean "bankCode"?',
    })
    const billing = CreateBillingKeySchema.safeParse({
      card: { number: '4111111111111111', expiryYear: '30', expiryMonth: '12' },
      colour: 'blue',
    })
    expect(billing.success ? undefined : first(billing.error.issues)).toEqual({
      param: 'colour',
      message: 'Unrecognized key "colour"',
    })
  })

  it('the cancel rule: paymentId, or account + transactionId, never both', () => {
    const names = 'give paymentId, or transactionId (with account or provider)'
    expect(cancel({ reason: 'r' })).toEqual({ param: 'paymentId', message: `paymentId: ${names}` })
    expect(cancel({})).toEqual({ param: 'paymentId', message: `paymentId: ${names}` })
    expect(cancel({ account: 'a', reason: 'r' })).toEqual({
      param: 'transactionId',
      message: `transactionId: ${names}`,
    })
    expect(cancel({ paymentId: 'p', account: 'a', transactionId: 't', reason: 'r' })).toEqual({
      param: 'account',
      message: '"account": give either paymentId or account + transactionId, not both',
    })
    expect(cancel({ paymentId: 'p', reason: 'r' })).toBe('accepted')
    expect(cancel({ account: 'a', transactionId: 't', reason: 'r' })).toBe('accepted')
  })

  it('within the form the client meant: the field of that form', () => {
    expect(cancel({ transactionId: 't', reason: 'r', amount: -5 })).toMatchObject({ param: 'amount' })
    expect(cancel({ paymentId: 5, reason: 'r' })).toMatchObject({ param: 'paymentId' })
    expect(cancel({ paymentId: 'p' })).toMatchObject({ param: 'reason' })
    expect(cancel({ paymentId: 'p', reason: 'r', amount: 100, taxFreeAmount: 200 })).toEqual({
      param: 'taxFreeAmount',
      message: 'taxFreeAmount: must not exceed amount',
    })
  })

  it('the near match is the same key but for case and separators, or a typo or two away; else none', () => {
    const known = ['paymentId', 'amount', 'reason', 'taxFreeAmount']
    expect(nearestKey('PAYMENT-ID', known)).toBe('paymentId')
    expect(nearestKey('resaon', known)).toBe('reason')
    expect(nearestKey('taxFreeAmont', known)).toBe('taxFreeAmount')
    expect(nearestKey('colour', known)).toBeUndefined()
    expect(nearestKey('id', known)).toBeUndefined()
  })
})
