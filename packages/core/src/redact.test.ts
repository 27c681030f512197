import { describe, expect, it } from 'vitest'
import { maskCardNumbers, Redactor } from './redact.js'

describe('redaction', () => {
  it('removes registered secrets, also URL-encoded', () => {
    const r = new Redactor([
      'EYzu8jGGMfqaDEp76gSckuvnaHHu+bC4opsSN6lHv3b2lurNYkVXrZ7Z1AoqQnXI3eLuaUFyoRNC6FkrzVjceg==',
    ])
    const s = r.apply(
      'key=EYzu8jGGMfqaDEp76gSckuvnaHHu%2BbC4opsSN6lHv3b2lurNYkVXrZ7Z1AoqQnXI3eLuaUFyoRNC6FkrzVjceg%3D%3D&x=1',
    )
    expect(s).toBe('key=[REDACTED]&x=1')
  })
  it('masks card numbers but not ids, amounts or dates', () => {
    expect(maskCardNumbers('card 4111111111111111 ok')).toBe('card 411111******1111 ok')
    expect(maskCardNumbers('card 4111-1111-1111-1111')).toBe('card 411111******1111')
    expect(maskCardNumbers('TID nicepay00m01162601311530001234 amt 1000 at 20260131153000')).toBe(
      'TID nicepay00m01162601311530001234 amt 1000 at 20260131153000',
    )
  })
  it('ignores secrets too short to be credentials', () => {
    expect(new Redactor(['ab']).apply('abc')).toBe('abc')
  })
})
