import { type HealthSettings, WINDOW_MS } from './config.js'

export type HealthStatus = 'healthy' | 'ejected' | 'probation'

/** What one call to an account's PG says about the account: only technical failures count against it. */
export interface CallSample {
  at: number
  ok: boolean
  /** A short reason (never a PG body): "timeout", "HTTP 503", "connection refused". */
  error?: string
}

/** What the tracker asks the store to record. */
export type Verdict = { to: 'ejected'; reason: string } | { to: 'probation' } | { to: 'healthy' } | undefined

/**
 * One account's recent calls in this process, and what they mean for its status. Pure bookkeeping: the status
 * itself lives in the database (shared by every gateway process), which the caller reads back.
 */
export class AccountTracker {
  #samples: CallSample[] = []
  #failuresInRow = 0
  #probeSuccessesInRow = 0

  constructor(readonly settings: HealthSettings) {}

  /** A call of real traffic or a probe. Answers the move it calls for from `status`, if any. */
  record(sample: CallSample, status: HealthStatus, probe: boolean): Verdict {
    this.#samples.push(sample)
    const cutoff = sample.at - WINDOW_MS
    while (this.#samples.length > 0 && this.#samples[0]!.at < cutoff) this.#samples.shift()
    if (sample.ok) {
      this.#failuresInRow = 0
      if (probe) this.#probeSuccessesInRow++
    } else {
      this.#failuresInRow++
      this.#probeSuccessesInRow = 0
    }
    const s = this.settings
    if (status === 'ejected') {
      return probe && this.#probeSuccessesInRow >= s.restoreAfterSuccesses ? { to: 'probation' } : undefined
    }
    if (sample.ok) return undefined
    // On probation one failure is enough: the account has just come back and has not earned a second chance.
    if (status === 'probation') return { to: 'ejected', reason: sample.error ?? 'technical failure' }
    if (this.#failuresInRow >= s.ejectAfterFailures)
      return {
        to: 'ejected',
        reason: `${this.#failuresInRow} failures in a row; last: ${sample.error ?? '?'}`,
      }
    const failed = this.#samples.filter((x) => !x.ok).length
    if (this.#samples.length >= s.minRequests && failed / this.#samples.length >= s.errorRate)
      return {
        to: 'ejected',
        reason: `${failed} of the last ${this.#samples.length} calls failed; last: ${sample.error ?? '?'}`,
      }
    return undefined
  }

  /** After a move is recorded, the counts start over for the new status. */
  reset(): void {
    this.#samples = []
    this.#failuresInRow = 0
    this.#probeSuccessesInRow = 0
  }
}
