import { execFile } from 'node:child_process'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import type { CreateCancellation } from './index.js'

// Types generated from the gateway's document, checked by tsc (the test below compiles this package): each
// `@ts-expect-error` line must be refused, or tsc fails on the unused directive.
const accepted: CreateCancellation[] = [
  { paymentId: 'pay_7ZqkP3mW0aLxR2nV8cTy1b', reason: 'customer request' },
  {
    account: 'nice-main',
    transactionId: 'nicepay00m01012601151030001234',
    amount: 1000,
    reason: 'customer request',
  },
]
const refused: CreateCancellation[] = [
  // @ts-expect-error a cancel names its payment: paymentId, or account + transactionId
  { reason: 'customer request' },
  // @ts-expect-error an account alone names no payment either
  { account: 'nice-main', reason: 'customer request' },
]

describe('the generated request types', () => {
  it('tsc accepts both forms of a cancel and refuses one that names no payment', async () => {
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc')
    const project = fileURLToPath(new URL('../tsconfig.json', import.meta.url))
    const result = await promisify(execFile)(process.execPath, [tsc, '-p', project, '--noEmit']).then(
      () => '',
      (err: { stdout?: string }) => err.stdout ?? String(err),
    )
    expect(result).toBe('')
    expect(accepted.length + refused.length).toBe(4)
  })
})
