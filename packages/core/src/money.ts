import { PaymentError } from './errors.js'

/** Amounts are integer Korean won. 12 digits is more than any single card or bank payment can carry. */
export const MAX_KRW = 999_999_999_999

export function isKrw(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 && value <= MAX_KRW
}

/**
 * Returns the value when it is a valid KRW amount, otherwise throws `invalid_request` naming `field`.
 * `min` defaults to 0; pass 1 for amounts that must move money.
 */
export function assertKrw(value: unknown, field: string, min = 0): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw invalidAmount(field, 'must be a number of won')
  }
  if (!Number.isInteger(value))
    throw invalidAmount(field, 'must be a whole number of won (KRW has no minor unit)')
  if (value < min) throw invalidAmount(field, min > 0 ? `must be at least ${min}` : 'must not be negative')
  if (value > MAX_KRW) throw invalidAmount(field, 'must have at most 12 digits')
  return value
}

/** Parses a PG's decimal string ("001000", "1000", 1000) into KRW; anything else is `undefined`. */
export function parseKrw(value: unknown): number | undefined {
  if (typeof value === 'number') return isKrw(value) ? value : undefined
  if (typeof value !== 'string' || !/^\d{1,15}$/.test(value.trim())) return undefined
  const n = Number(value.trim())
  return isKrw(n) ? n : undefined
}

function invalidAmount(field: string, what: string): PaymentError {
  return new PaymentError({ code: 'invalid_request', message: `${field} ${what}`, param: field })
}
