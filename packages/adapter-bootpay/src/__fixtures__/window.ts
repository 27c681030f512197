// Plays the customer at the simulator's payment window over plain HTTP, the way the page's scripts take a browser
// there: the stand-in SDK posts the start script's payload as a form to the window; a button's form post answers
// with the redirect to the return URL, which is what the host's return route receives.
import type { CheckoutLaunch, CheckoutReturn, FetchLike } from '@paymux/core'
import { formsOf } from '@paymux/core/testing'

/** The payload the page's start script hands to `Bootpay.requestPayment`. */
export function payloadOf(start: string | undefined): Record<string, unknown> {
  const m = /var payload = (.*);\n/.exec(start ?? '')
  if (!m) throw new Error('the start script holds no payload')
  return JSON.parse(m[1]!) as Record<string, unknown>
}

/** Where the stand-in SDK posts the order: read from the script the page loads, relative to its origin. */
async function windowUrlOf(launch: CheckoutLaunch, fetch: FetchLike): Promise<string> {
  const src = launch.scripts[0]
  if (!src) throw new Error('the launch loads no script')
  const js = await (await fetch(src)).text()
  const path = /form\.action = origin \+ '([^']+)'/.exec(js)?.[1]
  if (!path) throw new Error('the script posts the order nowhere')
  return new URL(path, src).href
}

/** Start script → window → `button` → the redirect that lands on `returnUrl`, as the return route gets it. */
export async function throughWindow(
  launch: CheckoutLaunch,
  returnUrl: string,
  button: 'Approve' | 'Decline',
  fetch: FetchLike = globalThis.fetch,
): Promise<CheckoutReturn> {
  const windowUrl = await windowUrlOf(launch, fetch)
  const opened = await fetch(windowUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ payload: JSON.stringify(payloadOf(launch.start)) }).toString(),
  })
  const html = await opened.text()
  if (opened.status !== 200)
    throw new Error(`the window answered HTTP ${opened.status}: ${html.slice(0, 200)}`)
  const form = formsOf(html).find((f) => f.buttons.some((b) => b.label === button))
  if (!form) throw new Error(`the window has no ${button} button`)
  const res = await fetch(new URL(form.action, windowUrl).href, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form.fields).toString(),
    redirect: 'manual',
  })
  const location = res.headers.get('location')
  if (res.status !== 303 || !location)
    throw new Error(`after ${button} the window answered HTTP ${res.status}`)
  const url = new URL(location)
  if (url.origin + url.pathname !== returnUrl) throw new Error(`after ${button} the window sent ${location}`)
  return {
    method: 'GET',
    rawBody: new Uint8Array(),
    query: Object.fromEntries(url.searchParams),
    headers: {},
  }
}
