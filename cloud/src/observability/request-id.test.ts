import { describe, expect, it } from 'vitest';
import { requestIdFor } from './request-id';

describe('requestIdFor', () => {
  const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

  it("takes a trusted proxy's well-formed id", () => {
    expect(requestIdFor('0f4c2a1b9e8d7c6b', true)).toBe('0f4c2a1b9e8d7c6b');
  });

  it('makes its own without a trusted proxy, or when the header is missing or unsafe', () => {
    expect(requestIdFor('0f4c2a1b9e8d7c6b', false)).toMatch(uuid);
    expect(requestIdFor(undefined, true)).toMatch(uuid);
    for (const bad of ['short', 'a b c d e f g h', 'x'.repeat(65), 'id"\ninjected', 'nul\u0000nul-1234']) {
      expect(requestIdFor(bad, true)).toMatch(uuid);
    }
    expect(requestIdFor(['0f4c2a1b9e8d7c6b', '1234567890abcdef'], true)).toMatch(uuid);
    expect(requestIdFor('0f4c2a1b9e8d7c6b', false)).not.toBe(requestIdFor('0f4c2a1b9e8d7c6b', false));
  });
});
