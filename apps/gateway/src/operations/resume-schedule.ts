/**
 * What the one who resumes an operation lends the settle step: when to look again, and when to stop looking.
 * The reconciler's backoff and give-up bound are one such schedule; a notification's lookup is another.
 */
export interface ResumeSchedule {
  /** Nothing conclusive now: look again later (`noChange`: a lookup showed nothing moved; `slow`: the longest wait). */
  later(opts?: { noChange?: boolean; slow?: boolean }): Promise<void>
  /** Past the give-up bound: what evidence has not settled goes to needs_review. */
  expired(): boolean
  /** Earlier lookups that showed no change (this one not counted). */
  noChangeSoFar: number
  /** How many lookups showing no change prove a cancel never executed. */
  failAfterNoChange: number
}
