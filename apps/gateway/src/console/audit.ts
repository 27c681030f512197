import { randomBytes } from 'node:crypto'
import type { ColumnType, Kysely, Selectable } from 'kysely'
import type { Database } from '../db/schema.js'
import type { Operator } from './config.js'

/**
 * The operator audit: every action a person took in the console (sign-in, refund, resolve, resend, eject),
 * append-only, with who, when and what. Every write of it goes through `recordAction`; the table refuses
 * updates and deletes itself, so the log cannot be edited through the gateway's own connection either.
 */
export interface OperatorActionsTable {
  id: string
  merchant_id: string
  operator: string
  role: string
  /** sign_in | sign_in_failed | sign_out | refund | resolve | check_again | resend | eject | restore */
  action: string
  object_type: string | null
  object_id: string | null
  /** jsonb: written as a JSON string, read back parsed. */
  detail: ColumnType<Record<string, unknown>, string, string>
  created_at: ColumnType<Date, Date | string, Date | string>
}
export type OperatorAction = Selectable<OperatorActionsTable>

type AuditDb = Kysely<Database & { operator_actions: OperatorActionsTable }>
const audited = (db: Kysely<Database>) => db as unknown as AuditDb

export interface ActionInput {
  action: string
  object?: { type: string; id: string }
  /** What was done, never a secret: amounts, reasons, notes, the state asserted. */
  detail?: Record<string, unknown>
}

export async function recordAction(
  db: Kysely<Database>,
  who: Operator,
  what: ActionInput,
  at: Date,
): Promise<void> {
  await audited(db)
    .insertInto('operator_actions')
    .values({
      id: `opa_${randomBytes(12).toString('hex')}`,
      merchant_id: who.merchantId,
      operator: who.name,
      role: who.role,
      action: what.action,
      object_type: what.object?.type ?? null,
      object_id: what.object?.id ?? null,
      detail: JSON.stringify(what.detail ?? {}),
      created_at: at,
    })
    .execute()
}

/** The actions taken on these objects (a payment and its cancellations), oldest first. */
export async function actionsOn(
  db: Kysely<Database>,
  merchantId: string,
  objectIds: string[],
): Promise<OperatorAction[]> {
  if (objectIds.length === 0) return []
  return audited(db)
    .selectFrom('operator_actions')
    .selectAll()
    .where('merchant_id', '=', merchantId)
    .where('object_id', 'in', objectIds)
    .orderBy('created_at')
    .orderBy('id')
    .execute()
}

/** The merchant's latest actions (the audit page). */
export async function latestActions(db: Kysely<Database>, merchantId: string, limit = 100) {
  return audited(db)
    .selectFrom('operator_actions')
    .selectAll()
    .where('merchant_id', '=', merchantId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute()
}
