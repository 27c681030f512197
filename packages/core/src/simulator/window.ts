// The pages every simulated payment window is made of: the same frame, the same three buttons (Approve,
// Decline, Close window: the names the checkout tests press), and the result delivered twice. Each simulator
// says what its window shows; how the page is built lives here once.

/** Text made safe for HTML (element content and quoted attribute values). */
export const escapeHtml = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  )

/** A whole window page around `body` (HTML the caller built and escaped). */
export function simPage(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="ko">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 28rem; margin: 3rem auto; padding: 0 1rem; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .4rem 1rem; }
dt { color: #555; } form { display: inline; } button { font-size: 1rem; padding: .5rem 1.2rem; margin-right: .5rem; }
</style>
</head>
<body>
${body}
</body>
</html>`
}

export interface SimWindow {
  /** The page title and heading, in the PG's own words. */
  title: string
  heading: string
  /** Who runs it: "paymux <PG> simulator: no real payment is made." */
  notice: string
  /** The order as the window shows it. */
  rows: ReadonlyArray<readonly [string, string]>
  /** Where each button posts. */
  actions: { approve: string; decline: string; close: string }
}

/** The payment window: the order, and the customer's three choices, each a form post. */
export function simWindowPage(w: SimWindow): string {
  const button = (action: string, name: string) =>
    `<form method="post" action="${escapeHtml(action)}"><button type="submit">${name}</button></form>`
  return simPage(
    w.title,
    `<main>
<h1>${escapeHtml(w.heading)}</h1>
<p>${escapeHtml(w.notice)}</p>
<dl>
${w.rows.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join('\n')}
</dl>
${button(w.actions.approve, 'Approve')}
${button(w.actions.decline, 'Decline')}
${button(w.actions.close, 'Close window')}
</main>`,
  )
}

/** A window that cannot open or go on: the code and why. */
export function simErrorPage(title: string, code: string, message: string): string {
  return simPage(title, `<main><h1>${escapeHtml(code)}</h1><p>${escapeHtml(message)}</p></main>`)
}

/**
 * The result delivered twice, in place of the redirect to `url`: a background request to it (the browser's
 * cookies go with it, like a duplicated delivery or a reload), then the navigation itself. What a host's return
 * route must survive: two arrivals of one result, the second while the first may still be approving.
 */
export function resultTwicePage(title: string, url: string): string {
  const json = JSON.stringify(url).replace(/</g, '\\u003c')
  return simPage(
    title,
    `<main><p><a id="result" href="${escapeHtml(url)}">결제 결과로 이동</a></p></main>
<script>
(function () {
  var url = ${json};
  var go = function () { window.location.replace(url); };
  fetch(url, { mode: 'no-cors', credentials: 'include' }).then(go, go);
})();
</script>`,
  )
}
