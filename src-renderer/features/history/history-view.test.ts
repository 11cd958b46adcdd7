import { describe, expect, it } from 'vitest';
import { periodRange } from './history-view';

const NOW = Date.UTC(2026, 11, 3, 22, 30); // Thursday 2026-12-03 22:30 UTC
const server3 = { kind: 'server' as const, offsetSec: 10_800 }; // 01:30 on Friday on the server's clock
const utc = { kind: 'local' as const, timeZone: 'UTC' };
const noDates = { from: '', to: '' };

describe('periodRange', () => {
  it('"today" starts at midnight on the chosen clock', () => {
    expect(periodRange('today', NOW, server3, noDates)).toEqual({
      fromUtcMs: Date.UTC(2026, 11, 3, 21),
      toUtcMs: null,
    });
    expect(periodRange('today', NOW, utc, noDates)).toEqual({
      fromUtcMs: Date.UTC(2026, 11, 3),
      toUtcMs: null,
    });
  });
  it('"this week" starts on Monday, "this month" on the 1st', () => {
    expect(periodRange('week', NOW, utc, noDates)?.fromUtcMs).toBe(Date.UTC(2026, 10, 30));
    expect(periodRange('month', NOW, utc, noDates)?.fromUtcMs).toBe(Date.UTC(2026, 11, 1));
  });
  it('custom dates are whole days, both ends inclusive; a missing or reversed date gives none', () => {
    expect(periodRange('custom', NOW, utc, { from: '2026-11-02', to: '2026-11-03' })).toEqual({
      fromUtcMs: Date.UTC(2026, 10, 2),
      toUtcMs: Date.UTC(2026, 10, 4) - 1,
    });
    expect(periodRange('custom', NOW, utc, { from: '2026-11-02', to: '' })).toBeNull();
    expect(periodRange('custom', NOW, utc, { from: '2026-11-05', to: '2026-11-03' })).toBeNull();
  });
});
