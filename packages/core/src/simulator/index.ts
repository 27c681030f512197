export * from './faults.js'
export * from './serve.js'
