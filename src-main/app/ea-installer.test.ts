import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createMemoryLogger } from '../../src-core/logger';
import { createEaInstaller } from './ea-installer';

const EA_SOURCE = join(import.meta.dirname, '..', '..', 'src-bridge', 'mql5');
const root = mkdtempSync(join(tmpdir(), 'pipdesk-installer-'));
const appData = join(root, 'AppData', 'Roaming');
const terminals = join(appData, 'MetaQuotes', 'Terminal');
const HASH_A = 'D0E8209F77C8CF37AD8BF550E51FF075';
const HASH_B = '0123456789ABCDEF0123456789ABCDEF';

mkdirSync(join(terminals, HASH_A, 'MQL5', 'Experts'), { recursive: true });
// origin.txt as MT5 writes it: UTF-16LE with a BOM.
writeFileSync(
  join(terminals, HASH_A, 'origin.txt'),
  Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('C:\\Program Files\\Exness MT5', 'utf16le')]),
);
mkdirSync(join(terminals, HASH_B, 'MQL5'), { recursive: true });
mkdirSync(join(terminals, 'Common', 'Files'), { recursive: true });
mkdirSync(join(terminals, 'Community'), { recursive: true });

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

const installer = (platform: NodeJS.Platform = 'win32', pipe = 'pipdesk') =>
  createEaInstaller({
    eaSourceDir: EA_SOURCE,
    appDataDir: appData,
    platform,
    pipeName: () => pipe,
    logger: createMemoryLogger(),
  });

describe('EA installer', () => {
  it('finds terminal data folders only, labelled from origin.txt', async () => {
    const scan = await installer().find();
    expect(scan.isSupported).toBe(true);
    expect(scan.terminals.map((t) => t.label)).toEqual([HASH_B, 'C:\\Program Files\\Exness MT5']);
    expect(scan.terminals.every((t) => !t.isEaInstalled)).toBe(true);
  });

  it('copies the EA into Experts\\Pipdesk and its includes into Include, then lists the steps', async () => {
    const dataPath = join(terminals, HASH_A);
    const res = await installer('win32', 'desk2').install(dataPath);
    expect(res.ok).toBe(true);
    if (!res.ok) return;
    const ea = join(dataPath, 'MQL5', 'Experts', 'Pipdesk', 'PipdeskBridge.mq5');
    expect(readFileSync(ea, 'utf8')).toBe(readFileSync(join(EA_SOURCE, 'PipdeskBridge.mq5'), 'utf8'));
    expect(existsSync(join(dataPath, 'MQL5', 'Include', 'Pipdesk', 'Json.mqh'))).toBe(true);
    expect(res.value.installedFiles.some((f) => f.endsWith('.ts'))).toBe(false);
    expect(res.value.nextSteps.join(' ')).toMatch(/Allow Algo Trading/);
    expect(res.value.nextSteps.join(' ')).toContain('desk2');
    expect(res.value.nextSteps.join(' ')).toContain('Leave the EA input "Pipe name" empty');
    const again = await installer().find();
    expect(again.terminals.find((t) => t.dataPath === dataPath)?.isEaInstalled).toBe(true);
  });

  it('copies the compiled EA (.ex5) beside the sources when the app ships one', async () => {
    const shipped = join(root, 'resources', 'mql5');
    cpSync(EA_SOURCE, shipped, {
      recursive: true,
      filter: (src) => !src.endsWith('.ts') && !src.includes('harness'),
    });
    writeFileSync(join(shipped, 'PipdeskBridge.ex5'), Buffer.from([0x45, 0x58, 0x35]));
    const dataPath = join(terminals, HASH_B);
    const res = await createEaInstaller({
      eaSourceDir: shipped,
      appDataDir: appData,
      platform: 'win32',
      pipeName: () => 'pipdesk',
      logger: createMemoryLogger(),
    }).install(dataPath);
    expect(res.ok).toBe(true);
    const ex5 = join(dataPath, 'MQL5', 'Experts', 'Pipdesk', 'PipdeskBridge.ex5');
    expect(readFileSync(ex5)).toEqual(Buffer.from([0x45, 0x58, 0x35]));
    expect(res.ok && res.value.installedFiles).toContain(ex5);
  });

  it('refuses to write anywhere but a folder it found', async () => {
    for (const target of [root, join(terminals, 'Common'), join(terminals, HASH_A, '..', '..')]) {
      const res = await installer().install(target);
      expect(!res.ok && res.error.code).toBe('EA_INSTALL_FAILED');
    }
    expect(existsSync(join(root, 'MQL5'))).toBe(false);
  });

  it('explains instead of searching where MT5 cannot run', async () => {
    const scan = await installer('linux').find();
    expect(scan).toMatchObject({ isSupported: false, terminals: [] });
    const res = await installer('linux').install(join(terminals, HASH_A));
    expect(!res.ok && res.error.message).toMatch(/Windows/);
  });
});
