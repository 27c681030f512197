/**
 * The simulator's stand-in for `@bootpay/client-js` (checkout.md §5 "Bootpay" level (a)): `window.Bootpay` with
 * `requestPayment`, `confirm`, `destroy`, `dismiss`, `setEnvironmentMode`. Like the SDK it converts camelCase keys
 * to snake_case, refuses a payload it cannot send before any network call (§2.7: NEED_MORE_PARAMS,
 * INVALID_REQUEST_PARAMS, NEED_CLIENT_KEY, the items checks, RC_REDIRECT_URL_INVALID) by rejecting with
 * `{event: 'error', error_code, message}`, and posts the order as a form to `{API}/request/payment`. Unlike the SDK
 * it posts the JSON in the clear (the simulator also reads the SDK's encrypted form) and opens the window in
 * redirect mode only: every result goes to `redirect_url`.
 */
export function standInScript(fallbackOrigin: string): string {
  return `(function () {
  var script = document.currentScript;
  var origin = script && script.src ? new URL(script.src).origin : ${JSON.stringify(fallbackOrigin)};
  function fail(code, message) { return { event: 'error', error_code: code, message: message }; }
  function snake(k) { return k.replace(/[A-Z]/g, function (c) { return '_' + c.toLowerCase(); }); }
  function checkItems(p) {
    if (!Array.isArray(p.items)) return undefined;
    var total = 0;
    for (var i = 0; i < p.items.length; i++) {
      var it = p.items[i] || {};
      if (!it.id) return fail('NEED_ITEM_ID', 'items[' + i + '].id is required');
      if (!it.name) return fail('NEED_ITEM_NAME', 'items[' + i + '].name is required');
      if (!it.qty) return fail('NEED_ITEM_QTY', 'items[' + i + '].qty is required');
      if (it.price === undefined || it.price === null) return fail('NEED_ITEM_PRICE', 'items[' + i + '].price is required');
      total += Number(it.price) * Number(it.qty);
    }
    return total === p.price ? undefined : fail('NEED_ITEM_TOTAL_PRICE_NOT_MATCH', 'the items do not add up to price');
  }
  var Bootpay = {
    mode: 'production',
    setEnvironmentMode: function (mode) { this.mode = mode; },
    requestPayment: function (payload) {
      return new Promise(function (resolve, reject) {
        if (!payload || typeof payload !== 'object' || Object.keys(payload).length === 0)
          return reject(fail('NEED_MORE_PARAMS', 'requestPayment needs a payload'));
        var p = {};
        Object.keys(payload).forEach(function (k) { p[snake(k)] = payload[k]; });
        if (!p.application_id && !p.client_key) return reject(fail('NEED_CLIENT_KEY', 'application_id or client_key is required'));
        if (!p.order_name || p.price === undefined || p.price === null || p.price === '' || !p.order_id)
          return reject(fail('INVALID_REQUEST_PARAMS', 'order_name, price and order_id are required'));
        p.price = parseFloat(p.price);
        var bad = checkItems(p);
        if (bad) return reject(bad);
        var extra = p.extra || {};
        var redirect = p.redirect_url || extra.redirect_url;
        if (!redirect) return reject(fail('RC_REDIRECT_URL_INVALID', 'redirect_url is required (this window opens in redirect mode)'));
        p.redirect_url = redirect;
        var form = document.createElement('form');
        form.method = 'post';
        form.action = origin + '/v2/request/payment';
        form.acceptCharset = 'utf-8';
        var field = document.createElement('input');
        field.type = 'hidden';
        field.name = 'payload';
        field.value = JSON.stringify(p);
        form.appendChild(field);
        (document.body || document.documentElement).appendChild(form);
        form.submit();
      });
    },
    confirm: function () {
      return Promise.reject(fail('RC_CONFIRM_READY_NOT_YET', 'this window confirms on the server only'));
    },
    destroy: function () { document.dispatchEvent(new Event('bootpayclose')); },
    dismiss: function () { document.dispatchEvent(new Event('bootpayclose')); },
  };
  window.Bootpay = Bootpay;
})();
`
}
