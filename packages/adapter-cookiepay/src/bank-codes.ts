/**
 * KFTC 3-digit bank code → the code CookiePay's cancel API expects in `bank` for virtual-account refunds.
 * CookiePay's own plugin sends two digits ("bank": "03" for IBK, and paycert reports IBK as CARDCODE "03"),
 * i.e. the KFTC code without its leading zero [VENDOR example; the full list is INF]. Kept as data so a
 * merchant can override it (`refundBankCodes` option) if CookiePay ever answers otherwise.
 */
export const COOKIEPAY_REFUND_BANK_CODES: Readonly<Record<string, string>> = {
  '002': '02', // KDB산업은행
  '003': '03', // IBK기업은행
  '004': '04', // KB국민은행
  '007': '07', // 수협은행
  '011': '11', // NH농협은행
  '012': '12', // 지역농축협
  '020': '20', // 우리은행
  '023': '23', // SC제일은행
  '027': '27', // 한국씨티은행
  '031': '31', // 대구은행
  '032': '32', // 부산은행
  '034': '34', // 광주은행
  '035': '35', // 제주은행
  '037': '37', // 전북은행
  '039': '39', // 경남은행
  '045': '45', // 새마을금고
  '048': '48', // 신협
  '050': '50', // 저축은행
  '064': '64', // 산림조합
  '071': '71', // 우체국
  '081': '81', // 하나은행
  '088': '88', // 신한은행
  '089': '89', // 케이뱅크
  '090': '90', // 카카오뱅크
  '092': '92', // 토스뱅크
}
