// Writes src/generated/openapi.ts from the gateway's own OpenAPI document, asked of a gateway created in this
// process (embedded database in a temporary folder, one placeholder account that is never called), so the
// client's types are always those of the gateway built next to it. The document itself goes next to it
// (openapi.json), for the test that holds the client to one method per operation.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createGateway, generateMasterKey, parseConfig } from '@paymux/gateway'
import openapiTS, { astToString } from 'openapi-typescript'

const out = new URL('../src/generated/openapi.ts', import.meta.url)
const outDoc = new URL('../src/generated/openapi.json', import.meta.url)
const dir = mkdtempSync(join(tmpdir(), 'paymux-client-openapi-'))
try {
  const config = parseConfig(
    {
      database: { path: join(dir, 'db') },
      masterKey: generateMasterKey(),
      log: { level: 'silent' },
      merchants: [
        {
          id: 'openapi',
          apiKeys: [`sha256:${'0'.repeat(64)}`],
          accounts: [
            {
              id: 'placeholder',
              provider: 'cookiepay',
              environment: 'sandbox',
              apiId: 'x',
              apiKey: 'x',
              baseUrl: 'http://127.0.0.1:9',
            },
          ],
        },
      ],
    },
    {},
  )
  const gateway = await createGateway({ config, dataDir: dir })
  try {
    const res = await gateway.app.request('/openapi.json')
    if (res.status !== 200) throw new Error(`GET /openapi.json answered ${res.status}`)
    const doc = await res.json()
    // The server URL is this throwaway gateway's; the client always takes its baseUrl from the caller.
    delete doc.servers
    const types = astToString(await openapiTS(doc, { alphabetize: true }))
    mkdirSync(new URL('.', out), { recursive: true })
    writeFileSync(
      out,
      `// Generated from the gateway's OpenAPI document by scripts/generate.mjs at build time. Do not edit.\n${types}`,
    )
    writeFileSync(outDoc, `${JSON.stringify(doc, null, 2)}\n`)
  } finally {
    await gateway.close()
  }
} finally {
  rmSync(dir, { recursive: true, force: true })
}
