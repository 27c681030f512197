// Runs the Bootpay adapter against the bundled simulator on loopback: no Bootpay account needed.
// `node examples/standalone.mjs` exits 0 when every step behaved, non-zero otherwise.
import { Bootpay } from '@paymux/adapter-bootpay'
import { BOOTPAY_DEMO_CREDENTIALS, BOOTPAY_TEST_CARD, createBootpaySimulator } from '@paymux/adapter-bootpay/simulator'
import { startServer } from '@paymux/core/simulator'

const sim = createBootpaySimulator()
const server = await startServer(sim.app)
let failed = false
const check = (what, ok) => {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`)
  if (!ok) failed = true
}

try {
  for (const apiVersion of ['v2', 'v1']) {
    const bootpay = new Bootpay({
      apiVersion,
      applicationId: BOOTPAY_DEMO_CREDENTIALS.applicationId,
      privateKey: BOOTPAY_DEMO_CREDENTIALS.privateKey,
      baseUrl: server.url, // v2 adds /v2 itself
      timeoutMs: 5_000,
    })
    const { transactionId } = sim.seedPayment({ amount: 10_000 })

    const partial = await bootpay.cancel({ transactionId, amount: 3_000, reason: '부분 취소', cancelId: `${apiVersion}-part-1` })
    console.log(apiVersion, 'partial cancel', partial)
    check(`${apiVersion} partial cancel moved 3000, 7000 left`, partial.cancelledAmount === 3_000 && partial.remainingAmount === 7_000)

    const replay = await bootpay
      .cancel({ transactionId, amount: 3_000, reason: '부분 취소', cancelId: `${apiVersion}-part-1` })
      .catch((e) => e)
    check(`${apiVersion} the same cancelId is refused (${replay.code})`, replay.code === 'duplicate_request')

    const rest = await bootpay.cancel({ transactionId, reason: '나머지 취소', cancelId: `${apiVersion}-full-1` })
    check(`${apiVersion} full cancel of the rest moved 7000`, rest.cancelledAmount === 7_000 && rest.remainingAmount === 0)

    const lookup = await bootpay.getTransaction(transactionId)
    console.log(apiVersion, 'lookup', lookup)
    check(`${apiVersion} lookup says cancelled`, lookup.status === 'cancelled' && lookup.cancelledAmount === 10_000)

    const key = await bootpay.issueBillingKey({ card: BOOTPAY_TEST_CARD, requestId: `${apiVersion}-bk-1` })
    const charge = await bootpay.chargeBillingKey({
      billingKey: key.billingKey,
      orderId: `${apiVersion}-order-1`,
      amount: 9_900,
      goodsName: '월 구독',
    })
    await bootpay.deleteBillingKey({ billingKey: key.billingKey })
    check(`${apiVersion} billing key issue/charge/delete (${key.cardNumberMasked})`, charge.status === 'paid' && charge.amount === 9_900)
  }
} catch (err) {
  console.error('FAIL', err)
  failed = true
} finally {
  await server.close()
}
process.exit(failed ? 1 : 0)
