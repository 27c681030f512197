import type { Context, MiddlewareHandler } from 'hono'
import { Hono } from 'hono'

/**
 * Fault injection for simulators. A fault applies to the next matching call(s) to the PG. Faults marked
 * "executes" let the PG do the work and then spoil the answer: that is what produces unknown outcomes.
 */
export type Fault =
  /** Wait before answering. `phase: 'after'` (default) executes first: a timeout after the PG executed. */
  | { kind: 'delay'; ms: number; phase?: 'before' | 'after' }
  /** Answer with this status and body without executing (a proxy or the PG's front refusing). */
  | { kind: 'status'; status: number; body?: string; contentType?: string }
  /** Answer an HTML error page with status 200 or `status`, without executing. */
  | { kind: 'html'; status?: number }
  /** Execute, then answer a body that is not what the protocol promises. */
  | { kind: 'malformed'; body?: string }
  /** Execute, then break the connection before the answer is complete. */
  | { kind: 'drop' }
  /** Break the connection without executing. */
  | { kind: 'reset' }
  /** Execute, then sign the answer wrongly (simulators that sign honour it). */
  | { kind: 'bad_signature' }
  /** Execute, then answer bytes in a charset other than the one declared. */
  | { kind: 'mis_encoded' }
  /**
   * Execute, then answer with HTTP `status` and the PG's own answer whose result-code fields all carry `code`
   * (default `X931`, a code no table maps). Simulators whose answer has no code field honour it themselves.
   */
  | { kind: 'unmapped_code'; status: number; code?: string }
  /** Execute, then answer that `delta` KRW more (negative: less) was cancelled than the PG really did. */
  | { kind: 'other_amount'; delta: number }

export type FaultKind = Fault['kind']

export interface FaultRule {
  fault: Fault
  /** Substring of the request path the rule applies to; all paths when omitted. */
  path?: string
  /** How many calls it applies to. Default 1. */
  times?: number
}

export interface RandomFaults {
  /** Probability in [0, 1] that a call gets a fault. */
  rate: number
  faults: Fault[]
  path?: string
  /** Deterministic runs: a seed for the generator. */
  seed?: number
}

/** Paths under this prefix control the simulator and never get faults. */
export const CONTROL_PREFIX = '/__sim'

function mulberry32(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export class FaultInjector {
  #rules: Array<{ fault: Fault; path?: string; left: number }> = []
  #random: (RandomFaults & { next: () => number }) | undefined
  /** Every fault handed out, in order: tests read it to know what happened. */
  readonly log: Array<{ path: string; fault: Fault }> = []
  /** Calls seen on protocol (non-control) paths: lets tests prove that bad input never reached the PG. */
  calls = 0

  inject(rule: FaultRule | Fault): void {
    const r: FaultRule = 'kind' in rule ? { fault: rule } : rule
    this.#rules.push({ fault: r.fault, ...(r.path ? { path: r.path } : {}), left: r.times ?? 1 })
  }

  setRandom(random: RandomFaults | undefined): void {
    this.#random = random ? { ...random, next: mulberry32(random.seed ?? Date.now()) } : undefined
  }

  clear(): void {
    this.#rules = []
    this.#random = undefined
  }

  get pending(): number {
    return this.#rules.reduce((n, r) => n + r.left, 0)
  }

  /** The fault for a call to `path`, if any; consumes one use of it. */
  take(path: string): Fault | undefined {
    if (path.startsWith(CONTROL_PREFIX)) return undefined
    this.calls++
    const i = this.#rules.findIndex((r) => !r.path || path.includes(r.path))
    let fault: Fault | undefined
    if (i >= 0) {
      const r = this.#rules[i]!
      fault = r.fault
      if (--r.left <= 0) this.#rules.splice(i, 1)
    } else if (this.#random && (!this.#random.path || path.includes(this.#random.path))) {
      const rnd = this.#random
      if (rnd.faults.length > 0 && rnd.next() < rnd.rate)
        fault = rnd.faults[Math.floor(rnd.next() * rnd.faults.length)]
    }
    if (fault) this.log.push({ path, fault })
    return fault
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Context variable holding the fault of the current call, for faults the simulator itself must honour. */
export const FAULT_VAR = 'simFault'

/** The fault of this call, when it is one the handler must honour itself (bad_signature, mis_encoded). */
export function currentFault(c: Context): Fault | undefined {
  return (c.get as (k: string) => unknown)(FAULT_VAR) as Fault | undefined
}

/** For handlers: true (and the fault is used up) when this call carries a fault of `kind`. */
export function consumeFault(c: Context, kind: FaultKind): boolean {
  if (currentFault(c)?.kind !== kind) return false
  ;(c.set as (k: string, v: unknown) => void)(FAULT_VAR, undefined)
  return true
}

/**
 * The connection closed with nothing written (a `drop`; also a simulator's "executed, answer never comes"). In
 * process (no socket), a body that fails while being read does the same to the caller.
 */
export function brokenConnection(c: Context): Response {
  const incoming = (c.env as { incoming?: { socket?: { destroy(): void } } } | undefined)?.incoming
  if (incoming?.socket) {
    incoming.socket.destroy()
    // The socket is gone: whatever is returned is never written.
    return new Response(null, { status: 200 })
  }
  // In process (app.fetch), or in case the socket outlives destroy(): a body that fails while being read.
  const err = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })
  const body = new ReadableStream({
    start(ctrl) {
      ctrl.error(err)
    },
  })
  return new Response(body, { status: 200, headers: { 'content-type': 'application/json' } })
}

const HTML_PAGE =
  '<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>'

/** Replaces every non-ASCII UTF-8 sequence with EUC-KR-looking bytes, so a UTF-8 decoder sees garbage. */
export function misEncode(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  const out: number[] = []
  let changed = false
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!
    if (b < 0x80) out.push(b)
    else if (b >= 0xc0) {
      out.push(0xb0, 0xa1)
      changed = true
    }
  }
  if (!changed) {
    // Nothing to spoil: put one invalid byte into the body.
    const at = Math.max(0, out.indexOf(0x22) + 1)
    out.splice(at, 0, 0xff)
  }
  return new Uint8Array(out)
}

