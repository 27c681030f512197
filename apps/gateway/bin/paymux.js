#!/usr/bin/env node
// Committed launcher, so package managers can link the `paymux` command before dist/ is built. It runs the
// bundled CLI (dist/bundle: one file loads in about half the time the thousand modules of dist/ take).
import '../dist/bundle/paymux.js'
