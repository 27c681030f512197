import { kstIso, kstParts } from '@paymux/core'
import type { SimBillingKey, SimReceipt } from './state.js'

/** v1 times: KST `YYYY-MM-DD HH:MM:SS`. */
export function kstSpaced(ms: number): string {
  const t = kstParts(ms)
  return `${t.yyyy}-${t.MM}-${t.dd} ${t.HH}:${t.mm}:${t.ss}`
}

const PG_NAMES: Record<string, string> = {
  nicepay: '나이스페이먼츠',
  kcp: 'KCP',
  inicis: 'KG이니시스',
  danal: '다날',
  payletter: '페이레터',
  kakao: '카카오페이',
  payco: '페이코',
  payapp: '페이앱',
  welcome: '웰컴페이먼츠',
  toss: '토스페이먼츠',
}

const METHOD_NAMES: Record<SimReceipt['method'], string> = {
  card: '카드',
  vbank: '가상계좌',
  card_rebill_rest: '카드자동결제',
}

const STATUS: Record<string, { en: string; ko: string }> = {
  '0': { en: 'ready', ko: '결제대기' },
  '1': { en: 'complete', ko: '결제완료' },
  '2': { en: 'confirm_ready', ko: '승인대기' },
  '-2': { en: 'confirm_failed', ko: '결제승인실패' },
  '5': { en: 'ready', ko: '가상계좌 발급 완료' },
  '20': { en: 'cancel', ko: '결제취소완료' },
  '-3': { en: 'vbank_cancel', ko: '가상계좌 발급 취소' },
}

const statusOf = (r: SimReceipt) => STATUS[String(r.status)] ?? { en: 'unknown', ko: '알 수 없음' }

export function v1Receipt(r: SimReceipt): Record<string, unknown> {
  return {
    receipt_id: r.receiptId,
    order_id: r.orderId,
    name: r.orderName,
    price: r.price,
    tax_free: r.taxFree,
    remain_price: r.price - r.cancelledPrice,
    remain_tax_free: r.taxFree - r.cancelledTaxFree,
    cancelled_price: r.cancelledPrice,
    cancelled_tax_free: r.cancelledTaxFree,
    receipt_url: `https://app.bootpay.co.kr/bill/${r.receiptId}`,
    unit: 'krw',
    pg: r.pg,
    method: r.method,
    pg_name: PG_NAMES[r.pg] ?? r.pg,
    method_name: METHOD_NAMES[r.method],
    payment_data: {
      receipt_id: r.receiptId,
      n: r.orderName,
      p: r.price,
      tid: r.tid,
      pg: PG_NAMES[r.pg] ?? r.pg,
      pg_a: r.pg,
      pm_a: r.method,
      o_id: r.orderId,
      ...(r.card
        ? {
            card_name: r.card.company,
            card_no: r.card.masked,
            card_quota: '00',
            card_auth_no: r.card.approveNo,
          }
        : {}),
      ...(r.vbank
        ? {
            bankcode: r.vbank.bankCode,
            bankname: 'KB국민은행',
            account: r.vbank.account,
            accountholder: '부트페이',
            ...(r.vbank.expiresAt ? { expiredate: r.vbank.expiresAt } : {}),
          }
        : {}),
      ...(r.purchasedAt ? { p_at: kstSpaced(r.purchasedAt) } : {}),
      s: r.status,
    },
    requested_at: kstSpaced(r.requestedAt),
    purchased_at: r.purchasedAt ? kstSpaced(r.purchasedAt) : null,
    ...(r.cancelledAt ? { revoked_at: kstSpaced(r.cancelledAt) } : {}),
    status: r.status,
    status_en: statusOf(r).en,
    status_ko: statusOf(r).ko,
  }
}

export function v1CancelData(r: SimReceipt, moved: number): Record<string, unknown> {
  return {
    receipt_id: r.receiptId,
    request_cancel_price: moved,
    remain_price: r.price - r.cancelledPrice,
    remain_tax_free: r.taxFree - r.cancelledTaxFree,
    cancelled_price: r.cancelledPrice,
    cancelled_tax_free: r.cancelledTaxFree,
    revoked_at: kstSpaced(r.cancelledAt ?? r.requestedAt),
    tid: r.tid,
  }
}

