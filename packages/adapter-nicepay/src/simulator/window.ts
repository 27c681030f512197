/**
 * NicePay's payment window, stood in (checkout.md §1.2, §1.3, §5): the `nicepay-pgweb.js` entry point, the
 * window page with the order and the Approve / Decline buttons, and the auth result auto-posted to ReturnURL in
 * the CharSet encoding. Every opening is a `SimAuth` keyed by its TxTid.
 */
import { randomBytes } from 'node:crypto'
import { kstParts } from '@paymux/core'
import type { Context } from 'hono'
import { Hono } from 'hono'
import iconv from 'iconv-lite'
import { splitFormBytes } from '../encoding.js'
import type { SimContext } from './app.js'
import { eucKrLen, type Fields, message, sign } from './protocol.js'
import type { SimAuth } from './state.js'

export const SCRIPT_PATH = '/v3/common/js/nicepay-pgweb.js'
export const WINDOW_PATH = '/v3/window'
export const APPROVAL_PATH = '/webapi/pay_process.jsp'
export const NET_CANCEL_PATH = '/webapi/cancel_process.jsp'

const html = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')

/** The PC entry point: `goPay(form)` opens the window with the merchant form's fields, in its charset. */
function script(origin: string): string {
  return `/* paymux NicePay simulator: stand-in for nicepay-pgweb.js */
(function () {
  var windowUrl = ${JSON.stringify(origin + WINDOW_PATH)};
  window.goPay = function (form) {
    var f = document.createElement('form');
    f.method = 'post';
    f.action = windowUrl;
    f.acceptCharset = form.acceptCharset || 'euc-kr';
    for (var i = 0; i < form.elements.length; i++) {
      var e = form.elements[i];
      if (!e.name) continue;
      var h = document.createElement('input');
      h.type = 'hidden'; h.name = e.name; h.value = e.value;
      f.appendChild(h);
    }
    // The browser fills _charset_ with the encoding it submits in, so the window decodes the same.
    var cs = document.createElement('input');
    cs.type = 'hidden'; cs.name = '_charset_';
    f.appendChild(cs);
    document.body.appendChild(f);
    f.submit();
  };
})();
`
}

function page(title: string, body: string): string {
  return `<!DOCTYPE html><html lang="ko"><head><meta charset="utf-8"><title>${html(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font-family:sans-serif;max-width:28rem;margin:2rem auto;padding:0 1rem}dl{display:grid;grid-template-columns:auto 1fr;gap:.3rem 1rem}button{font-size:1rem;padding:.5rem 1.5rem;margin-right:.5rem}</style>
</head><body>${body}</body></html>`
}

/** The window post, decoded by the charset the browser says it used (`_charset_`), else CP949 (§1.2). */
function windowFields(body: Uint8Array): Fields {
  const pairs = splitFormBytes(body)
  const declared = pairs.find((p) => p.key === '_charset_')
  const utf8 = declared && /^utf-?8$/i.test(new TextDecoder('latin1').decode(declared.bytes).trim())
  const out: Fields = {}
  for (const { key, bytes } of pairs) {
    if (key === '_charset_') continue
    out[key] = utf8 ? new TextDecoder('utf-8').decode(bytes) : iconv.decode(Buffer.from(bytes), 'cp949')
  }
  return out
}

const LIMITS: Readonly<Record<string, number>> = {
  GoodsName: 40,
  Amt: 12,
  MID: 10,
  Moid: 64,
  BuyerName: 30,
  BuyerTel: 20,
  BuyerEmail: 60,
  ReturnURL: 500,
  ReqReserved: 500,
}

