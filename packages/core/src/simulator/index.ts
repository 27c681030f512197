export * from './faults.js'
export * from './serve.js'
export * from './window.js'
