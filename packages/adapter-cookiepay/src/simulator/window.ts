/** The simulator's payment window and result pages: real HTML a browser (or a test over HTTP) can drive. */

export function escapeHtml(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!,
  )
}

const krw = (n: number) => `${n.toLocaleString('ko-KR')}원`

export interface WindowView {
  origin: string
  readyId: string
  orderNo: string
  productName: string
  amount: number
  buyerName: string
  payMethod: string
  closeUrl: string | undefined
}

/**
 * What pay/ready answers: a fragment the merchant page places as it is (CookiePay's plugin puts it in
 * `#cookiepayform`). Absolute URLs only: it lives on the merchant's origin.
 */
export function windowFragment(v: WindowView): string {
  const action = (what: string) => escapeHtml(`${v.origin}/pay/window/${v.readyId}/${what}`)
  const method = v.payMethod === 'VACCT' ? '가상계좌' : '신용카드'
  const close = v.closeUrl ? `\n    <p><a href="${escapeHtml(v.closeUrl)}">Close</a></p>` : ''
  return `<div id="cookiepay-window" role="dialog" aria-label="CookiePay 결제창" style="font-family:sans-serif;max-width:28rem;margin:2rem auto;padding:1.5rem;border:1px solid #ccc;border-radius:8px">
    <h2>CookiePay 결제 (simulator)</h2>
    <dl>
      <dt>상품명</dt><dd data-field="PRODUCTNAME">${escapeHtml(v.productName)}</dd>
      <dt>결제금액</dt><dd data-field="AMOUNT">${escapeHtml(krw(v.amount))}</dd>
      <dt>주문번호</dt><dd data-field="ORDERNO">${escapeHtml(v.orderNo)}</dd>
      <dt>구매자</dt><dd data-field="BUYERNAME">${escapeHtml(v.buyerName)}</dd>
      <dt>결제수단</dt><dd data-field="PAYMETHOD">${method}</dd>
    </dl>
    <form method="post" action="${action('approve')}"><button type="submit">Approve</button></form>
    <form method="post" action="${action('decline')}"><button type="submit">Decline</button></form>${close}
  </div>`
}

function hiddenInputs(fields: Readonly<Record<string, string>>): string {
  return Object.entries(fields)
    .map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`)
    .join('\n    ')
}

/**
 * The page after Approve / Decline: it posts the result to RETURNURL by itself (as CookiePay's window does), once,
 * or twice (`returnPostedTwice`: first into a hidden frame, then the page itself), or not at all (`returnLost`).
 */
export function resultPage(o: {
  title: string
  returnUrl: string
  fields: Readonly<Record<string, string>>
  posts: 0 | 1 | 2
}): string {
  const form = (id: string, target?: string) =>
    `<form id="${id}" method="post" action="${escapeHtml(o.returnUrl)}" accept-charset="utf-8"${target ? ` target="${target}"` : ''}>
    ${hiddenInputs(o.fields)}
    ${id === 'result' ? '<noscript><button type="submit">Continue</button></noscript>' : ''}
  </form>`
  const body =
    o.posts === 0
      ? '<p>결과를 가맹점에 전달하지 못했습니다 (simulated: the result is lost).</p>'
      : o.posts === 1
        ? `${form('result')}
  <script>document.getElementById('result').submit()</script>`
        : `<iframe name="cp-first" title="first post" hidden></iframe>
  ${form('first', 'cp-first')}
  ${form('result')}
  <script>
    (function () {
      var sent = false
      function second() { if (!sent) { sent = true; document.getElementById('result').submit() } }
      document.getElementsByName('cp-first')[0].addEventListener('load', second, { once: true })
      setTimeout(second, 1500)
      document.getElementById('first').submit()
    })()
  </script>`
  return `<!doctype html>
<html lang="ko">
<head><meta charset="utf-8"><title>${escapeHtml(o.title)}</title></head>
<body>
  <p>${escapeHtml(o.title)}</p>
  ${body}
</body>
</html>`
}
