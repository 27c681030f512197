import { describe, expect, it } from 'vitest'
import { namePreparedStatements, PREPARE_MARK, statementName } from './prepared.js'

describe('named prepared statements', () => {
  it('leaves unmarked statements unnamed', () => {
    expect(statementName('SELECT 1')).toBeUndefined()
    expect(statementName(`SELECT 1 ${PREPARE_MARK}`)).toBeUndefined()
  })

  it('gives one text one name and two texts two names', () => {
    const a = statementName(`${PREPARE_MARK}SELECT $1::int AS a`)
    const b = statementName(`${PREPARE_MARK}SELECT $1::int AS b`)
    expect(a).toMatch(/^paymux_\d+$/)
    expect(b).toMatch(/^paymux_\d+$/)
    expect(a).not.toBe(b)
    expect(statementName(`${PREPARE_MARK}SELECT $1::int AS a`)).toBe(a)
  })

  it('sends marked (text, values) calls by name and passes every other call through', async () => {
    const calls: unknown[][] = []
    const client = { query: (...args: unknown[]) => calls.push(args) }
    namePreparedStatements(client)
    const marked = `${PREPARE_MARK}SELECT $1::int AS c`
    client.query(marked, [1])
    client.query('SELECT $1::int', [2])
    client.query('BEGIN')
    expect(calls[0]).toEqual([{ name: statementName(marked), text: marked, values: [1] }])
    expect(calls[1]).toEqual(['SELECT $1::int', [2]])
    expect(calls[2]).toEqual(['BEGIN'])
  })
})
