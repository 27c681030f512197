/**
 * Secrets never reach a log line or an error message. A Redactor knows the secrets of one adapter instance
 * (keys, tokens) and also masks anything shaped like a card number.
 */
export const REDACTED = '[REDACTED]'

const PAN = /(?<![0-9A-Za-z])(\d[ -]?){12,18}\d(?![0-9A-Za-z])/g

function luhn(digits: string): boolean {
  let sum = 0
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48
    if (i % 2 === 1) {
      d *= 2
      if (d > 9) d -= 9
    }
    sum += d
  }
  return sum % 10 === 0
}

/**
 * Masks digit runs that could be card numbers (13-19 digits passing the Luhn check). Over-masking an id that
 * happens to pass Luhn is the price of never printing a PAN.
 */
export function maskCardNumbers(text: string): string {
  return text.replace(PAN, (m) => {
    const digits = m.replace(/\D/g, '')
    if (digits.length < 13 || !luhn(digits)) return m
    return `${digits.slice(0, 6)}${'*'.repeat(digits.length - 10)}${digits.slice(-4)}`
  })
}

export class Redactor {
  #secrets: string[] = []

  constructor(secrets: Iterable<string | undefined> = []) {
    for (const s of secrets) this.add(s)
  }

  add(secret: string | undefined): void {
    // Very short strings would redact ordinary text; credentials are never that short.
    if (!secret || secret.length < 6) return
    const forms = new Set([secret, encodeURIComponent(secret)])
    for (const f of forms) if (!this.#secrets.includes(f)) this.#secrets.push(f)
    this.#secrets.sort((a, b) => b.length - a.length)
  }

  apply(text: string): string {
    let out = text
    for (const s of this.#secrets) out = out.split(s).join(REDACTED)
    return maskCardNumbers(out)
  }
}

/** A pino-compatible subset: `(fields, message)`. */
export interface Logger {
  debug(fields: object, message?: string): void
  info(fields: object, message?: string): void
  warn(fields: object, message?: string): void
  error(fields: object, message?: string): void
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} }
