import { CompiledQuery } from 'kysely'

/**
 * Named (server-side prepared) statements for the few statements every cancel runs. Kysely sends each
 * statement unnamed, so PostgreSQL parses, analyses and plans it again on every request; the benchmark's CPU
 * accounting put PostgreSQL at ~1.6 ms per cancel, much of it that. A statement marked here is sent by name:
 * parsed once per connection, then only bound and executed.
 *
 * Opt-in, by a comment at the head of the text, for statements whose text comes from a small fixed set (a
 * name is kept per distinct text, per connection, for the life of the connection) and whose result columns are
 * listed explicitly: a prepared `SELECT *` fails ("cached plan must not change result type") once a migration
 * adds a column under a running process. PGlite ignores the mark (the comment is plain SQL).
 */
export const PREPARE_MARK = '/* paymux:prepared */ '

/** Distinct marked texts beyond this are sent unnamed: a bug that varies a marked text cannot grow memory. */
const MAX_STATEMENTS = 256

const names = new Map<string, string>()

/** The statement's name, or undefined when it is not marked (or the bound is reached). */
export function statementName(text: string): string | undefined {
  if (!text.startsWith(PREPARE_MARK)) return undefined
  let name = names.get(text)
  if (name === undefined) {
    if (names.size >= MAX_STATEMENTS) return undefined
    name = `paymux_${names.size + 1}`
    names.set(text, name)
  }
  return name
}

/** Marks a compiled query to be sent as a named prepared statement on PostgreSQL. */
export function prepared<R>(q: CompiledQuery<R>): CompiledQuery<R> {
  return { ...q, sql: PREPARE_MARK + q.sql }
}

/**
 * A fixed statement text with its parameters, sent as a named prepared statement: for the hot path, where
 * building and compiling the same statement through Kysely on every request showed in the profile.
 */
export function preparedText<R>(text: string, parameters: unknown[]): CompiledQuery<R> {
  return prepared(CompiledQuery.raw(text, parameters))
}

const fixedTexts = new WeakMap<TemplateStringsArray, string>()

/**
 * A fixed statement as a template whose every interpolation is a value (`preparedSql\`… ${a} …\``), sent as a
 * named prepared statement. A call site's template strings are one object for the life of the process, so its
 * text is put together once and every later call only binds: no query tree is built or compiled per request.
 */
export function preparedSql<R>(strings: TemplateStringsArray, ...values: unknown[]): CompiledQuery<R> {
  let text = fixedTexts.get(strings)
  if (text === undefined) {
    text = PREPARE_MARK + strings.reduce((sql, part, i) => `${sql}$${i}${part}`)
    fixedTexts.set(strings, text)
  }
  return CompiledQuery.raw(text, values) as CompiledQuery<R>
}

interface QueryableClient {
  query(...args: unknown[]): unknown
}

/**
 * Makes a node-postgres client send marked texts by name. Kysely calls `query(text, values)` and awaits the
 * promise; any other call shape passes through untouched.
 */
export function namePreparedStatements(client: QueryableClient): void {
  const query = client.query.bind(client)
  client.query = (...args: unknown[]) => {
    const [text, values] = args
    if (args.length === 2 && typeof text === 'string' && Array.isArray(values)) {
      const name = statementName(text)
      if (name !== undefined) return query({ name, text, values })
    }
    return query(...args)
  }
}
