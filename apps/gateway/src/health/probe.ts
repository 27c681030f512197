import { randomBytes } from 'node:crypto'
import { type HttpCallEvent, PaymentError } from '@paymux/core'
import type { AccountRuntime } from '../runtime.js'
import type { CallSample } from './tracker.js'

/**
 * A call of real traffic, as the HTTP transport reports it: refused or broken connections, timeouts and 5xx
 * count against the account; any other answer (a decline, a validation refusal, "not found") is the PG working.
 */
export function sampleOfCall(e: HttpCallEvent, at: number): CallSample {
  if (e.outcome === 'response') {
    if (e.status !== undefined && e.status >= 500) return { at, ok: false, error: `HTTP ${e.status}` }
    return { at, ok: true }
  }
  const error =
    e.outcome === 'timeout'
      ? 'timeout'
      : e.outcome === 'never_sent'
        ? 'connection refused'
        : 'connection broken'
  return { at, ok: false, error }
}

/** PaymentError codes that say the PG could not be heard, rather than that it answered. */
const TECHNICAL = new Set(['timeout', 'provider_unavailable', 'invalid_response'])

const failed = (at: number, err: unknown): CallSample => {
  if (!(err instanceof PaymentError)) return { at, ok: false, error: 'probe failed unexpectedly' }
  return { at, ok: false, error: err.code === 'authentication_failed' ? 'authentication failed' : err.code }
}

/**
 * The probe: the adapter's own (the cheapest authenticated call its PG allows, which resolves only when the PG
 * answered as a working PG does), else a lookup of a transaction that cannot exist (letters and digits only, so
 * every PG's id format takes it): there the PG's "not found", or any other refusal it reads and answers, is a
 * success; not hearing it, an unreadable answer, or refused credentials are a failure.
 */
export async function probeAccount(account: AccountRuntime, at: () => number): Promise<CallSample> {
  const provider = account.provider
  if (provider.probe) {
    try {
      await provider.probe()
      return { at: at(), ok: true }
    } catch (err) {
      return failed(at(), err)
    }
  }
  const id = `paymuxprobe${randomBytes(6).toString('hex')}`
  try {
    await provider.getTransaction(id)
    return { at: at(), ok: true }
  } catch (err) {
    if (err instanceof PaymentError && err.code !== 'authentication_failed' && !TECHNICAL.has(err.code))
      return { at: at(), ok: true }
    return failed(at(), err)
  }
}
