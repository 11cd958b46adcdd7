import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventsOf } from '../../src-core/observability/testing/envelope';
import { startSentryReceiver, type SentryReceiver } from '../../src-main/services/testing/sentry-receiver';
import { startDesktop, type DesktopHarness } from './harness';

// The renderer's error reports in Chromium against a local stand-in for Sentry (docs/operations.md, "Error
// reports"): with reporting off the SDK is never loaded and nothing is sent; with it on, the CSP lets the page
// post to the DSN's origin only, and an uncaught page error arrives without the secrets planted in it.

const EMAIL = 'renderer.user@example.net';
const PASSWORD = 'Renderer-pass-77-xyz';
const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJyZW5kZXJlci11c2VyIn0.bG9uZy1zaWduYXR1cmUtYnl0ZXM';
const RESET = 'https://app.pipdesk.test/reset-password?token=RsT0k3nFromTheMail';

/** Throws in the page, outside any handler, after leaving a console line as a breadcrumb. */
async function failInPage(h: DesktopHarness, tag: string): Promise<void> {
  await h.page.evaluate(
    ({ tag, email, password, jwt, reset }) => {
      console.info(`signing in ${email} password=${password}`);
      setTimeout(() => {
        throw new Error(`${tag}: ${email} Bearer ${jwt} ${reset}`);
      });
    },
    { tag, email: EMAIL, password: PASSWORD, jwt: JWT, reset: RESET },
  );
}

/** The scripts the page loaded: with reporting off, only the initial bundle. */
const scriptsOf = (h: DesktopHarness): Promise<string[]> =>
  h.page.evaluate(() =>
    performance
      .getEntriesByType('resource')
      .map((entry) => entry.name)
      .filter((name) => name.endsWith('.js')),
  );

async function cspOf(h: DesktopHarness): Promise<string> {
  const answer = await fetch(`${h.host.origin}/`);
  return answer.headers.get('content-security-policy') ?? '';
}

describe('renderer error reports', () => {
  let receiver: SentryReceiver;

  beforeAll(async () => {
    receiver = await startSentryReceiver();
  });
  afterAll(async () => {
    await receiver.close();
  });

  describe('off (no DSN)', () => {
    let h: DesktopHarness;
    beforeAll(async () => {
      h = await startDesktop({ tickMs: 0 });
    });
    afterAll(async () => {
      await h.close();
    });

    it('never loads the SDK, keeps the CSP closed, and sends nothing', async () => {
      await failInPage(h, 'off');
      await h.page.evaluate(() => new Promise((resolve) => setTimeout(resolve)));
      expect(await scriptsOf(h)).toHaveLength(1);
      expect(await h.page.evaluate(() => '__SENTRY__' in globalThis)).toBe(false);
      expect(await cspOf(h)).not.toContain(receiver.dsn.split('@')[1]?.split('/')[0] ?? '?');
      expect(receiver.raw).toHaveLength(0);
    });
  });

  describe('on', () => {
    let h: DesktopHarness;
    beforeAll(async () => {
      h = await startDesktop({
        tickMs: 0,
        errorReporting: { dsn: receiver.dsn, release: 'pipdesk-desktop@e2e', environment: 'e2e' },
      });
    });
    afterAll(async () => {
      await h.close();
    });

    it('lets the page post to the DSN origin only, and sends an uncaught error scrubbed', async () => {
      const origin = `http://${receiver.dsn.split('@')[1]?.split('/')[0] ?? ''}`;
      expect(await cspOf(h)).toMatch(new RegExp(`connect-src [^;]*${origin.replace(/[.:/]/g, '\\$&')}`));
      // The SDK is its own chunk, fetched once the app's info says reports are on.
      await h.page.waitForFunction(() => '__SENTRY__' in globalThis);
      expect(await scriptsOf(h)).toHaveLength(2);

      await failInPage(h, 'on');
      const [event] = (await receiver.waitForEvents(1)).filter((e) => JSON.stringify(e).includes('on: '));
      expect(event).toMatchObject({
        release: 'pipdesk-desktop@e2e',
        environment: 'e2e',
        platform: 'javascript',
      });
      const value = (event?.['exception'] as { values: { value: string }[] }).values[0]?.value;
      expect(value).toBe(
        'on: [email] Bearer [Filtered] https://app.pipdesk.test/reset-password?token=[Filtered]',
      );
      const breadcrumbs = JSON.stringify(event?.['breadcrumbs']);
      expect(breadcrumbs).toContain('signing in [email] password=[Filtered]');
      const sent = receiver.raw.join('\n');
      for (const secret of [EMAIL, PASSWORD, JWT, 'RsT0k3nFromTheMail', h.host.token]) {
        expect(sent).not.toContain(secret);
      }
      expect(eventsOf(receiver.envelopes).length).toBeGreaterThanOrEqual(1);
    });
  });
});
