// @paymux/adapter-tosspayments on its own: start the Toss Payments simulator on loopback (no credentials), pay
// through its window, confirm, cancel in part and in full, look up, and issue a virtual account whose deposit
// arrives as a webhook. `node examples/standalone.mjs` exits 0 when every step behaved, 1 otherwise.
import { createServer } from 'node:http'
import { TossPayments } from '@paymux/adapter-tosspayments'
import { createTossSimulator, TOSS_DEMO_CREDENTIALS } from '@paymux/adapter-tosspayments/simulator'
import { startServer } from '@paymux/core/simulator'

const sim = createTossSimulator()
const server = await startServer(sim.app)

const toss = new TossPayments({
  secretKey: TOSS_DEMO_CREDENTIALS.secretKey,
  clientKey: TOSS_DEMO_CREDENTIALS.clientKey,
  baseUrl: server.url, // omit to talk to https://api.tosspayments.com
  timeoutMs: 10_000,
})

// The merchant's webhook URL: Toss POSTs JSON, unsigned; the adapter reads it into a hint (no call to Toss).
const webhooks = []
const receiver = createServer((req, res) => {
  const chunks = []
  req.on('data', (c) => chunks.push(c))
  req.on('end', async () => {
    const result = await toss.parseNotification({ rawBody: new Uint8Array(Buffer.concat(chunks)), headers: req.headers })
    webhooks.push(result)
    res.writeHead(result.reply.status, result.reply.headers).end(result.reply.body)
  })
})
await new Promise((r) => receiver.listen(0, '127.0.0.1', r))
sim.setWebhookUrl(`http://127.0.0.1:${receiver.address().port}/toss/webhook`)

/** Plays the customer: what the checkout page's script does in a browser, over plain HTTP. */
async function pay(launch, returnUrl) {
  const value = (name) => JSON.parse(new RegExp(`var ${name} = (.*);\\n`).exec(launch.start)[1])
  const window = await fetch(new URL('/sim/window', launch.scripts[0]), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      clientKey: value('clientKey'),
      method: value('method'),
      params: JSON.stringify(value('params')),
    }),
  }).then((r) => r.text())
  const approve = /action="([^"]+\/approve)"/.exec(window)[1]
  const res = await fetch(new URL(approve, launch.scripts[0]), { method: 'POST', redirect: 'manual' })
  const back = new URL(res.headers.get('location'))
  if (back.origin + back.pathname !== returnUrl) throw new Error(`the window went to ${back}`)
  return { method: 'GET', rawBody: new Uint8Array(), query: Object.fromEntries(back.searchParams), headers: {} }
}

let ok = false
try {
  // A card checkout: the window, the success redirect read against the stored order, then the server confirm.
  const order = {
    orderId: `demo-${Date.now()}`,
    amount: 10_000,
    orderName: '토스 티셔츠',
    method: 'card',
    returnUrl: 'http://127.0.0.1:9/shop/return',
    closeUrl: 'http://127.0.0.1:9/shop/closed',
    expiresAt: new Date(Date.now() + 30 * 60_000).toISOString(),
  }
  const stored = { orderId: order.orderId, amount: order.amount, method: order.method }
  const result = await toss.readCheckoutReturn(await pay(await toss.startCheckout(order), order.returnUrl), stored)
  if (result.outcome !== 'authenticated') throw new Error(`the window answered ${JSON.stringify(result)}`)
  const paid = await toss.approveCheckout(result.approval, stored)
  console.log('confirmed     :', paid)

  // Cancels carry an Idempotency-Key made from cancelId; the 1-second rule between them is waited out.
  const partial = await toss.cancel({ transactionId: paid.transactionId, amount: 3_000, reason: '부분 취소', cancelId: 'demo-1' })
  const rest = await toss.cancel({ transactionId: paid.transactionId, reason: '나머지 취소', cancelId: 'demo-2' })
  const lookup = await toss.getTransaction(paid.transactionId)
  const byOrder = await toss.lookupOrder(order.orderId)
  console.log('partial cancel:', partial)
  console.log('full cancel   :', rest)
  console.log('lookup        :', lookup)

  // A virtual account; the customer's deposit arrives as webhooks, which are only hints to look up.
  const va = await toss.issueVirtualAccount({
    orderId: `demova-${Date.now()}`,
    amount: 12_000,
    goodsName: '가상계좌 상품',
    bankCode: '004',
    dueDate: new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10),
    depositorName: '홍길동',
  })
  console.log('virtual acct  :', { ...va, secret: va.secret ? '[stored sealed]' : undefined })
  sim.deposit(va.transactionId)
  await sim.webhooks.settled()
  const hint = webhooks.at(-1)
  const afterDeposit = await toss.getTransaction(va.transactionId)
  console.log('webhook       :', hint)
  console.log('after deposit :', afterDeposit)

  ok =
    paid.status === 'paid' &&
    paid.amount === 10_000 &&
    partial.cancelledAmount === 3_000 &&
    rest.cancelledAmount === 7_000 &&
    lookup.status === 'cancelled' &&
    lookup.cancelledAmount === 10_000 &&
    byOrder.length === 1 &&
    va.amount === 12_000 &&
    hint?.verified === false &&
    hint?.hint?.transactionId === va.transactionId &&
    afterDeposit.status === 'paid'
} catch (err) {
  console.error('failed:', err)
} finally {
  receiver.close()
  await server.close()
}
console.log(ok ? 'OK' : 'FAILED')
process.exit(ok ? 0 : 1)
