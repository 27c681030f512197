// NicePay adapter on its own: starts the bundled simulator on loopback, then cancels, refunds, issues a
// virtual account, takes the deposit notification and runs a billing key through its life.
import { NicePay } from '@paymux/adapter-nicepay'
import { createNicePaySimulator, NICEPAY_DEMO_CREDENTIALS } from '@paymux/adapter-nicepay/simulator'
import { startServer } from '@paymux/core/simulator'

const sim = createNicePaySimulator()
const server = await startServer(sim.app)
let notification
sim.settings.notifyUrl = `${server.url}/merchant/noti` // where "NicePay" posts deposit notifications
const nicepay = new NicePay({
  ...NICEPAY_DEMO_CREDENTIALS,
  baseUrl: server.url, // real default: https://webapi.nicepay.co.kr (card cancels: https://pg-api.nicepay.co.kr)
  notificationIpAllowList: ['127.0.0.1', '::1'], // real default: NicePay's three sender IPs
})
// A merchant endpoint receiving the notification, as an app would mount it.
sim.app.post('/merchant/noti', async (c) => {
  const rawBody = new Uint8Array(await c.req.arrayBuffer())
  notification = await nicepay.parseNotification({
    rawBody,
    headers: Object.fromEntries(c.req.raw.headers),
    sourceIp: '127.0.0.1',
  })
  // Unsigned: a hint to look the payment up (never applied as it stands); the reply `OK` stops the re-sends.
  return c.body(notification.reply.body, notification.reply.status)
})

let va
try {
  const { transactionId } = sim.seedPayment({ amount: 10_000 })
  const partial = await nicepay.cancel({ transactionId, amount: 3_000, paymentAmount: 10_000, reason: '부분 취소: 고객 요청', cancelId: 'demo-cancel-1' })
  console.log('partial cancel', partial)
  const rest = await nicepay.cancel({ transactionId, amount: 7_000, reason: '나머지 취소', cancelId: 'demo-cancel-2' })
  console.log('rest cancelled', rest.status, rest.remainingAmount)

  va = await nicepay.issueVirtualAccount({
    orderId: `demo-va-${Date.now()}`,
    amount: 25_000,
    goodsName: '테스트상품',
    bankCode: '004',
    dueDate: new Date(Date.now() + 3 * 86400_000).toISOString().slice(0, 10),
    buyer: { name: '홍길동' },
  })
  console.log('virtual account', va.bankName, va.accountNumber, va.amount)
  await sim.deposit(va.transactionId, { depositorName: '홍길동' })
  console.log('notification hint', notification?.hint?.claimed, notification?.hint?.transactionId)
  const refund = await nicepay.cancel({
    transactionId: va.transactionId,
    reason: '환불',
    cancelId: 'demo-refund-1',
    refundAccount: { bankCode: '088', accountNumber: '110123456789', holderName: '홍길동' },
  })
  console.log('refund', refund.status, refund.providerCode)

  const key = await nicepay.issueBillingKey({
    card: { number: '4111111111111111', expiryYear: '30', expiryMonth: '12', ownerId: '800101', passwordPrefix: '12' },
    requestId: `demo-bk-${Date.now()}`,
  })
  const charge = await nicepay.chargeBillingKey({ billingKey: key.billingKey, orderId: `demo-order-${Date.now()}`, amount: 9_900, goodsName: '정기구독' })
  console.log('charged', charge.transactionId, charge.amount)
  await nicepay.deleteBillingKey({ billingKey: key.billingKey })

  const ok =
    partial.status === 'cancelled' &&
    partial.remainingAmount === 7_000 &&
    rest.status === 'cancelled' &&
    notification?.hint?.transactionId === va.transactionId &&
    refund.status === 'cancelled' &&
    charge.amount === 9_900
  console.log(ok ? 'OK' : 'UNEXPECTED')
  process.exitCode = ok ? 0 : 1
} catch (err) {
  console.error('failed:', err)
  process.exitCode = 1
} finally {
  await server.close()
}
