#!/usr/bin/env node
console.log('paymux gateway: not built yet')
