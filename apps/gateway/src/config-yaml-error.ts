/**
 * A YAML syntax error as the operator can act on it: one line, the position in the file they wrote, and
 * their `${VAR}` references rather than the placeholders the parser saw (references are masked before
 * parsing, see loadConfigFile).
 */
export function yamlErrorLine(
  path: string,
  original: string,
  masked: string,
  refs: readonly string[],
  err: unknown,
): string {
  const e = err as { message?: unknown; pos?: unknown }
  const first = String(e.message ?? err).split('\n')[0]!
  const what = restore(first.replace(/ at line \d+, column \d+:?\s*$/, ''), refs)
  let where = ''
  if (Array.isArray(e.pos) && typeof e.pos[0] === 'number') {
    const offset = originalOffset(e.pos[0], masked, refs)
    const before = original.slice(0, offset)
    where = ` at line ${before.split('\n').length}, column ${offset - before.lastIndexOf('\n')}`
  }
  return `config file ${path} is not valid YAML${where}: ${what}`
}

const TOKEN = /__paymux_env_(\d+)__/g

function restore(text: string, refs: readonly string[]): string {
  return text.replace(TOKEN, (m, i: string) => refs[Number(i)] ?? m)
}

/** Where `maskedOffset` falls in the original text: every placeholder before it gives back its length. */
function originalOffset(maskedOffset: number, masked: string, refs: readonly string[]): number {
  let shift = 0
  for (const m of masked.matchAll(TOKEN)) {
    if (m.index >= maskedOffset) break
    const ref = refs[Number(m[1])] ?? m[0]
    if (maskedOffset < m.index + m[0].length) return m.index + shift
    shift += ref.length - m[0].length
  }
  return maskedOffset + shift
}
