// @paymux/adapter-cookiepay on its own: start the CookiePay simulator on loopback, cancel, look up, and run
// the post-deposit cancel (9029) through to the notification. Exits 0 on success, 1 otherwise.
import { createServer } from 'node:http'
import { CookiePay } from '@paymux/adapter-cookiepay'
import { COOKIEPAY_DEMO_CREDENTIALS, createCookiePaySimulator } from '@paymux/adapter-cookiepay/simulator'
import { startServer } from '@paymux/core/simulator'

const sim = createCookiePaySimulator()
const server = await startServer(sim.app)

const cookiepay = new CookiePay({
  apiId: COOKIEPAY_DEMO_CREDENTIALS.apiId,
  apiKey: COOKIEPAY_DEMO_CREDENTIALS.apiKey,
  environment: 'sandbox',
  baseUrl: server.url, // omit to talk to https://sandbox.cookiepayments.com
  timeoutMs: 10_000,
})

// The merchant's notification URL: CookiePay POSTs JSON, unsigned; the adapter reads it into a hint (no call).
const notifications = []
const receiver = createServer((req, res) => {
  const chunks = []
  req.on('data', (c) => chunks.push(c))
  req.on('end', async () => {
    const result = await cookiepay.parseNotification({ rawBody: new Uint8Array(Buffer.concat(chunks)), headers: req.headers })
    notifications.push(result)
    res.writeHead(result.reply.status, result.reply.headers).end(result.reply.body)
  })
})
await new Promise((r) => receiver.listen(0, '127.0.0.1', r))
sim.setNotifyUrl(`http://127.0.0.1:${receiver.address().port}/cookiepay/noti`)

let ok = false
try {
  // A card payment: partial cancel, then the rest.
  const card = sim.seedPayment({ amount: 10_000 })
  const partial = await cookiepay.cancel({ transactionId: card.transactionId, amount: 3_000, reason: '부분 취소', cancelId: 'demo-1' })
  const rest = await cookiepay.cancel({ transactionId: card.transactionId, reason: '나머지 취소', cancelId: 'demo-2' })
  const lookup = await cookiepay.getTransaction(card.transactionId)
  console.log('partial cancel:', partial)
  console.log('full cancel   :', rest)
  console.log('lookup        :', lookup)

  // A payment already paid out: CookiePay answers 9029 and names an account to deposit into.
  const settled = sim.seedPayment({ amount: 30_000, settled: true })
  const pending = await cookiepay.cancel({ transactionId: settled.transactionId, reason: '정산 후 취소', cancelId: 'demo-3' })
  console.log('after 9029    :', pending)
  await sim.deposit(settled.transactionId) // the merchant deposits; CookiePay cancels and sends one Noti
  console.log('notification  :', notifications[0])
  // The Noti is only a hint: what CookiePay's own lookup shows decides.
  const afterDeposit = await cookiepay.getTransaction(settled.transactionId)
  console.log('after deposit :', afterDeposit)

  ok =
    partial.status === 'cancelled' &&
    partial.cancelledAmount === 3_000 &&
    rest.status === 'cancelled' &&
    rest.cancelledAmount === 7_000 &&
    lookup.status === 'cancelled' &&
    pending.status === 'deposit_required' &&
    pending.deposit.cancelAmount === 30_000 &&
    notifications.length === 1 &&
    notifications[0].verified === false &&
    notifications[0].hint?.claimed === 'payment.cancelled' &&
    notifications[0].hint?.evidence?.amount === '30000' &&
    afterDeposit.status === 'cancelled' &&
    afterDeposit.cancelledAmount === 30_000
} catch (err) {
  console.error('failed:', err)
} finally {
  receiver.close()
  await server.close()
}
console.log(ok ? 'OK' : 'FAILED')
process.exit(ok ? 0 : 1)
