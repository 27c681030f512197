#!/usr/bin/env node
// Committed launcher, so package managers can link the `paymux` command before dist/ is built.
import '../dist/cli.js'
