/**
 * Secrets never reach a log line or an error message. A Redactor knows the secrets of one adapter instance
 * (keys, tokens) and also masks anything shaped like a card number.
 */
export const REDACTED = '[REDACTED]'

const PAN = /(?<![0-9A-Za-z])(\d[ -]?){12,18}\d(?![0-9A-Za-z])/g

export function maskCardNumbers(text: string): string {
  return text.replace(PAN, (m) => {
    const digits = m.replace(/\D/g, '')
    return digits.length >= 13 ? `${digits.slice(0, 6)}${'*'.repeat(digits.length - 10)}${digits.slice(-4)}` : m
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
