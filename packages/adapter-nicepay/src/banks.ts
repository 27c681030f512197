/**
 * KFTC bank codes (the neutral ones, core's `BANKS`) ↔ NicePay's 3-digit bank codes (manual-code-partner).
 * NicePay happens to use the KFTC numbers for banks, but the table stays data so a divergence is one line.
 */
export const KFTC_TO_NICEPAY: Readonly<Record<string, string>> = {
  '002': '002', // 산업
  '003': '003', // 기업
  '004': '004', // 국민
  '007': '007', // 수협
  '011': '011', // 농협
  '012': '012', // 농협회원조합
  '020': '020', // 우리
  '023': '023', // SC제일
  '027': '027', // 씨티
  '031': '031', // iM뱅크(대구)
  '032': '032', // 부산
  '034': '034', // 광주
  '035': '035', // 제주
  '037': '037', // 전북
  '039': '039', // 경남
  '045': '045', // 새마을금고
  '048': '048', // 신협
  '050': '050', // 저축은행
  '064': '064', // 산림조합
  '071': '071', // 우체국
  '081': '081', // 하나
  '088': '088', // 신한
  '089': '089', // 케이뱅크
  '090': '090', // 카카오뱅크
  '092': '092', // 토스뱅크
}

export const NICEPAY_TO_KFTC: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(KFTC_TO_NICEPAY).map(([k, n]) => [n, k]),
)

/** Banks NicePay can issue virtual accounts at ("가상계좌 채번가능", manual-code-partner), NicePay codes. */
export const NICEPAY_VBANK_BANKS: ReadonlySet<string> = new Set([
  '003',
  '004',
  '011',
  '020',
  '023',
  '031',
  '032',
  '034',
  '071',
  '081',
  '088',
  '089',
])
