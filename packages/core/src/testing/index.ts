export { conformanceCases } from './cases.js'
export type {
  ConformanceCase,
  ConformanceHarness,
  ConformanceSetup,
  SimulatorPaymentState,
} from './harness.js'
export { runConformanceCases, runConformanceSuite } from './suite.js'
export { createToyPg, toyDescriptor } from './toy/descriptor.js'
