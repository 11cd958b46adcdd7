import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createMemoryLogger } from '../../../src-core/logger';
import { findCatalogSymbol } from '../../../src-core/trading/catalog';
import { loadReplayFile } from '../replay-file';
import { createTickRecorder, type TickRecorderOptions } from './tick-recorder';

const root = mkdtempSync(join(tmpdir(), 'pipdesk-recorder-'));
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});
let n = 0;
const recorder = (extra: Partial<TickRecorderOptions> = {}) => {
  n += 1;
  const dir = join(root, `data-${String(n)}`, 'recordings');
  // A long flush interval: each test flushes when it means to.
  const r = createTickRecorder({ dir, logger: createMemoryLogger(), flushMs: 60_000, ...extra });
  return { r, dir };
};
const DAY = Date.UTC(2026, 11, 3);

describe('createTickRecorder', () => {
  it('is off until enabled, buffers without touching the disk, and writes one 0600 file per server day', async () => {
    const { r, dir } = recorder();
    r.record({ symbol: 'EURUSD', bid: 1.1, ask: 1.1001, timeMs: DAY });
    await r.flush();
    expect(existsSync(dir)).toBe(false);
    expect(r.status().state).toBe('off');

    r.setEnabled(true);
    r.record({ symbol: 'EURUSD', bid: 1.10438, ask: 1.1045, timeMs: DAY + 13 * 3_600_000 + 123 });
    r.record({ symbol: 'GBPUSD.a', bid: 1.27012, ask: 1.27025, timeMs: DAY + 13 * 3_600_000 + 124 });
    r.record({ symbol: 'EURUSD', bid: 1.1044, ask: 1.1045, timeMs: DAY + 86_400_000 + 1 });
    // The tick path returned before anything reached the disk.
    expect(existsSync(join(dir, '2026-12-03.csv'))).toBe(false);
    await r.flush();
    const t = DAY + 13 * 3_600_000;
    expect(readFileSync(join(dir, '2026-12-03.csv'), 'utf8')).toBe(
      `time,symbol,bid,ask\n${String(t + 123)},EURUSD,1.10438,1.1045\n${String(t + 124)},GBPUSD.a,1.27012,1.27025\n`,
    );
    expect(readFileSync(join(dir, '2026-12-04.csv'), 'utf8')).toBe(
      `time,symbol,bid,ask\n${String(DAY + 86_400_000 + 1)},EURUSD,1.1044,1.1045\n`,
    );
    if (process.platform !== 'win32') {
      expect(statSync(join(dir, '2026-12-03.csv')).mode & 0o777).toBe(0o600);
      expect(statSync(dir).mode & 0o777).toBe(0o700);
    }
    // A second flush appends without a second header.
    r.record({ symbol: 'EURUSD', bid: 1.1, ask: 1.1, timeMs: DAY + 86_400_000 + 2 });
    await r.close();
    expect(readFileSync(join(dir, '2026-12-04.csv'), 'utf8').split('\n')).toHaveLength(4);
    expect(r.status()).toMatchObject({ state: 'recording', ticksWritten: 4, ticksSkipped: 0 });
    const files = await r.list();
    expect(files.map((f) => f.name)).toEqual(['2026-12-04.csv', '2026-12-03.csv']);
    expect(r.status().totalBytes).toBe(files.reduce((s, f) => s + f.bytes, 0));
  });

  it('writes what the replay reader reads back, tick for tick', async () => {
    const { r } = recorder();
    r.setEnabled(true);
    const ticks = Array.from({ length: 500 }, (_, i) => ({
      symbol: i % 3 === 0 ? 'GBPUSD' : 'EURUSD',
      bid: Number((1.1 + i / 100_000).toFixed(5)),
      ask: Number((1.1 + (i + 12) / 100_000).toFixed(5)),
      timeMs: DAY + i * 250,
    }));
    for (const t of ticks) r.record(t);
    await r.flush();
    const [file] = await r.list();
    const read = await loadReplayFile(file?.path ?? '', { pricing: (s) => findCatalogSymbol(s) });
    expect(read.ok && read.value.ticks).toEqual(ticks);
  });

  it('skips what could not be replayed (no price, ask below bid, a CSV-breaking name, a time going back) and repeats', async () => {
    const { r, dir } = recorder();
    r.setEnabled(true);
    r.record({ symbol: 'EURUSD', bid: 0, ask: 1.1, timeMs: DAY });
    r.record({ symbol: 'EURUSD', bid: 1.2, ask: 1.1, timeMs: DAY });
    r.record({ symbol: 'EURUSD', bid: Number.NaN, ask: 1.1, timeMs: DAY });
    r.record({ symbol: 'EUR,USD', bid: 1.1, ask: 1.2, timeMs: DAY });
    r.record({ symbol: 'EURUSD', bid: 1.1, ask: 1.2, timeMs: DAY + 10 });
    r.record({ symbol: 'EURUSD', bid: 1.1, ask: 1.2, timeMs: DAY + 9 });
    r.record({ symbol: 'EURUSD', bid: 1.1, ask: 1.2, timeMs: DAY + 10 });
    r.record({ symbol: 'EURUSD', bid: 1.1, ask: 1.2, timeMs: 1.5 });
    r.record({ symbol: 'EURUSD', bid: 1e-12, ask: 1.2, timeMs: DAY + 11 });
    r.record({ symbol: 'EURUSD', bid: 1, ask: 1e10, timeMs: DAY + 11 });
    // Binary noise and tiny prices are written as the reader accepts them: plain decimals, no exponent.
    r.record({ symbol: 'SHIBUSD', bid: 1e-7, ask: 0.1 + 0.2, timeMs: DAY + 12 });
    await r.flush();
    expect(r.status()).toMatchObject({ ticksWritten: 2, ticksSkipped: 9 });
    expect(readFileSync(join(dir, '2026-12-03.csv'), 'utf8')).toBe(
      `time,symbol,bid,ask\n${String(DAY + 10)},EURUSD,1.1,1.2\n${String(DAY + 12)},SHIBUSD,0.0000001,0.3\n`,
    );
  });

  it("stops a day's file at its cap and goes on with the next day", async () => {
    const { r, dir } = recorder({ maxFileBytes: 120 });
    r.setEnabled(true);
    for (let i = 0; i < 10; i += 1) r.record({ symbol: 'EURUSD', bid: 1.1, ask: 1.2, timeMs: DAY + i });
    await r.flush();
    const size = statSync(join(dir, '2026-12-03.csv')).size;
    expect(size).toBeLessThanOrEqual(120);
    expect(r.status()).toMatchObject({ state: 'full', ticksWritten: 3, ticksSkipped: 7 });
    expect(r.status().message).toContain('2026-12-03.csv reached 120 bytes');
    r.record({ symbol: 'EURUSD', bid: 1.1, ask: 1.2, timeMs: DAY + 86_400_000 });
    await r.flush();
    expect(r.status()).toMatchObject({ state: 'recording', ticksWritten: 4 });
    expect(r.status().message).toBeUndefined();
  });

  it('stops at the folder cap, counting days already there, until old days are deleted', async () => {
    const { r, dir } = recorder({ maxTotalBytes: 200 });
    r.setEnabled(true);
    r.record({ symbol: 'EURUSD', bid: 1.1, ask: 1.2, timeMs: DAY });
    await r.flush();
    writeFileSync(join(dir, '2026-01-01.csv'), 'x'.repeat(150));
    r.setEnabled(false);
    r.setEnabled(true);
    r.record({ symbol: 'EURUSD', bid: 1.1, ask: 1.2, timeMs: DAY + 1 });
    await r.flush();
    expect(r.status().state).toBe('full');
    expect(r.status().message).toContain('delete old days');
    rmSync(join(dir, '2026-01-01.csv'));
    await r.list();
    r.record({ symbol: 'EURUSD', bid: 1.1, ask: 1.2, timeMs: DAY + 2 });
    await r.flush();
    expect(r.status().state).toBe('recording');
  });

  it('never queues without end: past the buffer cap ticks are skipped', async () => {
    const { r } = recorder({ maxPendingTicks: 100 });
    r.setEnabled(true);
    for (let i = 0; i < 250; i += 1) r.record({ symbol: 'EURUSD', bid: 1.1, ask: 1.2, timeMs: DAY + i });
    await r.flush();
    expect(r.status()).toMatchObject({ ticksWritten: 100, ticksSkipped: 150 });
  });

  it('says a write failed, and recovers when the folder is writable again', async () => {
    const { r, dir } = recorder();
    // The day's path is a folder: appending to it fails.
    const blocker = join(dir, '2026-12-03.csv');
    r.setEnabled(true);
    r.record({ symbol: 'EURUSD', bid: 1.1, ask: 1.2, timeMs: DAY });
    await r.flush();
    rmSync(blocker);
    const { mkdirSync } = await import('node:fs');
    mkdirSync(blocker);
    r.setEnabled(false);
    r.setEnabled(true);
    r.record({ symbol: 'EURUSD', bid: 1.1, ask: 1.2, timeMs: DAY + 1 });
    await r.flush();
    expect(r.status().state).toBe('failed');
    expect(r.status().message).toMatch(/writing to .* failed: E/);
    rmSync(blocker, { recursive: true });
    r.record({ symbol: 'EURUSD', bid: 1.1, ask: 1.2, timeMs: DAY + 2 });
    await r.flush();
    expect(r.status()).toMatchObject({ state: 'recording', ticksWritten: 2, ticksSkipped: 1 });
  });

  it('flushes on its own timer', async () => {
    const { r, dir } = recorder({ flushMs: 20 });
    r.setEnabled(true);
    r.record({ symbol: 'EURUSD', bid: 1.1, ask: 1.2, timeMs: DAY });
    await expect.poll(() => existsSync(join(dir, '2026-12-03.csv')), { timeout: 2_000 }).toBe(true);
    await r.close();
  });
});
