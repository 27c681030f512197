import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'

// The ledger's rules (reserved + cancelled ≤ amount, one event per visible change, statuses only along their
// transitions) hold only if nothing else writes money or statuses. This keeps it so: outside ledger/ (and db/,
// which creates the tables), no statement inserts into, deletes from, or sets a status or an amount of the
// payments, cancellations or billing_keys tables. Scheduling columns (leases, next lookup) may be set anywhere.
const SRC = join(import.meta.dirname, '..')
const TABLES = '(payments|cancellations|billing_keys)'
const BUILDER = new RegExp(`(updateTable|insertInto|deleteFrom)\\((?:table as '\\w+'|['"]${TABLES}['"])`, 'g')
const RAW = new RegExp(`(UPDATE|INSERT INTO|DELETE FROM)\\s+(\\$\\{sql\\.table\\([^)]*\\)\\}|${TABLES})`, 'g')
const MONEY_OR_STATUS =
  /\b(status|amount|cancelled_amount|reserved_amount|inflight_cancels|approval_state)\b\s*[:=]/

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory())
      return ['ledger', 'db', 'test-support'].includes(name) ? [] : sources(path)
    return name.endsWith('.ts') && !name.endsWith('.test.ts') ? [path] : []
  })
}

function moneyWritesOutsideLedger(): string[] {
  const found: string[] = []
  for (const file of sources(SRC)) {
    const text = readFileSync(file, 'utf8')
    for (const re of [BUILDER, RAW]) {
      for (const m of text.matchAll(re)) {
        const verb = m[1]!
        const statement = text.slice(m.index, m.index + 600).split(/\n\s*\n|\.execute/)[0]!
        const writesMoney = /insert|delete/i.test(verb) || MONEY_OR_STATUS.test(statement)
        if (/updateTable|UPDATE/.test(verb) && !/payments|cancellations|billing_keys|table/.test(m[0]))
          continue
        if (writesMoney) found.push(`${relative(SRC, file)}: ${m[0]}`)
      }
    }
  }
  return found
}

describe('the ledger is the one writer of money and statuses', () => {
  it('no module outside ledger/ inserts, deletes or sets a status or amount of payments, cancellations, billing keys', () => {
    expect(moneyWritesOutsideLedger()).toEqual([])
  })
})

// The PG call log is not money and is written outside the ledger, but by one module only: a row written from
// anywhere else would be a call the engine's one call site did not make.
describe('the call log has one writer', () => {
  it('no module outside call-log/ inserts into, updates or deletes from pg_calls', () => {
    const found: string[] = []
    const writes =
      /(updateTable|insertInto|deleteFrom)\(['"]pg_calls['"]|(UPDATE|INSERT INTO|DELETE FROM)\s+pg_calls\b/g
    const walk = (dir: string): string[] =>
      readdirSync(dir).flatMap((name) => {
        const path = join(dir, name)
        if (statSync(path).isDirectory()) return ['call-log', 'db'].includes(name) ? [] : walk(path)
        return name.endsWith('.ts') && !name.endsWith('.test.ts') ? [path] : []
      })
    for (const file of walk(SRC))
      for (const m of readFileSync(file, 'utf8').matchAll(writes))
        found.push(`${relative(SRC, file)}: ${m[0]}`)
    expect(found).toEqual([])
  })
})
