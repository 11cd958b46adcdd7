import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadReplayFile, parseReplayFile } from './replay-file';

const MT5_BARS = [
  '<DATE>\t<TIME>\t<OPEN>\t<HIGH>\t<LOW>\t<CLOSE>\t<TICKVOL>\t<VOL>\t<SPREAD>',
  '2024.01.02\t00:00:00\t1.10438\t1.10452\t1.10401\t1.10412\t57\t0\t12',
  '2024.01.02\t00:01:00\t1.10412\t1.10420\t1.10400\t1.10418\t31\t0\t0',
  '',
].join('\r\n');

let dir: string | undefined;
afterEach(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('parseReplayFile', () => {
  it("plays MT5's bar export as four prices a bar, 15 s apart, symbol from the file name", () => {
    const r = parseReplayFile(MT5_BARS, 'EURUSD_M1_202401020000_202401020001.csv');
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.format).toBe('mt5-bars');
    expect(r.value.specs.map((s) => s.name)).toEqual(['EURUSD']);
    const t0 = Date.UTC(2024, 0, 2);
    // A bar that closed down went up first: open, high, low, close.
    expect(r.value.ticks.slice(0, 4).map((t) => [t.timeMs - t0, t.bid])).toEqual([
      [0, 1.10438],
      [15_000, 1.10452],
      [30_000, 1.10401],
      [45_000, 1.10412],
    ]);
    // The bar's own spread (12 points), then the symbol's typical one where the bar has 0.
    expect(r.value.ticks[0]?.ask).toBeCloseTo(1.1045, 5);
    expect(r.value.ticks[4]?.ask).toBeGreaterThan(r.value.ticks[4]?.bid ?? Infinity);
    expect(r.value.ticks).toHaveLength(8);
  });

  it('plays a Pipdesk bar CSV of several symbols in time order', () => {
    const text = [
      'time,symbol,open,high,low,close',
      '2024-01-02T00:00:00Z,EURUSD,1.1,1.102,1.099,1.101',
      '2024-01-02T00:00:00Z,GBPUSD,1.27,1.271,1.268,1.269',
      '2024-01-02T00:01:00Z,EURUSD,1.101,1.103,1.1,1.102',
      '2024-01-02T00:01:00Z,GBPUSD,1.269,1.27,1.267,1.268',
    ].join('\n');
    const r = parseReplayFile(text, 'mixed.csv');
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.format).toBe('pipdesk-bars');
    expect(r.value.specs.map((s) => s.name).sort()).toEqual(['EURUSD', 'GBPUSD']);
    expect(r.value.ticks).toHaveLength(16);
    const times = r.value.ticks.map((t) => t.timeMs);
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it('plays a Pipdesk tick CSV as it is', () => {
    const r = parseReplayFile(
      ['1704153600000,EURUSD,1.1,1.1002', '1704153601000,USDJPY,141.2,141.21'].join('\n'),
      'ticks.csv',
    );
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.format).toBe('pipdesk-ticks');
    expect(r.value.ticks).toEqual([
      { symbol: 'EURUSD', bid: 1.1, ask: 1.1002, timeMs: 1704153600000 },
      { symbol: 'USDJPY', bid: 141.2, ask: 141.21, timeMs: 1704153601000 },
    ]);
  });

  it.each([
    ['an MT5 export named after no known symbol', MT5_BARS, 'export.csv', /named after its symbol/],
    ['an empty file', '', 'x.csv', /no ticks or bars/],
    ['an unknown symbol', '1704153600000,NOPE,1.1,1.2', 'x.csv', /unknown symbol NOPE/],
    ['a bar whose high is below its low', '1704153600000,EURUSD,1.1,1.0,1.2,1.1', 'x.csv', /bound/],
    ['a tick with the ask below the bid', '1704153600000,EURUSD,1.2,1.1', 'x.csv', /ask below bid/],
    ['a word for a price', '1704153600000,EURUSD,one,1.1', 'x.csv', /positive numbers/],
    ['three prices', '1704153600000,EURUSD,1.1,1.2,1.3', 'x.csv', /expected/],
  ])('refuses %s', (_what, text, name, message) => {
    const r = parseReplayFile(text, name);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('BAD_REPLAY');
      expect(r.error.message).toMatch(message);
    }
  });
});

describe('loadReplayFile', () => {
  it('reads UTF-16 (with its byte-order mark) as well as UTF-8', async () => {
    dir = mkdtempSync(join(tmpdir(), 'pipdesk-replay-file-'));
    const path = join(dir, 'EURUSD_M1.csv');
    writeFileSync(path, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(MT5_BARS, 'utf16le')]));
    const r = await loadReplayFile(path);
    expect(r.ok && r.value.ticks.length).toBe(8);
  });

  it('answers REPLAY_FILE_NOT_FOUND for a missing file or a folder', async () => {
    dir = mkdtempSync(join(tmpdir(), 'pipdesk-replay-file-'));
    for (const path of [join(dir, 'gone.csv'), dir]) {
      const r = await loadReplayFile(path);
      expect(r.ok ? 'ok' : r.error.code).toBe('REPLAY_FILE_NOT_FOUND');
    }
  });
});
