// Plays the customer at a simulator's payment window over plain HTTP, for PGs whose window is reached by a form
// post and answers with a form posted back to the host (the toy; others where their window has that shape).
import type { CheckoutLaunch, CheckoutReturn } from '../checkout.js'
import type { FetchLike } from '../http.js'

const attr = (tag: string, name: string) =>
  new RegExp(`\\b${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i')
    .exec(tag)
    ?.slice(1)
    .find((v) => v !== undefined)

const decodeEntities = (s: string) =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')

interface HtmlForm {
  action: string
  fields: Array<[string, string]>
  buttons: Array<{ label: string; name?: string; value?: string }>
}

/** The forms of a page: their action, hidden inputs and buttons (with their accessible text). */
export function formsOf(html: string): HtmlForm[] {
  const out: HtmlForm[] = []
  for (const m of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)) {
    const [, open = '', inner = ''] = m
    const fields: Array<[string, string]> = []
    for (const i of inner.matchAll(/<input\b[^>]*>/gi)) {
      const name = attr(i[0], 'name')
      if (name !== undefined) fields.push([decodeEntities(name), decodeEntities(attr(i[0], 'value') ?? '')])
    }
    const buttons = [...inner.matchAll(/<button\b([^>]*)>([\s\S]*?)<\/button>/gi)].map((b) => {
      const name = attr(b[1] ?? '', 'name')
      const value = attr(b[1] ?? '', 'value')
      return {
        label: (b[2] ?? '').replace(/<[^>]*>/g, '').trim(),
        ...(name !== undefined ? { name: decodeEntities(name) } : {}),
        ...(value !== undefined ? { value: decodeEntities(value) } : {}),
      }
    })
    out.push({ action: decodeEntities(attr(open, 'action') ?? ''), fields, buttons })
  }
  return out
}

const formBody = (fields: Iterable<[string, string]>) => new URLSearchParams([...fields]).toString()

/**
 * Opens the window the launch's form leads to, presses the button labelled `button`, and returns what the
 * window then sends to `returnUrl` (an auto-submitted form, or a redirect), exactly as the host's return route
 * would receive it. Throws when the window does not have that shape.
 */
export async function pressWindowButton(
  fetch: FetchLike,
  launch: CheckoutLaunch,
  returnUrl: string,
  button: 'Approve' | 'Decline',
): Promise<CheckoutReturn> {
  const form = launch.form
  if (!form) throw new Error('the launch has no form to open the window with')
  const opened = await fetch(form.action, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: formBody(Object.entries(form.fields)),
  })
  const windowHtml = await opened.text()
  if (opened.status !== 200)
    throw new Error(`the window answered HTTP ${opened.status}: ${windowHtml.slice(0, 200)}`)
  const withButton = formsOf(windowHtml).find((f) => f.buttons.some((b) => b.label === button))
  if (!withButton) throw new Error(`the window has no ${button} button`)
  const pressed = withButton.buttons.find((b) => b.label === button)!
  const fields: Array<[string, string]> = [...withButton.fields]
  if (pressed.name !== undefined) fields.push([pressed.name, pressed.value ?? ''])
  const result = await fetch(new URL(withButton.action, form.action).href, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: formBody(fields),
    redirect: 'manual',
  })
  const location = result.headers.get('location')
  if (location?.startsWith(returnUrl)) {
    const url = new URL(location)
    return {
      method: 'GET',
      rawBody: new Uint8Array(),
      query: Object.fromEntries(url.searchParams),
      headers: {},
    }
  }
  const back = formsOf(await result.text()).find((f) => f.action === returnUrl)
  if (!back) throw new Error(`after ${button} the window sent nothing to the return URL`)
  return {
    method: 'POST',
    rawBody: new TextEncoder().encode(formBody(back.fields)),
    query: {},
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  }
}