/** What the window checks before showing itself (checkout.md §5): a failure code, or undefined. */
function windowProblem(ctx: SimContext, f: Fields): { code: string; detail?: string } | undefined {
  for (const n of ['GoodsName', 'Amt', 'MID', 'EdiDate', 'Moid', 'SignData', 'PayMethod', 'ReturnURL']) {
    if (!f[n]?.trim()) return { code: 'W008', detail: n }
  }
  const merchant = ctx.merchants.get(f.MID!)
  if (!merchant) return { code: 'A114' }
  if (sign(f.EdiDate!, f.MID!, f.Amt!, merchant.merchantKey) !== f.SignData!.toLowerCase()) {
    return { code: 'W007' }
  }
  for (const [field, max] of Object.entries(LIMITS)) {
    if (f[field] !== undefined && eucKrLen(f[field]!) > max) return { code: 'A147', detail: field }
  }
  if (!/^\d{1,12}$/.test(f.Amt!) || Number(f.Amt) < 1) return { code: 'W011' }
  if (f.PayMethod !== 'CARD' && f.PayMethod !== 'VBANK') return { code: 'W008', detail: 'PayMethod' }
  if (f.PayMethod === 'VBANK') {
    const exp = f.VbankExpDate?.trim()
    if (!exp) return { code: 'W032' }
    if (!/^(\d{8}|\d{12})$/.test(exp)) return { code: 'W035' }
    const t = kstParts(ctx.clock())
    const now = `${t.yyyy}${t.MM}${t.dd}${t.HH}${t.mm}`
    if ((exp.length === 8 ? `${exp}2359` : exp) < now) return { code: 'W034' }
  }
  // An order number already paid through the window (W005); an unpaid opening may be retried.
  for (const a of ctx.state.auths.values()) {
    if (a.mid === f.MID && a.moid === f.Moid && a.approvals > 0) return { code: 'W005' }
  }
  return undefined
}

/** TxTid by the TID rule (nicepay.md §8): MID + svcCd + prdtCd 01 + yyMMddHHmmss + 4 digits, never reused. */
function newTxTid(ctx: SimContext, mid: string, payMethod: string): string {
  const t = kstParts(ctx.clock())
  const svc = payMethod === 'VBANK' ? '03' : '01'
  for (;;) {
    const n = String(Math.floor(Math.random() * 10_000)).padStart(4, '0')
    const tid = `${mid}${svc}01${t.yy}${t.MM}${t.dd}${t.HH}${t.mm}${t.ss}${n}`
    if (!ctx.state.usedTids.has(tid) && !ctx.state.auths.has(tid)) return tid
  }
}

/**
 * The auth result as a form that posts itself to ReturnURL, in the CharSet encoding (the browser encodes it by
 * `accept-charset`). Twice, when asked: first into a hidden frame, then for real.
 */
function resultPage(auth: SimAuth, fields: Fields, twice: boolean, note: string): string {
  const inputs = Object.entries(fields)
    .map(([k, v]) => `<input type="hidden" name="${html(k)}" value="${html(v)}">`)
    .join('')
  const submit = twice
    ? `var f=document.getElementById('result');var fr=document.getElementById('first');fr.onload=function(){f.target='_self';f.submit()};f.target='first';f.submit();`
    : `document.getElementById('result').submit();`
  return page(
    'NICEPAY',
    `<p>${html(note)}</p>
<form id="result" method="post" action="${html(auth.returnUrl)}" accept-charset="${auth.charset}">${inputs}<noscript><button>Continue</button></noscript></form>
<iframe id="first" name="first" hidden></iframe>
<script>${submit}</script>`,
  )
}

function errorPage(f: Fields, code: string, detail?: string): string {
  const text = detail ? `[${detail}] ${message(code)}` : message(code)
  const back = f.ReturnURL
    ? `<form method="post" action="${html(f.ReturnURL)}"><input type="hidden" name="AuthResultCode" value="${html(code)}"><input type="hidden" name="AuthResultMsg" value="${html(text)}"><input type="hidden" name="Moid" value="${html(f.Moid ?? '')}"><button>Close</button></form>`
    : ''
  return page('NICEPAY', `<h1>결제 오류</h1><p role="alert">${html(code)} ${html(text)}</p>${back}`)
}

function windowPage(auth: SimAuth): string {
  const what = auth.payMethod === 'VBANK' ? '가상계좌' : '신용카드'
  const row = (k: string, v: string | undefined) => (v ? `<dt>${k}</dt><dd>${html(v)}</dd>` : '')
  const base = `${WINDOW_PATH}/${auth.txTid}`
  return page(
    'NICEPAY 결제',
    `<h1>NICEPAY 결제 (simulator)</h1>
<dl>${row('상품명', auth.goodsName)}${row('결제금액', `${auth.amount.toLocaleString('ko-KR')}원`)}${row('결제수단', what)}${row('구매자', auth.buyerName)}${row('주문번호', auth.moid)}${row('가맹점', auth.mid)}</dl>
<form method="post" action="${base}/approve" style="display:inline"><button>Approve</button></form>
<form method="post" action="${base}/decline" style="display:inline"><button>Decline</button></form>`,
  )
}

