// A flow gateway with one PG's simulator whose webhooks are held on their way (a listener takes them), so that
// each case posts exactly the event it is about, as the PG sent it, to the account's notification route. The
// PG is named by its registry id, like everything in the harness.
import { afterAll, beforeAll, expect } from 'vitest'
import { type FlowGateway, type Listener, startFlowGateway, startListener } from './flows.js'
import type { CallResult, DB_TARGETS } from './harness.js'

export interface HeldNotices<Sim> {
  t: FlowGateway
  sim: Sim
  simUrl: string
  held: Listener
  /** The harness's account of this PG. */
  account: string
  /** Posts an event to the account's notification route. */
  post(event: unknown): Promise<Response>
  payment(id: string): Promise<CallResult['body']>
  /** The payment's event types, sorted. */
  eventTypes(id: string): Promise<string[]>
  /** The held webhooks, parsed, in the order they came. */
  received<E>(): E[]
  /** The payment's notification secret is kept sealed: in no log, not in the API's payment, opens to `secret`. */
  expectSealedSecret(id: string, secret: string): Promise<void>
}

/** Starts the gateway before the suite and closes it after; the fields fill in once `beforeAll` ran. */
export function heldNotices<Sim>(target: (typeof DB_TARGETS)[number], provider: string): HeldNotices<Sim> {
  const n = { account: `a-${provider}` } as HeldNotices<Sim>
  beforeAll(async () => {
    n.t = await startFlowGateway(target)
    const r = n.t.sims.registry.find((x) => x.provider === provider)!
    n.sim = r.demo.instance as Sim
    n.simUrl = r.url
    n.held = await startListener()
    r.demo.notifyTo(n.held.url)
  })
  afterAll(async () => {
    await n.held?.close()
    await n.t?.close()
  })
  n.post = (event) =>
    fetch(`${n.t.url}/v1/notifications/${n.account}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(event),
    })
  n.payment = async (id) => (await n.t.call('GET', `/v1/payments/${id}`)).body
  n.eventTypes = async (id) =>
    ((await n.t.call('GET', `/v1/events?objectId=${id}`)).body.data as Array<{ type: string }>)
      .map((e) => e.type)
      .sort()
  n.received = <E>() => n.held.received.map((r) => JSON.parse(r.raw.toString()) as E)
  n.expectSealedSecret = async (id, secret) => {
    expect(secret).toBeTruthy()
    expect(n.t.logs.some((l) => l.includes(secret))).toBe(false)
    expect(JSON.stringify(await n.payment(id))).not.toContain(secret)
    const row = await n.t.db.kysely
      .selectFrom('payments')
      .select('notification_secret')
      .where('id', '=', id)
      .executeTakeFirstOrThrow()
    expect(row.notification_secret).toBeTruthy()
    expect(row.notification_secret).not.toContain(secret)
    expect(n.t.gateway.runtime.vault.decrypt(row.notification_secret!)).toBe(secret)
  }
  return n
}
