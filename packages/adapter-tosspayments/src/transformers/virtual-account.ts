import {
  assertKrw,
  bankByCode,
  type IssueVirtualAccountRequest,
  invalidRequest,
  requireText,
} from '@paymux/core'
import type { TossVirtualAccountResult } from '../tosspayments.js'
import { invalidResponse, type Json, krw, obj, str } from '../wire.js'
import { ORDER_ID } from './checkout.js'

/** A due date as an instant: `YYYY-MM-DD` means the end of that day in KST. */
function dueInstant(dueDate: string): number {
  return /^\d{4}-\d{2}-\d{2}$/.test(dueDate) ? Date.parse(`${dueDate}T23:59:59+09:00`) : Date.parse(dueDate)
}

/** Toss takes `validHours` (default 168, at most 720, spec §1.2): the due date is turned into hours from now. */
export function validHoursOf(dueDate: string, now: number): number {
  return Math.ceil((dueInstant(dueDate) - now) / 3_600_000)
}

export function validateVirtualAccount(
  req: IssueVirtualAccountRequest,
  bankCodes: Readonly<Record<string, string>>,
  now: number,
): void {
  if (!ORDER_ID.test(String(req.orderId)))
    throw invalidRequest('orderId', 'must be 6-64 letters, digits, - or _')
  assertKrw(req.amount, 'amount', 200)
  requireText(req.goodsName, 'goodsName', 100)
  if (!bankCodes[req.bankCode]) throw invalidRequest('bankCode', 'is not a bank Toss issues accounts at')
  if (Number.isNaN(dueInstant(req.dueDate)))
    throw invalidRequest('dueDate', 'must be YYYY-MM-DD or an ISO time')
  const hours = validHoursOf(req.dueDate, now)
  if (hours < 1) throw invalidRequest('dueDate', 'must be in the future')
  if (hours > 720) throw invalidRequest('dueDate', 'must be at most 30 days (720 hours) away')
  if (req.taxFreeAmount !== undefined) assertKrw(req.taxFreeAmount, 'taxFreeAmount')
}

export function toVirtualAccountBody(
  req: IssueVirtualAccountRequest,
  bankCodes: Readonly<Record<string, string>>,
  now: number,
): Json {
  return {
    amount: req.amount,
    orderId: req.orderId,
    orderName: req.goodsName,
    customerName: req.depositorName ?? req.buyer?.name ?? '구매자',
    bank: bankCodes[req.bankCode],
    validHours: validHoursOf(req.dueDate, now),
    ...(req.taxFreeAmount !== undefined ? { taxFreeAmount: req.taxFreeAmount } : {}),
    ...(req.buyer?.email ? { customerEmail: req.buyer.email } : {}),
    ...(req.buyer?.phone ? { customerMobilePhone: req.buyer.phone.replace(/-/g, '') } : {}),
  }
}

export function virtualAccountFrom(
  p: Json,
  req: IssueVirtualAccountRequest,
  kftcOf: (tossCode: string) => string | undefined,
): TossVirtualAccountResult {
  const va = obj(p.virtualAccount)
  const paymentKey = str(p.paymentKey)
  const accountNumber = str(va?.accountNumber)
  if (!paymentKey || !va || !accountNumber || str(p.orderId) !== req.orderId)
    throw invalidResponse('virtual_account', 'the answer has no virtual account for this order', true)
  const amount = krw(p.totalAmount)
  if (amount !== req.amount) throw invalidResponse('virtual_account', `the account takes ${amount}`, true)
  const bankCode = kftcOf(str(va.bankCode) ?? '') ?? req.bankCode
  return {
    transactionId: paymentKey,
    bankCode,
    bankName: bankByCode(bankCode)?.name ?? str(va.bankCode) ?? '',
    accountNumber,
    ...(str(va.customerName) ? { holderName: str(va.customerName)! } : {}),
    amount,
    dueDate: str(va.dueDate) ?? req.dueDate,
    issuedAt: str(p.requestedAt) ?? '',
    ...(str(p.secret) ? { secret: str(p.secret)!, notificationSecret: str(p.secret)! } : {}),
    providerCode: str(p.status) ?? '',
    providerMessage: '',
  }
}