function randomToken(): string {
  return `NICETOKN${randomBytes(16).toString('hex').toUpperCase()}`
}

/** Where the approval and the network cancel go: this simulator's own origin, on NicePay's real paths. */
function origin(c: Context): string {
  return new URL(c.req.url).origin
}

export function windowRoutes(ctx: SimContext): Hono {
  const app = new Hono()
  app.get(SCRIPT_PATH, (c) =>
    c.body(script(origin(c)), 200, { 'content-type': 'application/javascript; charset=utf-8' }),
  )

  app.post(WINDOW_PATH, async (c) => {
    const f = windowFields(new Uint8Array(await c.req.arrayBuffer()))
    const problem = windowProblem(ctx, f)
    if (problem) return c.html(errorPage(f, problem.code, problem.detail))
    const cs = (f.CharSet ?? '').trim().toLowerCase()
    const txTid = newTxTid(ctx, f.MID!, f.PayMethod!)
    const auth: SimAuth = {
      txTid,
      mid: f.MID!,
      moid: f.Moid!,
      amount: Number(f.Amt),
      goodsName: f.GoodsName!,
      payMethod: f.PayMethod as SimAuth['payMethod'],
      ...(f.BuyerName ? { buyerName: f.BuyerName } : {}),
      ...(f.BuyerEmail ? { buyerEmail: f.BuyerEmail } : {}),
      ...(f.BuyerTel ? { buyerTel: f.BuyerTel } : {}),
      ...(f.VbankExpDate ? { vbankExpDate: f.VbankExpDate.trim() } : {}),
      returnUrl: f.ReturnURL!,
      charset: cs === 'utf-8' || cs === 'utf8' ? 'utf-8' : 'euc-kr',
      reqReserved: f.ReqReserved ?? '',
      state: 'opened',
      openedAt: ctx.clock(),
      approvalCalls: 0,
      approvals: 0,
      netCancelCalls: 0,
      netCancels: 0,
    }
    ctx.state.auths.set(txTid, auth)
    return c.html(windowPage(auth))
  })

  app.post(`${WINDOW_PATH}/:txTid/:button{approve|decline}`, (c) => {
    const auth = ctx.state.auths.get(c.req.param('txTid'))
    if (!auth) return c.html(page('NICEPAY', '<p role="alert">거래 정보가 없습니다</p>'), 404)
    if (auth.state !== 'opened') {
      return c.html(page('NICEPAY', '<p role="alert">이미 처리된 결제입니다</p>'), 409)
    }
    const echo: Fields = {
      PayMethod: auth.payMethod,
      MID: auth.mid,
      Moid: auth.moid,
      Amt: String(auth.amount),
    }
    const twice = ctx.settings.resultPostedTwice
    if (c.req.param('button') === 'decline') {
      auth.state = 'declined'
      const code = ctx.settings.declineCode
      const fields: Fields = {
        AuthResultCode: code,
        AuthResultMsg: message(code),
        ...echo,
        ReqReserved: auth.reqReserved,
        TxTid: auth.txTid,
      }
      return c.html(resultPage(auth, fields, twice, '결제를 취소했습니다. 상점으로 돌아갑니다…'))
    }
    const key = ctx.merchants.get(auth.mid)!.merchantKey
    const token = randomToken()
    auth.state = 'authenticated'
    auth.authToken = token
    auth.authenticatedAt = ctx.clock()
    const o = origin(c)
    // The field order of NicePay's manual example (and of the spec's vector body).
    const fields: Fields = {
      AuthResultCode: '0000',
      AuthResultMsg: '인증 성공',
      AuthToken: token,
      ...echo,
      ReqReserved: auth.reqReserved,
      TxTid: auth.txTid,
      NextAppURL: `${o}${APPROVAL_PATH}`,
      NetCancelURL: `${o}${NET_CANCEL_PATH}`,
      Signature: sign(token, auth.mid, String(auth.amount), key),
    }
    return c.html(resultPage(auth, fields, twice, '인증이 완료되었습니다. 상점으로 돌아갑니다…'))
  })
  return app
}
