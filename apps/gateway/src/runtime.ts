import type { PaymentProvider } from '@paymux/core'
import type { Kysely } from 'kysely'
import type { AccountConfig, GatewayConfig, MerchantConfig } from './config.js'
import type { Vault } from './crypto.js'
import type { Database } from './db/schema.js'
import type { PinoLogger } from './logger.js'

export interface AccountRuntime {
  merchantId: string
  config: AccountConfig
  provider: PaymentProvider
  /** How long an idempotency key stays "in flight" before a replay reports the resource's state instead of 409. */
  lockMs: number
}

export interface MerchantRuntime {
  config: MerchantConfig
  accounts: Map<string, AccountRuntime>
}

/** What every request handler needs: built once at start, shared by all requests. */
export interface Runtime {
  config: GatewayConfig
  db: Kysely<Database>
  vault: Vault
  logger: PinoLogger
  merchants: Map<string, MerchantRuntime>
  now(): Date
  /** Account health as this process routes by it (health/monitor.ts). Absent: every account is healthy. */
  health?: HealthView
}

export interface HealthView {
  /**
   * The share of its weight an account takes of new payments: 1 healthy, 0 ejected, a fraction on probation.
   * Only new payments ask: an existing payment always stays on its own account.
   */
  share(accountId: string): number
  /** Reads again what every gateway process recorded (after an operator's move). */
  refresh(): Promise<void>
}
