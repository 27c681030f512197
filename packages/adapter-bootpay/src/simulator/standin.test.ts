/**
 * The stand-in `window.Bootpay` and the adapter's start script run together in a bare JavaScript context with
 * the little DOM they use: the order must leave as the form the simulator's window reads, SDK-local errors must
 * come back to the return URL, and a closed window must go to the close URL.
 */
import { runInNewContext } from 'node:vm'
import { describe, expect, it } from 'vitest'
import { Bootpay } from '../bootpay.js'
import { standInScript } from './standin.js'

interface Submitted {
  method: string
  action: string
  fields: Record<string, string>
}

function page() {
  const submitted: Submitted[] = []
  const visited: string[] = []
  const listeners: Record<string, Array<() => void>> = {}
  const el = (tag: string) => {
    const node: Record<string, unknown> & { children: Array<Record<string, string>> } = { tag, children: [] }
    node.appendChild = (c: Record<string, string>) => node.children.push(c)
    node.submit = () =>
      submitted.push({
        method: String(node.method),
        action: String(node.action),
        fields: Object.fromEntries(node.children.map((c) => [c.name, c.value])),
      })
    return node
  }
  const document = {
    currentScript: { src: 'http://127.0.0.1:4010/bootpay-5.3.0.min.js' },
    body: el('body'),
    createElement: el,
    addEventListener: (t: string, f: () => void) => {
      listeners[t] = [...(listeners[t] ?? []), f]
    },
    dispatchEvent: (e: { type: string }) => {
      for (const f of listeners[e.type] ?? []) f()
    },
  }
  const context: Record<string, unknown> = {
    document,
    URL,
    Promise,
    Event: class {
      constructor(readonly type: string) {}
    },
    location: { assign: (u: string) => visited.push(u) },
  }
  context.window = context
  return { context, submitted, visited }
}

const provider = new Bootpay({
  applicationId: 'a',
  privateKey: 'b',
  webApplicationId: 'web-app-id',
  baseUrl: 'http://127.0.0.1:4010',
})
const request = {
  orderId: 'o-1',
  amount: 15_000,
  orderName: '테스트',
  method: 'card' as const,
  returnUrl: 'https://pay.example/return?t=1',
  closeUrl: 'https://pay.example/closed',
  expiresAt: '2026-03-15T09:30:00+09:00',
}
const tick = () => new Promise((r) => setTimeout(r, 0))

describe('the SDK stand-in with the start script', () => {
  it('posts the order to the window as the simulator reads it', async () => {
    const { context, submitted } = page()
    runInNewContext(standInScript('http://fallback.invalid'), context)
    runInNewContext((await provider.startCheckout(request)).start!, context)
    await tick()
    expect(submitted).toHaveLength(1)
    expect(submitted[0]!.method).toBe('post')
    expect(submitted[0]!.action).toBe('http://127.0.0.1:4010/v2/request/payment')
    expect(JSON.parse(submitted[0]!.fields.payload!)).toMatchObject({
      application_id: 'web-app-id',
      price: 15_000,
      order_id: 'o-1',
      redirect_url: request.returnUrl,
      extra: { separately_confirmed: true, open_type: 'redirect' },
    })
  })

  it('an SDK-local error goes to the return URL as an error event; a closed window to the close URL', async () => {
    const { context, submitted, visited } = page()
    runInNewContext(standInScript('http://fallback.invalid'), context)
    const start = (await provider.startCheckout(request)).start!
    runInNewContext(start.replace('"application_id":"web-app-id",', ''), context)
    await tick()
    expect(submitted).toHaveLength(0)
    const back = new URL(visited[0]!)
    expect(back.origin + back.pathname).toBe('https://pay.example/return')
    expect(Object.fromEntries(back.searchParams)).toMatchObject({
      t: '1',
      event: 'error',
      error_code: 'NEED_CLIENT_KEY',
    })
    ;(context.Bootpay as { destroy(): void }).destroy()
    expect(visited[1]).toBe(request.closeUrl)
  })
})
