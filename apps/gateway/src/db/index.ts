import { mkdirSync } from 'node:fs'
import { Kysely, Migrator, PostgresDialect, sql } from 'kysely'
import pg from 'pg'
import { migrationProvider } from './migrations.js'
import { PGlitePool } from './pglite-pool.js'
import { namePreparedStatements } from './prepared.js'
import type { Database } from './schema.js'

export type { Database } from './schema.js'

export interface DatabaseOptions {
  /** postgres://… : PostgreSQL. Omitted: embedded PGlite. */
  url?: string
  /** PGlite data folder; omitted with no url: in memory. */
  dataDir?: string
  /** Use (and create) this schema instead of the default: isolates tests and tenants on one server. */
  schema?: string
  poolSize?: number
  /** PostgreSQL: how long connecting (and waiting for a pooled connection) may take. Default 5 s. */
  connectTimeoutMs?: number
  /** PostgreSQL's own statement_timeout for every statement of the gateway. Default 10 s. */
  statementTimeoutMs?: number
  /**
   * PostgreSQL: how long the gateway waits for any answer to a statement, even from a server it no longer hears
   * (a silent network partition, where statement_timeout never reaches it). Default 12 s.
   */
  queryTimeoutMs?: number
  /** Called with the text of every statement sent to the server, BEGIN and COMMIT included (tests count them). */
  onStatement?: (text: string) => void
}

export interface Db {
  kysely: Kysely<Database>
  kind: 'postgres' | 'pglite'
  /** Runs pending migrations; returns their names. */
  migrate(): Promise<string[]>
  ping(): Promise<void>
  close(): Promise<void>
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/

/**
 * The embedded PostgreSQL's buffer cache lives in the gateway's own memory (WebAssembly memory, which never
 * shrinks): at PostgreSQL's 128 MB default a busy gateway's resident set grew by about that much. The gateway's
 * working set (recent payments, their indexes) fits in far less; pages beyond it come from the OS page cache.
 */
const PGLITE_SETTINGS = ['-c', 'shared_buffers=32MB']

// int8 is 64-bit; every amount here is ≤ 12 digits, so Number is exact and both drivers agree.
const pgTypes = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === 20
      ? (v: string) => Number(v)
      : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
}

export async function openDatabase(opts: DatabaseOptions): Promise<Db> {
  if (opts.schema !== undefined && !SCHEMA_NAME.test(opts.schema))
    throw new Error(`database.schema: invalid name`)
  let kind: Db['kind']
  let pool: pg.Pool | PGlitePool
  // Migrations may rebuild an index of a large table: they get a connection of their own, without the
  // timeouts that keep requests from hanging.
  const migrationPool = () =>
    opts.url
      ? new pg.Pool({ ...pgOptions(opts, opts.url), max: 1, connectionTimeoutMillis: 30_000 })
      : undefined
  if (opts.url) {
    kind = 'postgres'
    pool = new pg.Pool({
      ...pgOptions(opts, opts.url),
      max: opts.poolSize ?? 10,
      connectionTimeoutMillis: opts.connectTimeoutMs ?? 5_000,
      statement_timeout: opts.statementTimeoutMs ?? 10_000,
      query_timeout: opts.queryTimeoutMs ?? 12_000,
    })
    // An idle client losing its server (restart, failover) must not crash the process.
    pool.on('error', () => {})
    // Neither may a checked-out one: pg emits 'error' on a client whose connection is terminated between two
    // statements of a transaction, and the pool listens only while the client is idle. The statement in
    // progress (or the next one) still fails, and the pool discards the dead client when it is released.
    pool.on('connect', (client) => {
      client.on('error', () => {})
      endOnQueryTimeout(client)
      namePreparedStatements(client as never)
      if (opts.onStatement) countStatements(client, opts.onStatement)
    })
  } else {
    kind = 'pglite'
    if (opts.dataDir) mkdirSync(opts.dataDir, { recursive: true })
    // Loaded only when used: a gateway on PostgreSQL never pays its start-up time or memory.
    const { PGlite } = await import('@electric-sql/pglite')
    const lite = await PGlite.create({
      ...(opts.dataDir ? { dataDir: opts.dataDir } : {}),
      startParams: [...PGlite.defaultStartParams, ...PGLITE_SETTINGS],
    })
    pool = new PGlitePool(lite, opts.onStatement)
  }
  const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) })
  if (opts.schema) {
    await sql`CREATE SCHEMA IF NOT EXISTS ${sql.id(opts.schema)}`.execute(kysely)
    // PGlite has a single session: set its search_path once.
    if (kind === 'pglite') await sql`SET search_path TO ${sql.id(opts.schema)}`.execute(kysely)
  }
  return {
    kysely,
    kind,
    async migrate() {
      const own = migrationPool()
      const db = own ? new Kysely<Database>({ dialect: new PostgresDialect({ pool: own }) }) : kysely
      try {
        const migrator = new Migrator({
          db,
          provider: migrationProvider,
          ...(opts.schema ? { migrationTableSchema: opts.schema } : {}),
        })
        const { error, results } = await migrator.migrateToLatest()
        if (error) throw error
        return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName)
      } finally {
        if (own) await db.destroy()
      }
    },
    async ping() {
      await sql`SELECT 1`.execute(kysely)
    },
    async close() {
      await kysely.destroy()
    },
  }
}

function pgOptions(opts: DatabaseOptions, url: string): pg.PoolConfig {
  return {
    connectionString: url,
    types: pgTypes,
    ...(opts.schema ? { options: `-c search_path=${opts.schema}` } : {}),
  }
}

/**
 * A statement unanswered past query_timeout fails, but pg keeps the connection: every later statement on it
 * would wait behind the lost one and time out in turn. The connection is closed instead, so the pool drops it
 * when it is given back and opens a fresh one (or fails fast while the server stays out of reach).
 */
function endOnQueryTimeout(client: pg.PoolClient): void {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown
  const drop = (err: unknown) => {
    if (err instanceof Error && err.message === 'Query read timeout')
      (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy()
    throw err
  }
  ;(client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
    const r = query(...args)
    return r instanceof Promise ? r.catch(drop) : r
  }
}

function countStatements(
  client: { query: (...args: never[]) => unknown },
  seen: (text: string) => void,
): void {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown
  ;(client as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
    const first = args[0]
    seen(typeof first === 'string' ? first : String((first as { text?: string })?.text ?? ''))
    return query(...args)
  }
}

/** Drops a schema made by `openDatabase({ schema })` (tests). */
export async function dropSchema(db: Db, schema: string): Promise<void> {
  if (!SCHEMA_NAME.test(schema)) throw new Error('invalid schema name')
  await sql`DROP SCHEMA IF EXISTS ${sql.id(schema)} CASCADE`.execute(db.kysely)
}
