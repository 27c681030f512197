// Webhook delivery as spec §1.7 describes it: unsigned JSON `{eventType, createdAt, data}`, success is HTTP 200,
// otherwise up to 7 retries 1 → 4 → 16 → 64 → 256 → 1024 → 4096 minutes later. Retries fall due on the
// simulator's clock and are sent by `deliverDue()` (a test advances the clock instead of waiting days).
import { randomUUID } from 'node:crypto'
import { kstParts } from '@paymux/core'

export interface Delivery {
  id: string
  eventType: string
  body: string
  /** Attempts made so far. */
  attempts: number
  dueAt: number
  status: 'pending' | 'delivered' | 'failed'
  /** HTTP statuses (0: no answer) of every attempt. */
  answers: number[]
}

/** `yyyy-MM-dd'T'HH:mm:ss.SSS`, KST without a zone, as Toss writes `createdAt` (spec §1.7). */
export function webhookTime(ms: number): string {
  const t = kstParts(ms)
  return `${t.yyyy}-${t.MM}-${t.dd}T${t.HH}:${t.mm}:${t.ss}.${t.SSS}`
}

export class Webhooks {
  url: string | undefined
  readonly deliveries: Delivery[] = []
  #sending: Promise<unknown> = Promise.resolve()

  constructor(
    readonly clock: () => number,
    readonly retryMinutes: () => readonly number[],
    readonly fetchImpl: typeof fetch = globalThis.fetch,
  ) {}

  /** Queues an event and tries to deliver it now (in the background). */
  emit(eventType: string, body: Record<string, unknown>): void {
    if (!this.url) return
    const d: Delivery = {
      id: randomUUID(),
      eventType,
      body: JSON.stringify(body),
      attempts: 0,
      dueAt: this.clock(),
      status: 'pending',
      answers: [],
    }
    this.deliveries.push(d)
    this.#sending = this.#sending.then(() => this.#attempt(d))
  }

  /** Sends every delivery due on the simulator's clock; resolves when they have been answered. */
  async deliverDue(): Promise<void> {
    await this.#sending
    const due = this.deliveries.filter((d) => d.status === 'pending' && d.dueAt <= this.clock())
    for (const d of due) await this.#attempt(d)
  }

  /** Resolves once every delivery started so far has been answered. */
  settled(): Promise<unknown> {
    return this.#sending
  }

  async #attempt(d: Delivery): Promise<void> {
    const url = this.url
    if (!url || d.status !== 'pending') return
    let status = 0
    try {
      const res = await this.fetchImpl(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'tosspayments-webhook-transmission-id': d.id,
          'tosspayments-webhook-transmission-time': webhookTime(this.clock()),
          'tosspayments-webhook-transmission-retried-count': String(d.attempts),
        },
        body: d.body,
      })
      status = res.status
      await res.arrayBuffer().catch(() => undefined)
    } catch {
      status = 0
    }
    d.attempts++
    d.answers.push(status)
    if (status === 200) {
      d.status = 'delivered'
      return
    }
    const retries = this.retryMinutes()
    const wait = retries[d.attempts - 1]
    if (wait === undefined) d.status = 'failed'
    else d.dueAt = this.clock() + wait * 60_000
  }
}
