#!/usr/bin/env node
// pnpm test:chaos — the reliability suite. Needs a real PostgreSQL (DATABASE_URL); without one it says so and
// exits 0. Scenarios 1–6 and 8 run first (one at a time), then scenario 7 scans every log they wrote for secrets.
// Extra arguments filter scenario files, e.g. `pnpm test:chaos race storm`.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const pkg = resolve(dirname(fileURLToPath(import.meta.url)), '..')
if (!process.env.DATABASE_URL) {
  console.log(
    'chaos: SKIPPED — the reliability suite needs a real PostgreSQL. Set DATABASE_URL=postgres://user@host:5432/db ' +
      '(each run creates and drops a database of its own there) and run `pnpm test:chaos` again.',
  )
  process.exit(0)
}

const runs = join(pkg, '.runs')
mkdirSync(runs, { recursive: true })
// Keep the last few runs' logs for reading, not more.
for (const old of readdirSync(runs)
  .filter((d) => d !== 'adhoc')
  .sort()
  .slice(0, -3))
  rmSync(join(runs, old), { recursive: true, force: true })
const runDir = join(runs, new Date().toISOString().replace(/[:.]/g, '-'))
mkdirSync(runDir, { recursive: true })
const env = { ...process.env, CHAOS_RUN_DIR: runDir }
const vitest = join(pkg, 'node_modules', '.bin', 'vitest')
const filters = process.argv.slice(2)
const started = Date.now()

// Besides the live report, each run writes a JSON report: the closing summary repeats every failure's message,
// so that the end of a long CI log says which scenario failed and why.
let reportCount = 0
const reports = []
const run = (files) => {
  const report = join(runDir, `report-${++reportCount}.json`)
  reports.push(report)
  const args = ['run', ...files, '--reporter=verbose', '--reporter=json', `--outputFile.json=${report}`]
  return spawnSync(vitest, args, { cwd: pkg, env, stdio: 'inherit' }).status ?? 1
}

console.log(`chaos: PostgreSQL at ${new URL(process.env.DATABASE_URL).host}; logs in ${runDir}`)
let status = run(filters.length ? filters : ['src/scenarios'])
// Scenario 7 reads what the others logged.
status = run(['src/secrets.chaos.ts']) || status

const figures = join(runDir, 'figures.txt')
console.log(`\nchaos figures (${((Date.now() - started) / 1000).toFixed(0)} s):`)
console.log(
  existsSync(figures) ? readFileSync(figures, 'utf8').trimEnd().split('\n').sort().join('\n') : '(none)',
)
if (status !== 0) {
  console.log('\nchaos failures:')
  for (const line of failures(reports)) console.log(line)
}
console.log(status === 0 ? 'chaos: all scenarios passed' : 'chaos: FAILED')
process.exit(status)

/** Each failed test (or file that failed to load) with the first lines of its error, from the JSON reports. */
function failures(files) {
  const lines = []
  for (const f of files) {
    if (!existsSync(f)) {
      lines.push(`- no report at ${f} (the run died before writing it)`)
      continue
    }
    const report = JSON.parse(readFileSync(f, 'utf8'))
    for (const file of report.testResults ?? []) {
      const name = file.name.slice(pkg.length + 1)
      const failed = (file.assertionResults ?? []).filter((t) => t.status === 'failed')
      if (failed.length === 0 && file.status === 'failed') lines.push(`- ${name}: ${excerpt(file.message)}`)
      for (const t of failed)
        lines.push(`- ${name} > ${t.title}: ${excerpt((t.failureMessages ?? []).join('\n'))}`)
    }
  }
  return lines.length ? lines : ['- (vitest exited non-zero without a failed test in its report)']
}

function excerpt(message = '') {
  // The message and the start of its diff, without colours or the stack.
  const text = message.replace(/\x1b\[[0-9;]*m/g, '').split('\n')
  const kept = text.filter((l) => !/^\s+at /.test(l)).slice(0, 24)
  return kept.map((l, i) => (i ? `    ${l}` : l)).join('\n')
}
