// Shared by the adapter's tests: an adapter wired to a fresh simulator, with every request it sends recorded.
import { type FetchLike, isPaymentError, type PaymentError } from '@paymux/core'
import { inProcessFetch } from '@paymux/core/simulator'
import { NicePay, type NicePayOptions } from '../nicepay.js'
import {
  createNicePaySimulator,
  NICEPAY_DEMO_CREDENTIALS,
  type NicePaySimulatorOptions,
} from '../simulator/index.js'

export const CREDS = NICEPAY_DEMO_CREDENTIALS

export function rig(opts: Partial<NicePayOptions> = {}, simOpts: NicePaySimulatorOptions = {}) {
  const sim = createNicePaySimulator(simOpts)
  const bodies: string[] = []
  const urls: string[] = []
  const inner = inProcessFetch(sim.app)
  const fetch: FetchLike = async (input, init) => {
    urls.push(String(input))
    if (typeof init?.body === 'string') bodies.push(init.body)
    return inner(input, init)
  }
  const provider = new NicePay({ ...CREDS, baseUrl: 'http://sim.test', fetch, timeoutMs: 1000, ...opts })
  return { sim, provider, bodies, urls }
}

/** A fetch answering a fixed body, to test how the adapter reads what the simulator never sends. */
export function answering(body: Uint8Array | string, status = 200): FetchLike & { calls: number } {
  const f = Object.assign(
    async () => {
      f.calls++
      return new Response(typeof body === 'string' ? body : new Uint8Array(body), { status })
    },
    { calls: 0 },
  )
  return f
}

export async function failure(p: Promise<unknown>): Promise<PaymentError> {
  try {
    await p
  } catch (err) {
    if (isPaymentError(err)) return err
    throw err
  }
  throw new Error('expected a PaymentError')
}

/** The value of one field in a recorded form body. */
export function field(body: string | undefined, name: string): string | undefined {
  const m = new RegExp(`(?:^|&)${name}=([^&]*)`).exec(body ?? '')
  return m?.[1]
}
