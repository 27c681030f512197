// A customer's browser through CookiePay's window (the simulator's), over plain HTTP: the gateway's checkout page
// places the window, Approve is pressed there (CookiePay charges inside its window), and the result form the
// window posts by itself to the gateway's return URL is read.
import { formOf, fromHtml, type PageForm } from './nicepay-window.js'

/** CookiePay's window placed in the checkout page: Approve pressed, the auto-posted result read. */
export async function throughCookieWindow(pageHtml: string): Promise<{ tid: string; result: PageForm }> {
  const approve =
    /<form method="post" action="([^"]+\/approve)"><button type="submit">Approve<\/button>/.exec(pageHtml)
  if (!approve) throw new Error(`the checkout page shows no CookiePay window: ${pageHtml.slice(0, 300)}`)
  const res = await fetch(fromHtml(approve[1]!), { method: 'POST' })
  const html = await res.text()
  const result = formOf(html, /\bid="result"/)
  if (!result) throw new Error(`Approve posted no result (${res.status}): ${html.slice(0, 300)}`)
  if (!result.fields.TID) throw new Error('the result names no TID')
  return { tid: result.fields.TID, result }
}
