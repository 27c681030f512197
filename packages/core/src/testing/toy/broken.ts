// Broken adapters: each gets one thing wrong that real adapters get wrong. The conformance suite must catch each.
import type { CancelRequest, CancelResult } from '../../contract.js'
import { isPaymentError, PaymentError } from '../../errors.js'
import { ToyProvider } from './toy-provider.js'

/** Reports a timeout as a decline: the classic double-refund bug (the caller refunds again). */
export class TimeoutAsDecline extends ToyProvider {
  override async cancel(req: CancelRequest): Promise<CancelResult> {
    try {
      return await super.cancel(req)
    } catch (err) {
      if (isPaymentError(err) && err.code === 'timeout') {
        throw new PaymentError({ code: 'provider_rejected', message: 'timed out', provider: 'toy' })
      }
      throw err
    }
  }
}

/** Forgets to send the PG's duplicate guard. */
export class NoDedupId extends ToyProvider {
  protected override body(req: CancelRequest): object {
    return { tx: req.transactionId, amount: req.amount, refund: req.refundAccount }
  }
}

/** Sends whatever it gets to the PG. */
export class NoValidation extends ToyProvider {
  override validate(): void {}
}

/** Takes any 200 as success. */
export class TrustsAnyOk extends ToyProvider {
  protected override read(res: { status: number; text(): string }): Record<string, unknown> {
    try {
      return super.read(res)
    } catch (err) {
      if (res.status === 200 && isPaymentError(err) && err.code === 'invalid_response') {
        return { code: 'OK', amount: 0, remaining: 0, at: new Date().toISOString() }
      }
      throw err
    }
  }
}
