// What scenario 5 points at the gateway besides bad API requests: a merchant webhook endpoint that answers
// huge, slow or never-ending bodies (or nothing), and notification bodies no PG would send.
import { createServer, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import fc from 'fast-check'

const CHUNK = Buffer.alloc(64 * 1024, 0x61)

/** Writes `total` bytes as fast as the reader takes them; stops when the reader hangs up. */
function stream(res: ServerResponse, total: number): void {
  let sent = 0
  let closed = false
  res.on('close', () => {
    closed = true
  })
  const pump = () => {
    while (!closed && sent < total) {
      sent += CHUNK.length
      if (!res.write(CHUNK)) return void res.once('drain', pump)
    }
    if (!closed) res.end()
  }
  pump()
}

export const HOSTILE_KINDS = ['huge', 'endless', 'trickle', 'silent'] as const
export type HostileKind = (typeof HOSTILE_KINDS)[number]

const answer: Record<HostileKind, (res: ServerResponse) => void> = {
  // 600 MB announced and sent, with a 500: the status must be recorded, the body not kept.
  huge: (res) => {
    res.writeHead(500, { 'content-type': 'text/plain', 'content-length': String(600 * 1024 * 1024) })
    stream(res, 600 * 1024 * 1024)
  },
  // A 2xx whose body never ends.
  endless: (res) => {
    res.writeHead(200, { 'content-type': 'text/plain' })
    stream(res, Number.POSITIVE_INFINITY)
  },
  // A 503 trickling a byte every 100 ms for ever.
  trickle: (res) => {
    res.writeHead(503, { 'content-type': 'text/plain' })
    const t = setInterval(() => res.write('x'), 100)
    res.on('close', () => clearInterval(t))
  },
  // Headers never come.
  silent: () => {},
}

export interface HostileEndpoint {
  url: string
  /** Requests received, by the kind that answered them. */
  served: Record<HostileKind, number>
  close(): Promise<void>
}

/** One endpoint; `/hooks` answers by turns, so every kind meets every retry schedule. */
export async function startHostileEndpoint(): Promise<HostileEndpoint> {
  const served = Object.fromEntries(HOSTILE_KINDS.map((k) => [k, 0])) as Record<HostileKind, number>
  let n = 0
  const server = createServer((req, res) => {
    req.resume()
    req.on('end', () => {
      const kind = HOSTILE_KINDS[n++ % HOSTILE_KINDS.length]!
      served[kind]++
      answer[kind](res)
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    served,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections()
        server.close(() => r())
      }),
  }
}

// ---------- notification bodies no PG would send ----------

/** Field names the three PGs' notifications use, so garbage reaches past the first checks. */
const FIELDS = [
  'TID',
  'ResultCode',
  'Amt',
  'MID',
  'MOID',
  'VbankNum',
  'StateCd',
  'PayMethod',
  'receipt_id',
  'price',
  'status',
  'private_key',
  'webhook_type',
  'tid',
  'orderno',
  'AMOUNT',
  'RESULTCODE',
  'noti_type',
  'cancel_amount',
]
const garbageValue = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.constantFrom(
    '%00abc',
    '\u0000',
    '4110',
    '0000',
    'VBANK',
    'cancel',
    'deposit_cancel',
    '9'.repeat(400),
    '-1',
  ),
  fc.stringMatching(/^[A-Za-z0-9]{1,40}$/),
  fc.integer().map(String),
)
const fields = fc.dictionary(fc.constantFrom(...FIELDS), garbageValue, { minKeys: 1, maxKeys: 6 })

export interface Garbage {
  body: Uint8Array
  contentType?: string
}

const enc = (s: string) => new TextEncoder().encode(s)

export const garbageNotification: fc.Arbitrary<Garbage> = fc.oneof(
  fields.map((f) => ({
    body: enc(new URLSearchParams(f).toString()),
    contentType: 'application/x-www-form-urlencoded',
  })),
  // Percent sequences as written: %00, broken escapes, bytes that are not UTF-8 once decoded.
  fc
    .array(
      fc.tuple(
        fc.constantFrom(...FIELDS),
        fc.constantFrom('%00abc', '%ff%fe', '%', '%zz', '%E0%80', 'a%00b'),
      ),
      {
        minLength: 1,
        maxLength: 4,
      },
    )
    .map((pairs) => ({
      body: enc(pairs.map(([k, v]) => `${k}=${v}`).join('&')),
      contentType: 'application/x-www-form-urlencoded',
    })),
  fields.map((f) => ({ body: enc(JSON.stringify(f)), contentType: 'application/json' })),
  fc.uint8Array({ maxLength: 300 }).map((body) => ({ body, contentType: 'application/octet-stream' })),
  fc.constantFrom<Garbage>(
    { body: enc('TID=%00abc'), contentType: 'application/x-www-form-urlencoded' },
    { body: enc('TID=%00abc&ResultCode=4110&Amt=1000'), contentType: 'application/x-www-form-urlencoded' },
    { body: enc('{"receipt_id":"\\u0000"}'), contentType: 'application/json' },
    { body: enc('{"tid":"\\u0000","AMOUNT":"1"}'), contentType: 'application/json' },
    { body: enc('{'), contentType: 'application/json' },
    { body: enc('null'), contentType: 'application/json' },
    { body: enc(''), contentType: 'text/plain' },
    { body: new Uint8Array([0xef, 0xbb, 0xbf, 0x00, 0xff]) },
  ),
)
