import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator } from '../../src-bridge/simulator/simulator';
import type { TerminalStatus } from '../../src-bridge/simulator/terminal';
import { startDesktop, type DesktopHarness } from './harness';

/**
 * Settings → Connection to MT5: the pipe name is shown, not edited, and rotating the pairing token drops the
 * connected EA with TOKEN_ROTATED; it pairs again only because it re-reads the new token, and an EA still holding
 * the old token is refused (docs/bridge-protocol.md, "Pairing token and pipe name"; docs/security.md).
 */
describe('pairing in Settings', () => {
  let h: DesktopHarness;
  beforeAll(async () => {
    h = await startDesktop({ tickMs: 0 });
  });
  afterAll(async () => {
    await h.close();
  });

  it('shows the pipe name read-only, with a copy button', async () => {
    const { page, app } = h;
    await page.getByTestId('open-settings').click();
    const pipe = page.getByTestId('settings-pipe');
    // What the EA uses: the endpoint written to pipe.txt (the fixture names a socket in its temp folder).
    await expect.poll(() => pipe.textContent()).toBe(app.pipePath);
    expect(await page.locator('input[data-testid="settings-pipe"]').count()).toBe(0);
    expect(await page.getByTestId('settings-save-pipe').count()).toBe(0);
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: h.host.origin });
    await page.getByTestId('settings-copy-pipe').click();
    await page.getByTestId('settings-copy-pipe-result').waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(app.pipePath);
  });

  it('rotating the token drops the EA with TOKEN_ROTATED; it re-pairs only with the new token', async () => {
    const { page, app, sim } = h;
    const oldToken = readFileSync(app.tokenFile, 'utf8').trim();
    const statuses: TerminalStatus[] = [];
    const off = sim.onStatus((s) => statuses.push(s));
    const reconnected = new Promise<void>((resolve) => {
      const stop = sim.onStatus((s) => {
        if (s.kind === 'connected') {
          stop();
          resolve();
        }
      });
    });
    await page.getByTestId('settings-rotate-token').click();
    await page.getByTestId('settings-rotate-confirm').waitFor();
    await page.getByTestId('settings-rotate-yes').click();
    await page.getByTestId('settings-rotated').waitFor();
    await reconnected;
    off();
    expect(statuses[0]).toEqual({
      kind: 'disconnected',
      reason: expect.stringContaining('TOKEN_ROTATED') as string,
    });
    expect(statuses.at(-1)?.kind).toBe('connected');
    const newToken = readFileSync(app.tokenFile, 'utf8').trim();
    expect(newToken).toMatch(/^[0-9a-f]{64}$/);
    expect(newToken).not.toBe(oldToken);
    await page
      .locator('[data-testid="bridge-state"]:is([data-state="connected"], [data-state="demo"])')
      .waitFor();

    // An EA that still holds the old token proves nothing: it never gets a session.
    const stale = startSimulator({
      token: oldToken,
      path: app.pipePath,
      tickMs: 0,
      reconnect: false,
      refusedRetryMs: 60_000,
      account: { login: '7002', server: 'Pipdesk-E2E' },
    });
    try {
      const status = await new Promise<TerminalStatus>((resolve) => {
        const stop = stale.onStatus((s) => {
          stop();
          resolve(s);
        });
      });
      expect(['refused', 'impostor', 'disconnected']).toContain(status.kind);
      expect(stale.isConnected).toBe(false);
      expect(sim.isConnected).toBe(true);
    } finally {
      await stale.stop();
    }
  });
});
