/**
 * What the one who resumes an operation lends the settle step: when to look again, and when to stop looking.
 * The reconciler's backoff and give-up bound are one such schedule; a notification's lookup is another.
 */
export interface ResumeSchedule {
  /**
   * Nothing conclusive now: look again later (`noChange`: a lookup showed nothing moved; `slow`: the longest
   * wait; `evidence`: what was seen, for whoever shows it to a person).
   */
  later(opts?: { noChange?: boolean; slow?: boolean; evidence?: string }): Promise<void>
  /** Past the give-up bound: what evidence has not settled goes to needs_review. */
  expired(): boolean
  /** Earlier lookups that showed no change (this one not counted). */
  noChangeSoFar: number
  /** How many lookups showing no change prove a cancel never executed. */
  failAfterNoChange: number
}

/** What checking a needs_review item again found: settled (its new status), or not, and on what evidence. */
export interface ReviewCheck {
  settled: boolean
  status: string
  evidence: string
  /** What the PG answered, free of secrets, where it said anything. */
  shown?: Record<string, unknown>
}
