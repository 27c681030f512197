import { describe, expect, it } from 'vitest'
import { kstCompact, kstIso, parseKstCompact } from './time.js'

describe('KST time', () => {
  it('formats instants on the KST wall clock', () => {
    const t = Date.parse('2026-01-31T15:30:05Z')
    expect(kstCompact(t)).toBe('20260201003005')
    expect(kstIso(t)).toBe('2026-02-01T00:30:05+09:00')
  })
  it('parses the 8, 10, 12 and 14 digit forms and dashed dates', () => {
    expect(parseKstCompact('20260210')).toBe('2026-02-10T23:59:59+09:00')
    expect(parseKstCompact('2026-02-10')).toBe('2026-02-10T23:59:59+09:00')
    expect(parseKstCompact('2026021017')).toBe('2026-02-10T17:00:00+09:00')
    expect(parseKstCompact('202602101730')).toBe('2026-02-10T17:30:00+09:00')
    expect(parseKstCompact('20260210235959')).toBe('2026-02-10T23:59:59+09:00')
    expect(parseKstCompact('2026-02-10 12:01:02')).toBe('2026-02-10T12:01:02+09:00')
  })
  it('rejects impossible dates and other shapes', () => {
    expect(parseKstCompact('20260231')).toBeUndefined()
    expect(parseKstCompact('2026021')).toBeUndefined()
    expect(parseKstCompact('abc')).toBeUndefined()
    expect(parseKstCompact('')).toBeUndefined()
  })
})
