// Scenario 7, secrets: every log line the suite produced (every gateway process, the simulator) is searched
// for every secret the suite handled — merchant API keys, master keys, the NicePay merchant key (the PG
// credential), the database password if any, card numbers, and the PG billing keys issued through the gateway
// (read back from each database and decrypted before it was dropped) — and for anything shaped like a card
// number (13–19 digits passing the Luhn check).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { expect, test } from 'vitest'
import { figure, RUN_DIR } from './env.js'

function files(dir: string): string[] {
  if (!existsSync(dir)) return []
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f)
    return statSync(p).isDirectory() ? files(p) : [p]
  })
}

function luhn(digits: string): boolean {
  let sum = 0
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i])
    if (i % 2 === 1) {
      d *= 2
      if (d > 9) d -= 9
    }
    sum += d
  }
  return sum % 10 === 0
}

test('no log line of the whole suite contains a secret, a card number or a billing key', () => {
  const all = files(RUN_DIR)
  const secretFiles = all.filter((f) => f.endsWith('secrets.json'))
  const logs = all.filter((f) => f.endsWith('.log'))
  expect(secretFiles.length).toBeGreaterThan(0)
  expect(logs.length).toBeGreaterThan(0)
  const secrets = [...new Set(secretFiles.flatMap((f) => JSON.parse(readFileSync(f, 'utf8')) as string[]))]
  const leaks: string[] = []
  let lines = 0
  let bytes = 0
  for (const f of logs) {
    const text = readFileSync(f, 'utf8')
    bytes += text.length
    for (const line of text.split('\n')) {
      if (!line) continue
      lines++
      for (const s of secrets)
        if (line.includes(s))
          leaks.push(`${s.slice(0, 4)}… in ${f.slice(RUN_DIR.length + 1)}: ${line.slice(0, 160)}`)
      for (const m of line.matchAll(/(?<![0-9A-Za-z])\d{13,19}(?![0-9A-Za-z])/g))
        if (luhn(m[0]))
          leaks.push(
            `card-like ${m[0].slice(0, 4)}… in ${f.slice(RUN_DIR.length + 1)}: ${line.slice(0, 160)}`,
          )
    }
  }
  figure(
    '7 secrets',
    `${logs.length} log files, ${lines} lines (${(bytes / 1e6).toFixed(1)} MB) searched for ${secrets.length} secrets (API keys, master keys, NicePay merchant key, card numbers, PG billing keys) and Luhn-valid card-like numbers: ${leaks.length} found`,
  )
  expect(leaks.slice(0, 20)).toEqual([])
})
