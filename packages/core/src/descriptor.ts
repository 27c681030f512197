import type { ZodObject, ZodRawShape } from 'zod'
import type { HttpCallEvent } from './http.js'
import type { PaymentProvider } from './contract.js'
import type { Logger } from './redact.js'

/** What every account entry has, whatever its PG (the gateway's config shape; each descriptor extends it). */
export interface BaseAccountConfig {
  id: string
  provider: string
  baseUrl?: string
  timeoutMs?: number
  connectTimeoutMs?: number
  /** Adapter options passed through as they are (see each adapter's README). */
  options?: Record<string, unknown>
}

/** What a host (the gateway) hands an adapter it builds for one account. */
export interface ProviderContext {
  logger?: Logger
  /** Every HTTP call to the PG (metrics). */
  onCall?: (event: HttpCallEvent) => void
}

/**
 * One of a simulator's own routes (`/__sim/…`), with which a person plays the PG's side of a flow. In `path`,
 * `{transactionId}` stands for a payment at the simulated PG (a seeded one fits); `<…>` for a value the merchant
 * gets from the API first.
 */
export interface SimulatorControlRoute {
  what: string
  method: 'GET' | 'POST'
  path: string
  /** A JSON body, when the route takes one. */
  body?: string
}

/** A simulator a host can start for a zero-credential demo of this PG. */
export interface DemoSimulator {
  /** The simulator's HTTP app (served by the host on loopback). */
  fetch(request: Request): Response | Promise<Response>
  /** Seeds a paid payment at the simulated PG. */
  seedPayment(input: { amount: number }): { transactionId: string }
  /**
   * The account entry that points at the simulator once it listens on `url`: its demo credentials, and what a
   * host must set to take its notifications (they come from loopback, not the PG's published addresses).
   */
  demoAccount(url: string): Record<string, unknown>
  /** Where the simulated PG sends its notifications: the host's endpoint for the account (none: not sent). */
  notifyTo(url: string | undefined): void
  /** The simulator's control routes, for a person (or a banner) to drive it. */
  readonly controlRoutes: readonly SimulatorControlRoute[]
  /** The simulator itself, of its package's type, for a host that drives it further (tests inspect its ledger). */
  readonly instance: unknown
  /**
   * How many approvals the simulated PG executed for one of its transactions (two: a double charge), so a host's
   * checkout tests can hold any PG to exactly one without knowing its simulator.
   */
  approvals?(transactionId: string): number
  /**
   * Makes the simulated window deliver each result twice (on) or once (off): a refresh or a double redirect, what
   * a host's return route must survive with one approval. Absent: the simulator has no such setting.
   */
  resultTwice?(on: boolean): void
}

/**
 * Everything a host needs to know about one PG, exported by its adapter package: a host lists descriptors and
 * derives its config union, provider enum, factory and secret redaction from that list alone, so adding a PG
 * means adding its package to the list and nothing else.
 */
export interface ProviderDescriptor<Config extends BaseAccountConfig = BaseAccountConfig> {
  /** The `provider` value of its account entries. */
  readonly id: string
  readonly displayName: string
  /**
   * The account entry's schema: the host's common fields, `provider: z.literal(id)` and this PG's own. A
   * function of the common shape so that the host, not the adapter, decides what every entry has.
   */
  accountSchema(common: ZodRawShape): ZodObject
  /** Builds the adapter for one configured account (capabilities, such as dedup guarantees, are per account). */
  create(config: Config, context: ProviderContext): PaymentProvider
  /** Every secret in an entry, for the log redactor. */
  secrets(config: Config): string[]
  /** Loaded only when asked for, so a host that never runs a demo never loads simulator code. */
  simulator?: () => Promise<DemoSimulator>
  /** What a host's API reference says of this PG, in the PG's own words (so no host text names a PG). */
  readonly reference?: ProviderReference
}

/** Short phrases a host's API reference is written from: each one is about this PG alone. */
export interface ProviderReference {
  /** The PG's name for a payment's id, which is the neutral `transactionId` (NicePay `TID`). */
  transactionIdName: string
  /** Where the merchant sets the host's notification URL at the PG (NicePay: its deposit notification URL). */
  notificationSetting?: string
  /** The PG's notification as it arrives (format and its main fields). */
  notificationForm?: string
  /** What the PG expects back from a notification it sent, accepted and refused. */
  notificationReply?: string
}

/** Copies the account fields every adapter takes from an entry into its options. */
export function commonAdapterOptions(config: BaseAccountConfig, context: ProviderContext) {
  return {
    ...(config.options ?? {}),
    ...(config.baseUrl ? { baseUrl: config.baseUrl } : {}),
    ...(config.timeoutMs ? { timeoutMs: config.timeoutMs } : {}),
    ...(config.connectTimeoutMs ? { connectTimeoutMs: config.connectTimeoutMs } : {}),
    ...(context.logger ? { logger: context.logger } : {}),
    ...(context.onCall ? { onCall: context.onCall } : {}),
  }
}
