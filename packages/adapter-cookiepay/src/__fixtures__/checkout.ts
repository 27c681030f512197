// Test helpers only: the simulator on a real loopback port, an adapter pointed at it, and the window driven over
// plain HTTP the way its buttons drive it in a browser.
import type { CheckoutRequest, CheckoutReturn } from '@paymux/core'
import { startServer } from '@paymux/core/simulator'
import { CookiePay, type CookiePayOptions } from '../index.js'
import {
  COOKIEPAY_DEMO_CREDENTIALS,
  type CookiePaySimulatorOptions,
  createCookiePaySimulator,
} from '../simulator/index.js'

export async function httpPair(
  o: { sim?: CookiePaySimulatorOptions; adapter?: Partial<CookiePayOptions> } = {},
) {
  const sim = createCookiePaySimulator(o.sim)
  const server = await startServer(sim.app)
  const provider = new CookiePay({
    ...COOKIEPAY_DEMO_CREDENTIALS,
    environment: 'sandbox',
    baseUrl: server.url,
    timeoutMs: 2_000,
    checkoutVerifyDelaysMs: [],
    ...o.adapter,
  })
  return { sim, server, provider, close: () => server.close() }
}

let seq = 0
export function checkoutRequest(over: Partial<CheckoutRequest> = {}): CheckoutRequest {
  seq++
  return {
    orderId: `ORD-${Date.now()}-${seq}`,
    amount: 15_000,
    orderName: '페이먹스 티셔츠',
    method: 'card',
    customer: { name: '김페이', email: 'buyer@example.com', phone: '010-1234-5678' },
    returnUrl: 'https://shop.example/checkout/tok123/return',
    closeUrl: 'https://shop.example/checkout/tok123/close',
    expiresAt: new Date(Date.now() + 30 * 60_000).toISOString(),
    ...over,
  }
}

const unescapeHtml = (s: string) =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')

export interface ParsedForm {
  id?: string
  action: string
  method: string
  fields: Record<string, string>
  buttons: string[]
}

/** The forms of a page: action, method, hidden fields, button labels. */
export function parseForms(html: string): ParsedForm[] {
  return [...html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/g)].map((m) => {
    const attrs = m[1]!
    const attr = (name: string) => {
      const a = new RegExp(`\\b${name}="([^"]*)"`).exec(attrs)
      return a ? unescapeHtml(a[1]!) : undefined
    }
    const fields: Record<string, string> = {}
    for (const i of m[2]!.matchAll(/<input\b[^>]*\bname="([^"]*)"[^>]*\bvalue="([^"]*)"[^>]*>/g)) {
      fields[unescapeHtml(i[1]!)] = unescapeHtml(i[2]!)
    }
    const buttons = [...m[2]!.matchAll(/<button\b[^>]*>([^<]*)<\/button>/g)].map((b) => b[1]!.trim())
    const id = attr('id')
    return {
      ...(id ? { id } : {}),
      action: attr('action') ?? '',
      method: (attr('method') ?? 'get').toUpperCase(),
      fields,
      buttons,
    }
  })
}

/** Presses a window button (Approve / Decline) as the browser would: POSTs its form; the result page's HTML. */
export async function press(windowHtml: string, button: 'Approve' | 'Decline'): Promise<string> {
  const form = parseForms(windowHtml).find((f) => f.buttons.includes(button))
  if (!form) throw new Error(`no ${button} button in the window`)
  const res = await fetch(form.action, {
    method: form.method,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form.fields).toString(),
  })
  if (res.status !== 200) throw new Error(`${button}: HTTP ${res.status}`)
  return res.text()
}

/** The result posts a result page makes to RETURNURL, in order (two when the window posts twice). */
export function resultPosts(resultHtml: string): ParsedForm[] {
  return parseForms(resultHtml).filter((f) => f.id === 'first' || f.id === 'result')
}

/** What the host's return URL receives when the browser submits a result form. */
export function asReturn(fields: Record<string, string>): CheckoutReturn {
  return {
    method: 'POST',
    rawBody: new TextEncoder().encode(new URLSearchParams(fields).toString()),
    query: {},
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  }
}

export const expectedOf = (r: CheckoutRequest) => ({ orderId: r.orderId, amount: r.amount, method: r.method })
