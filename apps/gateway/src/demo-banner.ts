import type { SimulatorControlRoute } from '@paymux/core'

/** What the banner shows of a running demo (a plain object, so the banner is tested without starting one). */
export interface DemoBannerInput {
  url: string
  apiKey: string
  /** The console's operator key (absent: no console line). */
  operatorKey?: string
  merchantId: string
  /** The data folder actually used: the embedded database (demo-db/) and the generated master.key. */
  dataDir: string
  seeded: Array<{
    paymentId: string
    account: string
    provider: string
    transactionId: string
    amount: number
  }>
  /** Each simulator, the demo account on it, and its control routes (from its descriptor). */
  pgSimulators: Array<{
    provider: string
    account: string
    url: string
    controlRoutes: readonly SimulatorControlRoute[]
  }>
}

const curl = (method: 'GET' | 'POST', url: string, body?: string) =>
  `curl -sS${method === 'POST' ? ' -X POST' : ''} '${url}'${body ? ` -H 'Content-Type: application/json' -d '${body}'` : ''}`

/**
 * A simulator's control routes as commands that work as printed: `{transactionId}` is `transactionId` (a seeded
 * payment) where one is given, else left for the reader as `<transactionId>`.
 */
export function controlRouteLines(
  url: string,
  routes: readonly SimulatorControlRoute[],
  transactionId: string | undefined,
  indent: string,
): string[] {
  return routes.flatMap((r) => [
    `${indent}# ${r.what}`,
    `${indent}${curl(r.method, `${url}${r.path.replaceAll('{transactionId}', transactionId ?? '<transactionId>')}`, r.body)}`,
  ])
}

/** The demo's start-up text: where everything is, the seeded payments, and commands that work as printed. */
export function demoBanner(demo: DemoBannerInput): string {
  const first = demo.seeded[0]!
  const api = (path: string, body: string) => [
    `  curl -sS -X POST ${demo.url}${path} \\`,
    `    -H 'Authorization: Bearer ${demo.apiKey}' \\`,
    `    -H "Idempotency-Key: demo-$(date +%s%N)" \\`,
    `    -H 'Content-Type: application/json' \\`,
    `    -d '${body}'`,
  ]
  const rows = demo.seeded.map(
    (p) =>
      `    ${p.paymentId.padEnd(27)} ${p.account.padEnd(12)} ${p.transactionId.padEnd(31)} ${String(p.amount).padStart(6)} KRW`,
  )
  const sims = demo.pgSimulators.flatMap((s) => {
    const id = demo.seeded.findLast((p) => p.provider === s.provider)?.transactionId ?? '<transactionId>'
    return [
      `    ${s.provider} (account ${s.account})  ${s.url}`,
      ...controlRouteLines(s.url, s.controlRoutes, id, '      '),
    ]
  })
  return [
    '',
    'paymux demo gateway is running (embedded database, PG simulators on loopback)',
    '',
    `  API        ${demo.url}/v1`,
    `  Docs       ${demo.url}/docs`,
    `  OpenAPI    ${demo.url}/openapi.json`,
    `  Shop       ${demo.url}/demo-shop  (pay through each simulated PG's window in a browser)`,
    `  Merchant   ${demo.merchantId}`,
    `  API key    ${demo.apiKey}`,
    ...(demo.operatorKey
      ? [`  Console    ${demo.url}/console  (operator key ${demo.operatorKey}; a needs-review example waits)`]
      : []),
    `  Data       ${demo.dataDir} (database in demo-db/, master.key; records cleared at each start)`,
    '',
    '  Seeded paid payments (id, account, transactionId, amount):',
    ...rows,
    '',
    '  Cancel 1,000 KRW of the first one:',
    '',
    ...api(
      '/v1/cancellations',
      JSON.stringify({ paymentId: first.paymentId, amount: 1000, reason: 'demo partial cancel' }),
    ),
    '',
    '  Issue a NicePay virtual account (then deposit into it with the simulator, below):',
    '',
    ...api(
      '/v1/virtual-accounts',
      JSON.stringify({ amount: 50000, goodsName: 'demo order', bankCode: '004', dueDate: '2099-12-31' }),
    ),
    '',
    '  PG simulators and their control routes (the PG side of a flow; ids: the last seeded payment):',
    ...sims,
    '',
    '  Ctrl-C stops it. Logs below are JSON, one line per event.',
    '',
  ].join('\n')
}
