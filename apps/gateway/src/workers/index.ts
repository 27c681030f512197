import { accountsInFlightPastMinAge, reconcileOnce } from './reconciler.js'
import type { Runtime } from '../runtime.js'
import { deliverDueEvents } from '../webhooks/outbox.js'

export interface Workers {
  /** Runs one pass of each enabled worker now (tests, or a manual kick). */
  runOnce(): Promise<void>
  /** Stops the timers and waits for a pass in progress to finish. */
  stop(): Promise<void>
}

export interface WorkerOptions {
  outbox?: boolean
  reconcile?: boolean
  /** Replaces fetch for webhook deliveries (tests). */
  fetch?: typeof fetch
}

/**
 * The outbox and reconciliation loops. Each runs one pass at a time on its own interval; any number of
 * processes may run them against one database (the claims skip rows another process holds). Started by
 * `paymux serve` (unless `workers.enabled: false`) and by `paymux worker`; never by `createGateway` alone,
 * so tests start them explicitly.
 */
export function startWorkers(rt: Runtime, opts: WorkerOptions = {}): Workers {
  const cfg = rt.config.workers
  const loops: Array<{ name: string; every: number; pass: () => Promise<unknown> }> = []
  if (opts.outbox !== false)
    loops.push({
      name: 'outbox',
      every: cfg.outbox.intervalMs,
      pass: () => deliverDueEvents(rt, cfg.outbox, opts.fetch),
    })
  if (opts.reconcile !== false) {
    const racing = accountsInFlightPastMinAge(rt, cfg.reconcile)
    if (racing.length)
      rt.logger.warn(
        { minAgeMs: cfg.reconcile.minAgeMs, accounts: racing },
        "workers.reconcile.minAgeMs is below these accounts' in-flight window (2 × timeout + 30 s): the reconciler may look at a request still waiting for its PG",
      )
    loops.push({
      name: 'reconcile',
      every: cfg.reconcile.intervalMs,
      pass: () => reconcileOnce(rt, cfg.reconcile),
    })
  }
  let stopped = false
  const running = new Set<Promise<unknown>>()
  const timers = new Set<NodeJS.Timeout>()

  const run = (l: (typeof loops)[number]) => {
    const p = l.pass().catch((err) => rt.logger.error({ err, worker: l.name }, 'worker pass failed'))
    running.add(p)
    return p.finally(() => running.delete(p))
  }
  for (const l of loops) {
    const tick = async () => {
      if (stopped) return
      await run(l)
      if (stopped) return
      const t = setTimeout(() => {
        timers.delete(t)
        void tick()
      }, l.every)
      t.unref()
      timers.add(t)
    }
    const first = setTimeout(() => {
      timers.delete(first)
      void tick()
    }, 0)
    first.unref()
    timers.add(first)
  }
  return {
    async runOnce() {
      for (const l of loops) await run(l)
    },
    async stop() {
      stopped = true
      for (const t of timers) clearTimeout(t)
      timers.clear()
      await Promise.all([...running])
    },
  }
}
