// Test support: checks an HTTP answer against the OpenAPI document the gateway serves, as an independent
// validating proxy would: the operation declares the status, the content type and the required headers, and the
// body validates against the declared schema (JSON Schema 2020-12, OpenAPI 3.1's dialect, with Ajv). The zod
// schemas the document is generated from play no part here: the document is what a client trusts.
// Not part of the built package.
import { Ajv2020 } from 'ajv/dist/2020.js'
import addFormats from 'ajv-formats'

export interface RecordedAnswer {
  method: string
  /** The request's path, without the query. */
  path: string
  status: number
  headers: Headers
  /** The raw body text. */
  text: string
}

interface MediaType {
  schema?: unknown
}
interface ResponseObject {
  content?: Record<string, MediaType>
  headers?: Record<string, { required?: boolean }>
}
interface Operation {
  responses: Record<string, ResponseObject>
}
interface Document {
  paths: Record<string, Record<string, Operation>>
}

const DOC_ID = 'https://paymux.invalid/openapi.json'
const pointer = (...parts: string[]) => parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/')

/**
 * A checker for answers against `doc`. Answers to a request that matches no declared operation (an unknown
 * route's 404) are checked for nothing but that: the caller decides whether such a request belongs in a session.
 */
export function answerChecker(doc: Document) {
  const ajv = new Ajv2020({ strict: false, allErrors: true })
  addFormats.default(ajv)
  ajv.addSchema({ ...doc, $id: DOC_ID })
  const templates = Object.keys(doc.paths).map((template) => ({
    template,
    re: new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`),
  }))

  /** The problems of one answer; none when the document declares it exactly. */
  return function check(a: RecordedAnswer): string[] {
    const method = a.method.toLowerCase()
    const found = templates.find((t) => t.re.test(a.path) && doc.paths[t.template]?.[method])
    if (!found) return [`${a.method} ${a.path}: no operation in the document`]
    const where = `${a.method} ${found.template} → ${a.status}`
    const responses = doc.paths[found.template]![method]!.responses
    const statusKey = [String(a.status), `${String(a.status)[0]}XX`, 'default'].find((k) => responses[k])
    if (!statusKey) return [`${where}: status not declared (declared: ${Object.keys(responses).join(', ')})`]
    const declared = responses[statusKey]!
    const problems: string[] = []
    for (const [name, h] of Object.entries(declared.headers ?? {}))
      if (h.required && !a.headers.has(name)) problems.push(`${where}: required header ${name} missing`)
    const type = (a.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase()
    if (!declared.content || Object.keys(declared.content).length === 0) {
      if (a.text !== '') problems.push(`${where}: a body where the document declares none`)
      return problems
    }
    const media = declared.content[type]
    if (!media)
      return [
        ...problems,
        `${where}: content type "${type}" not declared (declared: ${Object.keys(declared.content).join(', ')})`,
      ]
    if (media.schema === undefined) return problems
    let body: unknown = a.text
    if (/[/+]json$/.test(type)) {
      try {
        body = JSON.parse(a.text)
      } catch {
        return [...problems, `${where}: declared JSON, answered ${JSON.stringify(a.text.slice(0, 80))}`]
      }
    }
    const ref = `${DOC_ID}#/${pointer('paths', found.template, method, 'responses', statusKey, 'content', type, 'schema')}`
    const validate = ajv.getSchema(ref) ?? ajv.compile({ $ref: ref })
    if (!validate(body))
      for (const e of validate.errors ?? [])
        problems.push(`${where}: body${e.instancePath} ${e.message} (${e.schemaPath})`)
    return problems
  }
}
