import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  createSecretKey,
  type KeyObject,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto'

/**
 * The master key encrypts PG billing keys and refund accounts at rest (AES-256-GCM) and keys the
 * idempotency fingerprints (HMAC), so a stored fingerprint of a request carrying card data reveals nothing.
 */
export class Vault {
  readonly #key: Buffer
  /** A KeyObject, not bytes: createHmac imports a Buffer key again on every call (it showed in the profile). */
  readonly #macKey: KeyObject

  constructor(masterKey: string) {
    this.#key = parseMasterKey(masterKey)
    this.#macKey = createSecretKey(createHmac('sha256', this.#key).update('paymux fingerprint v1').digest())
  }

  encrypt(plaintext: string): string {
    const iv = randomBytes(12)
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv)
    const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()])
    return `v1.${iv.toString('base64url')}.${cipher.getAuthTag().toString('base64url')}.${ct.toString('base64url')}`
  }

  decrypt(sealed: string): string {
    const [v, iv, tag, ct] = sealed.split('.')
    if (v !== 'v1' || !iv || !tag || ct === undefined) throw new Error('unreadable sealed value')
    const decipher = createDecipheriv('aes-256-gcm', this.#key, Buffer.from(iv, 'base64url'))
    decipher.setAuthTag(Buffer.from(tag, 'base64url'))
    return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8')
  }

  fingerprint(text: string): string {
    return createHmac('sha256', this.#macKey).update(text).digest('base64url')
  }
}

/** 32 bytes as 64 hex characters or base64/base64url. */
export function parseMasterKey(value: string): Buffer {
  const v = value.trim()
  const buf = /^[0-9a-fA-F]{64}$/.test(v) ? Buffer.from(v, 'hex') : Buffer.from(v, 'base64')
  if (buf.length !== 32) throw new Error('PAYMUX_MASTER_KEY must be 32 bytes (64 hex characters or base64)')
  return buf
}

export function generateMasterKey(): string {
  return randomBytes(32).toString('base64')
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex')
}

/**
 * Finds which merchant an API key belongs to. Every configured hash is compared, in constant time, with no
 * early exit, so timing says nothing about which entry (or which prefix) matched.
 */
export class ApiKeyIndex {
  readonly #entries: Array<{ hash: Buffer; merchantId: string }> = []

  add(merchantId: string, sha256Entry: string): void {
    const hex = sha256Entry.replace(/^sha256:/, '')
    this.#entries.push({ hash: Buffer.from(hex, 'hex'), merchantId })
  }

  lookup(presentedKey: string): string | undefined {
    const h = createHash('sha256').update(presentedKey).digest()
    let found: string | undefined
    for (const e of this.#entries) {
      if (timingSafeEqual(e.hash, h) && found === undefined) found = e.merchantId
    }
    return found
  }
}
