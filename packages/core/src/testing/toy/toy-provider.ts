import type {
  CancelRequest,
  CancelResult,
  ProviderCapabilities,
  ProviderOperation,
  TransactionLookup,
} from '../../contract.js'
import { errorFromTable, PaymentError, type CodeTable } from '../../errors.js'
import { type FetchLike, HttpTransport } from '../../http.js'
import { BaseProvider, validateCancelRequest } from '../../provider.js'

const CODES: CodeTable = {
  NOT_FOUND: { code: 'transaction_not_found' },
  DUPLICATE: { code: 'duplicate_request' },
  ALREADY: { code: 'already_cancelled' },
  EXCEEDS: { code: 'amount_exceeds_cancellable' },
  REFUND_ACCOUNT: { code: 'refund_account_required' },
  BAD_AMOUNT: { code: 'invalid_request' },
}

/** The reference adapter for the toy PG: what a correct adapter does, in as few lines as possible. */
export class ToyProvider extends BaseProvider {
  readonly id = 'toy'
  readonly capabilities: ProviderCapabilities = {
    fullCancel: true,
    partialCancel: true,
    refundAccount: true,
    taxFreeAmount: false,
    billingKeys: false,
    virtualAccounts: false,
    paymentLookup: true,
    notifications: false,
    postDepositCancel: false,
    cancelDedup: true,
    chargeDedup: false,
    signedResponses: false,
  }
  protected http: HttpTransport

  constructor(opts: { baseUrl: string; fetch?: FetchLike; timeoutMs: number }) {
    super()
    this.http = new HttpTransport({
      provider: 'toy',
      baseUrl: opts.baseUrl,
      timeoutMs: opts.timeoutMs,
      ...(opts.fetch ? { fetch: opts.fetch } : {}),
    })
  }

  /** The toy's pre-flight: the shared checks (broken variants override it to skip them). */
  override validate(op: ProviderOperation): void {
    if (op.operation === 'cancel') validateCancelRequest(op.request, this.capabilities, this.id)
  }

  protected body(req: CancelRequest): object {
    return { tx: req.transactionId, amount: req.amount, cancelId: req.cancelId, refund: req.refundAccount }
  }

  /** Reads an answer; anything that is not the protocol is an unknown outcome. */
  protected read(res: { status: number; text(): string }): Record<string, unknown> {
    let json: Record<string, unknown>
    try {
      json = JSON.parse(res.text()) as Record<string, unknown>
      if (typeof json.code !== 'string') throw new Error('no code')
    } catch {
      throw new PaymentError({
        code: 'invalid_response',
        provider: 'toy',
        message: `unreadable answer (HTTP ${res.status})`,
      })
    }
    if (json.code !== 'OK') throw errorFromTable(CODES, 'toy', json.code as string, String(json.message))
    return json
  }

  override async cancel(req: CancelRequest): Promise<CancelResult> {
    this.validate({ operation: 'cancel', request: req })
    const res = await this.http.request({
      operation: 'cancel',
      method: 'POST',
      path: '/api/cancel',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(this.body(req)),
      moneyMoving: true,
    })
    const j = this.read(res)
    return {
      status: 'cancelled',
      cancelledAmount: j.amount as number,
      remainingAmount: j.remaining as number,
      providerCancelId: j.id as string,
      cancelledAt: j.at as string,
      providerCode: 'OK',
      providerMessage: 'ok',
    }
  }

  override async getTransaction(id: string): Promise<TransactionLookup> {
    const j = this.read(
      await this.http.request({
        operation: 'lookup',
        method: 'GET',
        path: `/api/tx/${id}`,
        moneyMoving: false,
      }),
    )
    const amount = j.amount as number
    const cancelled = j.cancelled as number
    return {
      transactionId: id,
      amount,
      cancelledAmount: cancelled,
      cancellableAmount: amount - cancelled,
      status: cancelled === 0 ? 'paid' : cancelled === amount ? 'cancelled' : 'partial_cancelled',
    }
  }
}
