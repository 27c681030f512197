// Bootpay's simulated payment window: what it shows. The page itself (frame, buttons, the result delivered twice)
// is the one every paymux simulator uses, from @paymux/core/simulator.
import { resultTwicePage, simErrorPage, simWindowPage } from '@paymux/core/simulator'
import type { SimWindow } from './state.js'

const METHOD_NAMES: Record<string, string> = { card: '카드', vbank: '가상계좌' }

/** The payment window: the order as the page sent it, and the customer's choices. */
export function windowPage(w: SimWindow): string {
  const p = w.payload
  const method = String(p.method ?? 'card')
  const action = (a: string) => `/window/${encodeURIComponent(w.id)}/${a}`
  return simWindowPage({
    title: 'Bootpay 결제창 (simulator)',
    heading: 'Bootpay 결제창',
    notice: 'paymux Bootpay simulator: no real payment is made.',
    rows: [
      ['상품', String(p.order_name ?? '')],
      ['주문번호', String(p.order_id ?? '')],
      ['결제금액', `${Number(p.price).toLocaleString('ko-KR')}원`],
      ['결제수단', METHOD_NAMES[method] ?? method],
      ['PG', String(p.pg ?? '통합결제')],
    ],
    actions: { approve: action('approve'), decline: action('decline'), close: action('close') },
  })
}

/** A window that cannot open (no redirect_url to send an error to). */
export function errorPage(code: string, message: string): string {
  return simErrorPage('Bootpay 결제창 오류', code, message)
}

/**
 * The result delivered twice: a background request to `url` (the browser's cookies go with it, like a
 * duplicated delivery), then the navigation itself.
 */
export function twicePage(url: string): string {
  return resultTwicePage('Bootpay', url)
}
