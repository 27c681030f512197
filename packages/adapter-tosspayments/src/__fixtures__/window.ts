// Plays the customer at the simulator's payment window over plain HTTP, the way the page's scripts take a browser
// there: the stand-in SDK posts the start script's params as a form to the window; a button's form post answers
// with the redirect to the success or fail URL, which is what the host's return route receives.
import type { CheckoutLaunch, CheckoutReturn, FetchLike } from '@paymux/core'
import { formsOf } from '@paymux/core/testing'

/** The values the page's start script hands to `TossPayments(clientKey).requestPayment(method, params)`. */
export function startValues(start: string | undefined): {
  clientKey: string
  method: string
  params: Record<string, unknown>
} {
  const read = (name: string) => {
    const m = new RegExp(`var ${name} = (.*);\\n`).exec(start ?? '')
    if (!m) throw new Error(`the start script holds no ${name}`)
    return JSON.parse(m[1]!) as unknown
  }
  return {
    clientKey: read('clientKey') as string,
    method: read('method') as string,
    params: read('params') as Record<string, unknown>,
  }
}

/** Where the stand-in SDK posts the order: read from the script the page loads. */
async function windowUrlOf(launch: CheckoutLaunch, fetch: FetchLike): Promise<string> {
  const src = launch.scripts[0]
  if (!src) throw new Error('the launch loads no script')
  const js = await (await fetch(src)).text()
  const path = /form\.action = origin \+ '([^']+)'/.exec(js)?.[1]
  if (!path) throw new Error('the script posts the order nowhere')
  return new URL(path, src).href
}

export async function throughWindow(
  launch: CheckoutLaunch,
  returnUrl: string,
  button: 'Approve' | 'Decline' | 'Close window',
  fetch: FetchLike = globalThis.fetch,
): Promise<CheckoutReturn> {
  const { clientKey, method, params } = startValues(launch.start)
  const opened = await fetch(await windowUrlOf(launch, fetch), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ clientKey, method, params: JSON.stringify(params) }).toString(),
    redirect: 'manual',
  })
  const location = opened.headers.get('location')
  if (opened.status === 303 && location) return returned(location, returnUrl)
  const html = await opened.text()
  if (opened.status !== 200)
    throw new Error(`the window answered HTTP ${opened.status}: ${html.slice(0, 200)}`)
  const form = formsOf(html).find((f) => f.buttons.some((b) => b.label === button))
  if (!form) throw new Error(`the window has no ${button} button`)
  const res = await fetch(new URL(form.action, launch.scripts[0]).href, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form.fields).toString(),
    redirect: 'manual',
  })
  const to = res.headers.get('location')
  if (res.status !== 303 || !to) throw new Error(`after ${button} the window answered HTTP ${res.status}`)
  return returned(to, returnUrl)
}

function returned(location: string, returnUrl: string): CheckoutReturn {
  const url = new URL(location)
  if (url.origin + url.pathname !== returnUrl) throw new Error(`the window sent the browser to ${location}`)
  return {
    method: 'GET',
    rawBody: new Uint8Array(),
    query: Object.fromEntries(url.searchParams),
    headers: {},
  }
}
