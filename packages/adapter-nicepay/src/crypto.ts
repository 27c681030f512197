import { createCipheriv, createDecipheriv, createHash, timingSafeEqual } from 'node:crypto'

/** hex(sha256(concat)), lower case: every NicePay SignData / Signature. Inputs are ASCII. */
export function sha256Hex(...parts: string[]): string {
  return createHash('sha256').update(parts.join(''), 'utf8').digest('hex')
}

/** The SignData formulas of the legacy webapi, one per endpoint (manual, see the README). */
export const signData = {
  cancel: (mid: string, cancelAmt: string, ediDate: string, key: string) =>
    sha256Hex(mid, cancelAmt, ediDate, key),
  cancelResponse: (tid: string, mid: string, cancelAmt: string, key: string) =>
    sha256Hex(tid, mid, cancelAmt, key),
  vacount: (mid: string, amt: string, ediDate: string, moid: string, key: string) =>
    sha256Hex(mid, amt, ediDate, moid, key),
  billingRegist: (mid: string, ediDate: string, moid: string, key: string) =>
    sha256Hex(mid, ediDate, moid, key),
  billingApprove: (mid: string, ediDate: string, moid: string, amt: string, bid: string, key: string) =>
    sha256Hex(mid, ediDate, moid, amt, bid, key),
  billkeyRemove: (mid: string, ediDate: string, moid: string, bid: string, key: string) =>
    sha256Hex(mid, ediDate, moid, bid, key),
  transStatus: (tid: string, mid: string, ediDate: string, key: string) => sha256Hex(tid, mid, ediDate, key),
  /** The payment window's request (checkout.md §1.2). */
  window: (ediDate: string, mid: string, amt: string, key: string) => sha256Hex(ediDate, mid, amt, key),
  /** The auth result posted back through the browser (§1.3). */
  authResult: (authToken: string, mid: string, amt: string, key: string) =>
    sha256Hex(authToken, mid, amt, key),
  /** The approval call to NextAppURL, and the network cancel resending it (§1.4, §1.5). */
  approval: (authToken: string, mid: string, amt: string, ediDate: string, key: string) =>
    sha256Hex(authToken, mid, amt, ediDate, key),
  /** The approval's answer (§1.4): the same formula as a cancel answer's, over Amt instead of CancelAmt. */
  approvalResponse: (tid: string, mid: string, amt: string, key: string) => sha256Hex(tid, mid, amt, key),
} as const

/** Constant-time comparison of two hex digests, case-insensitive. */
export function sameHex(a: string, b: string): boolean {
  const x = Buffer.from(a.toLowerCase(), 'utf8')
  const y = Buffer.from(b.toLowerCase(), 'utf8')
  return x.length === y.length && timingSafeEqual(x, y)
}

/** AES-128 key: the first 16 characters of the MerchantKey, as ASCII bytes. */
function aesKey(merchantKey: string): Buffer {
  const k = Buffer.from(merchantKey.slice(0, 16), 'latin1')
  if (k.length !== 16) throw new TypeError('the MerchantKey must be at least 16 characters')
  return k
}

/** EncData: hex(AES-128-ECB/PKCS5(plain)), lower case (NicePay decodes hex case-insensitively). */
export function encryptEncData(plain: string, merchantKey: string): string {
  const c = createCipheriv('aes-128-ecb', aesKey(merchantKey), null)
  return Buffer.concat([c.update(plain, 'utf8'), c.final()]).toString('hex')
}

/** The simulator's side: undefined when the hex or the padding is wrong. */
export function decryptEncData(hex: string, merchantKey: string): string | undefined {
  if (!/^(?:[0-9a-fA-F]{32})+$/.test(hex)) return undefined
  try {
    const d = createDecipheriv('aes-128-ecb', aesKey(merchantKey), null)
    return Buffer.concat([d.update(Buffer.from(hex, 'hex')), d.final()]).toString('utf8')
  } catch {
    return undefined
  }
}
