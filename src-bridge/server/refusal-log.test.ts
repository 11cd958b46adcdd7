import { afterEach, describe, expect, it, vi } from 'vitest';
import { createMemoryLogger } from '../../src-core/logger';
import { RefusalLog } from './refusal-log';

afterEach(() => {
  vi.useRealTimers();
});

describe('RefusalLog', () => {
  it('logs the first refusal of an interval in full and summarises the rest in one line', () => {
    vi.useFakeTimers();
    const log = createMemoryLogger();
    const refusals = new RefusalLog(log, 60_000);
    for (let i = 0; i < 500; i += 1) refusals.record(i % 5 === 0 ? 'BAD_TOKEN' : 'HELLO_TIMEOUT', { i });
    expect(log.records).toHaveLength(1);
    expect(log.records[0]).toMatchObject({ level: 'warn', fields: { reason: 'BAD_TOKEN', i: 0 } });
    vi.advanceTimersByTime(60_000);
    expect(log.records).toHaveLength(2);
    expect(log.records[1]?.fields).toMatchObject({
      total: 499,
      counts: 'HELLO_TIMEOUT=400 BAD_TOKEN=99',
    });
    // A quiet interval writes nothing; the next refusal starts a new interval with its detail.
    vi.advanceTimersByTime(300_000);
    expect(log.records).toHaveLength(2);
    refusals.record('BAD_HELLO');
    expect(log.records).toHaveLength(3);
    refusals.close();
    expect(log.records).toHaveLength(3);
  });
});
