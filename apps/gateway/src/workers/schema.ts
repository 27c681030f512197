import type { Kysely } from 'kysely'
import type { Database, Tx } from '../db/schema.js'

/** The database type has always had migration 0002's columns; these names remain for the workers' imports. */
export type ExtDatabase = Database
export type XDb = Kysely<Database>
export type XTx = Tx
export const xdb = (db: Kysely<Database>): Kysely<Database> => db
