import { z } from '@hono/zod-openapi'
import type { SelectQueryBuilder } from 'kysely'
import type { Database } from '../db/schema.js'
import { notFound } from '../errors.js'

/** The query parameters of every list: a page size and the cursor (the last id of the previous page). */
export const pageQuery = {
  limit: z.coerce.number().int().min(1).max(100).default(20),
  startingAfter: z
    .string()
    .min(1)
    .max(64)
    .optional()
    .openapi({ description: 'Cursor: the last id of the previous page' }),
}

type Listable = 'cancellations' | 'events' | 'payments'

/**
 * One page, newest first, by (created_at, id): stable under inserts, and a cursor that is an id the caller
 * already has. The cursor must be the merchant's own (else 404).
 */
export async function page<T extends Listable, R, V>(
  query: SelectQueryBuilder<Database, T, R>,
  cursorOf: (id: string) => Promise<{ created_at: Date | string; id: string } | undefined>,
  what: string,
  q: { limit: number; startingAfter?: string | undefined },
  render: (row: R) => V,
) {
  let paged = query
  if (q.startingAfter !== undefined) {
    const cursor = await cursorOf(q.startingAfter)
    if (!cursor) throw notFound(what, q.startingAfter)
    // biome-ignore lint/suspicious/noExplicitAny: the two columns exist on every listable table
    paged = paged.where((eb: any) =>
      eb.or([
        eb('created_at', '<', cursor.created_at),
        eb.and([eb('created_at', '=', cursor.created_at), eb('id', '<', cursor.id)]),
      ]),
    )
  }
  // biome-ignore lint/suspicious/noExplicitAny: as above
  const rows = await (paged as any)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(q.limit + 1)
    .execute()
  return {
    object: 'list' as const,
    data: (rows as R[]).slice(0, q.limit).map(render),
    hasMore: rows.length > q.limit,
  }
}
