import type { Buyer, CashReceipt, IssueVirtualAccountRequest, VirtualAccountResult } from '@paymux/core'
import { badRequest } from '../errors.js'
import { newId } from '../ids.js'
import type { PaymentView } from '../render.js'
import { pickAccount } from '../services/accounts.js'
import { type OperationDescriptor, validateCall } from './engine.js'
import {
  openPaymentIntent,
  type PaymentIntent,
  pendingPayment,
  settlePaymentIntent,
} from './payment-intents.js'

export interface VirtualAccountInput {
  account?: string
  amount: number
  taxFreeAmount?: number
  goodsName: string
  bankCode: string
  dueDate: string
  orderId?: string
  depositorName?: string
  cashReceipt?: CashReceipt
  buyer?: Buyer
}

interface VirtualAccountIntent extends PaymentIntent {
  request: IssueVirtualAccountRequest
}

/** POST /v1/virtual-accounts: a payment awaiting deposit, recorded as pending before the PG issues it. */
export const issueVirtualAccountOperation: OperationDescriptor<
  VirtualAccountInput,
  VirtualAccountIntent,
  VirtualAccountResult,
  PaymentView
> = {
  async prepare(rt, merchantId, input) {
    const account = pickAccount(rt, merchantId, {
      account: input.account,
      routingDefault: rt.merchants.get(merchantId)?.config.routing.virtualAccount,
      capability: 'virtualAccounts',
    })
    if (input.taxFreeAmount !== undefined && input.taxFreeAmount > input.amount)
      throw badRequest('taxFreeAmount', 'taxFreeAmount must not exceed amount')
    const id = newId('pay')
    const request: IssueVirtualAccountRequest = {
      orderId: input.orderId ?? id,
      amount: input.amount,
      goodsName: input.goodsName,
      bankCode: input.bankCode,
      dueDate: input.dueDate,
      ...(input.taxFreeAmount !== undefined ? { taxFreeAmount: input.taxFreeAmount } : {}),
      ...(input.depositorName ? { depositorName: input.depositorName } : {}),
      ...(input.cashReceipt ? { cashReceipt: input.cashReceipt } : {}),
      ...(input.buyer ? { buyer: input.buyer } : {}),
    }
    validateCall(account, { operation: 'issueVirtualAccount', request })
    const { buyer: _buyer, cashReceipt: _receipt, ...asked } = request
    const row = pendingPayment(rt, merchantId, account, {
      id,
      orderId: request.orderId,
      amount: input.amount,
      method: 'virtual_account',
      request: asked,
    })
    return { account, merchantId, row, request }
  },
  open: openPaymentIntent,
  request: (_rt, intent) => ({ operation: 'issueVirtualAccount', request: intent.request }),
  call(provider, call) {
    if (call.operation !== 'issueVirtualAccount') throw new Error(`cannot send ${call.operation}`)
    return provider.issueVirtualAccount(call.request)
  },
  subject: (intent) => ({ paymentId: intent.row.id, operation: 'issue_virtual_account' }),
  settle: (rt, intent, end, idem) =>
    settlePaymentIntent(
      rt,
      intent,
      end,
      (va) => ({
        status: 'waiting_for_deposit',
        transactionId: va.transactionId,
        virtualAccount: {
          bankCode: va.bankCode,
          bankName: va.bankName,
          accountNumber: va.accountNumber,
          ...(va.holderName ? { holderName: va.holderName } : {}),
          dueDate: va.dueDate,
          issuedAt: va.issuedAt,
        },
        ...(va.notificationSecret ? { notificationSecret: va.notificationSecret } : {}),
      }),
      { ok: 'payment.virtual_account_issued', failed: 'payment.failed' },
      idem,
    ),
}
