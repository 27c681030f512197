// The browser half of the simulated Toss: a stand-in for the v1 payment SDK (`TossPayments(clientKey)
// .requestPayment(method, params)`), and the payment window it opens, with Approve / Decline / Close. The window
// redirects to `successUrl` with `paymentKey, orderId, amount` or to `failUrl` with `code, message, orderId`
// (spec §1.9), which is all a host's return route ever sees.
import { simErrorPage, simWindowPage } from '@paymux/core/simulator'
import type { SimPayment } from './state.js'

export const WINDOW_PATH = '/sim/window'

/** The window: the order as the SDK sent it, and the customer's three choices. */
export function windowPage(p: SimPayment): string {
  const action = (a: string) => `${WINDOW_PATH}/${encodeURIComponent(p.paymentKey)}/${a}`
  return simWindowPage({
    title: '토스페이먼츠 결제창 (simulator)',
    heading: '토스페이먼츠 결제창',
    notice: 'paymux Toss Payments simulator: no real payment is made.',
    rows: [
      ['상품', p.orderName],
      ['주문번호', p.orderId],
      ['결제금액', `${p.totalAmount.toLocaleString('ko-KR')}원`],
      ['결제수단', p.method ?? '카드'],
    ],
    actions: { approve: action('approve'), decline: action('decline'), close: action('close') },
  })
}

export function errorPage(code: string, message: string): string {
  return simErrorPage('토스페이먼츠 결제창 오류', code, message)
}

/**
 * The stand-in SDK served at `/v1/payment` (the real one is `https://js.tosspayments.com/v1/payment`). Like the
 * SDK it checks what it can before leaving the page (rejecting with `{code, message}`), then takes the browser to
 * the window by a form post. It supports the redirect flow only: every result goes to successUrl / failUrl.
 */
export function standInSdk(fallbackOrigin: string): string {
  return `(function () {
  var script = document.currentScript;
  var origin = script && script.src ? new URL(script.src).origin : ${JSON.stringify(fallbackOrigin)};
  function fail(code, message) { var e = new Error(message); e.code = code; return e; }
  window.TossPayments = function (clientKey) {
    if (!clientKey) throw fail('INVALID_CLIENT_KEY', 'clientKey is required');
    return {
      requestPayment: function (method, params) {
        return new Promise(function (resolve, reject) {
          var p = params || {};
          if (!p.amount || !p.orderId || !p.orderName) return reject(fail('INVALID_PARAMETERS', 'amount, orderId and orderName are required'));
          if (!p.successUrl || !p.failUrl) return reject(fail('INVALID_PARAMETERS', 'successUrl and failUrl are required (redirect flow)'));
          var form = document.createElement('form');
          form.method = 'post';
          form.action = origin + '${WINDOW_PATH}';
          form.acceptCharset = 'utf-8';
          var fields = { clientKey: clientKey, method: method, params: JSON.stringify(p) };
          Object.keys(fields).forEach(function (k) {
            var input = document.createElement('input');
            input.type = 'hidden'; input.name = k; input.value = fields[k];
            form.appendChild(input);
          });
          (document.body || document.documentElement).appendChild(form);
          form.submit();
        });
      },
    };
  };
})();
`
}
