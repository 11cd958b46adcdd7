import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findCatalogSymbol } from '../../src-core/trading/catalog';
import { loadReplayFile } from './replay-file';

const dir = mkdtempSync(join(tmpdir(), 'pipdesk-replay-file-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});
const pricing = (symbol: string) => findCatalogSymbol(symbol);
const file = (name: string, content: string | Buffer): string => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};
const MT5_HEADER = '<DATE>\t<TIME>\t<BID>\t<ASK>\t<LAST>\t<VOLUME>\t<FLAGS>';

describe('loadReplayFile', () => {
  it('streams a tick file larger than its 1 MB chunks without losing a line at a chunk boundary', async () => {
    const count = 60_000;
    const rows = ['time,symbol,bid,ask'];
    for (let i = 0; i < count; i += 1)
      rows.push(`${String(1_700_000_000_000 + i)},EURUSD,1.1${String(i % 1000).padStart(3, '0')},1.2`);
    const path = file('big.csv', rows.join('\r\n'));
    const r = await loadReplayFile(path, { pricing });
    expect(r.ok && r.value.ticks.length).toBe(count);
    expect(r.ok && r.value.ticks.at(-1)).toEqual({
      symbol: 'EURUSD',
      bid: 1.1999,
      ask: 1.2,
      timeMs: 1_700_000_000_000 + count - 1,
    });
  });

  it('reads an MT5 export saved as UTF-16 LE with a byte-order mark', async () => {
    const text = `${MT5_HEADER}\r\n2024.01.02\t13:05:00.123\t1.10438\t1.10450\t\t\t6\r\n2024.01.02\t13:05:00.500\t\t1.10451\t\t\t4\r\n`;
    const path = file(
      'EURUSD_ticks.csv',
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]),
    );
    const r = await loadReplayFile(path, { pricing, symbol: 'EURUSD' });
    expect(r.ok && r.value.format).toBe('mt5-ticks');
    expect(r.ok && r.value.ticks.map((t) => [t.bid, t.ask])).toEqual([
      [1.10438, 1.1045],
      [1.10438, 1.10451],
    ]);
  });

  it("reads MT5's bar export", async () => {
    const path = file(
      'EURUSD_M1.csv',
      '<DATE>\t<TIME>\t<OPEN>\t<HIGH>\t<LOW>\t<CLOSE>\t<TICKVOL>\t<VOL>\t<SPREAD>\n2024.01.02\t00:00:00\t1.1\t1.1\t1.1\t1.1\t1\t0\t0\n',
    );
    const r = await loadReplayFile(path, { pricing, symbol: 'EURUSD' });
    expect(r.ok && r.value.ticks).toHaveLength(4);
  });

  it.each([
    ['a binary file', Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00, 0x0a]), 'NUL byte'],
    [
      'one endless line',
      `time,symbol,bid,ask\n${'1'.repeat(2_000_000)}`,
      'line 2: longer than 4096 characters',
    ],
    [
      'a bad last line without a line break',
      'time,symbol,bid,ask\n1,EURUSD,1.2,1.1',
      'line 2: the ask is below the bid',
    ],
  ])('refuses %s', async (_what, content, why) => {
    const r = await loadReplayFile(file('bad.csv', content), { pricing });
    expect(!r.ok && r.error.message).toContain(why);
  });

  it('says which file it could not read', async () => {
    const r = await loadReplayFile(join(dir, 'missing.csv'), { pricing });
    expect(!r.ok && r.error.message).toBe(`${join(dir, 'missing.csv')} could not be read (ENOENT)`);
  });
});
