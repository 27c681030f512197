/** Korea has no daylight saving: KST is always UTC+9. PGs speak KST wall-clock time. */
const KST_OFFSET_MS = 9 * 3600_000

/** The KST wall clock of an instant, as fields. */
export function kstParts(epochMs: number) {
  const d = new Date(epochMs + KST_OFFSET_MS)
  const p = (n: number, w = 2) => String(n).padStart(w, '0')
  return {
    yyyy: String(d.getUTCFullYear()),
    yy: p(d.getUTCFullYear() % 100),
    MM: p(d.getUTCMonth() + 1),
    dd: p(d.getUTCDate()),
    HH: p(d.getUTCHours()),
    mm: p(d.getUTCMinutes()),
    ss: p(d.getUTCSeconds()),
    SSS: p(d.getUTCMilliseconds(), 3),
  }
}

/** `yyyyMMddHHmmss` in KST. */
export function kstCompact(epochMs: number): string {
  const t = kstParts(epochMs)
  return `${t.yyyy}${t.MM}${t.dd}${t.HH}${t.mm}${t.ss}`
}

/** ISO-8601 with the +09:00 offset. */
export function kstIso(epochMs: number): string {
  const t = kstParts(epochMs)
  return `${t.yyyy}-${t.MM}-${t.dd}T${t.HH}:${t.mm}:${t.ss}+09:00`
}

/**
 * Parses the compact KST forms PGs use — yyyyMMdd (or yyyy-MM-dd), yyyyMMddHH (10), yyyyMMddHHmm (12), yyyyMMddHHmmss (14),
 * and 'yyyy-MM-dd HH:mm:ss' — into an ISO string with +09:00. Undefined when it is none of them.
 * A date without a time means the end of that day (deadlines).
 */
export function parseKstCompact(value: string | undefined | null): string | undefined {
  if (!value) return undefined
  const v = value.trim().replace(/[-: T]/g, '')
  let y: string,
    mo: string,
    d: string,
    h = '23',
    mi = '59',
    s = '59'
  if (/^\d{8}$/.test(v)) [y, mo, d] = [v.slice(0, 4), v.slice(4, 6), v.slice(6, 8)]
  else if (/^\d{10}$/.test(v)) {
    // yyyyMMddHH: the hour the deadline falls in.
    ;[y, mo, d, h] = [v.slice(0, 4), v.slice(4, 6), v.slice(6, 8), v.slice(8, 10)]
    mi = '00'
    s = '00'
  } else if (/^\d{12}$/.test(v)) {
    ;[y, mo, d, h, mi] = [v.slice(0, 4), v.slice(4, 6), v.slice(6, 8), v.slice(8, 10), v.slice(10, 12)]
    s = '00'
  } else if (/^\d{14}$/.test(v)) {
    ;[y, mo, d, h, mi, s] = [
      v.slice(0, 4),
      v.slice(4, 6),
      v.slice(6, 8),
      v.slice(8, 10),
      v.slice(10, 12),
      v.slice(12, 14),
    ]
  } else return undefined
  const iso = `${y}-${mo}-${d}T${h}:${mi}:${s}+09:00`
  const t = Date.parse(iso)
  if (Number.isNaN(t)) return undefined
  // Reject roll-overs such as 2024-02-31.
  return kstIso(t) === iso ? iso : undefined
}
