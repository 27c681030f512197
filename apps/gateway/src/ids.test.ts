import { describe, expect, it } from 'vitest'
import { newId } from './ids.js'

describe('newId', () => {
  it('has the prefix and 22 base62 characters', () => {
    expect(newId('can')).toMatch(/^can_[0-9A-Za-z]{22}$/)
  })

  it('never repeats, across many refills of the random block', () => {
    const ids = new Set<string>()
    for (let i = 0; i < 10_000; i++) ids.add(newId('req'))
    expect(ids.size).toBe(10_000)
  })
})
