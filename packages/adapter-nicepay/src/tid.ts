import { kstParts } from '@paymux/core'

/** TID = MID(10) + svcCd(2) + prdtCd(2) + yyMMddHHmmss(12) + 4 digits (NicePay FAQ "TID 생성 규칙"). */
export type TidGenerator = (mid: string, svcCd: string, prdtCd: string, now: number) => string

export const SVC_CARD = '01'
export const SVC_VBANK = '03'
export const PRDT_NORMAL = '01'
export const PRDT_BILLING = '16'

/**
 * Per MID and second, a counter that starts at a random offset and never repeats within the process: ten
 * thousand TIDs per second per MID. Beyond that the stamp borrows the next second instead of reusing a
 * number (NicePay answers 1651 to a duplicate TID, which would fail a charge that should have worked).
 * Shared by every adapter instance in the process, since two instances with one MID would otherwise collide.
 */
const state = new Map<string, { stamp: number; seq: number; used: number }>()

export const defaultTidGenerator: TidGenerator = (mid, svcCd, prdtCd, now) => {
  const key = `${mid}${svcCd}${prdtCd}`
  const second = Math.floor(now / 1000)
  let s = state.get(key)
  if (!s || s.stamp < second) {
    s = { stamp: second, seq: Math.floor(Math.random() * 10_000), used: 0 }
    state.set(key, s)
  }
  if (s.used >= 10_000) {
    s.stamp += 1
    s.seq = Math.floor(Math.random() * 10_000)
    s.used = 0
  }
  const n = s.seq
  s.seq = (s.seq + 1) % 10_000
  s.used++
  const t = kstParts(s.stamp * 1000)
  return `${mid}${svcCd}${prdtCd}${t.yy}${t.MM}${t.dd}${t.HH}${t.mm}${t.ss}${String(n).padStart(4, '0')}`
}