/** Field names (compared lower case, without `_`/`-`) that hold a PG's result code or a cancel's amount. */
export const RESULT_CODE_FIELDS: ReadonlySet<string> = new Set([
  'resultcode',
  'code',
  'errorcode',
  'cancelcode',
  'rtncd',
])
export const CANCEL_AMOUNT_FIELDS: ReadonlySet<string> = new Set([
  'amount',
  'cancelamt',
  'cancelamount',
  'requestcancelprice',
  'cancelledprice',
])
export const UNMAPPED_CODE = 'X931'

const fieldKey = (k: string) => k.toLowerCase().replace(/[_\s-]/g, '')

/**
 * Rewrites the values of the named fields in a JSON or form body, byte for byte elsewhere: the body is read as
 * latin1, so an EUC-KR or UTF-8 answer keeps every other byte (and its signature fields) as it was.
 */
export function rewriteFields(
  bytes: Uint8Array,
  names: ReadonlySet<string>,
  next: (old: string) => string,
): Uint8Array<ArrayBuffer> {
  const text = Buffer.from(bytes).toString('latin1')
  let out = text.replace(
    /"([^"\\]{1,64})"(\s*:\s*)("(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?)/g,
    (all, key: string, sep: string, value: string) => {
      if (!names.has(fieldKey(key))) return all
      const quoted = value.startsWith('"')
      const v = next(quoted ? value.slice(1, -1) : value)
      return `"${key}"${sep}${quoted || !/^-?\d+$/.test(v) ? `"${v}"` : v}`
    },
  )
  if (out === text && !text.trimStart().startsWith('{')) {
    out = text.replace(/(^|&)([^=&]{1,64})=([^&]*)/g, (all, lead: string, key: string, value: string) =>
      names.has(fieldKey(key)) ? `${lead}${key}=${encodeURIComponent(next(value))}` : all,
    )
  }
  return new Uint8Array(Buffer.from(out, 'latin1'))
}

function rewritten(res: Response, bytes: Uint8Array<ArrayBuffer>, status = res.status) {
  const headers = new Headers(res.headers)
  headers.delete('content-length')
  return new Response(bytes, { status, headers })
}

/** Hono middleware applying the injector's faults to every non-control route. */
export function faultMiddleware(injector: FaultInjector): MiddlewareHandler {
  return async (c, next) => {
    const fault = injector.take(c.req.path)
    if (!fault) return next()
    switch (fault.kind) {
      case 'status':
        return c.body(fault.body ?? '', fault.status as 500, {
          'content-type': fault.contentType ?? 'text/plain',
        })
      case 'html':
        return c.body(HTML_PAGE, (fault.status ?? 200) as 200, { 'content-type': 'text/html' })
      case 'reset':
        return brokenConnection(c)
      case 'delay':
        if (fault.phase === 'before') {
          await sleep(fault.ms)
          return next()
        }
        break
    }
    ;(c.set as (k: string, v: unknown) => void)(FAULT_VAR, fault)
    await next()
    switch (fault.kind) {
      case 'delay':
        await sleep(fault.ms)
        return
      case 'drop':
        c.res = brokenConnection(c)
        return
      case 'malformed':
        c.res = new Response(fault.body ?? '{"resultCode":', {
          status: 200,
          headers: { 'content-type': c.res.headers.get('content-type') ?? 'application/json' },
        })
        return
      case 'mis_encoded': {
        if (c.get(FAULT_VAR as never) === undefined) return // the handler honoured it itself
        const bytes = new Uint8Array(await c.res.arrayBuffer())
        c.res = new Response(misEncode(bytes), { status: c.res.status, headers: c.res.headers })
        return
      }
      case 'unmapped_code': {
        if (c.get(FAULT_VAR as never) === undefined) return // the handler honoured it itself
        const code = fault.code ?? UNMAPPED_CODE
        const bytes = rewriteFields(new Uint8Array(await c.res.arrayBuffer()), RESULT_CODE_FIELDS, () => code)
        c.res = rewritten(c.res, bytes, fault.status)
        return
      }
      case 'other_amount': {
        if (c.get(FAULT_VAR as never) === undefined) return
        const bytes = rewriteFields(new Uint8Array(await c.res.arrayBuffer()), CANCEL_AMOUNT_FIELDS, (v) => {
          const n = Number(v)
          return Number.isFinite(n) && v.trim() !== '' ? String(n + fault.delta) : v
        })
        c.res = rewritten(c.res, bytes)
        return
      }
    }
  }
}

/**
 * Control routes every simulator mounts: `POST /__sim/faults` `{fault, path?, times?}`,
 * `POST /__sim/faults/random` `{rate, faults, path?, seed?}`, `DELETE /__sim/faults`, `GET /__sim/faults/log`.
 */
export function faultControlRoutes(injector: FaultInjector): Hono {
  const app = new Hono()
  app.post('/faults', async (c) => {
    injector.inject((await c.req.json()) as FaultRule)
    return c.json({ ok: true, pending: injector.pending })
  })
  app.post('/faults/random', async (c) => {
    injector.setRandom((await c.req.json()) as RandomFaults)
    return c.json({ ok: true })
  })
  app.delete('/faults', (c) => {
    injector.clear()
    return c.json({ ok: true })
  })
  app.get('/faults/log', (c) => c.json({ calls: injector.calls, log: injector.log }))
  return app
}
