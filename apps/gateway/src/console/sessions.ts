import { randomBytes, timingSafeEqual } from 'node:crypto'
import type { ColumnType, Kysely } from 'kysely'
import { sha256Hex } from '../crypto.js'
import type { Database } from '../db/schema.js'
import type { Operator, OperatorIndex } from './config.js'

/** A console session as a request sees it. The token itself (the cookie) is never kept, only its hash. */
export interface Session {
  /** SHA-256 of the cookie's token: what the database holds and sign-out revokes. */
  hash: string
  operator: Operator
  /** Sent in every form and compared with the session's on every POST (missing or wrong: 403). */
  csrf: string
  createdAt: Date
}

/** A session ends after this long without a request… */
export const IDLE_MS = 30 * 60_000
/** …and after this long in any case: a key taken away from a person stops working within a shift. */
export const ABSOLUTE_MS = 8 * 3600_000
/**
 * A session's last request is written at most this often: every page would otherwise be a write. The idle
 * limit is therefore kept to within this much.
 */
export const TOUCH_EVERY_MS = 60_000

interface ConsoleSessionsTable {
  token_hash: string
  merchant_id: string
  operator: string
  operator_key_hash: string
  csrf: string
  created_at: ColumnType<Date, Date, Date>
  last_seen_at: ColumnType<Date, Date, Date>
  expires_at: ColumnType<Date, Date, Date>
  revoked_at: ColumnType<Date | null, Date | null, Date | null>
}

interface SignInFailuresTable {
  id: string
  client: string
  at: ColumnType<Date, Date, Date>
}

type ConsoleDb = Kysely<
  Database & { console_sessions: ConsoleSessionsTable; console_sign_in_failures: SignInFailuresTable }
>
const consoleDb = (db: Kysely<Database>) => db as unknown as ConsoleDb

const token = () => randomBytes(32).toString('base64url')

/**
 * Console sessions in the database (migration 0013), so every gateway process behind one address accepts a
 * sign-in made at any of them and a sign-out ends it everywhere. The cookie holds a random token; the table holds
 * its SHA-256, so reading the table signs no one in. A session's operator is looked up in the config on every
 * request by the key hash it was opened with: a person removed from the config is signed out at once.
 */
export class SessionStore {
  readonly #db: ConsoleDb

  constructor(
    db: Kysely<Database>,
    private readonly operators: OperatorIndex,
    private readonly now: () => Date,
  ) {
    this.#db = consoleDb(db)
  }

  /** A new session for the operator whose key hashes to `keyHash`; the token goes in the cookie only. */
  async open(keyHash: string): Promise<{ token: string; session: Session }> {
    const operator = this.operators.byHash(keyHash)
    if (!operator) throw new Error('no operator has this key')
    await this.prune()
    const at = this.now()
    const t = token()
    const session: Session = { hash: sha256Hex(t), operator, csrf: token(), createdAt: at }
    await this.#db
      .insertInto('console_sessions')
      .values({
        token_hash: session.hash,
        merchant_id: operator.merchantId,
        operator: operator.name,
        operator_key_hash: keyHash,
        csrf: session.csrf,
        created_at: at,
        last_seen_at: at,
        expires_at: new Date(at.getTime() + ABSOLUTE_MS),
        revoked_at: null,
      })
      .execute()
    return { token: t, session }
  }

  /**
   * The live session this cookie's token opened, or nothing: unknown, revoked, idle too long, past its absolute
   * end, or its operator no longer configured (an expired one is deleted on the way).
   */
  async get(presented: string | undefined): Promise<Session | undefined> {
    if (!presented) return undefined
    const hash = sha256Hex(presented)
    const row = await this.#db
      .selectFrom('console_sessions')
      .selectAll()
      .where('token_hash', '=', hash)
      .executeTakeFirst()
    if (!row || row.revoked_at !== null) return undefined
    const at = this.now().getTime()
    const lastSeen = new Date(row.last_seen_at).getTime()
    if (at - lastSeen > IDLE_MS || at >= new Date(row.expires_at).getTime()) {
      await this.#db.deleteFrom('console_sessions').where('token_hash', '=', hash).execute()
      return undefined
    }
    const operator = this.operators.byHash(row.operator_key_hash)
    if (!operator || operator.merchantId !== row.merchant_id) return undefined
    if (at - lastSeen >= TOUCH_EVERY_MS)
      await this.#db
        .updateTable('console_sessions')
        .set({ last_seen_at: new Date(at) })
        .where('token_hash', '=', hash)
        .execute()
    return { hash, operator, csrf: row.csrf, createdAt: new Date(row.created_at) }
  }

  /** Sign-out: the session is revoked for every process at once (the row goes at the next prune). */
  async revoke(hash: string): Promise<void> {
    await this.#db
      .updateTable('console_sessions')
      .set({ revoked_at: this.now() })
      .where('token_hash', '=', hash)
      .execute()
  }

  /** Drops revoked and expired sessions (run at every sign-in, so the table stays the size of the live ones). */
  async prune(): Promise<number> {
    const at = this.now()
    const r = await this.#db
      .deleteFrom('console_sessions')
      .where((eb) =>
        eb.or([
          eb('revoked_at', 'is not', null),
          eb('expires_at', '<=', at),
          eb('last_seen_at', '<', new Date(at.getTime() - IDLE_MS)),
        ]),
      )
      .executeTakeFirst()
    return Number(r.numDeletedRows)
  }
}

/** The form's CSRF token against the session's, in constant time. */
export function csrfMatches(session: Session, presented: unknown): boolean {
  if (typeof presented !== 'string' || presented.length === 0) return false
  const a = Buffer.from(session.csrf)
  const b = Buffer.from(presented)
  return a.length === b.length && timingSafeEqual(a, b)
}

/**
 * Failed sign-ins per client address, in the database so every gateway process counts the same failures: after
 * `max` failures in `windowMs` the address is refused (429) until the window passes, whether the next key is
 * right or not, so guessing keys costs time wherever the guesses land.
 */
export class SignInLimiter {
  readonly #db: ConsoleDb

  constructor(
    db: Kysely<Database>,
    private readonly now: () => Date,
    readonly max = 5,
    readonly windowMs = 15 * 60_000,
  ) {
    this.#db = consoleDb(db)
  }

  async blocked(client: string): Promise<boolean> {
    const since = new Date(this.now().getTime() - this.windowMs)
    const { n } = await this.#db
      .selectFrom('console_sign_in_failures')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('client', '=', client)
      .where('at', '>', since)
      .executeTakeFirstOrThrow()
    return Number(n) >= this.max
  }

  /** One more failure; failures older than the window (of every address) are dropped on the way. */
  async failed(client: string): Promise<void> {
    const at = this.now()
    await this.#db
      .deleteFrom('console_sign_in_failures')
      .where('at', '<=', new Date(at.getTime() - this.windowMs))
      .execute()
    await this.#db
      .insertInto('console_sign_in_failures')
      .values({ id: randomBytes(12).toString('hex'), client, at })
      .execute()
  }
}
