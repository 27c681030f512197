import { type Buyer, type CardData, invalidRequest } from '@paymux/core'
import { assertAsciiId, assertEucKrText } from '../encoding.js'
import type { FormPairs } from './common.js'

/**
 * Buyer fields with NicePay's limits (BuyerName in EUC-KR bytes). Empty ones are left out. `param` is the
 * request's name for the buyer (`buyer`, or a checkout's `customer`), so errors name the caller's field.
 */
export function buyerPairs(buyer: Buyer | undefined, param = 'buyer'): FormPairs {
  const pairs: FormPairs = []
  if (!buyer) return pairs
  if (buyer.email) {
    assertAsciiId(buyer.email, `${param}.email`, 60, /^[^\s@]+@[^\s@]+$/)
    pairs.push(['BuyerEmail', buyer.email])
  }
  if (buyer.phone) {
    const tel = buyer.phone.replace(/-/g, '')
    if (!/^\+?\d{6,20}$/.test(tel)) throw invalidRequest(`${param}.phone`, 'must be 6-20 digits')
    pairs.push(['BuyerTel', tel])
  }
  if (buyer.name) pairs.push(['BuyerName', assertEucKrText(buyer.name, `${param}.name`, 30)])
  return pairs
}

/**
 * The EncData plaintext. Validation messages never echo the values: this is card data.
 */
export function cardPlaintext(card: CardData): string {
  const number = typeof card?.number === 'string' ? card.number.replace(/[\s-]/g, '') : ''
  if (!/^\d{14,16}$/.test(number)) throw invalidRequest('card.number', 'must be 14-16 digits')
  const y = String(card.expiryYear ?? '')
  if (!/^(\d{2}|\d{4})$/.test(y)) throw invalidRequest('card.expiryYear', 'must be YY or YYYY')
  const m = String(card.expiryMonth ?? '')
  if (!/^\d{1,2}$/.test(m) || Number(m) < 1 || Number(m) > 12) {
    throw invalidRequest('card.expiryMonth', 'must be 1-12')
  }
  const idNo = card.ownerId ?? ''
  if (idNo && !/^(\d{6}|\d{10})$/.test(idNo)) {
    throw invalidRequest('card.ownerId', 'must be a birth date YYMMDD or a 10-digit business number')
  }
  const pw = card.passwordPrefix ?? ''
  if (pw && !/^\d{2}$/.test(pw)) throw invalidRequest('card.passwordPrefix', 'must be 2 digits')
  return `CardNo=${number}&ExpYear=${y.slice(-2)}&ExpMonth=${m.padStart(2, '0')}&IDNo=${idNo}&CardPw=${pw}`
}
