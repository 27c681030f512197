/**
 * KFTC 3-digit bank codes (the neutral ones) → Toss's bank codes for `bank` and `refundReceiveAccount.bank`.
 * Toss's own table (docs.tosspayments.com/codes/org-codes) is not in the research spec: these are its two-digit
 * codes as published there, where KB국민 is `06` and IBK기업 `03` (not 04/03 of the KFTC list). An option of the
 * adapter replaces the table.
 */
export const TOSS_BANK_CODES: Readonly<Record<string, string>> = {
  '002': '02',
  '003': '03',
  '004': '06',
  '007': '07',
  '011': '11',
  '012': '12',
  '020': '20',
  '023': '23',
  '027': '27',
  '031': '31',
  '032': '32',
  '034': '34',
  '035': '35',
  '037': '37',
  '039': '39',
  '045': '45',
  '048': '48',
  '050': '50',
  '064': '64',
  '071': '71',
  '081': '81',
  '088': '88',
  '089': '89',
  '090': '90',
  '092': '92',
}

/** Toss's code back to the KFTC one (answers name Toss's), undefined when unknown. */
export function kftcOf(tossCode: string, table: Readonly<Record<string, string>> = TOSS_BANK_CODES) {
  for (const [kftc, toss] of Object.entries(table)) if (toss === tossCode) return kftc
  return undefined
}
