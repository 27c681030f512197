import type { HttpCallEvent } from '@paymux/core'
import type { AccountRuntime, Runtime } from '../runtime.js'
import type { HealthSettings } from './config.js'
import { gather, whileProbing } from './calls.js'
import { sampleOfCall, probeAccount } from './probe.js'
import { type AccountHealth, ensureHealthRows, moveHealth, readHealth } from './store.js'
import { AccountTracker, type CallSample, type HealthStatus } from './tracker.js'

/**
 * This process's side of account health: counts its own calls, probes the accounts on the merchant's
 * interval, records moves in the database and reads back what every process recorded, so all of them route
 * alike within one probe interval. Only the accounts of merchants with routing.payments rules are watched:
 * elsewhere every new payment names its account, and health would change nothing.
 */
export class HealthMonitor {
  readonly #rt: Runtime
  readonly #watched = new Map<
    string,
    { account: AccountRuntime; settings: HealthSettings; tracker: AccountTracker }
  >()
  #view = new Map<string, AccountHealth>()
  readonly #recording = new Set<Promise<void>>()
  readonly #timers: NodeJS.Timeout[] = []
  #onMove: ((accountId: string, to: HealthStatus) => void) | undefined

  constructor(rt: Runtime, onMove?: (accountId: string, to: HealthStatus) => void) {
    this.#rt = rt
    this.#onMove = onMove
    for (const m of rt.merchants.values()) {
      if (m.config.routing.payments.length === 0) continue
      for (const a of m.accounts.values())
        this.#watched.set(a.config.id, {
          account: a,
          settings: m.config.health,
          tracker: new AccountTracker(m.config.health),
        })
    }
  }

  /** What share of its weight an account takes of new payments: 1 healthy, 0 ejected, a fraction on probation. */
  share(accountId: string): number {
    const h = this.#view.get(accountId)
    if (!h || h.status === 'healthy') return 1
    if (h.status === 'ejected') return 0
    return this.#watched.get(accountId)?.settings.probationShare ?? 1
  }

  /** The last known health of an account (healthy when never recorded). */
  health(accountId: string): AccountHealth | undefined {
    return this.#view.get(accountId)
  }

  /**
   * A PG call on an account (the adapter's transport reports every one). Within an adapter operation it waits
   * for the operation's end (see calls.ts); a probe's own call is judged by its answer, not by its transport.
   */
  observe(accountId: string, e: HttpCallEvent): void {
    const w = this.#watched.get(accountId)
    if (!w) return
    const sample = sampleOfCall(e, this.#rt.now().getTime())
    if (gather(sample) === 'now') this.#judge(w, sample, false)
  }

  /** The calls of one adapter operation of real traffic, once it ended (an unreadable answer counted once). */
  observeOperation(accountId: string, samples: readonly CallSample[]): void {
    const w = this.#watched.get(accountId)
    if (w) for (const s of samples) this.#judge(w, s, false)
  }

  /** Until every move called for so far is recorded (real traffic does not wait for them; tests do). */
  async idle(): Promise<void> {
    while (this.#recording.size > 0) await Promise.all(this.#recording)
  }

  /** Reads every process's record: what this process routes by from now on. */
  async refresh(): Promise<void> {
    const ids = [...this.#rt.merchants.values()].flatMap((m) => [...m.accounts.keys()])
    const rows = await readHealth(this.#rt.db, ids)
    this.#view = new Map(rows.map((r) => [r.accountId, r]))
  }

  /** One round: probation served its time becomes healthy, then every watched account is probed. */
  async tick(merchantId?: string): Promise<void> {
    await this.#ensureRows()
    await this.refresh()
    const now = this.#rt.now()
    await Promise.all(
      [...this.#watched.values()]
        .filter((w) => merchantId === undefined || w.account.merchantId === merchantId)
        .map(async (w) => {
          const id = w.account.config.id
          const h = this.#view.get(id)
          if (
            h?.status === 'probation' &&
            now.getTime() - h.since.getTime() >= w.settings.probationSeconds * 1000
          )
            await this.#move(w, ['probation'], 'healthy')
          const sample = await whileProbing(() => probeAccount(w.account, () => this.#rt.now().getTime()))
          await this.#judge(w, sample, true)
        }),
    )
    await this.refresh()
  }

  /**
   * Creates the missing rows and, with `probes`, starts a probe round per merchant on its interval. A database
   * out of reach at start does not keep the gateway from starting (it answers 503 until the database is back):
   * every account counts as healthy until its row can be written, which each probe round tries again.
   */
  async start(probes = true): Promise<void> {
    await this.#ensureRows().catch((err) =>
      this.#rt.logger.warn(
        { err },
        'account health: the database is out of reach; every account counts as healthy',
      ),
    )
    if (!probes) return
    for (const m of this.#rt.merchants.values()) {
      if (m.config.routing.payments.length === 0) continue
      const timer = setInterval(() => {
        this.tick(m.config.id).catch((err) => this.#rt.logger.warn({ err }, 'account health round failed'))
      }, m.config.health.probeIntervalSeconds * 1000)
      timer.unref()
      this.#timers.push(timer)
    }
  }

  #rowsReady = false

  async #ensureRows(): Promise<void> {
    if (this.#rowsReady) return
    await ensureHealthRows(
      this.#rt.db,
      [...this.#rt.merchants.values()].flatMap((m) =>
        [...m.accounts.keys()].map((accountId) => ({ merchantId: m.config.id, accountId })),
      ),
      this.#rt.now(),
    )
    this.#rowsReady = true
    await this.refresh()
  }

  stop(): void {
    for (const t of this.#timers) clearInterval(t)
    this.#timers.length = 0
  }

  #judge(
    w: { account: AccountRuntime; tracker: AccountTracker; settings: HealthSettings },
    sample: CallSample,
    probe: boolean,
  ) {
    const status = this.#view.get(w.account.config.id)?.status ?? 'healthy'
    const verdict = w.tracker.record(sample, status, probe)
    if (!verdict) return Promise.resolve()
    const from: HealthStatus[] = verdict.to === 'ejected' ? ['healthy', 'probation'] : ['ejected']
    const recording = this.#move(w, from, verdict.to, verdict.to === 'ejected' ? verdict.reason : undefined)
      .catch((err) =>
        this.#rt.logger.warn({ err, account: w.account.config.id }, 'account health move not recorded'),
      )
      .finally(() => this.#recording.delete(recording))
    this.#recording.add(recording)
    return recording
  }

  async #move(
    w: { account: AccountRuntime; tracker: AccountTracker },
    from: HealthStatus[],
    to: HealthStatus,
    reason?: string,
  ): Promise<void> {
    const id = w.account.config.id
    const now = this.#rt.now()
    // Seen at once by this process; the others read it at their next round.
    const moved = await moveHealth(this.#rt, {
      merchantId: w.account.merchantId,
      accountId: id,
      from,
      to,
      manual: false,
      now,
      ...(reason ? { reason } : {}),
    })
    w.tracker.reset()
    if (moved) {
      const before = this.#view.get(id)
      this.#view.set(id, {
        accountId: id,
        status: to,
        since: now,
        lastError: to === 'ejected' ? (reason ?? null) : (before?.lastError ?? null),
        manual: false,
      })
      this.#rt.logger.warn({ account: id, to, reason }, `account ${to}`)
      this.#onMove?.(id, to)
    }
  }
}
