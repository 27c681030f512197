// Reads a V8 .cpuprofile (node --cpu-prof) and lists where the gateway spent its CPU: self time per function,
// and the same grouped by package, which is usually what says where to look.
import { readFileSync } from 'node:fs'

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  children?: number[]
}

interface CpuProfile {
  nodes: ProfileNode[]
  samples: number[]
  timeDeltas: number[]
}

function where(url: string): string {
  if (!url) return '(native)'
  const m = /node_modules\/\.pnpm\/[^/]+\/node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)
  if (m) return m[1]!
  const w = /\/(packages|apps)\/([^/]+)\//.exec(url)
  if (w) return `${w[1]}/${w[2]}`
  if (url.startsWith('node:')) return 'node'
  return url.split('/').slice(-2).join('/')
}

export function summariseProfile(file: string, top = 20): string[] {
  const p = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile
  const byId = new Map(p.nodes.map((n) => [n.id, n]))
  const self = new Map<number, number>()
  let total = 0
  p.samples.forEach((id, i) => {
    const dt = p.timeDeltas[i] ?? 0
    self.set(id, (self.get(id) ?? 0) + dt)
    total += dt
  })
  const fn = new Map<string, number>()
  const pkg = new Map<string, number>()
  for (const [id, us] of self) {
    const n = byId.get(id)!
    const name = n.callFrame.functionName || '(anonymous)'
    const loc = where(n.callFrame.url)
    fn.set(
      `${name} [${loc}:${n.callFrame.lineNumber + 1}]`,
      (fn.get(`${name} [${loc}:${n.callFrame.lineNumber + 1}]`) ?? 0) + us,
    )
    pkg.set(loc, (pkg.get(loc) ?? 0) + us)
  }
  // Inclusive: a sample counts for every package on its stack (what a package's calls cost, callees included),
  // as a share of the samples that were not idle.
  const parent = new Map<number, number>()
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
  const inclusive = new Map<string, number>()
  let busy = 0
  for (const [id, us] of self) {
    if (byId.get(id)!.callFrame.functionName === '(idle)') continue
    busy += us
    const seen = new Set<string>()
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const url = byId.get(cur)!.callFrame.url
      if (url && !url.startsWith('node:')) seen.add(where(url))
    }
    for (const k of seen) inclusive.set(k, (inclusive.get(k) ?? 0) + us)
  }
  const pct = (us: number) => `${((100 * us) / total).toFixed(1).padStart(5)}%`
  const lines = [`total ${(total / 1e6).toFixed(1)} s sampled, ${(busy / 1e6).toFixed(1)} s not idle`]
  lines.push('inclusive, share of the non-idle time:')
  for (const [k, v] of [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, 12))
    lines.push(`  ${((100 * v) / busy).toFixed(1).padStart(5)}%  ${k}`)
  lines.push('self time by package:')
  for (const [k, v] of [...pkg].sort((a, b) => b[1] - a[1]).slice(0, 12)) lines.push(`  ${pct(v)}  ${k}`)
  lines.push('by function (self time):')
  for (const [k, v] of [...fn].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`  ${pct(v)}  ${k}`)
  return lines
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  for (const f of process.argv.slice(2)) process.stdout.write(`${f}\n${summariseProfile(f, 30).join('\n')}\n`)
}
