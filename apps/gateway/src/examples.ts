import type { z } from '@hono/zod-openapi'
import {
  type CancelByPaymentSchema,
  type CancelByTransactionSchema,
  type CreateBillingKeySchema,
  type CreateChargeSchema,
  type CreateVirtualAccountSchema,
  EXAMPLE_ID_SUFFIX,
} from './schemas.js'

// The request examples of the OpenAPI document, one complete valid request each (typed by its schema), so the
// docs page shows a request that works instead of one assembled from every field's example. The ids here are
// the document's example ids (`IdParam`): a test sends each example with them standing for real records.

type Examples<S extends z.ZodType> = Record<string, { summary: string; value: z.input<S> }>

/** A virtual account awaiting its deposit: what a close's example stands for (not the card payment above). */
export const VIRTUAL_ACCOUNT_EXAMPLE_ID = 'pay_3VaQm8Lk2Xp0Rt7Nc5Wy4b'

export const CREATE_CANCELLATION_EXAMPLES: Examples<
  typeof CancelByPaymentSchema | typeof CancelByTransactionSchema
> = {
  byPayment: {
    summary: 'All that remains of a payment the gateway knows',
    value: { paymentId: `pay_${EXAMPLE_ID_SUFFIX}`, reason: 'customer request' },
  },
  byTransaction: {
    summary: "Part of a payment made in the PG's own window",
    value: {
      account: 'nice-main',
      transactionId: 'nicepay00m01012601151030001234',
      amount: 1000,
      reason: 'customer request',
    },
  },
}

export const CREATE_VIRTUAL_ACCOUNT_EXAMPLES: Examples<typeof CreateVirtualAccountSchema> = {
  defaultAccount: {
    summary: "On the merchant's routing.virtualAccount account",
    value: {
      amount: 50000,
      goodsName: 'Order 1001',
      bankCode: '004',
      dueDate: '2099-12-31',
      depositorName: '홍길동',
    },
  },
}

export const CREATE_BILLING_KEY_EXAMPLES: Examples<typeof CreateBillingKeySchema> = {
  defaultAccount: {
    summary: "On the merchant's routing.billing account",
    value: {
      card: {
        number: '4111111111111111',
        expiryYear: '30',
        expiryMonth: '12',
        ownerId: '800101',
        passwordPrefix: '12',
      },
      customerId: 'customer-1001',
    },
  },
}

export const CREATE_CHARGE_EXAMPLES: Examples<typeof CreateChargeSchema> = {
  monthly: { summary: 'A monthly charge', value: { amount: 9900, goodsName: 'Monthly plan' } },
}
