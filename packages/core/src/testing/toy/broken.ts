// Broken adapters: each gets one thing wrong that real adapters get wrong. The conformance suite must catch each.
import { randomBytes } from 'node:crypto'
import type {
  ApprovedCheckout,
  CheckoutApproval,
  CheckoutExpected,
  CheckoutResult,
  CheckoutReturn,
} from '../../checkout.js'
import type { CancelRequest, CancelResult, ProviderCapabilities } from '../../contract.js'
import { errorFromTable, isPaymentError, PaymentError } from '../../errors.js'
import { TOY_CAPABILITIES, TOY_CODES, ToyProvider } from './toy-provider.js'

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

/** Takes any 200 as success (and for what was asked). */
export class TrustsAnyOk extends ToyProvider {
  #asked: number | undefined
  override cancel(req: CancelRequest): Promise<CancelResult> {
    this.#asked = req.amount
    return super.cancel(req)
  }
  protected override read(res: { status: number; text(): string }): Record<string, unknown> {
    try {
      return super.read(res)
    } catch (err) {
      if (res.status === 200 && isPaymentError(err) && err.code === 'invalid_response') {
        return { code: 'OK', amount: this.#asked ?? 0, remaining: 0, at: new Date().toISOString() }
      }
      throw err
    }
  }
}

/** Reads the body and never the HTTP status, and takes a code it does not know for a refusal. */
export class IgnoresHttpStatus extends ToyProvider {
  protected override read(res: { status: number; text(): string }): Record<string, unknown> {
    let json: Record<string, unknown>
    try {
      json = JSON.parse(res.text()) as Record<string, unknown>
      if (typeof json.code !== 'string') throw new Error('no code')
    } catch {
      throw new PaymentError({ code: 'invalid_response', provider: 'toy', message: 'unreadable answer' })
    }
    if (json.code !== 'OK') throw errorFromTable(TOY_CODES, 'toy', json.code as string, String(json.message))
    return json
  }
}

/**
 * An account without the PG's duplicate guard (no cancel id is sent, and the capabilities say so), whose
 * adapter still re-sends a cancel whose connection broke: the classic "retry on network error".
 */
export class ResendsOnBrokenConnection extends ToyProvider {
  override readonly capabilities: ProviderCapabilities = { ...TOY_CAPABILITIES, cancelDedup: false }
  protected override body(req: CancelRequest): object {
    return { tx: req.transactionId, amount: req.amount, refund: req.refundAccount }
  }
  override async cancel(req: CancelRequest): Promise<CancelResult> {
    try {
      return await super.cancel(req)
    } catch (err) {
      if (!isPaymentError(err) || !/connection broke/.test(err.message)) throw err
      return super.cancel(req).catch(() => {
        throw err
      })
    }
  }
}

/** Reports whatever amount the PG's answer names, even when it is not what was asked. */
export class TrustsAnswerAmount extends ToyProvider {
  protected override checkMoved(): void {}
}

/** Shortens a long cancel id with a random tail, so each send of the same cancel gets a new guard. */
export class LongIdsGetFreshGuard extends ToyProvider {
  protected override body(req: CancelRequest): object {
    const id =
      req.cancelId.length > 64
        ? `${req.cancelId.slice(0, 40)}${randomBytes(8).toString('hex')}`
        : req.cancelId
    return { tx: req.transactionId, amount: req.amount, cancelId: id, refund: req.refundAccount }
  }
}

/** Takes the amount the browser brought for the truth, and skips the result's signature. */
export class TrustsBrowserAmount extends ToyProvider {
  override async readCheckoutReturn(
    input: CheckoutReturn,
    expected: CheckoutExpected,
  ): Promise<CheckoutResult> {
    const f = Object.fromEntries(new URLSearchParams(new TextDecoder().decode(input.rawBody)))
    if (f.result !== 'authenticated') return super.readCheckoutReturn(input, expected)
    return {
      outcome: 'authenticated',
      approval: { transactionId: f.tx ?? '', amount: Number(f.amount), data: {} },
    }
  }
}

/** Sends an approval again when its connection broke: the toy has no duplicate guard, so it charges twice. */
export class ResendsApproval extends ToyProvider {
  override async approveCheckout(
    approval: CheckoutApproval,
    expected: CheckoutExpected,
  ): Promise<ApprovedCheckout> {
    try {
      return await super.approveCheckout(approval, expected)
    } catch (err) {
      if (!isPaymentError(err) || err.outcome !== 'unknown') throw err
      return super.approveCheckout(approval, expected)
    }
  }
}
