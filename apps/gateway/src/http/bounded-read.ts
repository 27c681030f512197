/**
 * Reading answers from peers that are not a PG (a merchant's webhook endpoint): their body never decides
 * anything, so at most `maxBytes` of it are read and the rest is cancelled, which closes the connection. A body
 * that is huge, trickles, or never ends costs at most `maxBytes` of memory and never outlives `signal`.
 */

/** What is kept of a webhook endpoint's answer: enough to show in a log, never more. */
export const MAX_PEER_BODY_BYTES = 4 * 1024

export interface BoundedBody {
  bytes: Uint8Array
  /** The peer sent more than `maxBytes` (or was still sending when the deadline came): the rest was cancelled. */
  truncated: boolean
}

export async function readBounded(
  res: Response,
  opts: { maxBytes?: number; signal?: AbortSignal } = {},
): Promise<BoundedBody> {
  const max = opts.maxBytes ?? MAX_PEER_BODY_BYTES
  if (!res.body) return { bytes: new Uint8Array(), truncated: false }
  const reader = res.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  let truncated = false
  // A body still arriving when the deadline comes is cut off there, whatever the peer does.
  const stop = () => void reader.cancel().catch(() => undefined)
  if (opts.signal?.aborted) stop()
  else opts.signal?.addEventListener('abort', stop, { once: true })
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) {
        truncated ||= opts.signal?.aborted ?? false
        break
      }
      const room = max - size
      if (value.length >= room) {
        if (room > 0) chunks.push(value.subarray(0, room))
        size = max
        // Whether anything follows is not worth waiting for: a peer at the limit counts as cut off.
        truncated = true
        break
      }
      chunks.push(value)
      size += value.length
    }
  } catch {
    // Reset mid-body or cancelled by the deadline: what arrived is all there is.
    truncated = true
  } finally {
    opts.signal?.removeEventListener('abort', stop)
    await reader.cancel().catch(() => undefined)
  }
  const bytes = new Uint8Array(size)
  let at = 0
  for (const c of chunks) {
    bytes.set(c, at)
    at += c.length
  }
  return { bytes, truncated }
}
