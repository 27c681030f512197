// The demo's console: the banner names it with an operator key that signs in, and the needs-review queue holds
// the seeded example.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Demo, demoBanner, startDemo } from '../demo.js'

describe('the demo console', () => {
  let demo: Demo
  let dir: string
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'paymux-console-demo-'))
    demo = await startDemo({ port: 0, dataDir: dir, logLevel: 'warn', logDestination: { write: () => {} } })
  })
  afterAll(async () => {
    await demo?.close()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  it('prints the console URL and an operator key that signs in; a needs-review example is waiting', async () => {
    expect(demoBanner(demo)).toContain(`Console    ${demo.url}/console  (operator key ${demo.operatorKey};`)
    const signIn = await fetch(`${demo.url}/console/sign-in`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ key: demo.operatorKey }).toString(),
    })
    expect(signIn.status).toBe(303)
    const cookie = signIn.headers.get('set-cookie')!.split(';')[0]!
    const review = await (await fetch(`${demo.url}/console/review`, { headers: { cookie } })).text()
    expect(review).toContain('demo_example')
    expect(review).toContain('7,000 KRW')
  })
})
