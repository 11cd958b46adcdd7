import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './chromium';
import { RENDERER_DIR, startDesktopFixture, type DesktopFixture } from './fixtures/desktop';

const SCREENSHOTS = join(import.meta.dirname, 'screenshots');

/** What a page saw on a raw socket to the web host: the frames it received and the close code. */
interface SocketTranscript {
  readonly frames: unknown[];
  readonly closeCode: number | null;
}

/**
 * Runs a raw WebSocket conversation inside the page (so the browser sets the real Origin header): sends each
 * frame after the previous answer (the first on open), then reports what came back and how the socket closed.
 */
function converse(page: Page, wsUrl: string, frames: readonly unknown[]): Promise<SocketTranscript> {
  return page.evaluate(
    ({ url, toSend }) =>
      new Promise<SocketTranscript>((resolve) => {
        const got: unknown[] = [];
        const queue = [...toSend];
        const ws = new WebSocket(url);
        const sendNext = (): void => {
          const next = queue.shift();
          if (next === undefined) {
            ws.close(1000);
            return;
          }
          ws.send(typeof next === 'string' ? next : JSON.stringify(next));
        };
        ws.onopen = sendNext;
        ws.onmessage = (e: { data: unknown }) => {
          got.push(JSON.parse(String(e.data)));
          sendNext();
        };
        ws.onclose = (e) => {
          resolve({ frames: got, closeCode: e.code });
        };
      }),
    { url: wsUrl, toSend: frames },
  );
}

describe('desktop shell through the web host (Chromium)', () => {
  let fx: DesktopFixture;
  let browser: Browser;
  let page: Page;
  let otherSite: Server;
  let otherOrigin: string;

  beforeAll(async () => {
    fx = await startDesktopFixture();
    browser = await launchChromium();
    page = await browser.newPage();
    // Another local site (a different port is a different origin) that will try to reach the host.
    otherSite = createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html' }).end('<!doctype html><title>elsewhere</title>');
    });
    await new Promise<void>((resolve) => otherSite.listen(0, '127.0.0.1', resolve));
    otherOrigin = `http://127.0.0.1:${(otherSite.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await browser.close();
    await new Promise<void>((resolve) => {
      otherSite.close(() => {
        resolve();
      });
    });
    await fx.stop();
  });

  it('answers IPC from its own page once the token is presented', async () => {
    await page.goto(`${fx.host.origin}/`);
    const t = await converse(page, fx.host.wsUrl, [
      { type: 'auth', token: fx.host.token },
      { type: 'invoke', id: 1, channel: 'bridge:get-status', request: {} },
      { type: 'invoke', id: 2, channel: 'account:get-info', request: {} },
    ]);
    expect(t.frames[0]).toEqual({ type: 'ready' });
    expect(t.frames[1]).toMatchObject({
      type: 'result',
      id: 1,
      response: { ok: true, value: { state: 'demo', activeSessionId: fx.sim?.key } },
    });
    expect(t.frames[2]).toMatchObject({
      id: 2,
      response: { ok: true, value: { currency: 'USD', balance: 10_000 } },
    });
    expect(t.closeCode).toBe(1000);
  });

  it('refuses a wrong token, and a call made before authenticating', async () => {
    await page.goto(`${fx.host.origin}/`);
    const wrong = await converse(page, fx.host.wsUrl, [
      { type: 'auth', token: `${fx.host.token.slice(0, -2)}xx` },
      { type: 'invoke', id: 1, channel: 'settings:get', request: {} },
    ]);
    expect(wrong).toEqual({ frames: [], closeCode: 4001 });
    const early = await converse(page, fx.host.wsUrl, [
      { type: 'invoke', id: 1, channel: 'settings:get', request: {} },
    ]);
    expect(early).toEqual({ frames: [], closeCode: 4001 });
  });

  it('answers bad IPC input with a clear error and keeps serving', async () => {
    await page.goto(`${fx.host.origin}/`);
    const t = await converse(page, fx.host.wsUrl, [
      { type: 'auth', token: fx.host.token },
      {
        type: 'invoke',
        id: 1,
        channel: 'orders:open-market',
        request: { symbol: 'EURUSD', side: 'up', volume: 0 },
      },
      { type: 'invoke', id: 2, channel: 'orders:drop-tables', request: {} },
      { type: 'invoke', id: 3, channel: 'positions:list', request: {} },
    ]);
    const [, bad, unknown, fine] = t.frames as {
      response: { ok: boolean; error?: { code: string; message: string } };
    }[];
    expect(bad?.response.error?.code).toBe('BAD_REQUEST');
    expect(bad?.response.error?.message).toMatch(/orders:open-market: side: .*; volume: Too small/);
    expect(unknown?.response.error?.code).toBe('UNKNOWN_CHANNEL');
    expect(fine?.response).toEqual({ ok: true, value: { positions: [] } });
  });

  it('closes the socket on a frame that is not part of the protocol', async () => {
    await page.goto(`${fx.host.origin}/`);
    const t = await converse(page, fx.host.wsUrl, [
      { type: 'auth', token: fx.host.token },
      '{"type":"eval","code":"1"}',
    ]);
    expect(t).toEqual({ frames: [{ type: 'ready' }], closeCode: 4002 });
  });

  it('refuses a socket opened by another site, even with the right token', async () => {
    await page.goto(`${otherOrigin}/`);
    const t = await converse(page, fx.host.wsUrl, [{ type: 'auth', token: fx.host.token }]);
    expect(t).toEqual({ frames: [], closeCode: 1006 });
  });

  it('serves the renderer, which connects with the token from its URL', async () => {
    const clientsBefore = fx.host.clientCount();
    await page.goto(fx.url);
    if (!existsSync(join(RENDERER_DIR, 'index.html'))) {
      // Without a build the host explains itself instead of failing (npm test builds first).
      expect(await page.textContent('body')).toContain('npm run build');
      return;
    }
    await expect.poll(() => fx.host.clientCount()).toBe(clientsBefore + 1);
    // The token leaves the address bar once read; the page stays on its own origin and path.
    expect(page.url()).toBe(`${fx.host.origin}/`);
    expect(await page.evaluate(() => window.location.href)).not.toContain(fx.host.token);
    // A reload of the same tab still connects (the tab kept the token in its session storage).
    await page.reload();
    await expect.poll(() => fx.host.clientCount()).toBe(clientsBefore + 1);
    expect(page.url()).toBe(`${fx.host.origin}/`);
    const csp = (await page.request.get(fx.host.origin)).headers()['content-security-policy'];
    expect(csp).toContain("script-src 'self'");
    await mkdir(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOTS, 'shell-web-host.png') });
  });
});
