import {
  type ApprovedCheckout,
  type CheckoutApproval,
  type CheckoutExpected,
  type CheckoutVirtualAccount,
  isPaymentError,
  kstIso,
  PaymentError,
  parseKrw,
  parseKstCompact,
} from '@paymux/core'
import type { Answer } from '../wire.js'
import { PROVIDER } from '../wire.js'
import { methodOf } from './lookup.js'

/** An outcome the caller must reconcile: CookiePay approved inside its window, so nothing here is a refusal. */
export function unknownApproval(why: string, cause?: unknown): PaymentError {
  const base = isPaymentError(cause) ? cause : undefined
  return new PaymentError({
    code: base?.code === 'timeout' ? 'timeout' : 'invalid_response',
    outcome: 'unknown',
    provider: PROVIDER,
    ...(base?.providerCode ? { providerCode: base.providerCode } : {}),
    ...(base?.providerMessage ? { providerMessage: base.providerMessage } : {}),
    message: `cookiepay checkout: ${why}; the payment's outcome is unknown, verify it again later`,
    ...(cause === undefined ? {} : { cause }),
  })
}

/** CookiePay states, through paycert, that this is no payment of the order: the checkout failed. */
export function refusedApproval(
  code: 'transaction_not_found' | 'provider_rejected',
  why: string,
  a?: Answer,
): PaymentError {
  return new PaymentError({
    code,
    outcome: 'rejected',
    provider: PROVIDER,
    ...(a ? { providerCode: a.code, providerMessage: a.message } : {}),
    message: `cookiepay checkout: ${why}`,
  })
}

/** CookiePay's 2-digit bank code (paycert CARDCODE "03") as the KFTC code ("003"), by the refund table. */
function kftcBankCode(code: string | undefined, table: Readonly<Record<string, string>>): string | undefined {
  if (!code) return undefined
  return Object.entries(table).find(([, cp]) => cp === code)?.[0] ?? (/^\d{3}$/.test(code) ? code : undefined)
}

/**
 * A paycert answer `0000` for the TID the browser brought → what CookiePay approved. ORDERNO must be the stored
 * order (another order's TID is no payment of this one); a cancelled payment is not paid. The amount is
 * CookiePay's own: when it differs from the stored amount the host undoes the payment (`undoCheckout`).
 */
export function approvedFromPaycert(
  a: Answer,
  approval: CheckoutApproval,
  expected: CheckoutExpected,
  bankCodes: Readonly<Record<string, string>>,
  now: number,
): ApprovedCheckout {
  const tid = approval.transactionId
  const f = a.fields
  const returnedTid = f.get('TID')
  if (returnedTid && returnedTid !== tid) throw unknownApproval('paycert answered for another TID')
  const amount = parseKrw(f.get('AMOUNT'))
  if (amount === undefined) throw unknownApproval('paycert RESULTCODE 0000 without a readable AMOUNT')
  const orderNo = f.get('ORDERNO')
  if (!orderNo) throw unknownApproval('paycert RESULTCODE 0000 without an ORDERNO')
  if (orderNo !== expected.orderId) {
    throw refusedApproval(
      'transaction_not_found',
      `CookiePay's payment ${tid} belongs to another order; this order has no payment by that TID`,
      a,
    )
  }
  if (f.get('CANCELDATE')) {
    throw refusedApproval('provider_rejected', `CookiePay reports payment ${tid} as cancelled`, a)
  }
  const isVa = methodOf(f.get('PAYMETHOD', 'PAY_METHOD')) === 'virtual_account'
  const base = {
    transactionId: tid,
    amount,
    providerCode: a.code,
    providerMessage:
      amount === expected.amount
        ? a.message
        : `${a.message} (CookiePay approved ${amount}, the order is ${expected.amount})`.trim(),
  }
  const acceptNo = f.get('ACCEPTNO', 'ACCEPT_NO')
  if (!isVa) {
    const cardName = f.get('CARDNAME')
    return {
      status: 'paid',
      method: 'card',
      ...base,
      paidAt: parseKstCompact(f.get('ACCEPTDATE', 'ACCEPT_DATE')) ?? kstIso(now),
      ...(acceptNo ? { approvalNumber: acceptNo } : {}),
      ...(cardName ? { cardName } : {}),
    }
  }
  // A virtual account just issued in the window waits for its deposit, whatever ACCEPTDATE says (the one
  // captured VACCOUNT paycert has it filled without telling issue from deposit): the deposit Noti, verified by
  // paycert, makes it paid.
  const pick = (name: string) => f.get(name) ?? approval.data[`decrypted.${name}`]
  const accountNumber = pick('ACCOUNTNO')
  const bankName = pick('CARDNAME')
  const bankCode = kftcBankCode(pick('CARDCODE'), bankCodes)
  const holderName = pick('RECEIVERNAME')
  const dueDate = parseKstCompact(pick('DEPOSITENDDATE'))
  const virtualAccount: CheckoutVirtualAccount | undefined =
    accountNumber && bankName
      ? {
          bankName,
          accountNumber,
          ...(bankCode ? { bankCode } : {}),
          ...(holderName ? { holderName } : {}),
          ...(dueDate ? { dueDate } : {}),
        }
      : undefined
  return {
    status: 'waiting_for_deposit',
    method: 'virtual_account',
    ...base,
    ...(virtualAccount ? { virtualAccount } : {}),
  }
}