export function v2Receipt(r: SimReceipt): Record<string, unknown> {
  return {
    receipt_id: r.receiptId,
    order_id: r.orderId,
    price: r.price,
    tax_free: r.taxFree,
    cancelled_price: r.cancelledPrice,
    cancelled_tax_free: r.cancelledTaxFree,
    order_name: r.orderName,
    company_name: '테스트상점',
    gateway_url: 'https://gw.bootpay.co.kr',
    metadata: {},
    sandbox: true,
    pg: PG_NAMES[r.pg] ?? r.pg,
    method: METHOD_NAMES[r.method],
    method_symbol: r.method,
    method_origin: r.method === 'card_rebill_rest' ? '카드' : METHOD_NAMES[r.method],
    method_origin_symbol: r.method === 'card_rebill_rest' ? 'card' : r.method,
    purchased_at: r.purchasedAt ? kstIso(r.purchasedAt) : null,
    requested_at: kstIso(r.requestedAt),
    cancelled_at: r.cancelledAt ? kstIso(r.cancelledAt) : null,
    status_locale: statusOf(r).ko,
    currency: 'KRW',
    receipt_url: `https://door.bootpay.co.kr/receipt/${r.receiptId}`,
    status: r.status,
    ...(r.card
      ? {
          card_data: {
            tid: r.tid,
            card_approve_no: r.card.approveNo,
            card_no: r.card.masked,
            card_interest: '0',
            card_quota: '00',
            card_company_code: r.card.companyCode,
            card_company: r.card.company,
            card_type: '신용',
            card_owner_type: '개인',
          },
        }
      : {}),
    ...(r.vbank
      ? {
          vbank_data: {
            tid: r.tid,
            bank_code: r.vbank.bankCode,
            bank_name: 'KB국민은행',
            bank_account: r.vbank.account,
            bank_username: '부트페이',
            sender_name: '홍길동',
            ...(r.vbank.expiresAt ? { expired_at: `${r.vbank.expiresAt.replace(' ', 'T')}+09:00` } : {}),
          },
        }
      : {}),
  }
}

export function v1BillingKey(bk: SimBillingKey): Record<string, unknown> {
  return {
    billing_key: bk.billingKey,
    pg_name: PG_NAMES[bk.pg] ?? bk.pg,
    pg: bk.pg,
    method_name: '카드정기결제',
    method: 'card_rebill_rest',
    data: { card_code: bk.companyCode, card_name: bk.company, card_no: bk.masked, card_cl: '0' },
    e_at: kstSpaced(bk.expireAt),
    c_at: kstSpaced(bk.publishedAt),
  }
}

export function v2BillingKey(bk: SimBillingKey): Record<string, unknown> {
  return {
    receipt_id: bk.receiptId,
    billing_key: bk.billingKey,
    subscription_id: bk.subscriptionId,
    gateway_url: 'https://gw.bootpay.co.kr',
    metadata: {},
    pg: PG_NAMES[bk.pg] ?? bk.pg,
    method: '카드자동결제',
    method_symbol: 'card_rebill_rest',
    method_origin: '카드자동결제',
    method_origin_symbol: 'card_rebill_rest',
    billing_data: {
      card_no: bk.masked,
      card_company: bk.company,
      card_company_code: bk.companyCode,
      card_type: 1,
    },
    billing_expire_at: kstIso(bk.expireAt),
    published_at: kstIso(bk.publishedAt),
    requested_at: kstIso(bk.publishedAt),
    status_locale: '빌링키발급완료',
    status: 11,
  }
}

/** v1 charge answer (manual: the receipt's flat fields, `card_no` included as Bootpay shows it). */
export function v1Charge(r: SimReceipt): Record<string, unknown> {
  return {
    receipt_id: r.receiptId,
    price: r.price,
    card_no: r.card?.masked,
    card_code: r.card?.companyCode,
    card_name: r.card?.company,
    card_quota: '00',
    params: null,
    item_name: r.orderName,
    order_id: r.orderId,
    url: null,
    payment_name: '카드정기결제',
    pg_name: PG_NAMES[r.pg] ?? r.pg,
    pg: r.pg,
    method: 'card_rebill_rest',
    method_name: '카드정기결제',
    requested_at: kstSpaced(r.requestedAt),
    purchased_at: kstSpaced(r.purchasedAt ?? r.requestedAt),
    status: r.status,
  }
}
