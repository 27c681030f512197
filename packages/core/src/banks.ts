/**
 * The neutral bank list, keyed by the 3-digit codes of the Korea Financial Telecommunications & Clearings
 * Institute (KFTC). Adapters translate these to their PG's codes; nothing outside an adapter sees a PG code.
 */
export interface Bank {
  code: string
  name: string
  nameEn: string
}

const list: readonly Bank[] = [
  { code: '002', name: 'KDB산업은행', nameEn: 'KDB' },
  { code: '003', name: 'IBK기업은행', nameEn: 'IBK' },
  { code: '004', name: 'KB국민은행', nameEn: 'Kookmin' },
  { code: '007', name: '수협은행', nameEn: 'Suhyup' },
  { code: '011', name: 'NH농협은행', nameEn: 'NongHyup' },
  { code: '012', name: '지역농축협', nameEn: 'Local NongHyup' },
  { code: '020', name: '우리은행', nameEn: 'Woori' },
  { code: '023', name: 'SC제일은행', nameEn: 'SC First' },
  { code: '027', name: '한국씨티은행', nameEn: 'Citibank Korea' },
  { code: '031', name: '대구은행', nameEn: 'iM Bank (Daegu)' },
  { code: '032', name: '부산은행', nameEn: 'Busan' },
  { code: '034', name: '광주은행', nameEn: 'Gwangju' },
  { code: '035', name: '제주은행', nameEn: 'Jeju' },
  { code: '037', name: '전북은행', nameEn: 'Jeonbuk' },
  { code: '039', name: '경남은행', nameEn: 'Kyongnam' },
  { code: '045', name: '새마을금고', nameEn: 'MG Saemaul' },
  { code: '048', name: '신협', nameEn: 'Shinhyup' },
  { code: '050', name: '저축은행', nameEn: 'Savings bank' },
  { code: '064', name: '산림조합', nameEn: 'Forestry cooperative' },
  { code: '071', name: '우체국', nameEn: 'Korea Post' },
  { code: '081', name: '하나은행', nameEn: 'Hana' },
  { code: '088', name: '신한은행', nameEn: 'Shinhan' },
  { code: '089', name: '케이뱅크', nameEn: 'K Bank' },
  { code: '090', name: '카카오뱅크', nameEn: 'KakaoBank' },
  { code: '092', name: '토스뱅크', nameEn: 'Toss Bank' },
]

export const BANKS: ReadonlyMap<string, Bank> = new Map(list.map((b) => [b.code, b]))

export function isBankCode(code: unknown): code is string {
  return typeof code === 'string' && BANKS.has(code)
}

export function bankByCode(code: string): Bank | undefined {
  return BANKS.get(code)
}

/** All banks, in code order. */
export function listBanks(): readonly Bank[] {
  return list
}
