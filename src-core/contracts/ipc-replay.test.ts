import { describe, expect, it } from 'vitest';
import { ipcChannels } from './ipc';
import { ReplayFileName, ReplayStatus, replayIpcChannels } from './ipc-replay';

const open = ipcChannels['replay:open'].request;

describe('replay IPC contract', () => {
  it('is part of the one channel map', () => {
    for (const name of Object.keys(replayIpcChannels)) expect(Object.keys(ipcChannels)).toContain(name);
  });

  it('opens a file named by folder and plain name', () => {
    expect(open.safeParse({ file: { folder: 'replays', name: 'EURUSD_M1_2024.csv' } }).success).toBe(true);
    expect(
      open.safeParse({ file: { folder: 'recordings', name: 'ticks 2024-05-01.csv' }, balance: 5000 }).success,
    ).toBe(true);
  });

  it.each([
    ['a parent folder', '../pipdesk.db'],
    ['a path', 'sub/file.csv'],
    ['a Windows path', '..\\..\\secret.txt'],
    ['a drive', 'C:file.csv'],
    ['a hidden file', '.env'],
    ['dot dot', '..'],
    ['a control character', 'a\u0000b.csv'],
    ['nothing', ''],
    ['a very long name', 'a'.repeat(201)],
  ])('refuses %s as a file name', (_what, name) => {
    expect(ReplayFileName.safeParse(name).success).toBe(false);
    expect(open.safeParse({ file: { folder: 'replays', name } }).success).toBe(false);
  });

  it('refuses other folders, paths, extra fields and bad balances', () => {
    expect(open.safeParse({ file: { folder: 'logs', name: 'main.log' } }).success).toBe(false);
    expect(open.safeParse({ file: { folder: 'replays', name: 'a.csv', path: '/etc/passwd' } }).success).toBe(
      false,
    );
    expect(open.safeParse({ path: '/etc/passwd' }).success).toBe(false);
    expect(open.safeParse({ file: { folder: 'replays', name: 'a.csv' }, balance: 0 }).success).toBe(false);
    expect(open.safeParse({ file: { folder: 'replays', name: 'a.csv' }, balance: -5 }).success).toBe(false);
    expect(open.safeParse({ file: { folder: 'replays', name: 'a.csv' }, balance: 'lots' }).success).toBe(
      false,
    );
  });

  it('takes speeds from 1× to 1000× in whole steps', () => {
    const speed = ipcChannels['replay:set-speed'].request;
    for (const ok of [1, 10, 100, 1000, 250]) expect(speed.safeParse({ speed: ok }).success).toBe(true);
    for (const bad of [0, -1, 1001, 2.5, Number.NaN, '100', null]) {
      expect(speed.safeParse({ speed: bad }).success).toBe(false);
    }
  });

  it('jumps to whole, non-negative times only', () => {
    const jump = ipcChannels['replay:jump-to'].request;
    expect(jump.safeParse({ timeMs: Date.UTC(2024, 0, 2) }).success).toBe(true);
    for (const bad of [-1, 1.5, Number.POSITIVE_INFINITY, '2024-01-02', 5e15]) {
      expect(jump.safeParse({ timeMs: bad }).success).toBe(false);
    }
    expect(jump.safeParse({}).success).toBe(false);
  });

  it('refuses fields on the bodiless channels', () => {
    for (const name of ['replay:play', 'replay:pause', 'replay:step', 'replay:close'] as const) {
      expect(ipcChannels[name].request.safeParse({}).success).toBe(true);
      expect(ipcChannels[name].request.safeParse({ force: true }).success).toBe(false);
    }
  });

  it('describes a closed replay', () => {
    const closed = {
      state: 'closed',
      key: null,
      file: null,
      symbols: [],
      speed: 1,
      timeMs: null,
      startMs: null,
      endMs: null,
      ticksPlayed: 0,
      ticksTotal: 0,
    };
    expect(ReplayStatus.safeParse(closed).success).toBe(true);
    expect(ReplayStatus.safeParse({ ...closed, state: 'rewinding' }).success).toBe(false);
  });
});
