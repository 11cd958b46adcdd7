import { describe, expect, it } from 'vitest';
import { defaultDataDir, parseLaunchOptions } from './launch-options';

describe('launch options', () => {
  it('reads flags, with the environment as fallback', () => {
    const r = parseLaunchOptions(['--demo', '--port', '8123', '--data-dir', '/tmp/pd'], {
      PIPDESK_PIPE: '/tmp/p.sock',
    });
    expect(r).toEqual({
      ok: true,
      value: {
        dataDir: '/tmp/pd',
        isDemo: true,
        port: 8123,
        pipePath: '/tmp/p.sock',
        isWebOnly: false,
        isHelp: false,
      },
    });
    const env = parseLaunchOptions([], { PIPDESK_DATA_DIR: '/x', PIPDESK_PORT: '9000', PIPDESK_DEMO: '1' });
    expect(env.ok && env.value).toMatchObject({ dataDir: '/x', port: 9000, isDemo: true });
  });

  it('takes the EA endpoint from --socket, or its alias --pipe, and refuses the two disagreeing', () => {
    const socket = parseLaunchOptions(['--socket', '/tmp/a.sock'], {});
    expect(socket.ok && socket.value.pipePath).toBe('/tmp/a.sock');
    const alias = parseLaunchOptions(['--pipe', '/tmp/b.sock'], {});
    expect(alias.ok && alias.value.pipePath).toBe('/tmp/b.sock');
    const env = parseLaunchOptions([], { PIPDESK_SOCKET: '/tmp/c.sock' });
    expect(env.ok && env.value.pipePath).toBe('/tmp/c.sock');
    const same = parseLaunchOptions(['--socket', '/tmp/d.sock', '--pipe', '/tmp/d.sock'], {});
    expect(same.ok && same.value.pipePath).toBe('/tmp/d.sock');
    const clash = parseLaunchOptions(['--socket', '/tmp/e.sock', '--pipe', '/tmp/f.sock'], {});
    expect(clash.ok).toBe(false);
    if (!clash.ok)
      expect(clash.error.message).toBe(
        '--socket "/tmp/e.sock" and --pipe "/tmp/f.sock" disagree: give one of them.',
      );
  });

  it('reads the cloud URL from --cloud-url or PIPDESK_CLOUD_URL, and refuses what is not http(s)', () => {
    const flag = parseLaunchOptions(['--cloud-url', 'https://cloud.example.com'], {
      PIPDESK_CLOUD_URL: 'http://127.0.0.1:9999',
    });
    expect(flag.ok && flag.value.cloudUrl).toBe('https://cloud.example.com');
    const env = parseLaunchOptions([], { PIPDESK_CLOUD_URL: 'http://127.0.0.1:9999' });
    expect(env.ok && env.value.cloudUrl).toBe('http://127.0.0.1:9999');
    const none = parseLaunchOptions([], {});
    expect(none.ok && none.value.cloudUrl).toBeUndefined();
    for (const bad of ['ftp://cloud.example.com', 'not a url', 'javascript:alert(1)']) {
      const r = parseLaunchOptions(['--cloud-url', bad], {});
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error.message).toContain('cloudUrl');
    }
  });

  it('refuses unknown flags, bad ports and stray words with the usage', () => {
    for (const argv of [['--demoo'], ['--port', 'eighty'], ['--port', '70000'], ['start'], ['--port']]) {
      const r = parseLaunchOptions(argv, {});
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error.code).toBe('BAD_OPTIONS');
    }
    const r = parseLaunchOptions(['--demoo'], {});
    expect(!r.ok && r.error.message).toContain('Usage: npm start');
  });

  it('reads only its own flags from an Electron command line', () => {
    const argv = [
      '.',
      '--inspect=0',
      '--demo',
      '--remote-debugging-port=0',
      '--data-dir',
      '/d',
      '--no-sandbox',
    ];
    expect(parseLaunchOptions(argv, {}).ok).toBe(false);
    const r = parseLaunchOptions(argv, {}, 'linux', { isLenient: true });
    expect(r.ok && r.value).toMatchObject({ isDemo: true, dataDir: '/d', isWebOnly: false });
  });

  it('puts the data folder where Electron keeps userData', () => {
    expect(defaultDataDir('win32', { APPDATA: 'C:\\Users\\a\\AppData\\Roaming' }, '/h')).toMatch(
      /Roaming.Pipdesk$/,
    );
    expect(defaultDataDir('linux', {}, '/home/a')).toBe('/home/a/.config/Pipdesk');
    expect(defaultDataDir('linux', { XDG_CONFIG_HOME: '/cfg' }, '/home/a')).toBe('/cfg/Pipdesk');
    expect(defaultDataDir('darwin', {}, '/Users/a')).toBe('/Users/a/Library/Application Support/Pipdesk');
  });
});
