import assert from 'node:assert/strict'
import type { CancelResult, RefundAccount } from '../contract.js'
import type { Fault } from '../simulator/faults.js'
import type { ConformanceSetup } from './harness.js'
import { isPaymentError, type PaymentError, type PaymentErrorCode } from '../errors.js'

let seq = 0
export const cancelId = (tag: string) => `cf-${tag}-${Date.now().toString(36)}-${(seq++).toString(36)}`
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
export const DEFAULT_REFUND: RefundAccount = {
  bankCode: '004',
  accountNumber: '12345678901234',
  holderName: '홍길동',
}

export async function expectError(p: Promise<unknown>, what: string): Promise<PaymentError> {
  let value: unknown
  try {
    value = await p
  } catch (err) {
    assert.ok(isPaymentError(err), `${what}: expected a PaymentError, got ${String(err)}`)
    return err as PaymentError
  }
  assert.fail(`${what}: expected a PaymentError, but it succeeded with ${JSON.stringify(value)}`)
}

export async function expectCode(
  p: Promise<unknown>,
  codes: PaymentErrorCode | PaymentErrorCode[],
  what: string,
) {
  const err = await expectError(p, what)
  const want = Array.isArray(codes) ? codes : [codes]
  assert.ok(
    want.includes(err.code),
    `${what}: expected ${want.join(' or ')}, got ${err.code} (${err.message})`,
  )
  return err
}

export function assertCancelled(r: CancelResult, amount: number, what: string) {
  assert.equal(r.status, 'cancelled', `${what}: status`)
  if (r.status !== 'cancelled') return
  assert.equal(r.cancelledAmount, amount, `${what}: cancelledAmount`)
  assert.ok(
    typeof r.cancelledAt === 'string' && !Number.isNaN(Date.parse(r.cancelledAt)),
    `${what}: cancelledAt`,
  )
}

export const needs = (ok: boolean, why: string) => (ok ? undefined : why)

/** Queues a fault for the cancel call (see `ConformanceSetup.cancelPath`). */
export function faultOnCancel(s: ConformanceSetup, fault: Fault, times = 1): void {
  s.faults.inject({ fault, times, ...(s.cancelPath ? { path: s.cancelPath } : {}) })
}
