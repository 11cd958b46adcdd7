import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadReplayFile } from './replay-file';

const MT5_BARS = [
  '<DATE>\t<TIME>\t<OPEN>\t<HIGH>\t<LOW>\t<CLOSE>\t<TICKVOL>\t<VOL>\t<SPREAD>',
  '2024.01.02\t00:00:00\t1.10438\t1.10452\t1.10401\t1.10412\t57\t0\t12',
  '2024.01.02\t00:01:00\t1.10412\t1.10420\t1.10400\t1.10418\t31\t0\t0',
  '',
].join('\r\n');

let dir = '';
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'pipdesk-replay-file-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});
const file = (name: string, content: string | Buffer): string => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};

describe('loadReplayFile (a replay session)', () => {
  it("plays MT5's bar export as four prices a bar, 15 s apart, symbol from the file name", async () => {
    const r = await loadReplayFile(file('EURUSD_M1_202401020000_202401020001.csv', MT5_BARS));
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
    expect(r.value.ticks[0]?.ask).toBeCloseTo(1.1045, 5);
    expect(r.value.ticks).toHaveLength(8);
  });

  it("plays MT5's tick export, symbol from the file name, and UTF-16 with its mark", async () => {
    const text = [
      '<DATE>\t<TIME>\t<BID>\t<ASK>\t<LAST>\t<VOLUME>\t<FLAGS>',
      '2024.01.02\t00:00:00.100\t1.10438\t1.10450\t\t\t6',
      '2024.01.02\t00:00:01.250\t1.10440\t1.10452\t\t\t6',
      '',
    ].join('\r\n');
    const path = file(
      'GBPUSD_202401020000_202401020001.csv',
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]),
    );
    const r = await loadReplayFile(path);
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.format).toBe('mt5-ticks');
    expect(r.value.ticks.map((t) => [t.symbol, t.bid, t.ask])).toEqual([
      ['GBPUSD', 1.10438, 1.1045],
      ['GBPUSD', 1.1044, 1.10452],
    ]);
  });

  it('plays a Pipdesk bar CSV of several symbols, and a tick CSV (a recording), in time order', async () => {
    const bars = await loadReplayFile(
      file(
        'mixed.csv',
        [
          'time,symbol,open,high,low,close',
          '2024-01-02T00:00:00Z,EURUSD,1.1,1.102,1.099,1.101',
          '2024-01-02T00:00:00Z,GBPUSD,1.27,1.271,1.268,1.269',
          '2024-01-02T00:01:00Z,EURUSD,1.101,1.103,1.1,1.102',
        ].join('\n'),
      ),
    );
    if (!bars.ok) throw new Error(bars.error.message);
    expect(bars.value.specs.map((s) => s.name).sort()).toEqual(['EURUSD', 'GBPUSD']);
    const times = bars.value.ticks.map((t) => t.timeMs);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    const ticks = await loadReplayFile(
      file(
        '2024-01-02.csv',
        'time,symbol,bid,ask\n1704153600000,EURUSD,1.1,1.1002\n1704153601000,USDJPY,141.2,141.21\n',
      ),
    );
    if (!ticks.ok) throw new Error(ticks.error.message);
    expect(ticks.value.format).toBe('csv-ticks');
    expect(ticks.value.ticks).toHaveLength(2);
  });

  it.each([
    ['an MT5 export named after no known symbol', 'export.csv', MT5_BARS, 'BAD_REPLAY'],
    ['an empty file', 'x.csv', '', 'BAD_REPLAY'],
    ['an unknown symbol', 'x.csv', 'time,symbol,bid,ask\n1704153600000,NOPE,1.1,1.2\n', 'BAD_REPLAY'],
    ['a word for a price', 'x.csv', 'time,symbol,bid,ask\n1704153600000,EURUSD,one,1.1\n', 'BAD_REPLAY'],
  ])('refuses %s', async (_what, name, content, code) => {
    const r = await loadReplayFile(file(name, content));
    expect(r.ok ? 'ok' : r.error.code).toBe(code);
  });

  it('answers REPLAY_FILE_NOT_FOUND for a missing file or a folder', async () => {
    for (const path of [join(dir, 'gone.csv'), dir]) {
      const r = await loadReplayFile(path);
      expect(r.ok ? 'ok' : r.error.code).toBe('REPLAY_FILE_NOT_FOUND');
    }
  });
});
