/** What the banner shows of a running demo (a plain object, so the banner is tested without starting one). */
export interface DemoBannerInput {
  url: string
  apiKey: string
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
  pgSimulators: Array<{ provider: string; account: string; url: string }>
}

/**
 * The control routes of each PG simulator (its `/__sim/…` routes), to play the PG's side of a flow. `id`: a
 * seeded payment of that PG where one fits; `<…>`: a value the merchant gets from the API first.
 */
const CONTROL_ROUTES: Record<
  string,
  Array<{ what: string; method: 'GET' | 'POST'; path: (id: string) => string; body?: string }>
> = {
  nicepay: [
    {
      what: 'seed a paid card payment',
      method: 'POST',
      path: () => '/__sim/seed/payment',
      body: '{"amount":10000}',
    },
    { what: 'look a payment up', method: 'GET', path: (id) => `/__sim/payments/${id}` },
    {
      what: 'deposit into a virtual account (then paid, notified)',
      method: 'POST',
      path: () => '/__sim/deposit/<transactionId of a virtual account>',
    },
  ],
  bootpay: [
    {
      what: 'seed a paid card payment',
      method: 'POST',
      path: () => '/__sim/seed/payment',
      body: '{"amount":10000}',
    },
    { what: 'look a payment up', method: 'GET', path: (id) => `/__sim/payments/${id}` },
    { what: "send the payment's webhook", method: 'POST', path: (id) => `/__sim/webhooks/${id}` },
    { what: 'cancel it at Bootpay itself', method: 'POST', path: (id) => `/__sim/pg-cancel/${id}` },
  ],
  cookiepay: [
    {
      what: 'seed a paid card payment',
      method: 'POST',
      path: () => '/__sim/seed/payment',
      body: '{"amount":10000}',
    },
    { what: 'look a payment up', method: 'GET', path: (id) => `/__sim/payments/${id}` },
    {
      what: "the merchant's deposit that finishes a deposit_required cancel",
      method: 'POST',
      path: () => '/__sim/deposit/<transactionId>',
    },
  ],
}

const curl = (method: 'GET' | 'POST', url: string, body?: string) =>
  `curl -sS${method === 'POST' ? ' -X POST' : ''} '${url}'${body ? ` -H 'Content-Type: application/json' -d '${body}'` : ''}`

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
      ...(CONTROL_ROUTES[s.provider] ?? []).flatMap((r) => [
        `      # ${r.what}`,
        `      ${curl(r.method, `${s.url}${r.path(id)}`, r.body)}`,
      ]),
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
