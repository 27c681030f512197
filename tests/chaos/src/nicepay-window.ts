// A customer's browser through a NicePay checkout, over plain HTTP: read the gateway's checkout page (the payForm
// and the script it loads), learn from that script where goPay posts the form, open the window there, press a
// button (post what the button posts), and read the auth-result form the window posts by itself to ReturnURL,
// encoded in its accept-charset — the bytes the gateway's return URL receives from a real browser.
import { encodeForm } from '@paymux/adapter-nicepay'

/** An attribute's text as the browser reads it (the entities the pages use). */
export const fromHtml = (s: string) =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')

export interface PageForm {
  action: string
  charset: string
  fields: Record<string, string>
}

const attr = (tag: string, name: string) => {
  const v = new RegExp(`\\b${name}="([^"]*)"`).exec(tag)?.[1]
  return v === undefined ? undefined : fromHtml(v)
}

/** The hidden fields, target and charset of the first form whose opening tag matches `open`. */
export function formOf(html: string, open: RegExp): PageForm | undefined {
  for (const m of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/g)) {
    if (!open.test(m[1]!)) continue
    const fields: Record<string, string> = {}
    for (const i of m[2]!.matchAll(/<input\b([^>]*)>/g)) {
      const name = attr(i[1]!, 'name')
      if (name !== undefined) fields[name] = attr(i[1]!, 'value') ?? ''
    }
    return { action: attr(m[1]!, 'action') ?? '', charset: attr(m[1]!, 'accept-charset') ?? 'utf-8', fields }
  }
  return undefined
}

/** A form body as a browser submits it: EUC-KR (what `accept-charset="euc-kr"` makes it) or UTF-8. */
export function formBody(fields: Record<string, string>, charset: string): Uint8Array {
  const pairs = Object.entries(fields)
  if (charset.toLowerCase() === 'utf-8')
    return new TextEncoder().encode(new URLSearchParams(pairs).toString())
  return new TextEncoder().encode(encodeForm(pairs))
}

const FORM = { 'content-type': 'application/x-www-form-urlencoded' }

/** What the customer's browser gets out of the window: the auth-result form it posts to the gateway. */
export interface WindowResult {
  txTid: string
  result: PageForm
}

/**
 * From the gateway's checkout page to the window's result: the page's payForm and script, the script's
 * `windowUrl`, the form posted there (with `_charset_`, which the browser fills in), then `button` pressed.
 */
export async function throughWindow(pageHtml: string, button: 'Approve' | 'Decline'): Promise<WindowResult> {
  const payForm = formOf(pageHtml, /\bname="payForm"/)
  if (!payForm) throw new Error(`the checkout page has no payForm: ${pageHtml.slice(0, 300)}`)
  const src = [...pageHtml.matchAll(/<script\b[^>]*\bsrc="([^"]+)"/g)].map((m) => fromHtml(m[1]!))
  const script = src.find((s) => s.endsWith('/nicepay-pgweb.js'))
  if (!script) throw new Error(`the checkout page loads no nicepay-pgweb.js (scripts: ${src.join(', ')})`)
  const js = await (await fetch(script)).text()
  const windowUrl = /var windowUrl = ("[^"]+")/.exec(js)?.[1]
  if (!windowUrl) throw new Error('the script defines no window URL')
  const url = JSON.parse(windowUrl) as string
  // goPay copies every named element of the form and adds `_charset_` in the form's accept-charset.
  const charset = payForm.charset || 'euc-kr'
  const windowPage = await (
    await fetch(url, {
      method: 'POST',
      headers: FORM,
      body: formBody({ ...payForm.fields, _charset_: charset.toUpperCase() }, charset),
    })
  ).text()
  const pressed = new RegExp(
    `<form method="post" action="([^"]+)"[^>]*><button>${button}</button></form>`,
  ).exec(windowPage)
  if (!pressed) throw new Error(`the window has no ${button} button: ${windowPage.slice(0, 300)}`)
  const after = await fetch(new URL(fromHtml(pressed[1]!), url), { method: 'POST' })
  const html = await after.text()
  const result = formOf(html, /\bid="result"/)
  if (!result) throw new Error(`pressing ${button} posted no result (${after.status}): ${html.slice(0, 300)}`)
  const txTid = result.fields.TxTid
  if (!txTid) throw new Error('the result names no TxTid')
  return { txTid, result }
}
