export { conformanceCases } from './cases.js'
export { checkoutCases } from './checkout-cases.js'
export type {
  CheckoutConformance,
  ConformanceCase,
  ConformanceHarness,
  ConformanceSetup,
  SimulatorPaymentState,
} from './harness.js'
export { runConformanceCases, runConformanceSuite } from './suite.js'
export { createToyPg, toyDescriptor } from './toy/descriptor.js'
export { formsOf, pressWindowButton } from './window.js'
export { TOY_MERCHANT_KEY, type ToyCheckoutSettings } from './toy/toy-checkout.js'
