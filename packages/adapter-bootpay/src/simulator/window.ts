import type { SimWindow } from './state.js'

const html = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  )

const METHOD_NAMES: Record<string, string> = { card: '카드', vbank: '가상계좌' }

function page(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="ko">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${html(title)}</title>
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

/** The payment window: the order as the page sent it, and the customer's choices. */
export function windowPage(w: SimWindow): string {
  const p = w.payload
  const method = String(p.method ?? 'card')
  const rows: Array<[string, string]> = [
    ['상품', String(p.order_name ?? '')],
    ['주문번호', String(p.order_id ?? '')],
    ['결제금액', `${Number(p.price).toLocaleString('ko-KR')}원`],
    ['결제수단', METHOD_NAMES[method] ?? method],
    ['PG', String(p.pg ?? '통합결제')],
  ]
  const action = (a: string) => `/window/${encodeURIComponent(w.id)}/${a}`
  return page(
    'Bootpay 결제창 (simulator)',
    `<main>
<h1>Bootpay 결제창</h1>
<p>paymux Bootpay simulator: no real payment is made.</p>
<dl>
${rows.map(([k, v]) => `<dt>${html(k)}</dt><dd>${html(v)}</dd>`).join('\n')}
</dl>
<form method="post" action="${action('approve')}"><button type="submit">Approve</button></form>
<form method="post" action="${action('decline')}"><button type="submit">Decline</button></form>
<form method="post" action="${action('close')}"><button type="submit">Close window</button></form>
</main>`,
  )
}

/** A window that cannot open (no redirect_url to send an error to). */
export function errorPage(code: string, message: string): string {
  return page('Bootpay 결제창 오류', `<main><h1>${html(code)}</h1><p>${html(message)}</p></main>`)
}

/**
 * The result delivered twice: a background request to `url` (the browser's cookies go with it, like a
 * duplicated delivery), then the navigation itself.
 */
export function twicePage(url: string): string {
  const json = JSON.stringify(url).replace(/</g, '\\u003c')
  return page(
    'Bootpay',
    `<main><p><a id="result" href="${html(url)}">결제 결과로 이동</a></p></main>
<script>
(function () {
  var url = ${json};
  var go = function () { window.location.replace(url); };
  fetch(url, { mode: 'no-cors', credentials: 'include' }).then(go, go);
})();
</script>`,
  )
}
