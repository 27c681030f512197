import { createDecipheriv } from 'node:crypto'

/**
 * The form `@bootpay/client-js` posts into its iframe (checkout.md §2.2): `payload` = base64 of AES-256-CBC/PKCS7
 * over the JSON, `token` = base64(key) + `##` + base64(iv). Obfuscation, not protection: the token travels with
 * it. Undefined when the pair does not decrypt to a JSON object.
 */
export function decryptSdkPayload(payload: string, token: string): Record<string, unknown> | undefined {
  const [k, iv, rest] = token.split('##')
  if (k === undefined || iv === undefined || rest !== undefined) return undefined
  const key = Buffer.from(k, 'base64')
  const vector = Buffer.from(iv, 'base64')
  if (key.length !== 32 || vector.length !== 16) return undefined
  try {
    const d = createDecipheriv('aes-256-cbc', key, vector)
    const text = Buffer.concat([d.update(Buffer.from(payload, 'base64')), d.final()]).toString('utf8')
    const v: unknown = JSON.parse(text)
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined
  } catch {
    return undefined
  }
}
