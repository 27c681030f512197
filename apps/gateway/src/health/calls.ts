import { AsyncLocalStorage } from 'node:async_hooks'
import { isPaymentError, type PaymentProvider } from '@paymux/core'
import type { CallSample } from './tracker.js'

// The transport reports each HTTP call as it ends, before the adapter has read the answer: a 200 whose body the
// adapter then cannot read would count as a success. So the calls of one adapter operation are gathered and
// judged together when the operation ends, where its error says whether the last answer was readable.

interface Gathered {
  samples: CallSample[]
  open: boolean
  /** A health probe: judged by its own answer, never as real traffic. */
  probe: boolean
}

const gathering = new AsyncLocalStorage<Gathered>()

/**
 * Where a call of an account goes: into the operation in progress (judged when it ends), nowhere for a probe,
 * or, outside any operation, `now`: the caller judges it at once.
 */
export function gather(sample: CallSample): 'gathered' | 'probe' | 'now' {
  const g = gathering.getStore()
  if (!g?.open) return 'now'
  if (g.probe) return 'probe'
  g.samples.push(sample)
  return 'gathered'
}

/** Runs a probe: the calls it makes are not real traffic (a "not found" answer is its success). */
export function whileProbing<T>(probe: () => Promise<T>): Promise<T> {
  return gathering.run({ samples: [], open: true, probe: true }, probe)
}

/**
 * An operation's calls once it ended. An operation that failed as unreadable (`invalid_response`) although its
 * last call was answered was given an answer it could not read: that answer is the failure, in place of the
 * success the transport saw, so the call counts once. A broken connection is already a failed call.
 */
export function settled(samples: readonly CallSample[], err: unknown): CallSample[] {
  const last = samples.at(-1)
  if (!last?.ok || !isPaymentError(err) || err.code !== 'invalid_response') return [...samples]
  return [...samples.slice(0, -1), { at: last.at, ok: false, error: 'unreadable answer' }]
}

/** Judges an operation's calls (recording a move it calls for on its own time, never the operation's). */
type Report = (samples: CallSample[]) => void

/**
 * The account's adapter, each of whose operations gathers the HTTP calls it makes and hands them to `report`
 * when it ends. An operation called from inside another (a lookup within a cancel) belongs to the outer one.
 */
export function watchOperations(provider: PaymentProvider, report: Report): PaymentProvider {
  const wrapped = new Map<PropertyKey, unknown>()
  return new Proxy(provider, {
    get(target, key) {
      // The adapter itself, not the proxy, is `this` for its methods (its private fields live on it).
      const value: unknown = Reflect.get(target, key, target)
      if (typeof value !== 'function') return value
      let fn = wrapped.get(key)
      if (!fn) {
        fn = (...args: unknown[]) => runGathered(() => value.apply(target, args), report)
        wrapped.set(key, fn)
      }
      return fn
    },
  })
}

function runGathered(run: () => unknown, report: Report): unknown {
  if (gathering.getStore()?.open) return run()
  const g: Gathered = { samples: [], open: true, probe: false }
  const end = (err?: unknown) => {
    g.open = false
    if (g.samples.length > 0) report(settled(g.samples, err))
  }
  let result: unknown
  try {
    result = gathering.run(g, run)
  } catch (err) {
    end(err)
    throw err
  }
  if (!(result instanceof Promise)) {
    end()
    return result
  }
  return result.then(
    (v) => {
      end()
      return v
    },
    (err) => {
      end(err)
      throw err
    },
  )
}
