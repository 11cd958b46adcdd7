import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Secret, TOTP } from 'otpauth';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ensurePortalBuilt,
  launchPortalBrowser,
  MailCatcher,
  SCREENSHOTS,
  startCloud,
  type RunningCloud,
} from './fixtures';

// The account portal end to end: the real cloud (SQLite), a real SMTP server, Debian's Chromium.

let mail: MailCatcher;
let cloud: RunningCloud;
let browser: Browser;

beforeAll(async () => {
  ensurePortalBuilt();
  mkdirSync(SCREENSHOTS, { recursive: true });
  mail = new MailCatcher();
  await mail.start();
  cloud = await startCloud({
    SMTP_URL: `smtp://127.0.0.1:${mail.port}`,
    MAIL_FROM: 'Pipdesk <no-reply@pipdesk.test>',
  });
  browser = await launchPortalBrowser(cloud.url);
}, 120_000);

afterAll(async () => {
  await browser.close();
  await cloud.close();
  await mail.stop();
});

const shot = async (page: Page, name: string): Promise<void> => {
  await page.screenshot({ path: join(SCREENSHOTS, `portal-${name}.png`), fullPage: true });
};

async function apiCall(
  path: string,
  init: { method?: string; token?: string; body?: unknown } = {},
): Promise<Response> {
  const headers: Record<string, string> = {};
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  if (init.token !== undefined) headers['authorization'] = `Bearer ${init.token}`;
  return fetch(`${cloud.url}/api/v1${path}`, {
    method: init.method ?? 'GET',
    headers,
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
}

interface Tokens {
  access_token: string;
  refresh_token: string;
}

async function apiLogin(email: string, password: string): Promise<Tokens> {
  const res = await apiCall('/auth/login', { method: 'POST', body: { email, password } });
  expect(res.status).toBe(200);
  return ((await res.json()) as { tokens: Tokens }).tokens;
}

async function registerInPortal(
  page: Page,
  email: string,
  password: string,
  onForm?: () => Promise<void>,
): Promise<void> {
  await page.goto(`${cloud.url}/register`);
  await onForm?.();
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByLabel('Confirm password').fill(password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.waitForURL('**/connections');
  await page.getByTestId('user-email').waitFor();
  expect(await page.getByTestId('user-email').textContent()).toBe(email);
}

async function signInInPortal(page: Page, email: string, password: string): Promise<void> {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

const newEmail = (): string => `trader-${randomUUID().slice(0, 8)}@example.com`;

/** The reset link emailed to `email` (the latest one). */
async function resetLinkFor(email: string): Promise<string> {
  const message = await mail.next(
    (m) => m.to.includes(email) && m.decoded.includes('/reset-password?token='),
  );
  const link = /(https?:\/\/[^\s"'<>]+\/reset-password\?token=[A-Za-z0-9_\-%.~]+)/.exec(message.decoded)?.[1];
  expect(link).toBeDefined();
  expect(link?.startsWith(`${cloud.url}/reset-password?token=`)).toBe(true);
  return link ?? '';
}

// Each flow is its own test with its own account, and a step a flow only needs as a precondition goes through the
// HTTP API: on a loaded machine the time goes to Chromium (a context's first page and first load of the portal take
// seconds each; argon2 at the test cost and the forgot-password floor are milliseconds), so a test pays only for
// the browser work it checks. The browser's own first page is paid in the hook (launchPortalBrowser).
// Each wait is for a thing on the page (an element, a URL), never for a time. The budget is not a wait: under a
// load of 20-30 on two cores a page load takes 2-5 s and a full-page screenshot 1-2 s, and the first flow has four
// loads and seven screenshots; a step that never comes still fails on its own, at Playwright's 30 s per action.
describe('portal: account flows in Chromium', { timeout: 120_000 }, () => {
  it('register, sign out, forgot password, emailed link, reset: the link works once and only the new password signs in', async () => {
    const email = newEmail();
    const first = 'copper lantern drifts at noon';
    const second = 'seven quiet herons over ice';
    const context = await browser.newContext({ viewport: { width: 1280, height: 820 } });
    const page = await context.newPage();

    await registerInPortal(page, email, first, () => shot(page, 'register'));
    await page.getByTestId('no-connections').waitFor();
    await shot(page, 'connections-empty');

    await page.getByRole('banner').getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL('**/sign-in');
    await shot(page, 'sign-in');

    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    await page.waitForURL('**/forgot-password');
    await page.getByLabel('Email').fill(email);
    await page.getByRole('button', { name: 'Send reset link' }).click();
    await page.getByTestId('forgot-sent').waitFor();
    await shot(page, 'forgot-password');

    const link = await resetLinkFor(email);
    await page.goto(link);
    await page.getByRole('heading', { name: 'Choose a new password' }).waitFor();
    // The token leaves the address bar as soon as the page has read it.
    expect(page.url()).toBe(`${cloud.url}/reset-password`);
    await shot(page, 'reset-password');
    await page.getByLabel('New password', { exact: true }).fill(second);
    await page.getByLabel('Confirm new password').fill(second);
    await page.getByRole('button', { name: 'Set new password' }).click();
    await page.getByTestId('reset-done').waitFor();

    // The link works once.
    await page.goto(link);
    await page.getByLabel('New password', { exact: true }).fill('another fine passphrase here');
    await page.getByLabel('Confirm new password').fill('another fine passphrase here');
    await page.getByRole('button', { name: 'Set new password' }).click();
    await page
      .getByRole('alert')
      .filter({ hasText: /invalid|expired|used/i })
      .waitFor();

    // The old password is refused; the new one signs in.
    await page.goto(`${cloud.url}/sign-in`);
    await signInInPortal(page, email, first);
    await page.getByRole('alert').first().waitFor();
    expect(page.url()).toBe(`${cloud.url}/sign-in`);
    await signInInPortal(page, email, second);
    await page.waitForURL('**/connections');

    await context.close();
  });

  it('a reset ends every other session: a device is refused at once, a browser is back at sign-in with a message', async () => {
    const email = newEmail();
    const password = 'amber kettle hums at dusk';
    expect((await apiCall('/auth/register', { method: 'POST', body: { email, password } })).status).toBe(201);
    const device = await apiLogin(email, password);
    const context = await browser.newContext({ viewport: { width: 1280, height: 820 } });
    const page = await context.newPage();
    await page.goto(`${cloud.url}/sign-in`);
    await signInInPortal(page, email, password);
    await page.waitForURL('**/connections');

    expect((await apiCall('/auth/forgot-password', { method: 'POST', body: { email } })).status).toBe(202);
    const token = new URL(await resetLinkFor(email)).searchParams.get('token') ?? '';
    const reset = await apiCall('/auth/reset-password', {
      method: 'POST',
      body: { token, new_password: 'seven quiet herons over ice' },
    });
    expect(reset.status).toBe(200);

    // The other device's access and refresh tokens are refused at once.
    expect((await apiCall('/auth/me', { token: device.access_token })).status).toBe(401);
    expect(
      (await apiCall('/auth/refresh', { method: 'POST', body: { refresh_token: device.refresh_token } }))
        .status,
    ).toBe(401);
    // The browser finds out at its next call and is back at sign-in with a message.
    await page.getByRole('link', { name: 'Account' }).click();
    await page.waitForURL('**/sign-in');
    await page.getByTestId('session-notice').filter({ hasText: 'session has ended' }).waitFor();
    await context.close();
  });

  it('2FA: enrol with a code computed here, recovery codes shown once, then sign in with a fresh code', async () => {
    const email = newEmail();
    const password = 'granite orchard whispers softly';
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await registerInPortal(page, email, password);
    // A second session to see in the list and revoke.
    await apiLogin(email, password);

    await page.getByRole('link', { name: 'Account' }).click();
    await page.waitForURL('**/account');
    // Both sessions come in one answer, so the second row is the list.
    await page.getByTestId('session-row').nth(1).waitFor();
    expect(await page.getByTestId('session-row').count()).toBe(2);
    await shot(page, 'account');

    await page.getByRole('button', { name: 'Set up two-step verification' }).click();
    const secretText = (await page.getByTestId('totp-secret').textContent()) ?? '';
    expect(secretText).toMatch(/^[A-Z2-7]{16,}$/);
    expect(await page.getByAltText('QR code for your authenticator app').getAttribute('src')).toMatch(
      /^data:image\/png;base64,/,
    );
    await shot(page, 'totp-setup');
    const totp = new TOTP({
      secret: Secret.fromBase32(secretText),
      digits: 6,
      period: 30,
      algorithm: 'SHA1',
    });
    const enrolCode = totp.generate();
    await page.getByLabel('Code from the app').fill(enrolCode);
    await page.getByRole('button', { name: 'Turn on' }).click();
    await page.getByTestId('recovery-codes').waitFor();
    const codes = await page.locator('.codes span').allTextContents();
    expect(codes.length).toBe(10);
    await shot(page, 'recovery-codes');
    await page.getByRole('button', { name: 'I have saved them' }).click();
    await page.getByTestId('recovery-codes').waitFor({ state: 'detached' });
    await page.getByTestId('totp-card').getByText('On', { exact: true }).waitFor();

    // Revoke the other session from the list.
    const rows = page.getByTestId('session-row');
    await rows.filter({ hasNotText: 'This device' }).getByRole('button', { name: 'Revoke' }).click();
    await rows.nth(1).waitFor({ state: 'detached' });
    expect(await rows.count()).toBe(1);

    await page.getByRole('banner').getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL('**/sign-in');
    await signInInPortal(page, email, password);
    await page.getByRole('heading', { name: 'Two-step verification' }).waitFor();
    await shot(page, 'sign-in-2fa');

    // The code used to enrol is spent; the next step's code (within the allowed drift) is accepted.
    await page.getByLabel('Authentication code').fill(enrolCode);
    await page.getByRole('button', { name: 'Verify and sign in' }).click();
    await page.getByRole('alert').first().waitFor();
    await page.getByLabel('Authentication code').fill(totp.generate({ timestamp: Date.now() + 30_000 }));
    await page.getByRole('button', { name: 'Verify and sign in' }).click();
    await page.waitForURL('**/connections');
    expect(await page.getByTestId('user-email').textContent()).toBe(email);

    // Dark scheme, chosen by the user: the choice (not a token) is what localStorage keeps.
    await page.getByRole('button', { name: 'Dark' }).click();
    // (strings: e2e type-checks without DOM types)
    expect(await page.evaluate('document.documentElement.dataset.theme')).toBe('dark');
    await page.getByRole('link', { name: 'Account' }).click();
    await page.getByTestId('totp-card').getByText('On', { exact: true }).waitFor();
    await shot(page, 'account-dark');
    // Tokens never reach web storage.
    const stored = await page.evaluate(
      'JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage })',
    );
    expect(typeof stored).toBe('string');
    expect(String(stored)).not.toMatch(/eyJ|refresh|token/i);
    await context.close();
  });
});
