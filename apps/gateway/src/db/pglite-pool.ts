import type { PGlite } from '@electric-sql/pglite'
import type { PostgresPool, PostgresPoolClient, PostgresQueryResult } from 'kysely'

/**
 * Lets Kysely's own PostgresDialect drive an embedded PGlite: a pool of exactly one connection. PGlite runs
 * one statement at a time in one session, so a transaction must own the connection from BEGIN to COMMIT; the
 * queue below hands it out one holder at a time, which also gives the same isolation a row lock gives on a
 * server. Everything above this file (SQL, migrations, locking) is identical for both databases.
 */
export class PGlitePool implements PostgresPool {
  readonly #db: PGlite
  #busy = false
  #waiters: Array<() => void> = []
  #ended = false

  readonly #onStatement: ((text: string) => void) | undefined

  constructor(db: PGlite, onStatement?: (text: string) => void) {
    this.#db = db
    this.#onStatement = onStatement
  }

  async connect(): Promise<PostgresPoolClient> {
    if (this.#ended) throw new Error('database is closed')
    if (this.#busy) await new Promise<void>((resolve) => this.#waiters.push(resolve))
    else this.#busy = true
    let released = false
    const db = this.#db
    const seen = this.#onStatement
    const client = {
      query: async <R>(text: string, parameters: ReadonlyArray<unknown>): Promise<PostgresQueryResult<R>> => {
        seen?.(text)
        const r = await db.query<R>(text, parameters as unknown[])
        return {
          command: (r as { command?: string }).command?.toUpperCase() as PostgresQueryResult<R>['command'],
          rowCount: r.affectedRows ?? r.rows.length,
          rows: r.rows,
        }
      },
      release: () => {
        if (released) return
        released = true
        const next = this.#waiters.shift()
        if (next) next()
        else this.#busy = false
      },
    }
    return client as unknown as PostgresPoolClient
  }

  async end(): Promise<void> {
    this.#ended = true
    await this.#db.close()
  }
}
