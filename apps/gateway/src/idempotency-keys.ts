import { type Kysely, type QueryCreator, sql, type Transaction } from 'kysely'
import type { Database } from './db/schema.js'
import { badRequest } from './errors.js'

export type Tx = Kysely<Database> | Transaction<Database>

/** What a handler answers; stored and replayed under an Idempotency-Key. */
export interface Outcome {
  status: number
  body: unknown
}

/** An answer as operations give it: their object, or the error they recorded. */
export type StorableOutcome = Outcome | { status: number; error: unknown }

export interface ResourceRef {
  type: 'cancellation' | 'payment' | 'billing_key'
  id: string
}

/** A stored Idempotency-Key as the decision about a request that reuses it needs it. */
export interface KeyRow {
  fingerprint: string
  state: 'in_progress' | 'completed'
  locked_until: Date | string
  response_status: number | null
  response_body: unknown
  resource_type: ResourceRef['type'] | null
  resource_id: string | null
}

/**
 * What claiming an Idempotency-Key found: the key is this request's now (`new`), or it is taken and the request
 * is answered from it, never run: the stored answer or its object's current state (`replay`), 409 while the
 * first request runs or the key changed hands under this one (`in_use`), 422 for another request (`mismatch`).
 */
export type KeyClaim =
  | { claim: 'new' }
  | { claim: 'replay'; outcome: Outcome }
  | { claim: 'replay'; resource: ResourceRef; stale: boolean }
  | { claim: 'in_use'; contended: boolean }
  | { claim: 'mismatch' }

export type KeyTaken = Exclude<KeyClaim, { claim: 'new' }>

const NEW: KeyClaim = { claim: 'new' }

/** An operation's step answered from the key instead of its own result. */
export function isKeyTaken(v: unknown): v is KeyTaken {
  return typeof v === 'object' && v !== null && 'claim' in v && (v as KeyClaim).claim !== 'new'
}

/** The bytes of the first answer: a replay sends exactly these (the json column keeps the text as written). */
export function storedBody(outcome: StorableOutcome): string {
  return JSON.stringify('error' in outcome ? { error: outcome.error } : outcome.body)
}

/**
 * One Idempotency-Key of one merchant. An operation claims it in the one statement that records its intent
 * (`claimOf` reads what that statement answered), so the record and what it protects commit together or not
 * at all.
 */
export class IdempotencyScope {
  /** This request holds the key: whatever it answers is the first answer, never a replay. */
  claimed = false

  constructor(
    readonly merchantId: string,
    readonly key: string,
    readonly fingerprint: string,
  ) {}

  async complete(trx: Tx, outcome: StorableOutcome, resource?: ResourceRef): Promise<void> {
    await this.completeQuery(trx, outcome, resource).execute()
  }

  /** `complete` as a statement not yet run: a caller may fold it into one statement with its own writes. */
  completeQuery(trx: Tx | QueryCreator<Database>, outcome: StorableOutcome, resource?: ResourceRef) {
    return trx
      .updateTable('idempotency_keys')
      .set({
        state: 'completed',
        response_status: outcome.status,
        response_body: storedBody(outcome),
        ...(resource ? { resource_type: resource.type, resource_id: resource.id } : {}),
      })
      .where('merchant_id', '=', this.merchantId)
      .where('key', '=', this.key)
  }

  /** Forgets the key: the request provably changed nothing (PG unreachable), so the client may retry it. */
  async release(trx: Tx): Promise<void> {
    await this.releaseQuery(trx).execute()
  }

  releaseQuery(trx: Tx | QueryCreator<Database>) {
    return trx
      .deleteFrom('idempotency_keys')
      .where('merchant_id', '=', this.merchantId)
      .where('key', '=', this.key)
      .where('state', '=', 'in_progress')
  }
}

/**
 * The claim as an intent statement answered it: `claimed` when it inserted the key. Otherwise the key is read
 * and decides; a key gone by then was released by a request that provably did nothing (`in_use`, contended).
 */
export async function claimOf(
  db: Tx,
  scope: IdempotencyScope,
  now: Date,
  claimed: boolean,
): Promise<KeyClaim> {
  if (claimed) {
    scope.claimed = true
    return NEW
  }
  return (await readExisting(db, scope, now)) ?? { claim: 'in_use', contended: true }
}

/** What a request whose key already exists gets (undefined: there is no such key). */
export async function readExisting(
  db: Tx,
  scope: IdempotencyScope,
  now: Date,
): Promise<KeyTaken | undefined> {
  const row = await db
    .selectFrom('idempotency_keys')
    .select([
      'fingerprint',
      'state',
      'locked_until',
      'response_status',
      'response_body',
      'resource_type',
      'resource_id',
    ])
    .where('merchant_id', '=', scope.merchantId)
    .where('key', '=', scope.key)
    .executeTakeFirst()
  return decideExisting(row as KeyRow | undefined, scope, now)
}

/** The decision of `readExisting`, from a key row already read (undefined: there is none). */
export function decideExisting(
  row: KeyRow | undefined,
  scope: IdempotencyScope,
  now: Date,
): KeyTaken | undefined {
  if (!row) return undefined
  if (row.fingerprint !== scope.fingerprint) return { claim: 'mismatch' }
  const resource =
    row.resource_type && row.resource_id
      ? ({ type: row.resource_type, id: row.resource_id } as ResourceRef)
      : undefined
  if (row.state === 'in_progress') {
    if (new Date(row.locked_until).getTime() > now.getTime() || !resource)
      return { claim: 'in_use', contended: false }
    // The process that held the key died mid-request: never run it again; report what is recorded.
    return { claim: 'replay', resource, stale: true }
  }
  if (row.response_status === 202 && resource) return { claim: 'replay', resource, stale: false }
  return { claim: 'replay', outcome: { status: row.response_status ?? 200, body: row.response_body } }
}

/** Accepts a bare token or an RFC 8941 quoted string (`"abc"`), 1–255 visible ASCII characters. */
export function parseIdempotencyKey(header: string | undefined): string | undefined {
  if (header === undefined) return undefined
  let v = header.trim()
  if (v.length >= 2 && v.startsWith('"') && v.endsWith('"')) v = v.slice(1, -1)
  if (!/^[\x21-\x7e]{1,255}$/.test(v)) {
    throw badRequest('Idempotency-Key', 'Idempotency-Key must be 1-255 visible ASCII characters')
  }
  return v
}

/** Canonical JSON (sorted keys) so that key order and whitespace do not make two equal requests differ. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null'
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`
}

/**
 * Deletes finished keys created before `cutoff`, in batches, so that a backlog of millions never becomes one
 * long statement. Keys still in flight are kept whatever their age. Returns how many were deleted.
 */
export async function sweepIdempotencyKeys(
  db: Tx,
  cutoff: Date,
  batchSize = 5000,
  maxBatches = 20,
): Promise<number> {
  let total = 0
  for (let i = 0; i < maxBatches; i++) {
    const r = await sql`DELETE FROM idempotency_keys WHERE (merchant_id, key) IN (
        SELECT merchant_id, key FROM idempotency_keys
        WHERE created_at < ${cutoff}::timestamptz AND state = 'completed' LIMIT ${batchSize}::int)`.execute(
      db,
    )
    const n = Number(r.numAffectedRows ?? 0)
    total += n
    if (n < batchSize) break
  }
  return total
}
