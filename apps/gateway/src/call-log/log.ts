import type { Kysely } from 'kysely'
import { preparedText } from '../db/prepared.js'
import type { Database } from '../db/schema.js'
import type { PinoLogger } from '../logger.js'
import type { Runtime } from '../runtime.js'
import type { CallPath } from './path.js'

/** How a PG call ended: answered, refused by the PG, answer lost (money may have moved), or never reached the PG. */
export type CallOutcome = 'succeeded' | 'declined' | 'unknown' | 'failed'

/** One PG call made for a payment (and, for a cancel, its cancellation). Codes and messages only: no body. */
export interface PgCall {
  merchantId: string
  paymentId: string
  cancellationId: string | null
  accountId: string
  provider: string
  operation: string
  path: CallPath
  startedAt: Date
  /** Whole milliseconds. */
  durationMs: number
  outcome: CallOutcome
  code: string | null
  providerCode: string | null
  providerMessage: string | null
}

// One fixed text (a named prepared statement on PostgreSQL), a batch of any size as ONE json parameter: the rows
// are serialised by JSON.stringify (native) rather than as 13 arrays escaped element by element in JavaScript.
const INSERT = `INSERT INTO pg_calls (merchant_id, payment_id, cancellation_id, account_id, provider, operation, path,
  started_at, duration_ms, outcome, code, provider_code, provider_message)
SELECT "merchantId", "paymentId", "cancellationId", "accountId", provider, operation, path,
  "startedAt", "durationMs", outcome, code, "providerCode", "providerMessage"
FROM json_to_recordset($1::json) AS r("merchantId" text, "paymentId" text, "cancellationId" text,
  "accountId" text, provider text, operation text, path text, "startedAt" timestamptz, "durationMs" int,
  outcome text, code text, "providerCode" text, "providerMessage" text)`

export interface CallLogOptions {
  /** Rows held in memory at most; beyond it new rows are dropped (and counted), never the request slowed. */
  maxBuffered?: number
  /** Rows per INSERT; a full batch is written at once rather than waiting for the timer. */
  batchSize?: number
  /** How often what is buffered is written. */
  flushEveryMs?: number
}

/**
 * The PG call log, written off the request path: a call is recorded in memory and written with others in one
 * statement, on a timer, when a batch is full, and on shutdown. A cancel's answer therefore costs no extra
 * round trip to the database.
 *
 * What a crash loses: the rows buffered since the last flush (at most `flushEveryMs` of calls). That is
 * acceptable for a log: every state it describes is recorded durably by the ledger in its own statements
 * (before the call and with its answer), so no money, status or stored answer depends on these rows; the
 * console's timeline only shows fewer calls for that moment.
 */
export class CallLog {
  readonly #db: Kysely<Database>
  readonly #logger: PinoLogger
  readonly #max: number
  readonly #batch: number
  #rows: PgCall[] = []
  #writing: Promise<void> = Promise.resolve()
  #timer: NodeJS.Timeout | undefined
  /** Rows dropped because the buffer was full or a write failed for good. */
  dropped = 0

  constructor(db: Kysely<Database>, logger: PinoLogger, opts: CallLogOptions = {}) {
    this.#db = db
    this.#logger = logger
    this.#max = opts.maxBuffered ?? 10_000
    this.#batch = opts.batchSize ?? 500
    this.#timer = setInterval(() => void this.flush(), opts.flushEveryMs ?? 1_000)
    this.#timer.unref()
  }

  record(call: PgCall): void {
    if (this.#rows.length >= this.#max) {
      if (this.dropped++ === 0) this.#logger.warn('PG call log buffer full: calls are not being logged')
      return
    }
    this.#rows.push(call)
    if (this.#rows.length >= this.#batch) void this.flush()
  }

  /** Writes everything recorded so far; resolves once it is in the database (or given up). */
  flush(): Promise<void> {
    this.#writing = this.#writing.then(() => this.#writeAll())
    return this.#writing
  }

  /** Stops the timer and writes what is left (shutdown). */
  async close(): Promise<void> {
    clearInterval(this.#timer)
    await this.flush()
  }

  async #writeAll(): Promise<void> {
    while (this.#rows.length) {
      const batch = this.#rows.splice(0, this.#batch)
      try {
        await this.#db.executeQuery(preparedText(INSERT, [JSON.stringify(batch)]))
      } catch (err) {
        // The database is out of reach: the rows wait for the next flush while there is room, else go.
        const room = this.#max - this.#rows.length
        this.#rows.unshift(...batch.slice(0, Math.max(0, room)))
        this.dropped += Math.max(0, batch.length - room)
        this.#logger.warn({ err, rows: batch.length }, 'the PG call log could not be written; kept for later')
        return
      }
    }
  }
}

const logs = new WeakMap<Runtime, CallLog>()

/** The runtime's call log (made on first use: tests that build a runtime of their own get one too). */
export function callLogOf(rt: Runtime): CallLog {
  let log = logs.get(rt)
  if (!log) {
    log = new CallLog(rt.db, rt.logger)
    logs.set(rt, log)
  }
  return log
}

/** The PG calls logged for a payment (its cancellations' included), in the order they started. */
export async function callsOf(rt: Runtime, merchantId: string, paymentId: string) {
  // Same process: what is still buffered is shown too.
  await callLogOf(rt).flush()
  return rt.db
    .selectFrom('pg_calls')
    .selectAll()
    .where('merchant_id', '=', merchantId)
    .where('payment_id', '=', paymentId)
    .orderBy('started_at')
    .orderBy('id')
    .execute()
}
