import type { Runtime } from '../runtime.js'
import { ensureHealthRows, moveHealth } from './store.js'

export type ManualMove = 'eject' | 'restore'

/** What an operator's ejection records as its reason when they gave none (the API takes no body). */
export const MANUAL_EJECT_REASON = 'ejected by an operator'

/**
 * An operator's eject or restore of one account, the one path behind `POST /v1/accounts/{id}/eject|restore` and
 * the console's buttons: ejected, the account takes no routed payment until an operator restores it (probes do
 * not lift it); restored, it is healthy at once, even after an automatic ejection. Naturally idempotent. This
 * process routes by the new status at once; the others within their next refresh. Answers whether it moved.
 */
export async function moveByHand(
  rt: Runtime,
  m: { merchantId: string; accountId: string; action: ManualMove; reason?: string },
): Promise<boolean> {
  const now = rt.now()
  await ensureHealthRows(rt.db, [{ merchantId: m.merchantId, accountId: m.accountId }], now)
  const moved = await moveHealth(rt, {
    merchantId: m.merchantId,
    accountId: m.accountId,
    from: m.action === 'eject' ? ['healthy', 'probation', 'ejected'] : ['ejected', 'probation'],
    to: m.action === 'eject' ? 'ejected' : 'healthy',
    manual: true,
    now,
    ...(m.action === 'eject' ? { reason: m.reason ?? MANUAL_EJECT_REASON } : {}),
  })
  await rt.health?.refresh()
  return moved
}
