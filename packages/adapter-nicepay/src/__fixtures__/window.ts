// Drives the simulator's payment window over plain HTTP the way a browser would: load the script goPay lives in,
// post the checkout form where goPay posts it, press a button, and read the auth-result form that the window
// posts to ReturnURL, encoded in its accept-charset — the bytes the host's return URL would receive.
import type { CheckoutLaunch, CheckoutReturn, FetchLike } from '@paymux/core'
import { encodeForm } from '../encoding.js'

const fromHtml = (s: string) =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')

/** A form body as a browser submits it: EUC-KR (what `accept-charset="euc-kr"` makes it) or UTF-8. */
export function formBody(fields: Record<string, string>, charset: string | undefined): Uint8Array {
  const pairs = Object.entries(fields)
  if (charset?.toLowerCase() === 'utf-8')
    return new TextEncoder().encode(new URLSearchParams(pairs).toString())
  return new TextEncoder().encode(encodeForm(pairs))
}

/** Opens the window: the URL goPay posts to is read from the script the page loads. */
export async function openWindow(
  launch: CheckoutLaunch,
  fields = launch.form!.fields,
  fetch: FetchLike = globalThis.fetch,
): Promise<string> {
  const js = await (await fetch(launch.scripts[0]!)).text()
  const windowUrl = /var windowUrl = ("[^"]+")/.exec(js)?.[1]
  if (!windowUrl) throw new Error('the script defines no window URL')
  const res = await fetch(JSON.parse(windowUrl) as string, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: formBody({ ...fields }, launch.form!.acceptCharset),
  })
  return res.text()
}

export interface PostedResult {
  action: string
  charset: string
  fields: Record<string, string>
  /** The result as the host's return URL receives it. */
  received(fields?: Record<string, string>): CheckoutReturn
}

/** The hidden fields and target of the form a page posts by itself (or on its only button). */
export function postedForm(html: string, id?: string): PostedResult {
  const formRe = id
    ? new RegExp(`<form id="${id}"([^>]*)>([\\s\\S]*?)</form>`)
    : /<form([^>]*)>([\s\S]*?)<\/form>/
  const m = formRe.exec(html)
  if (!m) throw new Error(`no form in: ${html.slice(0, 300)}`)
  const attr = (name: string) => new RegExp(`${name}="([^"]*)"`).exec(m[1]!)?.[1]
  const fields: Record<string, string> = {}
  for (const i of m[2]!.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)) {
    fields[fromHtml(i[1]!)] = fromHtml(i[2]!)
  }
  const charset = attr('accept-charset') ?? 'utf-8'
  return {
    action: fromHtml(attr('action') ?? ''),
    charset,
    fields,
    received: (f = fields) => ({
      method: 'POST',
      rawBody: formBody(f, charset),
      query: {},
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    }),
  }
}

/** Presses Approve or Decline in the window page; answers the page that posts the auth result. */
export async function press(
  windowHtml: string,
  button: 'Approve' | 'Decline',
  simUrl: string,
  fetch: FetchLike = globalThis.fetch,
) {
  const m = new RegExp(`<form method="post" action="([^"]+)"[^>]*><button>${button}</button></form>`).exec(
    windowHtml,
  )
  if (!m) throw new Error(`no ${button} button in: ${windowHtml.slice(0, 300)}`)
  const res = await fetch(new URL(fromHtml(m[1]!), simUrl), { method: 'POST' })
  return { status: res.status, html: await res.text() }
}

/** Start to result in one go: the window opened with the launch's form, `button` pressed. */
export async function throughWindow(
  launch: CheckoutLaunch,
  button: 'Approve' | 'Decline',
  simUrl: string,
  fetch: FetchLike = globalThis.fetch,
) {
  const page = await openWindow(launch, launch.form!.fields, fetch)
  const { html } = await press(page, button, simUrl, fetch)
  return postedForm(html, 'result')
}
